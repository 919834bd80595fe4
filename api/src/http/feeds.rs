//! Calendar feeds: `GET /ical/spaces/{id}.ics`, a space's PENDING
//! (TENTATIVE) and CONFIRMED bookings from 30 days ago to a year ahead as
//! iCalendar (built with the `icalendar` crate), with the same visibility
//! and privacy as the API — read through the same service and reads: members
//! of the booking or owning organization see the title, everyone else which
//! organization booked.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use service::auth::viewer;
use service::space::feed::{self, FeedEntry};
use service::{ApiError, ApiResult, Ctx};
use uuid::Uuid;

use super::Shared;
use super::errors;
use entity::BookingStatus;

/// The feed of one space for the request's viewer, as iCalendar.
pub async fn calendar(ctx: &Ctx, space_id: Uuid) -> ApiResult<String> {
    let (space, entries) = feed::feed(ctx, space_id).await?;
    let mut calendar = Calendar::new();
    // NAME has no value type in the icalendar crate, so it is not escaped
    // there: escape it here as the TEXT it is.
    calendar.name(&escape_text(&one_line(&space.name)));
    for FeedEntry {
        booking: b,
        organization_name: org_name,
        details,
    } in &entries
    {
        let summary = one_line(&if *details {
            format!("{} ({org_name})", b.title)
        } else {
            format!("{org_name} 예약 (booked)")
        });
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
    let Some(space_id) = id_of(&file) else {
        return private(errors::response(ApiError::NotFound("space")));
    };
    answer(&shared, &params, &headers, |ctx| async move {
        calendar(&ctx, space_id).await
    })
    .await
}

/// A file name `{uuid}.ics`'s id.
fn id_of(file: &str) -> Option<Uuid> {
    file.strip_suffix(".ics")
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Authenticate a feed request (an API token, see [`space`]) and answer it
/// with the calendar `make` writes for its viewer, within the request
/// timeout.
pub(super) async fn answer<F, Fut>(
    shared: &Shared,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    make: F,
) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = ApiResult<String>>,
{
    let from_header = match super::authorization(headers) {
        Ok(value) => value.and_then(viewer::bearer),
        Err(refused) => return private(errors::response(refused)),
    };
    let token = from_header.or(params.get("token").map(String::as_str));
    let app = &shared.app;
    let timeout = app.config.request_timeout;
    let answer = tokio::time::timeout(timeout, async {
        let now = app.clock.now();
        let viewer = viewer::authenticate_feed(&app.db, &app.writer, now, token).await?;
        crate::graphql::loaders::drive(make(app.request_at(viewer, now))).await
    })
    .await
    .unwrap_or_else(|_| {
        Err(ApiError::Unavailable(anyhow::anyhow!(
            "feed exceeded {timeout:?}"
        )))
    });
    private(match answer {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => errors::response(e),
    })
}

/// A feed is one viewer's view, fetched with a secret in its URL: no cache
/// on the way may keep or share it.
pub(super) fn private(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// RFC 5545 §3.3.11 TEXT escaping, for values the crate writes raw.
pub(super) fn escape_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
}

/// Text as one line of an iCalendar value: control characters (CR, LF,
/// and the rest) become spaces, so no value can end its line and start a
/// property or an event of its own, whatever is stored. The icalendar
/// crate then escapes `\`, `;` and `,` in TEXT values (RFC 5545 §3.3.11).
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
