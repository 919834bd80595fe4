//! Calendar feeds: `GET /ical/spaces/{id}.ics`, a space's PENDING
//! (TENTATIVE) and CONFIRMED bookings from 30 days ago to a year ahead as
//! iCalendar (built with the `icalendar` crate), with the same visibility
//! and privacy as the API — read through the same service and reads: members
//! of the booking or owning organization see the title, everyone else which
//! organization booked.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use icalendar::{Calendar, Component, EventLike, EventStatus};
use service::auth::secret;
use service::policy::{self, Operation};
use service::space::{bookings, spaces};
use service::{ApiError, ApiResult, Ctx};
use uuid::Uuid;

use super::errors;
use super::{Shared, authenticate_token};
use entity::BookingStatus;

pub const PAST: TimeDelta = TimeDelta::days(30);
pub const AHEAD: TimeDelta = TimeDelta::days(365);

/// The feed of one space for the request's viewer.
pub async fn calendar(ctx: &Ctx, space_id: Uuid) -> ApiResult<String> {
    policy::ensure_may_run(&ctx.viewer, Operation::Read)?;
    let space = spaces::find(ctx, space_id).await?;
    let now = ctx.now();
    let live = ctx
        .reads()
        .live_bookings(space.id, now - PAST, now + AHEAD)
        .await?;
    let mut org_ids: Vec<Uuid> = live.iter().map(|b| b.organization_id).collect();
    org_ids.push(space.organization_id);
    org_ids.sort();
    org_ids.dedup();
    // One batch each for the names and the viewer's roles.
    let names: HashMap<Uuid, String> = ctx
        .reads()
        .organizations(&org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    ctx.reads().viewer_roles(&org_ids).await?;

    let mut calendar = Calendar::new();
    calendar.name(&space.name);
    for b in &live {
        let org_name = names
            .get(&b.organization_id)
            .map(String::as_str)
            .unwrap_or("?");
        let summary = if bookings::can_see_details(ctx, b, space.organization_id).await? {
            format!("{} ({org_name})", b.title)
        } else {
            format!("{org_name} 예약 (booked)")
        };
        let status = if b.status == BookingStatus::Pending {
            EventStatus::Tentative
        } else {
            EventStatus::Confirmed
        };
        calendar.push(
            icalendar::Event::new()
                .uid(&format!("{}@yeondae", b.id))
                .timestamp(b.created_at)
                .summary(&summary)
                .starts(b.starts_at)
                .ends(b.ends_at)
                .status(status)
                .done(),
        );
    }
    Ok(calendar.done().to_string())
}

/// `GET /ical/spaces/{id}.ics`. Authenticated by an API token (`yd_pat_…`)
/// in the `Authorization` header or, for apps that cannot send headers, the
/// `token` query parameter; access tokens (JWTs) are refused here, since
/// URLs end up in logs and calendar settings.
pub async fn space(
    State(shared): State<Shared>,
    Path(file): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(space_id) = file
        .strip_suffix(".ics")
        .and_then(|id| Uuid::parse_str(id).ok())
    else {
        return errors::response(ApiError::NotFound("space"));
    };
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = match from_header.or(params.get("token").map(String::as_str)) {
        Some(t) if t.starts_with(secret::API_TOKEN_PREFIX) => t.to_owned(),
        _ => {
            return errors::response(ApiError::unauthenticated(
                "calendar feeds need an API token (yd_pat_…) in Authorization or ?token=",
            ));
        }
    };
    let app = &shared.app;
    let viewer = match authenticate_token(app, &token, app.clock.now()).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    match calendar(&app.request(viewer), space_id).await {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => errors::response(e),
    }
}
