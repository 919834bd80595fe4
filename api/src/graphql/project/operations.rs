//! Projects' and goals' queries and mutations: thin resolvers over the
//! project services.

use async_graphql::{Context, ID, InputObject, Object};

use super::{
    Goal, GoalKindGql, GoalMeasureGql, GoalProgress, GoalStatusGql, Project, ProjectConnection,
    ProjectStatusGql, VisibilityGql,
};
use crate::graphql::{Date, Result, core, ids};
use service::project::goals::DisclosureCriteria;
use service::project::{NewGoal, NewProgress, NewProject, ProjectFilter, goals, projects};

#[derive(InputObject)]
pub struct CreateProjectInput {
    lead_organization_id: ID,
    /// The agreement it runs under: the lead must be a SIGNED party of it, and it must share PROJECTS and not have ended. Every SIGNED party then reads the project while the agreement is ACTIVE, whatever its visibility.
    agreement_id: Option<ID>,
    title: String,
    summary: Option<String>,
    visibility: VisibilityGql,
    starts_on: Option<Date>,
    ends_on: Option<Date>,
}

#[derive(InputObject)]
pub struct GoalInput {
    kind: GoalKindGql,
    title: String,
    unit: Option<String>,
    /// QUANTITATIVE goals: above 0, at most four decimal places.
    target: Option<f64>,
    due_on: Option<Date>,
    /// QUANTITATIVE goals: TOTAL when omitted.
    measure: Option<GoalMeasureGql>,
    /// For measure ATTENDANCE: the series whose attendance is measured — hosted by an organization taking part in the project, and one whose attendance the caller sees (a member of its host or a co-host). The target is then a rate (0.7 for 70%).
    event_series_id: Option<ID>,
    /// Only for measure DISCLOSURE_REQUESTS: which requests count.
    disclosure_filter: Option<DisclosureGoalFilter>,
}

/// Only for measure DISCLOSURE_REQUESTS: which requests count.
#[derive(InputObject)]
pub struct DisclosureGoalFilter {
    filed_by: Option<crate::graphql::disclosure::FiledByGql>,
    /// count only requests that have a decision
    decided_only: Option<bool>,
}

#[derive(InputObject)]
pub struct ProgressInput {
    /// The participating organization the progress is recorded for.
    organization_id: ID,
    /// At most four decimal places. TOTAL goals: not 0 (negative corrects); LEVEL goals: the current reading, 0 or more.
    amount: f64,
    note: Option<String>,
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Projects visible to the viewer, oldest first; `search` matches part of the title, case-insensitively.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        status: Option<ProjectStatusGql>,
        search: Option<String>,
        #[graphql(desc = "Only projects run under this agreement.")] agreement_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ProjectConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let filter = ProjectFilter {
            status: status.map(Into::into),
            agreement_id: ids::parse_opt(agreement_id.as_ref(), "agreementId")?,
            search,
        };
        let listing = projects::list(core(ctx)?, filter, &args).await?;
        Ok(ProjectConnection::from_listing(listing, Project))
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Project>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Project(projects::find(core(ctx)?, id).await?)))
    }

    async fn goal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Goal>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Goal(goals::find(core(ctx)?, id).await?)))
    }
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// EDITOR+ of the lead organization.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectInput,
    ) -> Result<Project> {
        let input = NewProject {
            lead_organization_id: ids::parse(&input.lead_organization_id, "leadOrganizationId")?,
            agreement_id: ids::parse_opt(input.agreement_id.as_ref(), "agreementId")?,
            title: input.title,
            summary: input.summary,
            visibility: input.visibility.into(),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
        };
        Ok(Project(projects::create(core(ctx)?, input).await?))
    }

    /// EDITOR+ of the lead. The added organization must be a SIGNED party of the project's agreement.
    async fn add_project_participant(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        organization_id: ID,
    ) -> Result<Project> {
        let project = ids::parse(&project_id, "projectId")?;
        let org = ids::parse(&organization_id, "organizationId")?;
        Ok(Project(
            projects::add_participant(core(ctx)?, project, org).await?,
        ))
    }

    /// EDITOR+ of the lead: PLANNED → ACTIVE → COMPLETED, CANCELLED from PLANNED or ACTIVE, COMPLETED reopened as ACTIVE.
    async fn set_project_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ProjectStatusGql,
    ) -> Result<Project> {
        let id = ids::parse(&id, "id")?;
        Ok(Project(
            projects::set_status(core(ctx)?, id, status.into()).await?,
        ))
    }

    /// EDITOR+ of the lead, while the project is PLANNED or ACTIVE.
    async fn add_goal(&self, ctx: &Context<'_>, project_id: ID, input: GoalInput) -> Result<Goal> {
        let project = ids::parse(&project_id, "projectId")?;
        let stored = input.measure.map(GoalMeasureGql::stored);
        let input = NewGoal {
            kind: input.kind.into(),
            measure: stored.map(|(measure, _)| measure),
            source: stored.and_then(|(_, source)| source),
            event_series_id: ids::parse_opt(input.event_series_id.as_ref(), "eventSeriesId")?,
            title: input.title,
            unit: input.unit,
            target: input.target,
            due_on: input.due_on.map(|d| d.0),
            disclosure: input.disclosure_filter.map(|f| DisclosureCriteria {
                filed_by: f.filed_by.map(Into::into),
                decided_only: f.decided_only.unwrap_or(false),
            }),
        };
        Ok(Goal(goals::add(core(ctx)?, project, input).await?))
    }

    /// EDITOR+ of a participating organization, recorded for that organization.
    async fn record_progress(
        &self,
        ctx: &Context<'_>,
        goal_id: ID,
        input: ProgressInput,
    ) -> Result<GoalProgress> {
        let goal = ids::parse(&goal_id, "goalId")?;
        let input = NewProgress {
            organization_id: ids::parse(&input.organization_id, "organizationId")?,
            amount: input.amount,
            note: input.note,
        };
        Ok(GoalProgress(
            goals::record_progress(core(ctx)?, goal, input).await?,
        ))
    }

    /// EDITOR+ of the lead. Reaching the target changes no status by itself.
    async fn set_goal_status(
        &self,
        ctx: &Context<'_>,
        goal_id: ID,
        status: GoalStatusGql,
    ) -> Result<Goal> {
        let goal = ids::parse(&goal_id, "goalId")?;
        Ok(Goal(
            goals::set_status(core(ctx)?, goal, status.into()).await?,
        ))
    }
}
