//! Batched reads of solidarity actions and endorsements, for the
//! transports' loaders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::actions::list_condition;
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::paging::{Page, PageArgs, count_by_parent, load_pages_by_parent};
use entity::{ActionStatus, endorsement, solidarity_action};

/// The reads solidarity actions need, batched per request: the action
/// domain's part of [`crate::Reads`].
#[async_trait::async_trait]
pub trait ActionReads: Send + Sync {
    /// The actions an organization initiated that the viewer may read.
    async fn organization_actions(
        &self,
        organization: Uuid,
        status: Option<ActionStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<solidarity_action::Model>>;
    async fn organization_action_count(
        &self,
        organization: Uuid,
        status: Option<ActionStatus>,
    ) -> ApiResult<i64>;
    async fn endorsement_page(
        &self,
        action: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<endorsement::Model>>;
    async fn endorsement_count(&self, action: Uuid) -> ApiResult<i64>;
}

/// A page of the actions each organization initiated that the viewer may
/// read.
pub async fn organization_action_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ActionStatus>,
    orgs: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<solidarity_action::Model>>, DbErr> {
    load_pages_by_parent::<solidarity_action::Entity, _>(
        db,
        solidarity_action::Column::InitiatorId,
        solidarity_action::Column::Id,
        orgs,
        list_condition(viewer, now, status, None),
        args,
    )
    .await
}

pub async fn organization_action_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ActionStatus>,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let cond = list_condition(viewer, now, status, None);
    count_by_parent::<solidarity_action::Entity, _>(
        db,
        solidarity_action::Column::InitiatorId,
        orgs,
        cond,
    )
    .await
}

/// A page of each action's endorsements, oldest first (reached from a
/// readable action, so all of them show).
pub async fn endorsement_pages(
    db: &impl ConnectionTrait,
    actions: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<endorsement::Model>>, DbErr> {
    load_pages_by_parent::<endorsement::Entity, _>(
        db,
        endorsement::Column::ActionId,
        endorsement::Column::Id,
        actions,
        sea_orm::Condition::all(),
        args,
    )
    .await
}

pub async fn endorsement_counts(
    db: &impl ConnectionTrait,
    actions: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<endorsement::Entity, _>(
        db,
        endorsement::Column::ActionId,
        actions,
        sea_orm::Condition::all(),
    )
    .await
}
