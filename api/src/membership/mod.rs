//! Who belongs to which organization, with which role, and how they get in
//! (invitations) and out.

pub mod graphql;
pub mod loader;
pub mod service;

pub use graphql::{Membership, MembershipConnection, MembershipMutation};
