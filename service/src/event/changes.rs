//! Changing and cancelling events — one, or several occurrences of a
//! series at once (this one, this and the following, or all), in one
//! transaction: EDITOR+ of the host, SCHEDULED occurrences only. Moving an
//! occurrence that holds a room moves its booking (the old slot freed, the
//! new one booked under the spaces rules, all or nothing); a larger
//! capacity seats the waitlist in order; a capacity below those GOING is
//! refused; cancelling frees the room.

use chrono::TimeDelta;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::events::{BOOKING_TITLE, EventPatch, check_capacity, check_times, find_in};
use super::rsvps::promote;
use super::transitions;
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::ApiResult;
use crate::mutate;
use crate::policy::{self, Lock, events as rules};
use crate::space::{bookings, spaces};
use crate::validate;
use crate::write::Write;
use entity::{EventStatus, event};

/// Which occurrences of a series a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesScope {
    This,
    ThisAndFollowing,
    All,
}

/// The validated text of a patch, checked before any transaction.
struct Texts {
    title: Option<String>,
    description: Option<Option<String>>,
    location: Option<Option<String>>,
}

fn texts(patch: &EventPatch) -> ApiResult<Texts> {
    let title = patch
        .title
        .as_deref()
        .map(|t| validate::line("title", t, 200))
        .transpose()?;
    let description = match &patch.description {
        Some(d) => Some(validate::optional_text(
            "description",
            d.as_deref(),
            20_000,
        )?),
        None => None,
    };
    let location = match &patch.location {
        Some(l) => Some(validate::optional_line("location", l.as_deref(), 200)?),
        None => None,
    };
    if let Some(capacity) = patch.capacity {
        check_capacity(capacity)?;
    }
    Ok(Texts {
        title,
        description,
        location,
    })
}

/// The occurrences a change of `anchor` reaches, locked, in start order:
/// SCHEDULED ones of its series (the anchor alone outside a series).
async fn reached(
    w: &mut Write<'_>,
    anchor: &event::Model,
    scope: SeriesScope,
) -> ApiResult<Vec<event::Model>> {
    let Some(series) = anchor.series_id.filter(|_| scope != SeriesScope::This) else {
        return Ok(vec![anchor.clone()]);
    };
    let mut q = event::Entity::find()
        .filter(event::Column::SeriesId.eq(series))
        .filter(event::Column::Status.eq(EventStatus::Scheduled));
    if scope == SeriesScope::ThisAndFollowing {
        q = q.filter(event::Column::StartsAt.gte(anchor.starts_at));
    }
    let ids: Vec<Uuid> = q
        .order_by_asc(event::Column::StartsAt)
        .all(w.tx())
        .await?
        .iter()
        .map(|e| e.id)
        .collect();
    let mut locked = Vec::with_capacity(ids.len());
    for id in ids {
        // Read afresh under the lock: one cancelled meanwhile is left alone.
        let current = w.lock::<event::Entity>(id, "event").await?;
        if current.status == EventStatus::Scheduled {
            locked.push(current);
        }
    }
    Ok(locked)
}

/// Lock the host (EDITOR+) and then the anchor occurrence.
async fn anchor(w: &mut Write<'_>, id: Uuid) -> ApiResult<event::Model> {
    let host = find_in(w.tx(), w.viewer(), w.now(), id)
        .await?
        .host_organization_id;
    rules::ensure_can_host(&w.act_for(host, Lock::Share).await?)?;
    let anchor = w.lock::<event::Entity>(id, "event").await?;
    transitions::changeable(anchor.status)?;
    Ok(anchor)
}

/// Change one event, or occurrences of its series. A new `startsAt` or
/// `endsAt` moves every occurrence reached by the same shift as the one
/// named, each keeping the new length.
pub async fn update(
    ctx: &Ctx,
    id: Uuid,
    patch: EventPatch,
    scope: SeriesScope,
) -> ApiResult<Vec<event::Model>> {
    policy::require_user(&ctx.viewer)?;
    let texts = texts(&patch)?;
    mutate!(ctx, |w| {
        let anchor = anchor(w, id).await?;
        let new_start = patch.starts_at.unwrap_or(anchor.starts_at);
        let new_end = patch.ends_at.unwrap_or(anchor.ends_at);
        check_times(new_start, new_end)?;
        let (shift, length) = (new_start - anchor.starts_at, new_end - new_start);
        let mut updated = Vec::new();
        for current in reached(w, &anchor, scope).await? {
            updated.push(change(w, current, &patch, &texts, shift, length).await?);
        }
        Ok(updated)
    })
}

async fn change(
    w: &mut Write<'_>,
    current: event::Model,
    patch: &EventPatch,
    texts: &Texts,
    shift: TimeDelta,
    length: TimeDelta,
) -> ApiResult<event::Model> {
    let starts_at = current.starts_at + shift;
    let ends_at = starts_at + length;
    let moved = (starts_at, ends_at) != (current.starts_at, current.ends_at);
    let mut active = current.clone().into_active_model();
    if let (true, Some(space_id)) = (moved, current.space_id) {
        bookings::check_interval(starts_at, ends_at, w.now())?;
        if let Some(old) = current.booking_id {
            bookings::release(w, old).await?;
        }
        let space = spaces::find_in(w.tx(), w.viewer(), w.now(), space_id).await?;
        let slot = [(starts_at, ends_at)];
        let host = current.host_organization_id;
        let held = bookings::hold(w, &space, host, BOOKING_TITLE, &slot, false).await?;
        active.booking_id = Set(held.first().map(|b| b.id));
    }
    active.starts_at = Set(starts_at);
    active.ends_at = Set(ends_at);
    if let Some(title) = &texts.title {
        active.title = Set(title.clone());
    }
    if let Some(description) = &texts.description {
        active.description = Set(description.clone());
    }
    if let Some(location) = &texts.location {
        active.location = Set(location.clone());
    }
    if let Some(capacity) = patch.capacity {
        active.capacity = Set(capacity);
    }
    if let Some(visibility) = patch.visibility {
        active.visibility = Set(visibility);
    }
    active.updated_at = Set(w.now());
    let updated = active.update(w.tx()).await?;
    promote(w, &updated).await?;
    w.audit(
        Record::new("event.update", "event", updated.id)
            .in_org(updated.host_organization_id)
            .details(json!({ "title": updated.title, "moved": moved })),
    );
    Ok(updated)
}

/// Cancel one event, or occurrences of its series. Their rooms are freed
/// at once; their RSVPs stay, for the record.
pub async fn cancel(ctx: &Ctx, id: Uuid, scope: SeriesScope) -> ApiResult<Vec<event::Model>> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let anchor = anchor(w, id).await?;
        let mut cancelled = Vec::new();
        for current in reached(w, &anchor, scope).await? {
            if let Some(booking) = current.booking_id {
                bookings::release(w, booking).await?;
            }
            let mut active = current.into_active_model();
            active.status = Set(EventStatus::Cancelled);
            active.cancelled_at = Set(Some(w.now()));
            active.updated_at = Set(w.now());
            let updated = active.update(w.tx()).await?;
            w.audit(
                Record::new("event.cancel", "event", updated.id)
                    .in_org(updated.host_organization_id)
                    .details(json!({ "title": updated.title })),
            );
            cancelled.push(updated);
        }
        Ok(cancelled)
    })
}
