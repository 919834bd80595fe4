//! Organizations (tenants): create, edit, look up, list.

pub mod service;

pub use service::{DEFAULT_TIMEZONE, NewOrganization, OrganizationPatch, time_zone};
