//! Yeondae (연대): the GraphQL API for coalitions of civic groups.
//!
//! Layout: one folder per domain (`identity`, `organization`, `membership`,
//! ...), each with `service.rs` (the operations, taking any connection or
//! transaction), `graphql.rs` (thin resolvers and API types wrapping the
//! entities) and, where relations are batched, `loader.rs`. Access rules live
//! only in [`policy`]; errors only in [`error`].

pub mod agreement;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod identity;
pub mod membership;
pub mod organization;
pub mod policy;
pub mod server;
pub mod space;
pub mod state;
pub mod validate;
