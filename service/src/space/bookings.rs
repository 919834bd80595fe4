//! Bookings: half-open intervals of at most 24 hours that do not start in
//! the past. PENDING and CONFIRMED bookings of one space never overlap — the
//! database refuses it (see the spaces migration); the check here before
//! inserting only gathers the clashing intervals for the error. A recurring
//! request is all or nothing.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, QueryFilter,
    QuerySelect, QueryTrait, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::calendar::{Slot, clashes, conflict};
use super::recurrence;
use super::spaces::find_in;
use super::transitions::{self, Decision};
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::sharing;
use crate::policy::{self, Lock, spaces as rules};
use crate::validate;
use crate::write::Write;
use entity::{Role, booking, space};

/// The longest a booking may last.
pub const MAX_BOOKING: TimeDelta = TimeDelta::hours(24);
/// The shortest: no room is booked for less (and a sliver of time is a
/// probe, not a meeting).
pub const MIN_BOOKING: TimeDelta = TimeDelta::minutes(5);

pub struct BookingRequest {
    pub space_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recurrence: Option<String>,
}

pub(crate) fn check_interval(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if ends_at <= starts_at {
        return Err(ApiError::bad_input(
            "endsAt",
            "a booking must end after it starts",
        ));
    }
    if ends_at - starts_at < MIN_BOOKING {
        return Err(ApiError::bad_input(
            "endsAt",
            "a booking lasts at least 5 minutes",
        ));
    }
    if ends_at - starts_at > MAX_BOOKING {
        return Err(ApiError::bad_input(
            "endsAt",
            "a booking lasts at most 24 hours",
        ));
    }
    if starts_at < now {
        return Err(ApiError::bad_input(
            "startsAt",
            "a booking cannot start in the past",
        ));
    }
    Ok(())
}

/// Book a space for an organization — once, or every occurrence of a
/// recurrence rule (all or nothing). The status follows
/// [`transitions::initial`].
pub async fn book(ctx: &Ctx, request: &BookingRequest) -> ApiResult<Vec<booking::Model>> {
    policy::require_user(&ctx.viewer)?;
    let title = validate::line("title", &request.title, 200)?;
    check_interval(request.starts_at, request.ends_at, ctx.now())?;
    let slots = slots(ctx, request).await?;
    for _ in 0..3 {
        match mutate!(ctx, |w| book_step(w, request, &title, &slots).await) {
            // The database refused a booking that clashed with one committed
            // after our look (the error carries no intervals): report what
            // clashes now, or — if that booking is gone again — try again.
            Err(ApiError::Conflict {
                conflicts: None, ..
            }) => {
                let now_clashing = clashes(ctx.db(), request.space_id, &slots).await?;
                if !now_clashing.is_empty() {
                    return Err(conflict(now_clashing));
                }
            }
            other => return other,
        }
    }
    Err(ApiError::Transient)
}

/// The intervals a request books, expanded before the write transaction
/// opens, so that a rule's cost never holds the writer (on SQLite, the one
/// writer connection). A recurrence is read in the owner's time zone.
async fn slots(ctx: &Ctx, request: &BookingRequest) -> ApiResult<Vec<Slot>> {
    let Some(rule) = request.recurrence.as_deref() else {
        return Ok(vec![(request.starts_at, request.ends_at)]);
    };
    let space = find_in(ctx.db(), &ctx.viewer, ctx.now(), request.space_id).await?;
    let tz = crate::organization::time_zone(ctx.db(), space.organization_id).await?;
    recurrence::occurrences(request.starts_at, request.ends_at, Some(rule), tz)
}

/// The organization locked first; then, in one statement, the caller's
/// role there (read under the lock), the space and the booking rule; no
/// clash check before the insert — the database refuses a clash, and
/// [`book`] then gathers what clashes for the error.
async fn book_step(
    w: &mut Write<'_>,
    request: &BookingRequest,
    title: &str,
    slots: &[Slot],
) -> ApiResult<Vec<booking::Model>> {
    let locked = w.lock_org(request.organization_id, Lock::Share).await?;
    let found = bookable(w, request.space_id, request.organization_id).await?;
    let access = locked.access(w.viewer(), found.role);
    rules::ensure_can_book_for(&access)?;
    ensure_may_book(found.may_book)?;
    let series = slots.len() > 1 || request.recurrence.is_some();
    insert(
        w,
        &found.space,
        request.organization_id,
        title,
        slots,
        series,
    )
    .await
}

struct Bookable {
    space: space::Model,
    /// The caller's stored role in the organization booking.
    role: Option<Role>,
    may_book: bool,
}

/// The space (NOT_FOUND unless the viewer can see it — which comes before
/// any question of role), the caller's role in `organization_id` and
/// whether that organization may book the space: one statement.
async fn bookable(w: &Write<'_>, space_id: Uuid, organization_id: Uuid) -> ApiResult<Bookable> {
    let query = space::Entity::find_by_id(space_id)
        .filter(super::spaces::visible(w.viewer(), w.now()))
        .expr_as(
            Expr::case(booking_rule(organization_id, w.now()), true).finally(false),
            "yd_may_book",
        )
        .expr_as(
            policy::stored_role_column(w.viewer(), organization_id),
            "yd_role",
        )
        .into_query();
    let row = w
        .tx()
        .query_one(&query)
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    Ok(Bookable {
        space: space::Model::from_query_result(&row, "")?,
        role: row.try_get("", "yd_role")?,
        may_book: row.try_get("", "yd_may_book")?,
    })
}

/// The policy's rule for a space row: `organization` may book it (owner,
/// or its partner for SPACES).
fn booking_rule(organization_id: Uuid, now: DateTime<Utc>) -> sea_orm::Condition {
    sharing::may_book_in(
        sharing::the_organization(organization_id),
        (space::Entity, space::Column::OrganizationId),
        now,
    )
}

fn ensure_may_book(may_book: bool) -> ApiResult<()> {
    if may_book {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "this organization may not book here: it is neither the owner nor its partner for SPACES",
        ))
    }
}

/// Book `slots` of a visible space for an organization the step already
/// acts for as EDITOR+ (locked through [`Write::act_for`]): the spaces
/// rules from there on — the owner or a SPACES partner, no clash (CONFLICT
/// listing every one, looked for first: an event's answer names them),
/// PENDING where approval is needed. Events hold their room through this.
pub(crate) async fn hold(
    w: &mut Write<'_>,
    space: &space::Model,
    organization_id: Uuid,
    title: &str,
    slots: &[Slot],
    series: bool,
) -> ApiResult<Vec<booking::Model>> {
    let may_book = space::Entity::find_by_id(space.id)
        .filter(booking_rule(organization_id, w.now()))
        .one(w.tx())
        .await?
        .is_some();
    ensure_may_book(may_book)?;
    let seen = clashes(w.tx(), space.id, slots).await?;
    if !seen.is_empty() {
        return Err(conflict(seen));
    }
    insert(w, space, organization_id, title, slots, series).await
}

/// Insert the bookings of `slots` and their audit records; the database
/// refuses any that clash (CONFLICT without the intervals).
async fn insert(
    w: &mut Write<'_>,
    space: &space::Model,
    organization_id: Uuid,
    title: &str,
    slots: &[Slot],
    series: bool,
) -> ApiResult<Vec<booking::Model>> {
    let now = w.now();
    let owner = space.organization_id;
    let status = transitions::initial(organization_id == owner, space.requires_approval);
    let series_id = series.then(Uuid::now_v7);
    let bookings: Vec<booking::Model> = slots
        .iter()
        .map(|(starts_at, ends_at)| booking::Model {
            id: Uuid::now_v7(),
            space_id: space.id,
            organization_id,
            booked_by: w.viewer().user_id(),
            title: title.to_owned(),
            starts_at: *starts_at,
            ends_at: *ends_at,
            status,
            series_id,
            created_at: now,
            decided_at: None,
            decided_by: None,
            rejection_reason: None,
        })
        .collect();
    booking::Entity::insert_many(bookings.iter().cloned().map(booking::ActiveModel::from))
        .exec_without_returning(w.tx())
        .await?;
    w.audit_all(bookings.iter().map(|b| {
        Record::new("booking.create", "booking", b.id)
            .in_org(b.organization_id)
            .details(json!({
                "spaceId": b.space_id,
                "startsAt": b.starts_at,
                "endsAt": b.ends_at,
                "status": b.status.as_str(),
                "seriesId": b.series_id,
            }))
    }));
    Ok(bookings)
}

/// Free a held booking (an event cancelled or moved): a live booking is
/// CANCELLED, one already refused or cancelled is left as it is.
pub(crate) async fn release(w: &mut Write<'_>, booking_id: Uuid) -> ApiResult<()> {
    let Some(current) = booking::Entity::find_by_id(booking_id).one(w.tx()).await? else {
        return Ok(());
    };
    if !current.status.is_live() {
        return Ok(());
    }
    let (organization, current_status) = (current.organization_id, current.status);
    let mut active = current.into_active_model();
    active.status = Set(transitions::cancel(current_status)?);
    active.decided_at = Set(Some(w.now()));
    active.decided_by = Set(w.viewer().user_id());
    active.update(w.tx()).await?;
    w.audit(Record::new("booking.cancel", "booking", booking_id).in_org(organization));
    Ok(())
}

/// A booking the viewer may see, with its space: visible with its space,
/// and always to the booking organization's members.
pub async fn find_booking(ctx: &Ctx, id: Uuid) -> ApiResult<booking::Model> {
    Ok(find_booking_in(ctx.db(), &ctx.viewer, ctx.now(), id)
        .await?
        .0)
}

async fn find_booking_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<(booking::Model, space::Model)> {
    let missing = || ApiError::NotFound("booking");
    let booking = booking::Entity::find_by_id(id)
        .filter(sharing::booking_visible(viewer, now))
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let space = space::Entity::find_by_id(booking.space_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    Ok((booking, space))
}

/// How a space reached from a booking is shown, and whether in full: in
/// full where the viewer may see the space itself, otherwise as a reference
/// ([`rules::as_reference`]).
pub async fn space_of_booking(
    ctx: &Ctx,
    booking: &booking::Model,
) -> ApiResult<(space::Model, bool)> {
    space_shown(ctx, booking.space_id).await
}

/// A space reached from something that holds it (a booking, an event): in
/// full where the viewer may see it, otherwise as a reference.
pub async fn space_shown(ctx: &Ctx, space_id: Uuid) -> ApiResult<(space::Model, bool)> {
    let space = ctx
        .reads()
        .space(space_id)
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    if ctx.reads().space_visible(space.id).await? {
        Ok((space, true))
    } else {
        Ok((rules::as_reference(space), false))
    }
}

/// The owner's ADMIN+ approves or rejects a PENDING booking.
pub async fn decide(
    ctx: &Ctx,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> ApiResult<booking::Model> {
    policy::require_user(&ctx.viewer)?;
    let reason = validate::optional_text("reason", reason.as_deref(), 1000)?;
    mutate!(ctx, |w| {
        let (_, space) = find_booking_in(w.tx(), w.viewer(), w.now(), id).await?;
        let owner = w.act_for(space.organization_id, Lock::Share).await?;
        rules::ensure_can_decide(&owner)?;
        let current = w.lock::<booking::Entity>(id, "booking").await?;
        let status = transitions::decide(current.status, decision)?;
        let mut active = current.into_active_model();
        active.status = Set(status);
        active.decided_at = Set(Some(w.now()));
        active.decided_by = Set(w.viewer().user_id());
        if decision == Decision::Reject {
            active.rejection_reason = Set(reason.clone());
        }
        let updated = active.update(w.tx()).await?;
        w.audit(Record::new(decision.action(), "booking", id).in_org(space.organization_id));
        Ok(updated)
    })
}

/// Cancel a PENDING or CONFIRMED booking: EDITOR+ of the booking
/// organization, or ADMIN+ of the owner. The slot is free at once.
pub async fn cancel(ctx: &Ctx, id: Uuid) -> ApiResult<booking::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let (booking, space) = find_booking_in(w.tx(), w.viewer(), w.now(), id).await?;
        let booker = w.act_for(booking.organization_id, Lock::Share).await?;
        let owner = if space.organization_id == booking.organization_id {
            booker
        } else {
            w.act_for(space.organization_id, Lock::Share).await?
        };
        let acting_for = rules::ensure_can_cancel(&booker, &owner)?;
        let current = w.lock::<booking::Entity>(id, "booking").await?;
        let status = transitions::cancel(current.status)?;
        let mut active = current.into_active_model();
        active.status = Set(status);
        active.decided_at = Set(Some(w.now()));
        active.decided_by = Set(w.viewer().user_id());
        let updated = active.update(w.tx()).await?;
        w.audit(Record::new("booking.cancel", "booking", id).in_org(acting_for));
        Ok(updated)
    })
}

/// Whether the viewer may see a booking's title and who booked it.
pub async fn can_see_details(ctx: &Ctx, booking: &booking::Model) -> ApiResult<bool> {
    let space = ctx
        .reads()
        .space(booking.space_id)
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    let booker = policy::read_access(ctx, booking.organization_id).await?;
    let owner = policy::read_access(ctx, space.organization_id).await?;
    Ok(rules::can_see_booking_details(&booker, &owner))
}
