//! E-mail addresses are unique whatever their case, in the database itself
//! (the service also stores them lower-cased and in Unicode NFC): the unique
//! index on `users.email` becomes one on `lower(email)`, under the same
//! name, so a write that bypasses the service cannot add `Owner@x.org`
//! beside `owner@x.org`. (SQLite's `lower()` folds ASCII only; PostgreSQL's
//! folds all of Unicode. The service folds all of it before storing.)
//!
//! Addresses stored before are brought to the form the service now looks
//! up — NFC, lower-cased — first, so nobody is locked out of their account.

use sea_orm_migration::prelude::*;
use unicode_normalization::UnicodeNormalization;

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

/// Rewrite every address in `table.email` to NFC, lower-cased.
async fn normalize(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let select = Query::select()
        .column(Alias::new("email"))
        .from(Alias::new(table))
        .to_owned();
    for row in conn.query_all(&select).await? {
        let email: String = row.try_get("", "email")?;
        let normalized = email.nfc().collect::<String>().to_lowercase();
        if normalized != email {
            let update = Query::update()
                .table(Alias::new(table))
                .value(Alias::new("email"), normalized)
                .and_where(Expr::col(Alias::new("email")).eq(email))
                .to_owned();
            conn.execute(&update).await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        normalize(manager, "users").await?;
        normalize(manager, "invitations").await?;
        unique_on(manager, "lower(email)").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        unique_on(manager, "email").await
    }
}
