//! Shared spaces and their bookings: who sees and books which room, the
//! bookings' state machine ([`transitions`]), and the calendar.

pub mod bookings;
pub mod calendar;
pub mod feed;
pub mod reads;
pub mod recurrence;
pub mod spaces;
pub mod transitions;

pub use bookings::BookingRequest;
pub use spaces::{NewSpace, SpacePatch};
pub use transitions::Decision;
