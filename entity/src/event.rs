use sea_orm::entity::prelude::*;

/// A meeting, workshop or rally date hosted by one organization. With a
/// space it holds a booking of that space for its time; in a series it
/// shares `series_id` with the other occurrences.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_organization_id: Uuid,
    pub project_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    /// In a series, the start its rule gave this occurrence (what calendar
    /// feeds name it by, however it was moved since).
    pub occurrence_at: Option<DateTimeUtc>,
    pub space_id: Option<Uuid>,
    /// The booking that holds the space while the event is SCHEDULED.
    pub booking_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// GOING RSVPs never exceed it (a trigger on both databases).
    pub capacity: Option<i32>,
    pub visibility: super::Visibility,
    pub status: EventStatus,
    /// Only the invitees (`event_invitees`) are expected, and only they and
    /// the host's ADMIN+ see the event.
    pub invitees_only: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
}

no_relations!();

text_enum! {
    pub enum EventStatus {
        Scheduled = "SCHEDULED",
        Cancelled = "CANCELLED",
    }
}
