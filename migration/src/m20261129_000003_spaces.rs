//! Spaces and their bookings. The rule that PENDING and CONFIRMED bookings of
//! one space never overlap is the database's: an exclusion constraint over a
//! time range on PostgreSQL, triggers on SQLite (whose writers are
//! serialized, so the check and the write cannot interleave).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::refs::{Organizations, Users};
use crate::{References, constraints, create_table, drop_tables, index, run_sql};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Spaces {
    Table,
    Id,
    OrganizationId,
    Name,
    Description,
    Location,
    Capacity,
    RequiresApproval,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Bookings {
    Table,
    Id,
    SpaceId,
    OrganizationId,
    BookedBy,
    Title,
    StartsAt,
    EndsAt,
    Status,
    SeriesId,
    CreatedAt,
    DecidedAt,
    DecidedBy,
    RejectionReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table(Spaces::Table)
                .col(uuid(Spaces::Id).primary_key())
                .col(uuid(Spaces::OrganizationId))
                .col(string_len(Spaces::Name, 200))
                .col(text_null(Spaces::Description))
                .col(string_len_null(Spaces::Location, 200))
                .col(integer_null(Spaces::Capacity).check(Expr::col(Spaces::Capacity).gt(0)))
                .col(boolean(Spaces::RequiresApproval))
                .col(timestamp_with_time_zone(Spaces::CreatedAt))
                .col(timestamp_with_time_zone(Spaces::UpdatedAt))
                .references(Spaces::OrganizationId, Organizations::Table, Cascade),
        )
        .await?;
        index(
            manager,
            "spaces_organization_idx",
            Spaces::Table,
            &["organization_id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(Bookings::Table)
                .col(uuid(Bookings::Id).primary_key())
                .col(uuid(Bookings::SpaceId))
                .col(uuid(Bookings::OrganizationId))
                .col(uuid_null(Bookings::BookedBy))
                .col(string_len(Bookings::Title, 200))
                .col(timestamp_with_time_zone(Bookings::StartsAt))
                .col(timestamp_with_time_zone(Bookings::EndsAt))
                .col(
                    string_len(Bookings::Status, 16).check(Expr::col(Bookings::Status).is_in([
                        "PENDING",
                        "CONFIRMED",
                        "REJECTED",
                        "CANCELLED",
                    ])),
                )
                .col(uuid_null(Bookings::SeriesId))
                .col(timestamp_with_time_zone(Bookings::CreatedAt))
                .col(timestamp_with_time_zone_null(Bookings::DecidedAt))
                .col(uuid_null(Bookings::DecidedBy))
                .col(text_null(Bookings::RejectionReason))
                .check(Expr::col(Bookings::EndsAt).gt(Expr::col(Bookings::StartsAt)))
                .references(Bookings::SpaceId, Spaces::Table, Cascade)
                .references(Bookings::OrganizationId, Organizations::Table, Cascade)
                .references(Bookings::BookedBy, Users::Table, SetNull)
                .references(Bookings::DecidedBy, Users::Table, SetNull),
        )
        .await?;
        index(
            manager,
            "bookings_space_starts_idx",
            Bookings::Table,
            &["space_id", "starts_at"],
        )
        .await?;
        index(
            manager,
            "bookings_series_idx",
            Bookings::Table,
            &["series_id"],
        )
        .await?;

        match manager.get_database_backend() {
            DbBackend::Postgres => {
                let exclude = format!(
                    "ALTER TABLE bookings ADD CONSTRAINT {}
                           EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
                           WHERE (status IN ('PENDING', 'CONFIRMED'))",
                    constraints::BOOKINGS_NO_OVERLAP.name
                );
                run_sql(
                    manager,
                    &["CREATE EXTENSION IF NOT EXISTS btree_gist", &exclude],
                )
                .await
            }
            DbBackend::Sqlite => {
                let [insert, update] = sqlite_no_overlap_triggers(false);
                run_sql(manager, &[&insert, &update]).await
            }
            other => Err(DbErr::Migration(format!(
                "unsupported database backend {other:?}"
            ))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["bookings", "spaces"]).await
    }
}

/// SQLite's no-overlap triggers. `bounded` (migration 9) adds that a clash
/// started less than 24 hours before the new booking — the longest a
/// booking lasts — so the check reads only that stretch of the
/// `(space_id, starts_at)` index instead of the room's whole history.
pub(crate) fn sqlite_no_overlap_triggers(bounded: bool) -> [String; 2] {
    // Timestamps are stored as RFC 3339 text in UTC with a fixed layout,
    // so text comparison is time comparison (a bound without the offset
    // sorts just before the same instant with it: the bound is inclusive).
    // (COALESCE: were a time ever unreadable to strftime, the bound falls
    // away rather than the check.)
    let bound = if bounded {
        "AND b.starts_at > COALESCE(strftime('%Y-%m-%dT%H:%M:%S', NEW.starts_at, '-1 day'), '')"
    } else {
        ""
    };
    let clash = format!(
        "SELECT RAISE(ABORT, '{}: the space is already booked for that time')
                  WHERE EXISTS (SELECT 1 FROM bookings b
                                 WHERE b.space_id = NEW.space_id AND b.id <> NEW.id
                                   AND b.status IN ('PENDING', 'CONFIRMED')
                                   AND b.starts_at < NEW.ends_at AND b.ends_at > NEW.starts_at {bound});",
        constraints::BOOKINGS_NO_OVERLAP.sqlite
    );
    [
        format!(
            "CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
         WHEN NEW.status IN ('PENDING', 'CONFIRMED') BEGIN {clash} END"
        ),
        format!(
            "CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF space_id, starts_at, ends_at, status ON bookings
         WHEN NEW.status IN ('PENDING', 'CONFIRMED') BEGIN {clash} END"
        ),
    ]
}
