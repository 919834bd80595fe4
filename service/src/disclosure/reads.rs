//! Batched reads of agencies and disclosure requests, for the transports'
//! loaders: one query for however many a response holds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::requests::state_condition;
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::paging::{Page, PageArgs, count_by_parent, load_pages_by_parent};
use crate::policy::sharing;
use entity::{
    DisclosureStatus, agency, citizen_submission, disclosure_attachment, disclosure_request,
};

/// Which of an organization's requests a nested list keeps.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgFilter {
    pub status: Option<DisclosureStatus>,
    pub overdue: Option<bool>,
}

/// The disclosure domain's part of [`crate::Reads`].
#[async_trait::async_trait]
pub trait DisclosureReads: Send + Sync {
    /// An agency by id (agencies are public).
    async fn agency(&self, id: Uuid) -> ApiResult<Option<agency::Model>>;
    /// The requests of an organization that the viewer may read.
    async fn organization_disclosure_requests(
        &self,
        organization: Uuid,
        filter: OrgFilter,
        args: PageArgs,
    ) -> ApiResult<Page<disclosure_request::Model>>;
    async fn organization_disclosure_request_count(
        &self,
        organization: Uuid,
        filter: OrgFilter,
    ) -> ApiResult<i64>;
    /// How many requests count towards a goal measured by them
    /// ([`super::goals`]).
    async fn disclosure_goal_count(&self, goal: Uuid) -> ApiResult<i64>;
    /// A request's attachments, oldest first.
    async fn attachments(&self, request: Uuid) -> ApiResult<Vec<disclosure_attachment::Model>>;
    /// An organization's citizen submissions waiting for a decision.
    async fn pending_submissions(
        &self,
        organization: Uuid,
    ) -> ApiResult<Vec<citizen_submission::Model>>;
}

/// The waiting submissions of each organization, oldest first.
pub async fn pending_submissions_of(
    db: &impl ConnectionTrait,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, Vec<citizen_submission::Model>>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = citizen_submission::Entity::find()
        .filter(citizen_submission::Column::OrganizationId.is_in(orgs.iter().copied()))
        .filter(citizen_submission::Column::ResolvedAt.is_null())
        .order_by_asc(citizen_submission::Column::Id)
        .all(db)
        .await?;
    Ok(crate::group::group_by(rows, |s| s.organization_id))
}

fn readable(viewer: &Viewer, now: DateTime<Utc>, filter: OrgFilter) -> Condition {
    Condition::all()
        .add(sharing::disclosure_visible(viewer, now))
        .add(state_condition(filter, now))
}

/// A page of each organization's requests that the viewer may read,
/// oldest first.
pub async fn organization_request_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    filter: OrgFilter,
    orgs: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<disclosure_request::Model>>, DbErr> {
    load_pages_by_parent::<disclosure_request::Entity, _>(
        db,
        disclosure_request::Column::OrganizationId,
        disclosure_request::Column::Id,
        orgs,
        readable(viewer, now, filter),
        args,
    )
    .await
}

pub async fn organization_request_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    filter: OrgFilter,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<disclosure_request::Entity, _>(
        db,
        disclosure_request::Column::OrganizationId,
        orgs,
        readable(viewer, now, filter),
    )
    .await
}

/// The attachments of each request, oldest first.
pub async fn attachments_of(
    db: &impl ConnectionTrait,
    requests: &[Uuid],
) -> Result<HashMap<Uuid, Vec<disclosure_attachment::Model>>, DbErr> {
    crate::group::children_of::<disclosure_attachment::Entity>(
        db,
        disclosure_attachment::Column::RequestId,
        disclosure_attachment::Column::Id,
        requests,
        |a| a.request_id,
    )
    .await
}
