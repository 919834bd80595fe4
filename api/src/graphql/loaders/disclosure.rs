//! The loaders behind [`DisclosureReads`]: agencies, and organizations'
//! disclosure requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Cached, PagesKey, batch, by_id, maybe, one, per_argument};
use entity::{agency, citizen_submission, disclosure_attachment, disclosure_request};
use service::ApiResult;
use service::auth::Viewer;
use service::disclosure::OrgFilter;
use service::disclosure::reads::{self as disclosure, DisclosureReads};
use service::paging::{Page, PageArgs};

type FilterPagesKey = PagesKey<(OrgFilter, PageArgs)>;

pub(super) struct DisclosureLoaders {
    agencies: Cached<Uuid, agency::Model>,
    org_requests: Cached<FilterPagesKey, Page<disclosure_request::Model>>,
    org_request_counts: Cached<PagesKey<OrgFilter>, i64>,
    goal_counts: Cached<Uuid, i64>,
    pending_submissions: Cached<Uuid, Vec<citizen_submission::Model>>,
    attachments: Cached<Uuid, Vec<disclosure_attachment::Model>>,
}

impl DisclosureLoaders {
    pub(super) fn new(
        db: &DatabaseConnection,
        with: &impl Fn() -> (DatabaseConnection, Viewer),
        now: DateTime<Utc>,
    ) -> Self {
        DisclosureLoaders {
            agencies: by_id::<agency::Entity>(db, agency::Column::Id, |m| m.id),
            org_requests: per_argument(with, move |db, viewer, (filter, args), orgs| async move {
                disclosure::organization_request_pages(&db, &viewer, now, filter, &orgs, &args)
                    .await
            }),
            org_request_counts: per_argument(with, move |db, viewer, filter, orgs| async move {
                disclosure::organization_request_counts(&db, &viewer, now, filter, &orgs).await
            }),
            goal_counts: loader!(with, |db, _, ids: Vec<Uuid>| {
                service::disclosure::goals::counts(&db, now, &ids).await
            }),
            pending_submissions: loader!(with, |db, _, ids: Vec<Uuid>| {
                disclosure::pending_submissions_of(&db, &ids).await
            }),
            attachments: loader!(with, |db, _, ids: Vec<Uuid>| {
                disclosure::attachments_of(&db, &ids).await
            }),
        }
    }
}

#[async_trait]
impl DisclosureReads for super::Loaders {
    async fn agency(&self, id: Uuid) -> ApiResult<Option<agency::Model>> {
        maybe(&self.disclosure.agencies, id).await
    }

    async fn organization_disclosure_requests(
        &self,
        organization: Uuid,
        filter: OrgFilter,
        args: PageArgs,
    ) -> ApiResult<Page<disclosure_request::Model>> {
        one(
            &self.disclosure.org_requests,
            (organization, (filter, args)),
        )
        .await
    }

    async fn organization_disclosure_request_count(
        &self,
        organization: Uuid,
        filter: OrgFilter,
    ) -> ApiResult<i64> {
        one(&self.disclosure.org_request_counts, (organization, filter)).await
    }

    async fn disclosure_goal_count(&self, goal: Uuid) -> ApiResult<i64> {
        one(&self.disclosure.goal_counts, goal).await
    }

    async fn attachments(&self, request: Uuid) -> ApiResult<Vec<disclosure_attachment::Model>> {
        one(&self.disclosure.attachments, request).await
    }

    async fn pending_submissions(
        &self,
        organization: Uuid,
    ) -> ApiResult<Vec<citizen_submission::Model>> {
        one(&self.disclosure.pending_submissions, organization).await
    }
}
