//! Goals and their progress. A quantitative goal is measured as a running
//! total (`achieved` = the sum of every amount, corrections included) or as
//! a level (`achieved` = the latest reading, whoever recorded it: one
//! newsletter's subscribers, counted by whichever partner looked last).
//! Progress is recorded by EDITOR+ of an organization taking part in the
//! project, for that organization.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::amount::{MAX_VOLUME_E4, from_e4, to_e4};
use super::projects::{find_in as find_project, visible_ids};
use super::transitions;
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::{self, Lock, projects as rules};
use crate::validate;
use entity::{
    FiledBy, GoalKind, GoalMeasure, GoalSource, GoalStatus, goal, goal_progress, project,
};

pub struct NewGoal {
    pub kind: GoalKind,
    pub measure: Option<GoalMeasure>,
    /// Readings from records instead of recorded progress.
    pub source: Option<GoalSource>,
    /// For source ATTENDANCE: the series measured.
    pub event_series_id: Option<Uuid>,
    pub title: String,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub due_on: Option<NaiveDate>,
    /// For source DISCLOSURE_REQUESTS: which requests count.
    pub disclosure: Option<DisclosureCriteria>,
}

/// Which disclosure requests a goal measured by them counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct DisclosureCriteria {
    pub filed_by: Option<FiledBy>,
    pub decided_only: bool,
}

pub struct NewProgress {
    pub organization_id: Uuid,
    pub amount: f64,
    pub note: Option<String>,
}

/// Add a goal to a planned or active project: EDITOR+ of the lead.
pub async fn add(ctx: &Ctx, project_id: Uuid, input: NewGoal) -> ApiResult<goal::Model> {
    policy::require_user(&ctx.viewer)?;
    let target = input.target.map(|t| to_e4("target", t)).transpose()?;
    let unit = validate::optional_line("unit", input.unit.as_deref(), 40)?;
    let shape = transitions::goal_shape(input.kind, input.measure, target, unit)?;
    let title = validate::line("title", &input.title, 200)?;
    let event_series_id = match input.source {
        Some(GoalSource::Attendance) => {
            transitions::attendance_shape(input.kind, input.measure, target)?;
            Some(super::attendance::check_series(ctx, project_id, input.event_series_id).await?)
        }
        Some(GoalSource::DisclosureRequests) => {
            transitions::requests_shape(input.kind)?;
            None
        }
        None => None,
    };
    if input.event_series_id.is_some() && input.source != Some(GoalSource::Attendance) {
        return Err(ApiError::bad_input(
            "eventSeriesId",
            "only an ATTENDANCE goal names an event series",
        ));
    }
    let requests = input.source == Some(GoalSource::DisclosureRequests);
    if input.disclosure.is_some() && !requests {
        return Err(ApiError::bad_input(
            "disclosureFilter",
            "only a DISCLOSURE_REQUESTS goal filters requests",
        ));
    }
    let criteria = input.disclosure.unwrap_or_default();
    let counts_since = requests.then(|| crate::disclosure::transitions::today(ctx.now()));
    mutate!(ctx, |w| {
        let lead = find_project(w.tx(), w.viewer(), w.now(), project_id)
            .await?
            .lead_organization_id;
        let access = w.act_for(lead, Lock::Share).await?;
        rules::ensure_can_manage_project(&access)?;
        let project = w.lock::<project::Entity>(project_id, "project").await?;
        transitions::accepts_goals(project.status)?;
        let model = goal::Model {
            id: Uuid::now_v7(),
            project_id,
            kind: input.kind,
            measure: shape.measure,
            title: title.clone(),
            unit: shape.unit.clone(),
            target_e4: shape.target_e4,
            due_on: input.due_on,
            status: GoalStatus::NotStarted,
            source: input.source,
            event_series_id,
            disclosure_filed_by: criteria.filed_by,
            disclosure_decided_only: requests && criteria.decided_only,
            counts_since,
            created_at: w.now(),
            updated_at: w.now(),
        };
        w.insert(goal::ActiveModel::from(model.clone())).await?;
        w.audit(
            Record::new("goal.create", "goal", model.id)
                .in_org(lead)
                .details(json!({ "project": project_id, "title": model.title })),
        );
        Ok(model)
    })
}

/// Record progress for an organization taking part in the goal's project.
pub async fn record_progress(
    ctx: &Ctx,
    goal_id: Uuid,
    input: NewProgress,
) -> ApiResult<goal_progress::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let amount_e4 = to_e4("amount", input.amount)?;
    let note = validate::optional_text("note", input.note.as_deref(), 1000)?;
    mutate!(ctx, |w| {
        let goal = find_in(w.tx(), w.viewer(), w.now(), goal_id).await?;
        let access = w.act_for(input.organization_id, Lock::Share).await?;
        rules::ensure_can_record_for(&access)?;
        rules::ensure_takes_part(w.tx(), goal.project_id, input.organization_id, w.now()).await?;
        transitions::check_progress(goal.measure, amount_e4)?;
        if goal.source.is_some() {
            return Err(ApiError::bad_input(
                "goalId",
                "this goal is measured from records (check-ins or disclosure requests); nothing is recorded by hand",
            ));
        }
        // One recording of a goal at a time, so its volume stays bounded.
        w.lock::<goal::Entity>(goal_id, "goal").await?;
        if volume(w.tx(), goal_id)
            .await?
            .saturating_add(amount_e4.abs())
            > MAX_VOLUME_E4
        {
            return Err(ApiError::bad_input(
                "amount",
                "this goal's recordings have reached the most it can hold; correct earlier ones instead",
            ));
        }
        let model = goal_progress::Model {
            id: Uuid::now_v7(),
            goal_id,
            organization_id: input.organization_id,
            amount_e4,
            note: note.clone(),
            recorded_at: w.now(),
            recorded_by: Some(user),
        };
        w.insert(goal_progress::ActiveModel::from(model.clone()))
            .await?;
        w.audit(
            Record::new("goal.progress", "goal", goal_id)
                .in_org(input.organization_id)
                .details(json!({ "amount": from_e4(amount_e4) })),
        );
        Ok(model)
    })
}

/// The sum of the absolute amounts recorded for a goal, in ten-thousandths.
async fn volume(db: &impl sea_orm::ConnectionTrait, goal_id: Uuid) -> ApiResult<i64> {
    use sea_orm::sea_query::{Alias, Func, Query};
    let mut q = Query::select();
    q.expr_as(
        Func::cast_as(
            Func::coalesce([
                Func::sum(Func::abs(Expr::col(goal_progress::Column::AmountE4))).into(),
                Expr::val(0i64),
            ]),
            Alias::new("BIGINT"),
        ),
        Alias::new("yd_volume"),
    )
    .from(goal_progress::Entity)
    .and_where(Expr::col(goal_progress::Column::GoalId).eq(goal_id));
    let row = db.query_one(&q).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "yd_volume"))
        .transpose()?
        .unwrap_or(0))
}

/// Set a goal's status by hand: EDITOR+ of the project's lead.
pub async fn set_status(ctx: &Ctx, goal_id: Uuid, status: GoalStatus) -> ApiResult<goal::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let project_id = find_in(w.tx(), w.viewer(), w.now(), goal_id)
            .await?
            .project_id;
        let lead = find_project(w.tx(), w.viewer(), w.now(), project_id)
            .await?
            .lead_organization_id;
        let access = w.act_for(lead, Lock::Share).await?;
        rules::ensure_can_manage_project(&access)?;
        let current = w.lock::<goal::Entity>(goal_id, "goal").await?;
        let from = current.status;
        let mut active = current.into_active_model();
        active.status = Set(transitions::set_goal_status(from, status)?);
        active.updated_at = Set(w.now());
        let updated = active.update(w.tx()).await?;
        w.audit(
            Record::new("goal.status", "goal", goal_id)
                .in_org(lead)
                .details(json!({ "from": from.as_str(), "to": status.as_str() })),
        );
        Ok(updated)
    })
}

/// A goal of a project the viewer may see; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<goal::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

async fn find_in(
    db: &impl sea_orm::ConnectionTrait,
    viewer: &Viewer,
    now: chrono::DateTime<chrono::Utc>,
    id: Uuid,
) -> ApiResult<goal::Model> {
    goal::Entity::find_by_id(id)
        .filter(
            Expr::col((goal::Entity, goal::Column::ProjectId))
                .in_subquery(visible_ids(viewer, now)),
        )
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("goal"))
}

/// The goals of a project (reached from the project, so visible with it).
pub async fn of_project(ctx: &Ctx, project_id: Uuid) -> ApiResult<Vec<goal::Model>> {
    ctx.reads().goals(project_id).await
}

/// The project of a goal (reached from the goal, so visible with it).
pub async fn project_of(ctx: &Ctx, goal: &goal::Model) -> ApiResult<project::Model> {
    ctx.reads()
        .project(goal.project_id)
        .await?
        .ok_or(ApiError::NotFound("project"))
}

/// The goal a progress entry belongs to.
pub async fn goal_of(ctx: &Ctx, progress: &goal_progress::Model) -> ApiResult<goal::Model> {
    ctx.reads()
        .goal(progress.goal_id)
        .await?
        .ok_or(ApiError::NotFound("goal"))
}

/// How far the goal is, in its unit (0 for a qualitative goal).
pub async fn achieved(ctx: &Ctx, goal: &goal::Model) -> ApiResult<f64> {
    if goal.measure.is_none() {
        return Ok(0.0);
    }
    Ok(from_e4(achieved_e4(ctx, goal).await?))
}

/// Recorded progress, or the readings of the goal's source.
async fn achieved_e4(ctx: &Ctx, goal: &goal::Model) -> ApiResult<i64> {
    match goal.source {
        Some(GoalSource::Attendance) => super::attendance::achieved_e4(ctx, goal).await,
        Some(GoalSource::DisclosureRequests) => {
            Ok(ctx.reads().disclosure_goal_count(goal.id).await? * super::amount::SCALE)
        }
        None => ctx.reads().achieved(goal.id).await,
    }
}

/// `achieved / target`; `None` for a qualitative goal.
pub async fn ratio(ctx: &Ctx, goal: &goal::Model) -> ApiResult<Option<f64>> {
    let Some(target) = goal.target_e4 else {
        return Ok(None);
    };
    Ok(Some(achieved_e4(ctx, goal).await? as f64 / target as f64))
}

/// The goal's recorded progress, oldest first.
pub async fn progress(
    ctx: &Ctx,
    goal_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<goal_progress::Model>> {
    let page = ctx.reads().progress_page(goal_id, args).await?;
    Ok(Listing::nested(page, move |r| r.progress_count(goal_id)))
}

/// Who recorded the entry, where the viewer may know
/// ([`rules::can_see_recorder`]).
pub async fn recorder(ctx: &Ctx, progress: &goal_progress::Model) -> ApiResult<Option<Uuid>> {
    let Some(by) = progress.recorded_by else {
        return Ok(None);
    };
    let lead = project_of(ctx, &goal_of(ctx, progress).await?)
        .await?
        .lead_organization_id;
    let recording = policy::read_access(ctx, progress.organization_id).await?;
    let lead = policy::read_access(ctx, lead).await?;
    Ok(rules::can_see_recorder(&recording, &lead).then_some(by))
}
