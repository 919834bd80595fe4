//! E-mail addresses are unique whatever their case, in the database itself
//! (the service also stores them lower-cased and in Unicode NFC): the unique
//! index on `users.email` becomes one on `lower(email)`, under the same
//! name, so a write that bypasses the service cannot add `Owner@x.org`
//! beside `owner@x.org`.

use sea_orm_migration::prelude::*;

use crate::{constraints, run_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Replace the unique index on users' e-mails by one over `on`. One
/// statement string: on SQLite the pool may otherwise run the two on
/// different connections.
async fn unique_on(manager: &SchemaManager<'_>, on: &str) -> Result<(), DbErr> {
    let name = constraints::USERS_EMAIL.name;
    run_sql(
        manager,
        &[&format!(
            "DROP INDEX {name}; CREATE UNIQUE INDEX {name} ON users ({on})"
        )],
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        unique_on(manager, "lower(email)").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        unique_on(manager, "email").await
    }
}
