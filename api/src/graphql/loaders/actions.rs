//! The loaders behind [`ActionReads`]: actions of organizations and
//! endorsements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Cached, PagesKey, batch, one, per_argument};
use entity::{ActionStatus, endorsement, solidarity_action};
use service::ApiResult;
use service::action::reads::{self as actions, ActionReads};
use service::auth::Viewer;
use service::paging::{Page, PageArgs};

type StatusPagesKey = PagesKey<(Option<ActionStatus>, PageArgs)>;

pub(super) struct ActionLoaders {
    org_actions: Cached<StatusPagesKey, Page<solidarity_action::Model>>,
    org_action_counts: Cached<PagesKey<Option<ActionStatus>>, i64>,
    endorsement_pages: Cached<PagesKey<PageArgs>, Page<endorsement::Model>>,
    endorsement_counts: Cached<Uuid, i64>,
}

impl ActionLoaders {
    pub(super) fn new(
        with: &impl Fn() -> (DatabaseConnection, Viewer),
        now: DateTime<Utc>,
    ) -> Self {
        ActionLoaders {
            org_actions: per_argument(with, move |db, viewer, (status, args), orgs| async move {
                actions::organization_action_pages(&db, &viewer, now, status, &orgs, &args).await
            }),
            org_action_counts: per_argument(with, move |db, viewer, status, orgs| async move {
                actions::organization_action_counts(&db, &viewer, now, status, &orgs).await
            }),
            endorsement_pages: per_argument(with, |db, _, args, ids| async move {
                actions::endorsement_pages(&db, &ids, &args).await
            }),
            endorsement_counts: loader!(with, |db, _, ids: Vec<Uuid>| {
                actions::endorsement_counts(&db, &ids).await
            }),
        }
    }
}

#[async_trait]
impl ActionReads for super::Loaders {
    async fn organization_actions(
        &self,
        organization: Uuid,
        status: Option<ActionStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<solidarity_action::Model>> {
        one(&self.actions.org_actions, (organization, (status, args))).await
    }

    async fn organization_action_count(
        &self,
        organization: Uuid,
        status: Option<ActionStatus>,
    ) -> ApiResult<i64> {
        one(&self.actions.org_action_counts, (organization, status)).await
    }

    async fn endorsement_page(
        &self,
        action: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<endorsement::Model>> {
        one(&self.actions.endorsement_pages, (action, args)).await
    }

    async fn endorsement_count(&self, action: Uuid) -> ApiResult<i64> {
        one(&self.actions.endorsement_counts, action).await
    }
}
