use sea_orm::entity::prelude::*;

/// A half-open interval [starts_at, ends_at) of a space. PENDING and
/// CONFIRMED bookings of one space never overlap: an exclusion constraint on
/// PostgreSQL, triggers on SQLite.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    /// The organization the booking is for.
    pub organization_id: Uuid,
    pub booked_by: Option<Uuid>,
    pub title: String,
    /// Half-open `[starts_at, ends_at)`: live bookings of a space never
    /// overlap (an exclusion constraint on PostgreSQL, a trigger on SQLite),
    /// so back-to-back bookings are fine.
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: BookingStatus,
    /// Shared by the occurrences of one recurring request.
    pub series_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// The owner's answer to a PENDING booking (or the cancellation).
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub rejection_reason: Option<String>,
}

no_relations!();

text_enum! {
    pub enum BookingStatus {
        Pending = "PENDING",
        Confirmed = "CONFIRMED",
        Rejected = "REJECTED",
        Cancelled = "CANCELLED",
    }
}

impl BookingStatus {
    /// Holds its slot.
    pub fn is_live(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }
}
