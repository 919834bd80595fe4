//! Batched reads of spaces and bookings, for the transports' loaders: one
//! query for however many spaces or organizations a response holds.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::bookings::MAX_BOOKING;
use super::spaces::visible;
use crate::auth::Viewer;
use crate::policy::sharing;
use entity::{BookingStatus, booking, organization, space};

/// Live (PENDING or CONFIRMED) bookings of several spaces overlapping
/// `[from, to)`, by start. A booking lasts at most [`MAX_BOOKING`], so one
/// that overlaps started after `from - MAX_BOOKING`: the `(space_id,
/// starts_at)` index then reads only that stretch, however long the
/// room's history. On PostgreSQL the range overlap is spelt out too, so
/// the planner may use the exclusion constraint's GiST index instead
/// (`docs/performance.md` shows the plan).
pub async fn live_bookings_of(
    db: &impl ConnectionTrait,
    spaces: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<booking::Model>, DbErr> {
    let mut query = booking::Entity::find()
        .filter(booking::Column::SpaceId.is_in(spaces.iter().copied()))
        .filter(booking::Column::Status.is_in([BookingStatus::Pending, BookingStatus::Confirmed]))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::StartsAt.gt(from - MAX_BOOKING))
        .filter(booking::Column::EndsAt.gt(from));
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.filter(Expr::cust_with_values(
            "tstzrange(starts_at, ends_at, '[)') && tstzrange($1, $2, '[)')",
            [from, to],
        ));
    }
    query.order_by_asc(booking::Column::StartsAt).all(db).await
}

/// The spaces of several organizations visible to the viewer.
pub async fn visible_spaces_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organizations: &[Uuid],
) -> Result<Vec<space::Model>, DbErr> {
    space::Entity::find()
        .filter(space::Column::OrganizationId.is_in(organizations.iter().copied()))
        .filter(visible(viewer, now))
        .order_by_asc(space::Column::Id)
        .all(db)
        .await
}

/// Of the given spaces, those the viewer may see.
pub async fn visible_space_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
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
/// book.
pub async fn bookable_owners(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    owners: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
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
