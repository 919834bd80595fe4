//! The integration tests: one binary, each test against a real server on a
//! free port with its own fresh database, on SQLite and on PostgreSQL.

mod support;

mod abuse;
mod actions;
mod agreements;
mod authz;
mod booking_races;
mod budgets;
mod cli;
mod constraints;
mod demo;
mod disclosure;
mod events;
mod http;
mod identity;
mod memberships;
mod migrations;
mod organizations;
mod projects;
mod schema;
mod side_doors;
mod spaces;
mod walk;
