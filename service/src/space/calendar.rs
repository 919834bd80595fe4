//! A space's calendar: which bookings the viewer sees in a window, the busy
//! intervals they make, and the clashes a requested booking would have.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

use super::reads::live_bookings_of;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::policy::{OrgAccess, spaces as rules};
use entity::booking;

/// The widest `[from, to)` window `bookings` and `busy` answer for.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(366);

/// An interval `[start, end)`.
pub type Slot = (DateTime<Utc>, DateTime<Utc>);

/// Check a `[from, to)` window argument.
pub fn check_window(from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<()> {
    if to <= from {
        return Err(ApiError::bad_input("to", "`to` must be after `from`"));
    }
    if to - from > MAX_WINDOW {
        return Err(ApiError::bad_input(
            "to",
            "ask for at most 366 days at a time",
        ));
    }
    Ok(())
}

/// PENDING and CONFIRMED bookings of a space overlapping the window, as far
/// as the viewer may see them (`booking(id:)`'s rule): all of them where
/// the space is visible (`space_visible`), otherwise — a space reached as a
/// reference through the viewer's own booking — only the bookings of the
/// viewer's organizations.
pub async fn bookings_between(
    ctx: &Ctx,
    space_id: Uuid,
    space_visible: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<booking::Model>> {
    check_window(from, to)?;
    let live = ctx.reads().live_bookings(space_id, from, to).await?;
    if space_visible {
        return Ok(live);
    }
    let mut orgs: Vec<Uuid> = live.iter().map(|b| b.organization_id).collect();
    orgs.sort();
    orgs.dedup();
    let roles = ctx.reads().viewer_roles(&orgs).await?;
    Ok(live
        .into_iter()
        .filter(|b| {
            let booker = OrgAccess::from_stored(
                &ctx.viewer,
                b.organization_id,
                roles.get(&b.organization_id).copied(),
            );
            rules::can_see_own_booking(&booker)
        })
        .collect())
}

/// Busy intervals within the window: the bookings the viewer may see (as
/// [`bookings_between`]), merged where they touch or overlap, clipped to the
/// window — so `busy` never tells more than `bookings`.
pub async fn busy(
    ctx: &Ctx,
    space_id: Uuid,
    space_visible: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<Slot>> {
    let bookings = bookings_between(ctx, space_id, space_visible, from, to).await?;
    Ok(merge(
        bookings
            .iter()
            .map(|b| (b.starts_at.max(from), b.ends_at.min(to))),
    ))
}

/// Merge intervals sorted by start into disjoint ones.
pub fn merge(sorted: impl Iterator<Item = Slot>) -> Vec<Slot> {
    let mut out: Vec<Slot> = Vec::new();
    for (s, e) in sorted {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// A requested occurrence and the live bookings it overlaps.
pub struct Clash {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    with: Vec<Slot>,
}

/// The requested `slots` of `space_id` that overlap live bookings.
pub async fn clashes(
    db: &impl ConnectionTrait,
    space_id: Uuid,
    slots: &[Slot],
) -> ApiResult<Vec<Clash>> {
    let (Some(from), Some(to)) = (
        slots.iter().map(|s| s.0).min(),
        slots.iter().map(|s| s.1).max(),
    ) else {
        return Ok(Vec::new());
    };
    let live = live_bookings_of(db, &[space_id], from, to).await?;
    Ok(slots
        .iter()
        .filter_map(|(s, e)| {
            let with: Vec<Slot> = live
                .iter()
                .filter(|b| b.starts_at < *e && b.ends_at > *s)
                .map(|b| (b.starts_at, b.ends_at))
                .collect();
            (!with.is_empty()).then_some(Clash {
                starts_at: *s,
                ends_at: *e,
                with,
            })
        })
        .collect())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// CONFLICT, with `extensions.conflicts`: every requested occurrence that
/// clashes, and the intervals it clashes with.
pub fn conflict(clashes: Vec<Clash>) -> ApiError {
    let n = clashes.len();
    let interval = |(s, e): &Slot| json!({ "startsAt": rfc3339(*s), "endsAt": rfc3339(*e) });
    let list: Vec<serde_json::Value> = clashes
        .into_iter()
        .map(|c| {
            json!({
                "startsAt": rfc3339(c.starts_at),
                "endsAt": rfc3339(c.ends_at),
                "clashesWith": c.with.iter().map(interval).collect::<Vec<_>>(),
            })
        })
        .collect();
    ApiError::Conflict {
        message: if n == 1 {
            "the space is already booked for that time".to_owned()
        } else {
            format!("{n} occurrences clash with existing bookings; nothing was booked")
        },
        field: Some("startsAt".to_owned()),
        conflicts: Some(serde_json::Value::Array(list)),
    }
}
