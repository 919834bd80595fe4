use sea_orm::entity::prelude::*;

/// One person's answer to an event; `(event_id, user_id)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rsvps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub user_id: Uuid,
    pub status: RsvpStatus,
    /// The order of answers within the event, taken under the event's lock:
    /// the waitlist is served by it, first come first served.
    pub position: i64,
    pub responded_at: DateTimeUtc,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_in_by: Option<Uuid>,
}

no_relations!();

text_enum! {
    pub enum RsvpStatus {
        Going = "GOING",
        Maybe = "MAYBE",
        Declined = "DECLINED",
        Waitlisted = "WAITLISTED",
    }
}
