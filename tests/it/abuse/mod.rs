//! Abuse resistance (issue 8): what a crafted request costs is bounded
//! before it runs, inputs are checked before they reach the database, and
//! the HTTP edges refuse what no real client sends.

mod edges;
mod faults;
mod inputs;
mod limits;
mod limits_per_client;
mod memory;
