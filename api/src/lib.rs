//! Yeondae (연대): the transports of the coalition API. The domain lives in
//! the `service` crate (no web or GraphQL types there); here are the GraphQL
//! schema and its resolvers ([`graphql`], one module per domain, thin: parse
//! input → call the service → wrap the result), the DataLoaders that
//! implement the service's batched reads, the HTTP handlers ([`http`]: the
//! GraphQL endpoint, calendar feeds, health), and the command line
//! ([`cli`]). `docs/architecture.md` walks one request through it.

pub mod cli;
pub mod config;
pub mod demo;
pub mod graphql;
pub mod http;
pub mod state;

pub use service::{clock, db};
