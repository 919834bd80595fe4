//! The loaders behind [`ProjectReads`]: projects, goals and progress.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Cached, PagesKey, batch, by_id, maybe, one, per_argument};
use entity::{ProjectStatus, goal, goal_progress, project};
use service::ApiResult;
use service::auth::Viewer;
use service::group::group_by;
use service::paging::{Page, PageArgs};
use service::project::reads::{self as projects, ProjectReads, Tally};

type Buckets = Vec<(i32, DateTime<Utc>)>;
type StatusPagesKey = PagesKey<(Option<ProjectStatus>, PageArgs)>;

pub(super) struct ProjectLoaders {
    projects: Cached<Uuid, project::Model>,
    goal: Cached<Uuid, goal::Model>,
    participants: Cached<Uuid, Vec<Uuid>>,
    goals: Cached<Uuid, Vec<goal::Model>>,
    achieved: Cached<Uuid, i64>,
    tallies: Cached<(Uuid, Buckets), Vec<Tally>>,
    progress_pages: Cached<PagesKey<PageArgs>, Page<goal_progress::Model>>,
    progress_counts: Cached<Uuid, i64>,
    org_projects: Cached<StatusPagesKey, Page<project::Model>>,
    org_project_counts: Cached<PagesKey<Option<ProjectStatus>>, i64>,
    agreement_projects: Cached<PagesKey<PageArgs>, Page<project::Model>>,
    agreement_project_counts: Cached<Uuid, i64>,
}

impl ProjectLoaders {
    pub(super) fn new(
        db: &DatabaseConnection,
        with: &impl Fn() -> (DatabaseConnection, Viewer),
        now: DateTime<Utc>,
    ) -> Self {
        ProjectLoaders {
            projects: by_id::<project::Entity>(db, project::Column::Id, |m| m.id),
            goal: by_id::<goal::Entity>(db, goal::Column::Id, |m| m.id),
            participants: loader!(with, |db, _, ids: Vec<Uuid>| {
                projects::participants_of(&db, now, &ids).await
            }),
            goals: loader!(with, |db, _, ids: Vec<Uuid>| {
                projects::goals_of(&db, &ids).await
            }),
            achieved: loader!(with, |db, _, ids: Vec<Uuid>| {
                projects::achieved_of(&db, &ids).await
            }),
            tallies: per_argument(with, |db, _, buckets: Buckets, goals| async move {
                let found = projects::achieved_by_organization(&db, &goals, Some(&buckets)).await?;
                Ok(group_by(found, |t| t.goal))
            }),
            progress_pages: per_argument(with, |db, _, args, goals| async move {
                projects::progress_pages(&db, &goals, &args).await
            }),
            progress_counts: loader!(with, |db, _, ids: Vec<Uuid>| {
                projects::progress_counts(&db, &ids).await
            }),
            org_projects: per_argument(with, move |db, viewer, (status, args), orgs| async move {
                projects::organization_project_pages(&db, &viewer, now, status, &orgs, &args).await
            }),
            org_project_counts: per_argument(with, move |db, viewer, status, orgs| async move {
                projects::organization_project_counts(&db, &viewer, now, status, &orgs).await
            }),
            agreement_projects: per_argument(with, move |db, viewer, args, ids| async move {
                projects::agreement_project_pages(&db, &viewer, now, &ids, &args).await
            }),
            agreement_project_counts: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                projects::agreement_project_counts(&db, &viewer, now, &ids).await
            }),
        }
    }
}

#[async_trait]
impl ProjectReads for super::Loaders {
    async fn project(&self, id: Uuid) -> ApiResult<Option<project::Model>> {
        maybe(&self.projects.projects, id).await
    }

    async fn participants(&self, project: Uuid) -> ApiResult<Vec<Uuid>> {
        one(&self.projects.participants, project).await
    }

    async fn goals(&self, project: Uuid) -> ApiResult<Vec<goal::Model>> {
        one(&self.projects.goals, project).await
    }

    async fn goal(&self, id: Uuid) -> ApiResult<Option<goal::Model>> {
        maybe(&self.projects.goal, id).await
    }

    async fn achieved(&self, goal: Uuid) -> ApiResult<i64> {
        one(&self.projects.achieved, goal).await
    }

    async fn tallies(&self, goal: Uuid, buckets: Buckets) -> ApiResult<Vec<Tally>> {
        one(&self.projects.tallies, (goal, buckets)).await
    }

    async fn progress_page(
        &self,
        goal: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<goal_progress::Model>> {
        one(&self.projects.progress_pages, (goal, args)).await
    }

    async fn progress_count(&self, goal: Uuid) -> ApiResult<i64> {
        one(&self.projects.progress_counts, goal).await
    }

    async fn organization_projects(
        &self,
        organization: Uuid,
        status: Option<ProjectStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<project::Model>> {
        one(&self.projects.org_projects, (organization, (status, args))).await
    }

    async fn organization_project_count(
        &self,
        organization: Uuid,
        status: Option<ProjectStatus>,
    ) -> ApiResult<i64> {
        one(&self.projects.org_project_counts, (organization, status)).await
    }

    async fn agreement_projects(
        &self,
        agreement: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<project::Model>> {
        one(&self.projects.agreement_projects, (agreement, args)).await
    }

    async fn agreement_project_count(&self, agreement: Uuid) -> ApiResult<i64> {
        one(&self.projects.agreement_project_counts, agreement).await
    }
}
