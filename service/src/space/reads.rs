//! Batched reads of spaces and bookings, for the transports' loaders: one
//! query for however many spaces or organizations a response holds.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::spaces::visible;
use crate::auth::Viewer;
use crate::policy::sharing;
use entity::{BookingStatus, booking, organization, space};

/// Live (PENDING or CONFIRMED) bookings of several spaces overlapping
/// `[from, to)`, by start.
pub async fn live_bookings_of(
    db: &impl ConnectionTrait,
    spaces: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<booking::Model>, DbErr> {
    booking::Entity::find()
        .filter(booking::Column::SpaceId.is_in(spaces.iter().copied()))
        .filter(booking::Column::Status.is_in([BookingStatus::Pending, BookingStatus::Confirmed]))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::EndsAt.gt(from))
        .order_by_asc(booking::Column::StartsAt)
        .all(db)
        .await
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
