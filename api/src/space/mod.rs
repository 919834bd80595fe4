//! Shared office spaces and their bookings (which never double-book), with
//! recurring series and a calendar feed.

pub mod graphql;
pub mod ical;
pub mod loader;
pub mod recurrence;
pub mod service;

pub use graphql::{Space, SpaceMutation, SpaceQuery};
