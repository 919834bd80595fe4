//! Goals measured by attendance ("executive committee attendance ≥ 70%"):
//! `achieved` is the attendance rate of an event series over its past
//! occurrences — it follows check-ins, nobody records it. The series is
//! hosted by an organization taking part in the project, and only someone
//! who sees that series' attendance (a member of its host or a co-host)
//! may publish its rate as a goal; the project's readers then see the
//! rate, never who came.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::event::reads::{Attendance, past_attendance};
use crate::event::rsvps;
use crate::policy::sharing;
use crate::policy::{events as event_rules, projects as rules};
use entity::{event, event_series, goal};

/// The series a new attendance goal reads: one the viewer may see the
/// attendance of, hosted by an organization taking part in the project.
pub(super) async fn check_series(
    ctx: &Ctx,
    project_id: Uuid,
    series_id: Option<Uuid>,
) -> ApiResult<Uuid> {
    let Some(series_id) = series_id else {
        return Err(ApiError::bad_input(
            "eventSeriesId",
            "an ATTENDANCE goal names the event series whose attendance it measures",
        ));
    };
    // An occurrence the caller reads as themselves (not through a platform
    // admin's reach), and whose attendance they see as a member.
    let first = event::Entity::find()
        .filter(event::Column::SeriesId.eq(series_id))
        .filter(sharing::event_readable_by_viewer(&ctx.viewer, ctx.now()))
        .order_by_asc(event::Column::StartsAt)
        .one(ctx.db())
        .await?
        .ok_or(ApiError::NotFound("event series"))?;
    let found = event_series::Entity::find_by_id(series_id)
        .one(ctx.db())
        .await?
        .ok_or(ApiError::NotFound("event series"))?;
    let (host, co_host) = rsvps::member_of_host_or_co_host(ctx, &first).await?;
    if !event_rules::can_publish_attendance(&host, co_host) {
        return Err(ApiError::forbidden(
            "only members of the series' host or co-hosts may publish its attendance",
        ));
    }
    rules::ensure_takes_part(ctx.db(), project_id, found.host_organization_id, ctx.now())
        .await
        .map_err(|_| ApiError::forbidden("the series' host does not take part in this project"))?;
    Ok(series_id)
}

/// `achieved` of an attendance goal in ten-thousandths: the rate now.
pub async fn achieved_e4(ctx: &Ctx, goal: &goal::Model) -> ApiResult<i64> {
    let Some(series) = goal.event_series_id else {
        return Ok(0);
    };
    Ok(e4(ctx.reads().series_attendance(series).await?))
}

fn e4(a: Attendance) -> i64 {
    a.rate().map_or(0, |r| (r * 10_000.0).round() as i64)
}

/// The rate as of each bucket end (`ends` in order): over the occurrences
/// that had ended by then — and by `now`, so a bucket reaching into the
/// future counts no meeting that has not happened.
pub async fn rates_at(
    db: &impl ConnectionTrait,
    series: Uuid,
    ends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> ApiResult<Vec<i64>> {
    let ends: Vec<DateTime<Utc>> = ends.iter().map(|e| (*e).min(now)).collect();
    let Some(last) = ends.iter().max().copied() else {
        return Ok(Vec::new());
    };
    let past = past_attendance(db, &[series], last).await?;
    Ok(ends
        .iter()
        .map(|end| {
            let mut sum = Attendance::default();
            for (_, a) in past.iter().filter(|(e, _)| e.ends_at <= *end) {
                sum.add(*a);
            }
            e4(sum)
        })
        .collect())
}
