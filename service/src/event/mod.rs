//! Events: meetings, workshops, rally dates — hosted by an organization,
//! co-hosted by partners, answered (RSVP with a first-come waitlist) and
//! attended (check-in). Who reads one is the policy's
//! ([`crate::policy::sharing::event_visible`]); who may change what is
//! [`crate::policy::events`]; the rules of answers and check-in are
//! [`transitions`].

pub mod changes;
pub mod events;
pub mod feed;
pub mod reads;
pub mod rsvps;
pub mod series;
pub mod transitions;

pub use changes::SeriesScope;
pub use events::{EventFilter, EventPatch, NewEvent};
