//! Log-in throttles keyed by e-mail *and client* (and by client alone), so
//! failures from one client never lock the owner out from another, with an
//! index to delete idle rows: the table is replaced (its rows are only
//! short-lived counters).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::{create_table, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum LoginThrottles {
    Table,
    Key,
    Email,
    Failures,
    LockedUntil,
    UpdatedAt,
}

/// The table, keyed by `key`.
async fn create(manager: &SchemaManager<'_>, key: ColumnDef) -> Result<(), DbErr> {
    create_table(
        manager,
        Table::create()
            .table(LoginThrottles::Table)
            .col(key)
            .col(integer(LoginThrottles::Failures).default(0))
            .col(timestamp_with_time_zone_null(LoginThrottles::LockedUntil))
            .col(timestamp_with_time_zone(LoginThrottles::UpdatedAt)),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["login_throttles"]).await?;
        create(
            manager,
            string_len(LoginThrottles::Key, 400)
                .primary_key()
                .to_owned(),
        )
        .await?;
        index(
            manager,
            "login_throttles_updated_idx",
            LoginThrottles::Table,
            &["updated_at"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["login_throttles"]).await?;
        create(
            manager,
            string_len(LoginThrottles::Email, 254)
                .primary_key()
                .to_owned(),
        )
        .await
    }
}
