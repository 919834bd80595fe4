//! Agreements (MOUs, 업무협약) between organizations: their lifecycle, and
//! the parties that draft, sign, decline or leave them. What an ACTIVE
//! agreement shares is decided by [`crate::policy::sharing`].

pub mod graphql;
pub mod loader;
pub mod service;
pub mod status;

pub use graphql::{Agreement, AgreementConnection, AgreementMutation, AgreementQuery};
