//! Credentials: passwords, access tokens (JWT), opaque secrets (refresh
//! tokens, API tokens, invitations), and turning an `Authorization` header
//! into a [`Viewer`].

pub mod jwt;
pub mod password;
pub mod secret;
pub mod viewer;

pub use viewer::{Credential, Viewer};
