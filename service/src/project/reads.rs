//! Batched reads of projects and goals, for the transports' loaders: one
//! query for however many projects, goals or organizations a response holds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::projects::visible;
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::paging::{Page, PageArgs, count_by_parent, load_pages_by_parent, load_pages_from};
use crate::policy::sharing;
use entity::{ProjectStatus, goal, goal_progress, project, project_participant};

/// The reads projects and goals need to follow relations, batched per
/// request: the project domain's part of [`crate::Reads`].
#[async_trait::async_trait]
pub trait ProjectReads: Send + Sync {
    /// A project by id, regardless of visibility.
    async fn project(&self, id: Uuid) -> ApiResult<Option<project::Model>>;
    /// The organizations taking part in a project now, the lead first.
    async fn participants(&self, project: Uuid) -> ApiResult<Vec<Uuid>>;
    async fn goals(&self, project: Uuid) -> ApiResult<Vec<goal::Model>>;
    /// A goal by id, regardless of visibility.
    async fn goal(&self, id: Uuid) -> ApiResult<Option<goal::Model>>;
    /// A goal's `achieved`, in ten-thousandths.
    async fn achieved(&self, goal: Uuid) -> ApiResult<i64>;
    /// What counts towards a goal's `achieved` before each bucket's end
    /// (index, end), per organization.
    async fn tallies(
        &self,
        goal: Uuid,
        buckets: Vec<(i32, DateTime<Utc>)>,
    ) -> ApiResult<Vec<Tally>>;
    async fn progress_page(
        &self,
        goal: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<goal_progress::Model>>;
    async fn progress_count(&self, goal: Uuid) -> ApiResult<i64>;
    /// The projects an organization leads or takes part in that the viewer may see.
    async fn organization_projects(
        &self,
        organization: Uuid,
        status: Option<ProjectStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<project::Model>>;
    async fn organization_project_count(
        &self,
        organization: Uuid,
        status: Option<ProjectStatus>,
    ) -> ApiResult<i64>;
    /// The projects run under an agreement that the viewer may see.
    async fn agreement_projects(
        &self,
        agreement: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<project::Model>>;
    async fn agreement_project_count(&self, agreement: Uuid) -> ApiResult<i64>;
}

pub use super::tally::{Tally, achieved_by_organization};

/// The organizations taking part in each project now, in the order they
/// joined (the lead first): former participants are not listed.
pub async fn participants_of(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    projects: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let pp = Alias::new("pp");
    let mut q = sharing::current_participations(None, now);
    q.and_where(
        Expr::col((pp.clone(), project_participant::Column::ProjectId))
            .is_in(projects.iter().copied()),
    )
    .order_by((pp, project_participant::Column::Id), Order::Asc);
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in db.query_all(&q).await? {
        let project: Uuid = row.try_get("", "project_id")?;
        out.entry(project)
            .or_default()
            .push(row.try_get("", "organization_id")?);
    }
    Ok(out)
}

/// The goals of each project, oldest first.
pub async fn goals_of(
    db: &impl ConnectionTrait,
    projects: &[Uuid],
) -> Result<HashMap<Uuid, Vec<goal::Model>>, DbErr> {
    crate::group::children_of::<goal::Entity>(
        db,
        goal::Column::ProjectId,
        goal::Column::Id,
        projects,
        |g| g.project_id,
    )
    .await
}

/// `achieved` of each goal, in ten-thousandths.
pub async fn achieved_of(
    db: &impl ConnectionTrait,
    goals: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut out: HashMap<Uuid, i64> = goals.iter().map(|g| (*g, 0)).collect();
    for t in achieved_by_organization(db, goals, None).await? {
        if t.counts() {
            *out.entry(t.goal).or_default() += t.amount_e4;
        }
    }
    Ok(out)
}

/// A page of each goal's progress, oldest first.
pub async fn progress_pages(
    db: &impl ConnectionTrait,
    goals: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<goal_progress::Model>>, DbErr> {
    load_pages_by_parent::<goal_progress::Entity, _>(
        db,
        goal_progress::Column::GoalId,
        goal_progress::Column::Id,
        goals,
        Condition::all(),
        args,
    )
    .await
}

pub async fn progress_counts(
    db: &impl ConnectionTrait,
    goals: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<goal_progress::Entity, _>(
        db,
        goal_progress::Column::GoalId,
        goals,
        Condition::all(),
    )
    .await
}

/// Projects joined to the organizations taking part in them now (alias
/// `cp`), restricted to what the viewer may see (and to one status).
fn organization_projects(
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ProjectStatus>,
    orgs: &[Uuid],
) -> SelectStatement {
    let cp = Alias::new("cp");
    let mut cond = Condition::all()
        .add(
            Expr::col((cp.clone(), project_participant::Column::OrganizationId))
                .is_in(orgs.iter().copied()),
        )
        .add(visible(viewer, now));
    if let Some(status) = status {
        cond = cond.add(Expr::col((project::Entity, project::Column::Status)).eq(status.as_str()));
    }
    let mut q = Query::select();
    q.from(project::Entity)
        .join_subquery(
            JoinType::InnerJoin,
            sharing::current_participations(None, now),
            cp.clone(),
            Expr::col((cp, project_participant::Column::ProjectId))
                .equals((project::Entity, project::Column::Id)),
        )
        .cond_where(cond);
    q
}

/// A page of the projects of each organization (led or taken part in) that
/// the viewer may see.
pub async fn organization_project_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ProjectStatus>,
    orgs: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<project::Model>>, DbErr> {
    let org = (
        Alias::new("cp"),
        project_participant::Column::OrganizationId,
    );
    let mut inner = organization_projects(viewer, now, status, orgs);
    inner
        .column((project::Entity, Asterisk))
        .expr_as(Expr::col(org.clone()), Alias::new("yd_parent"));
    load_pages_from::<project::Model>(
        db,
        inner,
        org,
        (project::Entity, project::Column::Id),
        orgs,
        args,
    )
    .await
}

/// How many projects of each organization the viewer may see.
pub async fn organization_project_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ProjectStatus>,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let org = (
        Alias::new("cp"),
        project_participant::Column::OrganizationId,
    );
    let mut q = organization_projects(viewer, now, status, orgs);
    q.expr_as(Expr::col(org.clone()), Alias::new("yd_org"))
        .expr_as(
            Func::count(Expr::col((project::Entity, project::Column::Id))),
            Alias::new("yd_n"),
        )
        .group_by_col(org);
    let mut out: HashMap<Uuid, i64> = orgs.iter().map(|o| (*o, 0)).collect();
    for row in db.query_all(&q).await? {
        out.insert(row.try_get("", "yd_org")?, row.try_get("", "yd_n")?);
    }
    Ok(out)
}

/// A page of the projects run under each agreement that the viewer may see.
pub async fn agreement_project_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreements: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<project::Model>>, DbErr> {
    load_pages_by_parent::<project::Entity, _>(
        db,
        project::Column::AgreementId,
        project::Column::Id,
        agreements,
        visible(viewer, now),
        args,
    )
    .await
}

pub async fn agreement_project_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreements: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<project::Entity, _>(
        db,
        project::Column::AgreementId,
        agreements,
        visible(viewer, now),
    )
    .await
}
