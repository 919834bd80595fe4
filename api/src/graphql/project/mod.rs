//! Joint projects, goals and progress as the API shows them. Queries and
//! mutations are in [`operations`].

pub mod operations;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::agreement::Agreement;
use super::event::{Event, EventConnection};
use super::identity::User;
use super::organization::Organization;
use super::{Date, DateTime, Result, core, ids};
use entity::{goal, goal_progress, project};
use service::agreement::reads as agreements;
use service::project::amount::from_e4;
use service::project::{Interval, goals, projects, series};

/// Who may see a project or solidarity action.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Visibility", remote = "entity::Visibility")]
pub enum VisibilityGql {
    /// Members of the owning organization (and of a project's participating organizations; for a project under an agreement, of every SIGNED party while the agreement is ACTIVE). Platform admins read everything.
    Private,
    /// Also members of organizations that share an ACTIVE agreement covering this kind.
    Partners,
    /// Anyone, including anonymous callers and read-only API tokens.
    Public,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ProjectStatus", remote = "entity::ProjectStatus")]
pub enum ProjectStatusGql {
    Planned,
    Active,
    Completed,
    Cancelled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "GoalKind", remote = "entity::GoalKind")]
pub enum GoalKindGql {
    Quantitative,
    Qualitative,
}

/// How a quantitative goal's `achieved` is computed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "GoalMeasure")]
pub enum GoalMeasureGql {
    /// The sum of recorded progress (requests filed, won raised).
    Total,
    /// The latest reading (subscribers, donors currently giving), whoever recorded it.
    Level,
    /// The attendance rate (0..1) of an event series' past occurrences: follows check-ins, nothing is recorded by hand.
    Attendance,
    /// The count of the participating organizations' disclosure requests in the goal's period (from the project's start, or the goal's creation, through its due date; withdrawn ones not counted): follows the records, nothing is recorded by hand.
    DisclosureRequests,
}

impl GoalMeasureGql {
    /// As stored: how readings add up, and where they come from.
    pub fn stored(self) -> (entity::GoalMeasure, Option<entity::GoalSource>) {
        match self {
            GoalMeasureGql::Total => (entity::GoalMeasure::Total, None),
            GoalMeasureGql::Level => (entity::GoalMeasure::Level, None),
            GoalMeasureGql::Attendance => (
                entity::GoalMeasure::Level,
                Some(entity::GoalSource::Attendance),
            ),
            GoalMeasureGql::DisclosureRequests => (
                entity::GoalMeasure::Total,
                Some(entity::GoalSource::DisclosureRequests),
            ),
        }
    }

    fn of(goal: &goal::Model) -> Option<Self> {
        match (goal.measure?, goal.source) {
            (_, Some(entity::GoalSource::Attendance)) => Some(GoalMeasureGql::Attendance),
            (_, Some(entity::GoalSource::DisclosureRequests)) => {
                Some(GoalMeasureGql::DisclosureRequests)
            }
            (entity::GoalMeasure::Total, None) => Some(GoalMeasureGql::Total),
            (entity::GoalMeasure::Level, None) => Some(GoalMeasureGql::Level),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "GoalStatus", remote = "entity::GoalStatus")]
pub enum GoalStatusGql {
    NotStarted,
    InProgress,
    Achieved,
    Missed,
    Dropped,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "SeriesInterval", remote = "service::project::Interval")]
pub enum SeriesIntervalGql {
    Week,
    Month,
}

/// Which disclosure requests a goal measured by them counts.
pub struct DisclosureGoalCriteria {
    filed_by: Option<entity::FiledBy>,
    decided_only: bool,
}

#[Object]
impl DisclosureGoalCriteria {
    /// Only requests filed by them; null: all.
    async fn filed_by(&self) -> Option<super::disclosure::FiledByGql> {
        self.filed_by.map(Into::into)
    }

    /// Only requests with a decision.
    async fn decided_only(&self) -> bool {
        self.decided_only
    }
}

/// A joint project (공동사업).
#[derive(Clone)]
pub struct Project(pub project::Model);

#[Object]
impl Project {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    async fn status(&self) -> ProjectStatusGql {
        self.0.status.into()
    }

    async fn visibility(&self) -> VisibilityGql {
        self.0.visibility.into()
    }

    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Into::into)
    }

    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Into::into)
    }

    async fn lead_organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.lead_organization_id).await
    }

    /// Set for a joint project run under an agreement; null also when the viewer may not see the agreement.
    async fn agreement(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        let found = agreements::under(core(ctx)?, self.0.agreement_id).await?;
        Ok(found.map(Agreement))
    }

    /// The organizations taking part, the lead first.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let orgs = projects::participants(core(ctx)?, &self.0).await?;
        Ok(orgs.into_iter().map(Organization).collect())
    }

    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let rows = goals::of_project(core(ctx)?, self.0.id).await?;
        Ok(rows.into_iter().map(Goal).collect())
    }

    /// The project's events that the viewer may read, ordered by startsAt.
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = service::event::events::of_project(core(ctx)?, self.0.id, args).await?;
        Ok(EventConnection::from_listing(listing, Event))
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::connection_type!(ProjectConnection, ProjectEdge, Project);

/// A quantitative (양적 목표) or qualitative (질적 목표) goal of a project.
#[derive(Clone)]
pub struct Goal(pub goal::Model);

#[Object]
impl Goal {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn project(&self, ctx: &Context<'_>) -> Result<Project> {
        Ok(Project(goals::project_of(core(ctx)?, &self.0).await?))
    }

    async fn kind(&self) -> GoalKindGql {
        self.0.kind.into()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Unit of a quantitative goal, e.g. 건, 명, 원.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }

    async fn target(&self) -> Option<f64> {
        self.0.target_e4.map(from_e4)
    }

    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Into::into)
    }

    async fn status(&self) -> GoalStatusGql {
        self.0.status.into()
    }

    /// How `achieved` is computed; null for qualitative goals.
    async fn measure(&self) -> Option<GoalMeasureGql> {
        GoalMeasureGql::of(&self.0)
    }

    /// For measure DISCLOSURE_REQUESTS: which requests count; null otherwise.
    async fn disclosure_filter(&self) -> Option<DisclosureGoalCriteria> {
        (self.0.source == Some(entity::GoalSource::DisclosureRequests)).then_some(
            DisclosureGoalCriteria {
                filed_by: self.0.disclosure_filed_by,
                decided_only: self.0.disclosure_decided_only,
            },
        )
    }

    /// TOTAL: the sum of all recorded progress; LEVEL: the latest reading. 0 for qualitative goals.
    async fn achieved(&self, ctx: &Context<'_>) -> Result<f64> {
        Ok(goals::achieved(core(ctx)?, &self.0).await?)
    }

    /// achieved / target; null for qualitative goals.
    async fn ratio(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(goals::ratio(core(ctx)?, &self.0).await?)
    }

    /// Recorded progress, oldest first.
    async fn progress(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<GoalProgressConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = goals::progress(core(ctx)?, self.0.id, args).await?;
        Ok(GoalProgressConnection::from_listing(listing, GoalProgress))
    }

    /// `achieved` as of the end of each week (from Monday) or month over [from, to], computed in the database in the lead organization's time zone: cumulative for TOTAL goals, the latest reading for LEVEL goals. At most 261 buckets; empty for qualitative goals.
    async fn series(
        &self,
        ctx: &Context<'_>,
        interval: SeriesIntervalGql,
        from: Date,
        to: Date,
    ) -> Result<Vec<GoalPoint>> {
        let s = series::series(core(ctx)?, &self.0, Interval::from(interval), from.0, to.0).await?;
        Ok(s.total.into_iter().map(GoalPoint::from).collect())
    }

    /// `series`, for each organization that recorded progress before the end of the last bucket: for a TOTAL goal its contributions (the organizations add up to the goal), for a LEVEL goal its own latest reading.
    async fn series_by_organization(
        &self,
        ctx: &Context<'_>,
        interval: SeriesIntervalGql,
        from: Date,
        to: Date,
    ) -> Result<Vec<OrganizationSeries>> {
        let s = series::series(core(ctx)?, &self.0, Interval::from(interval), from.0, to.0).await?;
        Ok(s.by_organization
            .into_iter()
            .map(|(organization_id, points)| OrganizationSeries {
                organization_id,
                points: points.into_iter().map(GoalPoint::from).collect(),
            })
            .collect())
    }
}

/// One point of a goal's progress over time: `achieved` as of the end of the bucket.
#[derive(SimpleObject)]
pub struct GoalPoint {
    period_start: Date,
    achieved: f64,
}

impl From<series::Point> for GoalPoint {
    fn from(p: series::Point) -> Self {
        GoalPoint {
            period_start: p.period_start.into(),
            achieved: p.achieved,
        }
    }
}

/// One organization's share of a goal's series.
pub struct OrganizationSeries {
    organization_id: uuid::Uuid,
    points: Vec<GoalPoint>,
}

#[Object]
impl OrganizationSeries {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.organization_id).await
    }

    async fn points(&self) -> &[GoalPoint] {
        &self.points
    }
}

/// An organization's contribution to (TOTAL) or reading of (LEVEL) a goal.
#[derive(Clone)]
pub struct GoalProgress(pub goal_progress::Model);

#[Object]
impl GoalProgress {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn goal(&self, ctx: &Context<'_>) -> Result<Goal> {
        Ok(Goal(goals::goal_of(core(ctx)?, &self.0).await?))
    }

    /// The organization it was recorded for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    async fn amount(&self) -> f64 {
        from_e4(self.0.amount_e4)
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn recorded_at(&self) -> DateTime {
        self.0.recorded_at.into()
    }

    /// Members of the recording organization and of the lead (and platform admins) see who recorded it; others get null.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let by = goals::recorder(core(ctx)?, &self.0).await?;
        User::load_opt(ctx, by).await
    }
}

crate::connection_type!(GoalProgressConnection, GoalProgressEdge, GoalProgress);
