//! SQLite's no-overlap triggers read only the 24 hours before a new
//! booking (see [`crate::m20261129_000003_spaces::sqlite_no_overlap_triggers`]):
//! with the whole history read, booking a room with 100,000 past bookings
//! cost a scan of all of them. PostgreSQL's exclusion constraint needs no
//! change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261129_000003_spaces::sqlite_no_overlap_triggers;
use crate::run_sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn replace_triggers(manager: &SchemaManager<'_>, bounded: bool) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let [insert, update] = sqlite_no_overlap_triggers(bounded);
    run_sql(
        manager,
        &[
            "DROP TRIGGER IF EXISTS bookings_no_overlap_insert",
            "DROP TRIGGER IF EXISTS bookings_no_overlap_update",
            &insert,
            &update,
        ],
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on one connection on SQLite too: the old triggers
    /// are never missing, and a pooled connection never sees half of it.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_triggers(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_triggers(manager, false).await
    }
}
