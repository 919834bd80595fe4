//! Who belongs to an organization, with which role, and who is invited.

pub mod groups;
pub mod invitations;
pub mod members;
pub mod reads;
