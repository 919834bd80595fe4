//! RSVPs, the waitlist and check-in. Every answer to an event takes the
//! event's row lock first, so answers are counted one after another: the
//! seat count read under it is exact, and `position` (the next number
//! under that lock) is the order of arrival the waitlist is served in. The
//! database's capacity trigger backs this up — a GOING beyond capacity
//! cannot commit whatever the code does.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::events::find_in;
use super::transitions::{self, answer, frees_seat, seats_free};
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::{self, Lock, events as rules};
use crate::write::Write;
use entity::{RsvpStatus, event, event_invitee, rsvp};

/// Answer an event as oneself: GOING (a seat, or the waitlist when the
/// event is full), MAYBE or DECLINED. Leaving a seat hands it to the first
/// person waiting.
pub async fn respond(ctx: &Ctx, event_id: Uuid, requested: RsvpStatus) -> ApiResult<rsvp::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    mutate!(ctx, |w| {
        rules::ensure_may_answer(w.tx(), w.viewer(), event_id, w.now()).await?;
        let event = w.lock::<event::Entity>(event_id, "event").await?;
        transitions::answerable(event.status, event.ends_at, w.now())?;
        let current = rsvp_of(w, event_id, user).await?;
        if current.as_ref().is_some_and(|r| r.checked_in_at.is_some()) {
            return Err(ApiError::bad_input(
                "status",
                "you were checked in: your attendance is recorded",
            ));
        }
        let before = current.as_ref().map(|r| r.status);
        let going = going_count(w, event_id, Some(user)).await?;
        let status = answer(requested, before, going, event.capacity)?;
        let saved = save(w, &event, user, current, status).await?;
        if frees_seat(before, status) {
            promote(w, &event).await?;
        }
        w.audit(
            Record::new("event.rsvp", "event", event_id)
                .in_org(event.host_organization_id)
                .details(json!({ "status": status.as_str() })),
        );
        Ok(saved)
    })
}

/// Check a person in: EDITOR+ of the host or of a current co-host, in the
/// check-in window. The person answered the event (any answer) or is
/// invited to it; whoever is checked in is GOING — which takes a seat, so
/// a full event is CONFLICT until its capacity grows. Checking in twice
/// changes nothing.
pub async fn check_in(ctx: &Ctx, event_id: Uuid, user_id: Uuid) -> ApiResult<rsvp::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let host_id = find_in(w.tx(), w.viewer(), w.now(), event_id)
            .await?
            .host_organization_id;
        let host = w.act_for(host_id, Lock::Share).await?;
        let acting_for = if rules::ensure_can_check_in(&host).is_ok() {
            host_id
        } else {
            let co_host = rules::co_host_editor_of(w.tx(), w.viewer(), event_id, w.now()).await?;
            let Some(co_host) = co_host else {
                return Err(ApiError::forbidden(
                    "checking people in requires EDITOR or higher in the host or a co-host",
                ));
            };
            rules::ensure_can_check_in(&w.act_for(co_host, Lock::Share).await?)?;
            co_host
        };
        let event = w.lock::<event::Entity>(event_id, "event").await?;
        transitions::check_in_open(event.status, event.starts_at, event.ends_at, w.now())?;
        let current = rsvp_of(w, event_id, user_id).await?;
        if let Some(done) = current.as_ref().filter(|r| r.checked_in_at.is_some()) {
            return Ok(done.clone());
        }
        if current.is_none() && !invited(w, event_id, user_id).await? {
            return Err(ApiError::bad_input(
                "userId",
                "this person has not answered the event and is not invited to it",
            ));
        }
        let mut saved = save(w, &event, user_id, current, RsvpStatus::Going).await?;
        let mut active = saved.clone().into_active_model();
        active.checked_in_at = Set(Some(w.now()));
        active.checked_in_by = Set(w.viewer().user_id());
        saved = active.update(w.tx()).await?;
        w.audit(
            Record::new("event.check_in", "event", event_id)
                .in_org(acting_for)
                .details(json!({ "userId": user_id })),
        );
        Ok(saved)
    })
}

async fn rsvp_of(w: &Write<'_>, event_id: Uuid, user: Uuid) -> ApiResult<Option<rsvp::Model>> {
    Ok(rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event_id))
        .filter(rsvp::Column::UserId.eq(user))
        .one(w.tx())
        .await?)
}

async fn invited(w: &Write<'_>, event_id: Uuid, user: Uuid) -> ApiResult<bool> {
    let n = event_invitee::Entity::find()
        .filter(event_invitee::Column::EventId.eq(event_id))
        .filter(event_invitee::Column::UserId.eq(user))
        .count(w.tx())
        .await?;
    Ok(n > 0)
}

/// How many are GOING (leaving out `except`'s own seat).
async fn going_count(w: &Write<'_>, event_id: Uuid, except: Option<Uuid>) -> ApiResult<i64> {
    let mut q = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event_id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Going));
    if let Some(user) = except {
        q = q.filter(rsvp::Column::UserId.ne(user));
    }
    Ok(i64::try_from(q.count(w.tx()).await?).unwrap_or(i64::MAX))
}

/// Write a person's status. A new status is a new arrival: it takes the
/// next position (the event's row lock is held, so positions never tie).
async fn save(
    w: &mut Write<'_>,
    event: &event::Model,
    user: Uuid,
    current: Option<rsvp::Model>,
    status: RsvpStatus,
) -> ApiResult<rsvp::Model> {
    if let Some(current) = current.as_ref().filter(|r| r.status == status) {
        return Ok(current.clone());
    }
    let last: Option<Option<i64>> = rsvp::Entity::find()
        .select_only()
        .column_as(rsvp::Column::Position.max(), "last")
        .filter(rsvp::Column::EventId.eq(event.id))
        .into_tuple()
        .one(w.tx())
        .await?;
    let position = last.flatten().unwrap_or(0) + 1;
    match current {
        Some(current) => {
            let mut active = current.into_active_model();
            active.status = Set(status);
            active.position = Set(position);
            active.responded_at = Set(w.now());
            Ok(active.update(w.tx()).await?)
        }
        None => {
            let model = rsvp::Model {
                id: Uuid::now_v7(),
                event_id: event.id,
                user_id: user,
                status,
                position,
                responded_at: w.now(),
                checked_in_at: None,
                checked_in_by: None,
            };
            w.insert(rsvp::ActiveModel::from(model.clone())).await?;
            Ok(model)
        }
    }
}

/// Seat the waitlist, first come first served, while seats are free. Runs
/// under the event's row lock, after whatever freed or added seats.
pub(super) async fn promote(w: &mut Write<'_>, event: &event::Model) -> ApiResult<()> {
    let free = seats_free(event.capacity, going_count(w, event.id, None).await?);
    if free == 0 {
        return Ok(());
    }
    let next: Vec<rsvp::Model> = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Waitlisted))
        .order_by_asc(rsvp::Column::Position)
        .limit(free.min(super::events::MAX_CAPACITY as u64))
        .all(w.tx())
        .await?;
    if next.is_empty() {
        return Ok(());
    }
    rsvp::Entity::update_many()
        .col_expr(
            rsvp::Column::Status,
            Expr::value(RsvpStatus::Going.as_str()),
        )
        .filter(rsvp::Column::Id.is_in(next.iter().map(|r| r.id)))
        .exec(w.tx())
        .await?;
    w.audit_all(next.iter().map(|r| {
        Record::new("event.rsvp_promoted", "event", event.id)
            .in_org(event.host_organization_id)
            .details(json!({ "userId": r.user_id }))
    }));
    Ok(())
}

/// Whether the viewer is a member (not merely a platform admin) of the
/// event's host or of a current co-host.
pub async fn member_of_host_or_co_host(
    ctx: &Ctx,
    event: &event::Model,
) -> ApiResult<(policy::OrgAccess, bool)> {
    let host = policy::read_access(ctx, event.host_organization_id).await?;
    for co_host in ctx.reads().event_co_hosts(event.id).await? {
        if policy::read_access(ctx, co_host).await?.is_member() {
            return Ok((host, true));
        }
    }
    Ok((host, false))
}

/// Whether the viewer sees who answered and who came: members of the host
/// and of a current co-host ([`rules::can_see_attendance`]).
pub async fn can_see_attendance(ctx: &Ctx, event: &event::Model) -> ApiResult<bool> {
    let (host, co_host) = member_of_host_or_co_host(ctx, event).await?;
    Ok(rules::can_see_attendance(&host, co_host))
}

/// The answers, in the order they were last given; for those who may see
/// attendance, an empty list for everyone else.
pub async fn list(
    ctx: &Ctx,
    event: &event::Model,
    status: Option<RsvpStatus>,
    args: PageArgs,
) -> ApiResult<Listing<rsvp::Model>> {
    if !can_see_attendance(ctx, event).await? {
        return Ok(Listing::empty());
    }
    let id = event.id;
    let page = ctx.reads().rsvp_page(id, status, args).await?;
    Ok(Listing::nested(page, move |r| r.rsvp_count(id, status)))
}

/// The viewer's own answer.
pub async fn viewer_rsvp(ctx: &Ctx, event: &event::Model) -> ApiResult<Option<rsvp::Model>> {
    if ctx.viewer.user_id().is_none() {
        return Ok(None);
    }
    ctx.reads().viewer_rsvp(event.id).await
}

/// How many are GOING and WAITLISTED: public wherever the event is.
pub async fn counts(ctx: &Ctx, event: &event::Model) -> ApiResult<(i64, i64)> {
    let tally = ctx.reads().rsvp_tally(event.id).await?;
    Ok((tally.going, tally.waitlisted))
}

/// How many are invited, for an invitee-only event.
pub async fn invited_count(ctx: &Ctx, event: &event::Model) -> ApiResult<Option<i64>> {
    if !event.invitees_only {
        return Ok(None);
    }
    Ok(Some(ctx.reads().rsvp_tally(event.id).await?.invited))
}

/// Checked-in invitees / invitees where there is an invitee list, else
/// checked-in / GOING; null with nobody expected, and for those who may not
/// see attendance.
pub async fn attendance_rate(ctx: &Ctx, event: &event::Model) -> ApiResult<Option<f64>> {
    if !can_see_attendance(ctx, event).await? {
        return Ok(None);
    }
    let tally = ctx.reads().rsvp_tally(event.id).await?;
    Ok(tally.rate(event.invitees_only))
}
