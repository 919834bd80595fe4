//! Spaces and bookings.
//!
//! A space is visible to the members of its owner and to whoever may book
//! it; bookable by EDITOR+ of the owner and of the owner's partners for
//! SPACES. Bookings are half-open intervals of at most 24 hours that do not
//! start in the past. PENDING and CONFIRMED bookings of one space never
//! overlap — the database refuses it (see the spaces migration); the check
//! here before inserting only gathers the clashing intervals for the error.
//! A recurring request is all or nothing.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::recurrence;
use crate::audit::{self, Record};
use crate::auth::Viewer;
use crate::db::{self, Db, TransactionSession};
use crate::error::{ApiError, ApiResult};
use crate::graphql::RequestCtx;
use crate::policy::sharing::{self, Scope};
use crate::policy::{self, Lock, OrgAccess, spaces as rules};
use crate::validate;
use entity::{BookingStatus, booking, organization, space};

/// The longest a booking may last.
pub const MAX_BOOKING: TimeDelta = TimeDelta::hours(24);
/// The widest `[from, to)` window `bookings` and `busy` answer for.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(366);

/// Spaces the viewer may see (a condition on `spaces`).
pub fn visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    sharing::space_visible(viewer, (space::Entity, space::Column::OrganizationId), now)
}

pub struct NewSpace {
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub capacity: Option<i32>,
    pub requires_approval: bool,
}

/// `None`: unchanged; `Some(None)`: cleared.
#[derive(Default)]
pub struct SpacePatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub capacity: Option<Option<i32>>,
    pub requires_approval: Option<bool>,
}

fn check_capacity(capacity: Option<i32>) -> ApiResult<Option<i32>> {
    match capacity {
        Some(c) if c < 1 => Err(ApiError::bad_input(
            "capacity",
            "`capacity` must be at least 1",
        )),
        other => Ok(other),
    }
}

/// ADMIN+ of the owner creates a space.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    input: NewSpace,
) -> ApiResult<space::Model> {
    policy::require_user(viewer)?;
    let model = space::Model {
        id: Uuid::now_v7(),
        organization_id: input.organization_id,
        name: validate::required_text("name", &input.name, 200)?,
        description: validate::optional_text("description", input.description.as_deref(), 5000)?,
        location: validate::optional_text("location", input.location.as_deref(), 200)?,
        capacity: check_capacity(input.capacity)?,
        requires_approval: input.requires_approval,
        created_at: now,
        updated_at: now,
    };
    let tx = db::begin_write(db).await?;
    let access = policy::org_access(&tx, viewer, input.organization_id, Lock::Share).await?;
    rules::ensure_can_manage_space(&access)?;
    space::Entity::insert(space::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("space.create", "space", model.id)
            .in_org(model.organization_id)
            .details(json!({ "name": model.name })),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// ADMIN+ of the owner edits a space.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    patch: SpacePatch,
) -> ApiResult<space::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let owner = find(&tx, viewer, now, id).await?.organization_id;
    let access = policy::org_access(&tx, viewer, owner, Lock::Share).await?;
    rules::ensure_can_manage_space(&access)?;
    let current = space::Entity::find_by_id(id)
        .lock(LockType::Update)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    let mut active = current.into_active_model();
    if let Some(name) = patch.name {
        active.name = Set(validate::required_text("name", &name, 200)?);
    }
    if let Some(d) = patch.description {
        active.description = Set(validate::optional_text("description", d.as_deref(), 5000)?);
    }
    if let Some(l) = patch.location {
        active.location = Set(validate::optional_text("location", l.as_deref(), 200)?);
    }
    if let Some(c) = patch.capacity {
        active.capacity = Set(check_capacity(c)?);
    }
    if let Some(r) = patch.requires_approval {
        active.requires_approval = Set(r);
    }
    active.updated_at = Set(now);
    let updated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("space.update", "space", id).in_org(owner),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// A space the viewer may see; NOT_FOUND otherwise.
pub async fn find(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<space::Model> {
    find_visible(db, viewer, now, id)
        .await?
        .ok_or(ApiError::NotFound("space"))
}

async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<Option<space::Model>> {
    Ok(space::Entity::find_by_id(id)
        .filter(visible(viewer, now))
        .one(db)
        .await?)
}

/// The spaces the viewer may book or whose owner the viewer belongs to.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> ApiResult<Vec<space::Model>> {
    Ok(space::Entity::find()
        .filter(visible(viewer, now))
        .order_by_asc(space::Column::Id)
        .all(db)
        .await?)
}

/// An organization's spaces, as far as the viewer may see them.
pub async fn of_organization(
    rc: &RequestCtx,
    organization_id: Uuid,
) -> ApiResult<Vec<space::Model>> {
    rc.loaders.spaces_of(organization_id).await
}

/// Whether the viewer may book the space for at least one organization.
pub async fn viewer_can_book(rc: &RequestCtx, space: &space::Model) -> ApiResult<bool> {
    rc.loaders.can_book_in(space.organization_id).await
}

pub struct BookingRequest {
    pub space_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recurrence: Option<String>,
}

fn check_interval(
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
/// recurrence rule (all or nothing). Bookings by another organization of a
/// space that requires approval start PENDING (they hold the slot); all
/// others are CONFIRMED at once.
pub async fn book(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    request: &BookingRequest,
) -> ApiResult<Vec<booking::Model>> {
    policy::require_user(viewer)?;
    let title = validate::required_text("title", &request.title, 200)?;
    check_interval(request.starts_at, request.ends_at, now)?;
    db::retrying(|| book_once(db, viewer, now, request, &title)).await
}

async fn book_once(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    request: &BookingRequest,
    title: &str,
) -> ApiResult<Vec<booking::Model>> {
    let tx = db::begin_write(db).await?;
    let space = find(&tx, viewer, now, request.space_id).await?;
    let access = policy::org_access(&tx, viewer, request.organization_id, Lock::Share).await?;
    rules::ensure_can_book_for(&access)?;
    let owner = space.organization_id;
    if request.organization_id != owner
        && !sharing::are_partners(&tx, owner, request.organization_id, Scope::Spaces, now).await?
    {
        return Err(ApiError::forbidden(
            "this organization may not book here: it is neither the owner nor its partner for SPACES",
        ));
    }
    let tz = owner_timezone(&tx, owner).await?;
    let slots = recurrence::occurrences(
        request.starts_at,
        request.ends_at,
        request.recurrence.as_deref(),
        tz,
    )?;
    let seen = clashes(&tx, space.id, &slots).await?;
    if !seen.is_empty() {
        return Err(conflict(seen));
    }
    let status = if request.organization_id == owner || !space.requires_approval {
        BookingStatus::Confirmed
    } else {
        BookingStatus::Pending
    };
    let series_id = (slots.len() > 1 || request.recurrence.is_some()).then(Uuid::now_v7);
    let bookings: Vec<booking::Model> = slots
        .iter()
        .map(|(starts_at, ends_at)| booking::Model {
            id: Uuid::now_v7(),
            space_id: space.id,
            organization_id: request.organization_id,
            booked_by: viewer.user_id(),
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
    let inserted =
        booking::Entity::insert_many(bookings.iter().cloned().map(booking::ActiveModel::from))
            .exec_without_returning(&tx)
            .await;
    if let Err(e) = inserted {
        // Someone committed a clashing booking after our look: the database
        // refused ours. Report what clashes now, outside the failed
        // transaction.
        let e = ApiError::from(e);
        tx.rollback().await?;
        return Err(match e {
            ApiError::Conflict { .. } => {
                let now_clashing = clashes(db, space.id, &slots).await?;
                if now_clashing.is_empty() {
                    // The booking in the way was cancelled meanwhile: try again.
                    ApiError::Transient
                } else {
                    conflict(now_clashing)
                }
            }
            other => other,
        });
    }
    let records = bookings.iter().map(|b| {
        Record::new("booking.create", "booking", b.id)
            .in_org(b.organization_id)
            .details(json!({
                "spaceId": b.space_id,
                "startsAt": b.starts_at,
                "endsAt": b.ends_at,
                "status": b.status.as_str(),
                "seriesId": b.series_id,
            }))
    });
    audit::record_many(&tx, viewer, now, records).await?;
    tx.commit().await?;
    Ok(bookings)
}

async fn owner_timezone(db: &impl ConnectionTrait, owner: Uuid) -> ApiResult<chrono_tz::Tz> {
    let org = organization::Entity::find_by_id(owner)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    org.timezone.parse().map_err(|_| {
        ApiError::internal(anyhow::anyhow!(
            "organization {owner} has an invalid time zone"
        ))
    })
}

/// A requested occurrence and the live bookings it overlaps.
struct Clash {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    with: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Live bookings of `space_id` overlapping `[from, to)`, by start.
async fn live_between(
    db: &impl ConnectionTrait,
    space_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::SpaceId.eq(space_id))
        .filter(booking::Column::Status.is_in([BookingStatus::Pending, BookingStatus::Confirmed]))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::EndsAt.gt(from))
        .order_by_asc(booking::Column::StartsAt)
        .all(db)
        .await?)
}

async fn clashes(
    db: &impl ConnectionTrait,
    space_id: Uuid,
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
) -> ApiResult<Vec<Clash>> {
    let (Some(from), Some(to)) = (
        slots.iter().map(|s| s.0).min(),
        slots.iter().map(|s| s.1).max(),
    ) else {
        return Ok(Vec::new());
    };
    let live = live_between(db, space_id, from, to).await?;
    Ok(slots
        .iter()
        .filter_map(|(s, e)| {
            let with: Vec<_> = live
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
fn conflict(clashes: Vec<Clash>) -> ApiError {
    let n = clashes.len();
    let list: Vec<serde_json::Value> = clashes
        .into_iter()
        .map(|c| {
            json!({
                "startsAt": rfc3339(c.starts_at),
                "endsAt": rfc3339(c.ends_at),
                "clashesWith": c.with.iter().map(|(s, e)| json!({ "startsAt": rfc3339(*s), "endsAt": rfc3339(*e) })).collect::<Vec<_>>(),
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
        conflicts: async_graphql::Value::from_json(serde_json::Value::Array(list)).ok(),
    }
}

/// A booking the viewer may see, with its space: visible with its space,
/// and always to the booking organization's members.
pub async fn find_booking(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<(booking::Model, space::Model)> {
    let missing = || ApiError::NotFound("booking");
    let booking = booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    if let Some(space) = find_visible(db, viewer, now, booking.space_id).await? {
        return Ok((booking, space));
    }
    let booker = policy::org_access(db, viewer, booking.organization_id, Lock::None).await?;
    if !rules::can_see_booking(false, &booker) {
        return Err(missing());
    }
    let space = space::Entity::find_by_id(booking.space_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    Ok((booking, space))
}

/// How a space reached from a booking is shown: in full where the viewer
/// may see the space itself, otherwise as a reference (see
/// [`rules::can_see_own_booking`]).
pub async fn space_of_booking(
    rc: &RequestCtx,
    booking: &booking::Model,
) -> ApiResult<(space::Model, bool)> {
    let space = rc
        .loaders
        .space(booking.space_id)
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    let full = rc.loaders.space_visible(space.id).await?;
    Ok((space, full))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// The owner's ADMIN+ approves or rejects a PENDING booking.
pub async fn decide(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> ApiResult<booking::Model> {
    policy::require_user(viewer)?;
    let reason = validate::optional_text("reason", reason.as_deref(), 1000)?;
    db::retrying(|| decide_once(db, viewer, now, id, decision, reason.clone())).await
}

async fn decide_once(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> ApiResult<booking::Model> {
    let tx = db::begin_write(db).await?;
    let (_, space) = find_booking(&tx, viewer, now, id).await?;
    let owner = policy::org_access(&tx, viewer, space.organization_id, Lock::Share).await?;
    rules::ensure_can_decide(&owner)?;
    let current = lock_booking(&tx, id).await?;
    if current.status != BookingStatus::Pending {
        return Err(ApiError::bad_input(
            "id",
            format!(
                "only a PENDING booking can be decided; this one is {}",
                current.status.as_str()
            ),
        ));
    }
    let (status, action) = match decision {
        Decision::Approve => (BookingStatus::Confirmed, "booking.approve"),
        Decision::Reject => (BookingStatus::Rejected, "booking.reject"),
    };
    let mut active = current.into_active_model();
    active.status = Set(status);
    active.decided_at = Set(Some(now));
    active.decided_by = Set(viewer.user_id());
    if decision == Decision::Reject {
        active.rejection_reason = Set(reason);
    }
    let updated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new(action, "booking", id).in_org(space.organization_id),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Cancel a PENDING or CONFIRMED booking: EDITOR+ of the booking
/// organization, or ADMIN+ of the owner. The slot is free at once.
pub async fn cancel(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<booking::Model> {
    policy::require_user(viewer)?;
    db::retrying(|| cancel_once(db, viewer, now, id)).await
}

async fn cancel_once(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<booking::Model> {
    let tx = db::begin_write(db).await?;
    let (booking, space) = find_booking(&tx, viewer, now, id).await?;
    let booker = policy::org_access(&tx, viewer, booking.organization_id, Lock::Share).await?;
    let owner = policy::org_access(&tx, viewer, space.organization_id, Lock::Share).await?;
    let acting_for = rules::ensure_can_cancel(&booker, &owner)?;
    let current = lock_booking(&tx, id).await?;
    if !current.status.is_live() {
        return Err(ApiError::bad_input(
            "id",
            format!("this booking is already {}", current.status.as_str()),
        ));
    }
    let mut active = current.into_active_model();
    active.status = Set(BookingStatus::Cancelled);
    active.decided_at = Set(Some(now));
    active.decided_by = Set(viewer.user_id());
    let updated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("booking.cancel", "booking", id).in_org(acting_for),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

async fn lock_booking(tx: &impl ConnectionTrait, id: Uuid) -> ApiResult<booking::Model> {
    booking::Entity::find_by_id(id)
        .lock(LockType::Update)
        .one(tx)
        .await?
        .ok_or(ApiError::NotFound("booking"))
}

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
    rc: &RequestCtx,
    space_id: Uuid,
    space_visible: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<booking::Model>> {
    check_window(from, to)?;
    let live = rc.loaders.bookings_between(space_id, from, to).await?;
    if space_visible {
        return Ok(live);
    }
    let mut orgs: Vec<Uuid> = live.iter().map(|b| b.organization_id).collect();
    orgs.sort();
    orgs.dedup();
    let roles = rc.loaders.viewer_roles(&orgs).await?;
    Ok(live
        .into_iter()
        .filter(|b| {
            let booker = OrgAccess::from_stored(
                &rc.viewer,
                b.organization_id,
                roles.get(&b.organization_id).copied(),
            );
            rules::can_see_booking(false, &booker)
        })
        .collect())
}

/// Busy intervals within the window: the bookings the viewer may see (as
/// [`bookings_between`]), merged where they touch or overlap, clipped to the
/// window — so `busy` never tells more than `bookings`.
pub async fn busy(
    rc: &RequestCtx,
    space_id: Uuid,
    space_visible: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let bookings = bookings_between(rc, space_id, space_visible, from, to).await?;
    Ok(merge(
        bookings
            .iter()
            .map(|b| (b.starts_at.max(from), b.ends_at.min(to))),
    ))
}

/// Merge intervals sorted by start into disjoint ones.
pub fn merge(
    sorted: impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (s, e) in sorted {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Whether the viewer may see a booking's title and who booked it.
pub async fn can_see_details(
    rc: &RequestCtx,
    booking: &booking::Model,
    owner: Uuid,
) -> ApiResult<bool> {
    let booker = OrgAccess::from_stored(
        &rc.viewer,
        booking.organization_id,
        rc.loaders.viewer_role(booking.organization_id).await?,
    );
    let owner = OrgAccess::from_stored(&rc.viewer, owner, rc.loaders.viewer_role(owner).await?);
    Ok(rules::can_see_booking_details(&booker, &owner))
}

/// Live bookings of several spaces in one query (for the loader).
pub async fn live_bookings_of(
    db: &impl ConnectionTrait,
    spaces: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<booking::Model>, sea_orm::DbErr> {
    booking::Entity::find()
        .filter(booking::Column::SpaceId.is_in(spaces.iter().copied()))
        .filter(booking::Column::Status.is_in([BookingStatus::Pending, BookingStatus::Confirmed]))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::EndsAt.gt(from))
        .order_by_asc(booking::Column::StartsAt)
        .all(db)
        .await
}

/// The spaces of several organizations visible to the viewer (loader).
pub async fn visible_spaces_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organizations: &[Uuid],
) -> Result<Vec<space::Model>, sea_orm::DbErr> {
    space::Entity::find()
        .filter(space::Column::OrganizationId.is_in(organizations.iter().copied()))
        .filter(visible(viewer, now))
        .order_by_asc(space::Column::Id)
        .all(db)
        .await
}

/// Of the given spaces, those the viewer may see (loader).
pub async fn visible_space_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    space::Entity::find()
        .select_only()
        .column(space::Column::Id)
        .filter(space::Column::Id.is_in(ids.iter().copied()))
        .filter(visible(viewer, now))
        .into_tuple()
        .all(db)
        .await
}

/// Of the given owner organizations, those in whose spaces the viewer may
/// book (loader).
pub async fn bookable_owners(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    owners: &[Uuid],
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .filter(organization::Column::Id.is_in(owners.iter().copied()))
        .filter(sharing::can_book_in(
            viewer,
            (organization::Entity, organization::Column::Id),
            now,
        ))
        .into_tuple()
        .all(db)
        .await
}
