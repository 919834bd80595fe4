//! Event calendar feeds: `GET /ical/events.ics` (every event the token's
//! user may read) and `GET /ical/organizations/{id}/events.ics` (one
//! organization's), from 30 days ago to a year ahead, authenticated like
//! the space feed. A series is one VEVENT with its RRULE; occurrences the
//! viewer may not read or that were cancelled are EXDATEs, moved or changed
//! ones are overrides with RECURRENCE-ID; times are in the host's time zone
//! with its VTIMEZONE; a cancelled event is STATUS:CANCELLED, so subscribed
//! calendars update.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};
use service::event::feed::{self, FeedSeries};
use service::{ApiError, ApiResult, Ctx};
use uuid::Uuid;

use super::feeds::{answer, escape_text, one_line, private};
use super::vtimezone::vtimezone;
use super::{Shared, errors};
use entity::event;

/// The time zones used, each with the span of times written in it.
type Spans = BTreeMap<String, (Tz, DateTime<Utc>, DateTime<Utc>)>;

fn local(tz: Tz, t: DateTime<Utc>, spans: &mut Spans) -> CalendarDateTime {
    let span = spans.entry(tz.name().to_owned()).or_insert((tz, t, t));
    span.1 = span.1.min(t);
    span.2 = span.2.max(t);
    CalendarDateTime::WithTimezone {
        date_time: t.with_timezone(&tz).naive_local(),
        tzid: tz.name().to_owned(),
    }
}

fn stamp(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string()
}

/// One VEVENT with the event's own properties.
fn vevent(uid: &str, e: &event::Model, tz: Tz, spans: &mut Spans) -> icalendar::Event {
    let mut v = icalendar::Event::new();
    v.uid(uid)
        .timestamp(e.updated_at)
        .summary(&one_line(&e.title))
        .starts(local(tz, e.starts_at, spans))
        .ends(local(tz, e.ends_at, spans))
        .status(match e.status {
            entity::EventStatus::Scheduled => EventStatus::Confirmed,
            entity::EventStatus::Cancelled => EventStatus::Cancelled,
        });
    if let Some(location) = &e.location {
        v.location(&one_line(location));
    }
    if let Some(description) = &e.description {
        // Lines stay lines (the crate escapes LF); other control characters
        // could end the property, so they become spaces.
        let text: String = description
            .replace("\r\n", "\n")
            .chars()
            .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
            .collect();
        v.description(&text);
    }
    v
}

/// Whether an occurrence is just what its series' rule says.
fn as_ruled(e: &event::Model, master: &event::Model, length: TimeDelta) -> bool {
    Some(e.starts_at) == e.occurrence_at
        && e.ends_at - e.starts_at == length
        && e.title == master.title
        && e.location == master.location
        && e.description == master.description
}

/// A series: the master VEVENT (the rule, from its first occurrence) and
/// the overrides of what differs from it.
fn series_events(
    s: &FeedSeries,
    readable: &std::collections::HashSet<Uuid>,
    tz: Tz,
    spans: &mut Spans,
) -> Vec<icalendar::Event> {
    // The rule starts at its first occurrence, readable or not (so its
    // expansion lines up with the exceptions); what the master shows comes
    // from the first occurrence the viewer may read.
    let Some(first) = s.occurrences.first() else {
        return Vec::new();
    };
    let Some(template) = s.occurrences.iter().find(|e| readable.contains(&e.id)) else {
        return Vec::new();
    };
    let uid = format!("{}@yeondae", s.series.id);
    let length = TimeDelta::seconds(s.series.length_secs);
    let start = first.occurrence_at.unwrap_or(first.starts_at);
    let mut master = vevent(&uid, template, tz, spans);
    master
        .starts(local(tz, start, spans))
        .ends(local(tz, start + length, spans))
        .add_property("RRULE", one_line(&s.series.rule));
    let live = s
        .occurrences
        .iter()
        .any(|e| readable.contains(&e.id) && e.status == entity::EventStatus::Scheduled);
    master.status(if live {
        EventStatus::Confirmed
    } else {
        EventStatus::Cancelled
    });
    let mut overrides = Vec::new();
    for e in &s.occurrences {
        let Some(at) = e.occurrence_at else { continue };
        let shown = readable.contains(&e.id) && e.status == entity::EventStatus::Scheduled;
        if !shown {
            let mut exdate = Property::new("EXDATE", stamp(tz, at));
            exdate.add_parameter("TZID", tz.name());
            master.append_multi_property(exdate);
        } else if !as_ruled(e, template, length) {
            let mut changed = vevent(&uid, e, tz, spans);
            let mut id = Property::new("RECURRENCE-ID", stamp(tz, at));
            id.add_parameter("TZID", tz.name());
            changed.append_property(id);
            overrides.push(changed.done());
        }
    }
    let mut all = vec![master.done()];
    all.extend(overrides);
    all
}

/// The viewer's event calendar (of one organization, when given).
pub async fn calendar(ctx: &Ctx, organization: Option<Uuid>) -> ApiResult<String> {
    let feed = feed::feed(ctx, organization).await?;
    let zone = |host: &Uuid| {
        feed.zones
            .get(host)
            .copied()
            .unwrap_or(chrono_tz::Asia::Seoul)
    };
    let mut calendar = Calendar::new();
    calendar.name(&escape_text("Yeondae events"));
    let mut spans = Spans::new();
    for e in &feed.single {
        let tz = zone(&e.host_organization_id);
        calendar.push(vevent(&format!("{}@yeondae", e.id), e, tz, &mut spans).done());
    }
    for s in &feed.series {
        let tz = zone(&s.series.host_organization_id);
        for v in series_events(s, &feed.readable, tz, &mut spans) {
            calendar.push(v);
        }
    }
    let text = calendar.done().to_string();
    let zones: String = spans
        .values()
        .map(|(tz, from, to)| vtimezone(*tz, *from, *to))
        .collect();
    // The crate writes no VTIMEZONE: put them before the first component.
    let at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    Ok(format!("{}{zones}{}", &text[..at], &text[at..]))
}

/// `GET /ical/events.ics`.
pub async fn all(
    State(shared): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    answer(&shared, &params, &headers, |ctx| async move {
        calendar(&ctx, None).await
    })
    .await
}

/// `GET /ical/organizations/{id}/events.ics`.
pub async fn of_organization(
    State(shared): State<Shared>,
    Path((id, file)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let organization = Uuid::parse_str(&id).ok().filter(|_| file == "events.ics");
    let Some(organization) = organization else {
        return private(errors::response(ApiError::NotFound("organization")));
    };
    answer(&shared, &params, &headers, |ctx| async move {
        calendar(&ctx, Some(organization)).await
    })
    .await
}
