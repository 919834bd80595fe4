//! Users, log-in sessions and API tokens.

pub mod graphql;
pub mod service;
pub mod throttle;

pub use graphql::{IdentityMutation, IdentityQuery, User};
