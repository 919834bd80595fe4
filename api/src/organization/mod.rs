//! Organizations: the tenants. Their profiles form a public directory; what
//! they hold is governed by [`crate::policy`].

pub mod graphql;
pub mod service;

pub use graphql::{Organization, OrganizationMutation, OrganizationQuery};
