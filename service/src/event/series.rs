//! Recurring events: a series is the rule its occurrences were expanded
//! from; each occurrence is an event of its own (answered, checked in,
//! changed or cancelled one by one or by [`super::changes::SeriesScope`]).
//! A series is visible to whoever may read one of its occurrences.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::rsvps::can_see_attendance;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::paging::{Listing, PageArgs};
use crate::policy::sharing;
use entity::{event, event_series};

/// A series one of whose occurrences the viewer may read; NOT_FOUND
/// otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<event_series::Model> {
    let mut readable = Query::select();
    readable
        .column(event::Column::SeriesId)
        .from(event::Entity)
        .cond_where(sharing::event_visible(&ctx.viewer, ctx.now()))
        .and_where(Expr::col(event::Column::SeriesId).eq(id));
    event_series::Entity::find_by_id(id)
        .filter(event_series::Column::Id.in_subquery(readable))
        .one(ctx.db())
        .await?
        .ok_or(ApiError::NotFound("event series"))
}

/// The series an event is an occurrence of.
pub async fn of_event(ctx: &Ctx, event: &event::Model) -> ApiResult<Option<event_series::Model>> {
    match event.series_id {
        Some(id) => ctx.reads().event_series(id).await,
        None => Ok(None),
    }
}

/// The occurrences the viewer may read, by start.
pub async fn occurrences(
    ctx: &Ctx,
    series: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<event::Model>> {
    let page = ctx.reads().series_occurrences(series, args).await?;
    Ok(Listing::nested(page, move |r| {
        r.series_occurrence_count(series)
    }))
}

/// The attendance rate over the series' past occurrences, for members of
/// the host and of its current co-hosts ([`can_see_attendance`] of an
/// occurrence); null for everyone else, and while nobody was expected.
pub async fn attendance_rate(ctx: &Ctx, series: &event_series::Model) -> ApiResult<Option<f64>> {
    let first = ctx
        .reads()
        .series_occurrences(series.id, PageArgs::first(1))
        .await?;
    let allowed = match first.items.first() {
        Some(occurrence) => can_see_attendance(ctx, occurrence).await?,
        None => false,
    };
    if !allowed {
        return Ok(None);
    }
    Ok(ctx.reads().series_attendance(series.id).await?.rate())
}
