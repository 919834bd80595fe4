//! Yeondae's core: the domain of a coalition of civic groups, free of any
//! transport. One folder per domain (`identity`, `organization`,
//! `membership`, `agreement`, `project`, `action`, `event`, `space`), each with the same few files:
//! `service.rs` (or several, by subject) with the operations, `reads.rs`
//! with the batched queries the transports' loaders call, and, where a
//! thing has a life cycle, `transitions.rs` with its state machine as pure
//! functions. Every operation takes one request context ([`Ctx`]); every
//! mutation runs through the one write path ([`mutate!`], [`write::Write`]); every
//! "may X" is one function in [`policy`]; every error is an [`ApiError`].
//! `docs/architecture.md` walks one request through the layers.

pub mod action;
pub mod agreement;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod context;
pub mod db;
pub mod disclosure;
pub mod error;
pub mod event;
pub mod group;
pub mod identity;
pub mod membership;
pub mod organization;
pub mod paging;
pub mod policy;
pub mod project;
pub mod space;
pub mod validate;
pub mod write;

pub use context::{Ctx, Reads};
pub use error::{ApiError, ApiResult};
