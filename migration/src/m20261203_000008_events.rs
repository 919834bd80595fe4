//! Events with their co-hosts, invitees, recurring series and RSVPs. One
//! RSVP per user and event, one row per co-host and per invitee, are unique
//! indexes; a GOING RSVP never exceeds the event's capacity — a trigger on
//! both backends refuses the RSVP (or the smaller capacity) that would, and
//! on PostgreSQL first locks the event row, so concurrent RSVPs are counted
//! one after another.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::refs::{Organizations, Users};
use crate::{
    References, add_column, constraints, create_table, drop_tables, index, one_of, run_sql,
    unique_index,
};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Saved invitee lists ("executive committee") an organization's ADMIN+
/// maintains.
#[derive(DeriveIden, Clone, Copy)]
enum MemberGroups {
    Table,
    Id,
    OrganizationId,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MemberGroupMembers {
    Table,
    Id,
    GroupId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventSeries {
    Table,
    Id,
    HostOrganizationId,
    Rule,
    LengthSecs,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    HostOrganizationId,
    ProjectId,
    SeriesId,
    OccurrenceAt,
    SpaceId,
    BookingId,
    Title,
    Description,
    Location,
    StartsAt,
    EndsAt,
    Capacity,
    Visibility,
    Status,
    InviteesOnly,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    CancelledAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventCoHosts {
    Table,
    Id,
    EventId,
    OrganizationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventInvitees {
    Table,
    Id,
    EventId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Rsvps {
    Table,
    Id,
    EventId,
    UserId,
    Status,
    Position,
    RespondedAt,
    CheckedInAt,
    CheckedInBy,
}

/// Goals measured from records: `source` says where the readings come
/// from (`measure` still says how they add up: an attendance rate is a
/// level), `event_series_id` which series' attendance.
#[derive(DeriveIden, Clone, Copy)]
enum Goals {
    Table,
    Source,
    EventSeriesId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Spaces {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Bookings {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events(manager).await?;
        attendance(manager).await?;
        capacity(manager).await?;
        goal_sources(manager).await?;
        groups(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::drop()
            .name("goals_event_series_idx")
            .table(Goals::Table)
            .to_owned();
        manager.drop_index(index).await?;
        for column in [Goals::EventSeriesId, Goals::Source] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Goals::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(
            manager,
            &[
                "member_group_members",
                "member_groups",
                "rsvps",
                "event_invitees",
                "event_co_hosts",
                "events",
                "event_series",
            ],
        )
        .await
    }
}

async fn events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use EventSeries as S;
    create_table(
        manager,
        Table::create()
            .table(S::Table)
            .col(uuid(S::Id).primary_key())
            .col(uuid(S::HostOrganizationId))
            .col(text(S::Rule))
            .col(big_integer(S::LengthSecs))
            .col(timestamp_with_time_zone(S::CreatedAt))
            .references(S::HostOrganizationId, Organizations::Table, Cascade),
    )
    .await?;

    use Events as E;
    create_table(
        manager,
        Table::create()
            .table(E::Table)
            .col(uuid(E::Id).primary_key())
            .col(uuid(E::HostOrganizationId))
            .col(uuid_null(E::ProjectId))
            .col(uuid_null(E::SeriesId))
            .col(timestamp_with_time_zone_null(E::OccurrenceAt))
            .col(uuid_null(E::SpaceId))
            .col(uuid_null(E::BookingId))
            .col(string_len(E::Title, 200))
            .col(text_null(E::Description))
            .col(string_len_null(E::Location, 200))
            .col(timestamp_with_time_zone(E::StartsAt))
            .col(timestamp_with_time_zone(E::EndsAt))
            .col(integer_null(E::Capacity))
            .col(one_of(E::Visibility, &["PRIVATE", "PARTNERS", "PUBLIC"]))
            .col(one_of(E::Status, &["SCHEDULED", "CANCELLED"]))
            .col(boolean(E::InviteesOnly))
            .col(uuid_null(E::CreatedBy))
            .col(timestamp_with_time_zone(E::CreatedAt))
            .col(timestamp_with_time_zone(E::UpdatedAt))
            .col(timestamp_with_time_zone_null(E::CancelledAt))
            .check(Expr::col(E::EndsAt).gt(Expr::col(E::StartsAt)))
            .check(Expr::cust("capacity IS NULL OR capacity >= 1"))
            .references(E::HostOrganizationId, Organizations::Table, Cascade)
            .references(E::ProjectId, Projects::Table, SetNull)
            .references(E::SeriesId, S::Table, SetNull)
            .references(E::SpaceId, Spaces::Table, SetNull)
            .references(E::BookingId, Bookings::Table, SetNull)
            .references(E::CreatedBy, Users::Table, SetNull),
    )
    .await?;
    index(manager, "events_starts_idx", E::Table, &["starts_at", "id"]).await?;
    let host = &["host_organization_id", "starts_at", "id"];
    index(manager, "events_host_starts_idx", E::Table, host).await?;
    index(manager, "events_project_idx", E::Table, &["project_id"]).await?;
    index(manager, "events_series_idx", E::Table, &["series_id"]).await?;

    use EventCoHosts as C;
    create_table(
        manager,
        Table::create()
            .table(C::Table)
            .col(uuid(C::Id).primary_key())
            .col(uuid(C::EventId))
            .col(uuid(C::OrganizationId))
            .references(C::EventId, E::Table, Cascade)
            .references(C::OrganizationId, Organizations::Table, Cascade),
    )
    .await?;
    let key = constraints::EVENT_CO_HOSTS_KEY.name;
    unique_index(manager, key, C::Table, &["event_id", "organization_id"]).await?;
    index(
        manager,
        "event_co_hosts_org_idx",
        C::Table,
        &["organization_id"],
    )
    .await?;

    use EventInvitees as I;
    create_table(
        manager,
        Table::create()
            .table(I::Table)
            .col(uuid(I::Id).primary_key())
            .col(uuid(I::EventId))
            .col(uuid(I::UserId))
            .references(I::EventId, E::Table, Cascade)
            .references(I::UserId, Users::Table, Cascade),
    )
    .await?;
    let key = constraints::EVENT_INVITEES_KEY.name;
    unique_index(manager, key, I::Table, &["event_id", "user_id"]).await?;
    index(manager, "event_invitees_user_idx", I::Table, &["user_id"]).await
}

async fn attendance(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Rsvps as R;
    let statuses = &["GOING", "MAYBE", "DECLINED", "WAITLISTED"];
    create_table(
        manager,
        Table::create()
            .table(R::Table)
            .col(uuid(R::Id).primary_key())
            .col(uuid(R::EventId))
            .col(uuid(R::UserId))
            .col(one_of(R::Status, statuses))
            .col(big_integer(R::Position))
            .col(timestamp_with_time_zone(R::RespondedAt))
            .col(timestamp_with_time_zone_null(R::CheckedInAt))
            .col(uuid_null(R::CheckedInBy))
            .references(R::EventId, Events::Table, Cascade)
            .references(R::UserId, Users::Table, Cascade)
            .references(R::CheckedInBy, Users::Table, SetNull),
    )
    .await?;
    let key = constraints::RSVPS_KEY.name;
    unique_index(manager, key, R::Table, &["event_id", "user_id"]).await?;
    let queue = &["event_id", "status", "position"];
    index(manager, "rsvps_event_queue_idx", R::Table, queue).await?;
    index(manager, "rsvps_user_idx", R::Table, &["user_id"]).await
}

async fn goal_sources(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let source = ColumnDef::new(Goals::Source)
        .string_len(24)
        .null()
        .check(Expr::col(Goals::Source).is_in(["ATTENDANCE"]))
        .to_owned();
    add_column(manager, Goals::Table, source).await?;
    // With its reference (both backends add one inline): a series that
    // goes leaves the goal without a source of readings, not dangling.
    let uuid_type = match manager.get_database_backend() {
        DbBackend::Postgres => "uuid",
        _ => "uuid_text",
    };
    run_sql(
        manager,
        &[&format!(
            "ALTER TABLE goals ADD COLUMN event_series_id {uuid_type} NULL
               REFERENCES event_series (id) ON DELETE SET NULL"
        )],
    )
    .await?;
    index(
        manager,
        "goals_event_series_idx",
        Goals::Table,
        &["event_series_id"],
    )
    .await
}

async fn groups(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use MemberGroups as G;
    create_table(
        manager,
        Table::create()
            .table(G::Table)
            .col(uuid(G::Id).primary_key())
            .col(uuid(G::OrganizationId))
            .col(string_len(G::Name, 100))
            .col(timestamp_with_time_zone(G::CreatedAt))
            .col(timestamp_with_time_zone(G::UpdatedAt))
            .references(G::OrganizationId, Organizations::Table, Cascade),
    )
    .await?;
    let key = constraints::MEMBER_GROUPS_NAME.name;
    unique_index(manager, key, G::Table, &["organization_id", "name"]).await?;
    use MemberGroupMembers as M;
    create_table(
        manager,
        Table::create()
            .table(M::Table)
            .col(uuid(M::Id).primary_key())
            .col(uuid(M::GroupId))
            .col(uuid(M::UserId))
            .references(M::GroupId, G::Table, Cascade)
            .references(M::UserId, Users::Table, Cascade),
    )
    .await?;
    let key = "member_group_members_key";
    unique_index(manager, key, M::Table, &["group_id", "user_id"]).await
}

/// GOING RSVPs never exceed capacity: refused when an RSVP becomes GOING
/// with no seat left, or when capacity is lowered below those GOING.
async fn capacity(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let full = constraints::EVENT_FULL.name;
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            let rsvp = format!(
                r#"CREATE FUNCTION yd_rsvps_capacity() RETURNS trigger
                       LANGUAGE plpgsql AS $$
                       DECLARE cap integer; going bigint;
                       BEGIN
                         IF NEW.status = 'GOING' AND (TG_OP = 'INSERT' OR OLD.status <> 'GOING') THEN
                           SELECT capacity INTO cap FROM events WHERE id = NEW.event_id FOR UPDATE;
                           IF cap IS NOT NULL THEN
                             SELECT count(*) INTO going FROM rsvps
                              WHERE event_id = NEW.event_id AND status = 'GOING' AND id <> NEW.id;
                             IF going >= cap THEN
                               RAISE EXCEPTION '{full}: no seat is left at this event'
                                 USING ERRCODE = 'check_violation';
                             END IF;
                           END IF;
                         END IF;
                         RETURN NEW;
                       END $$"#
            );
            let event = format!(
                r#"CREATE FUNCTION yd_events_capacity() RETURNS trigger
                       LANGUAGE plpgsql AS $$
                       BEGIN
                         IF NEW.capacity IS NOT NULL AND NEW.capacity < (
                             SELECT count(*) FROM rsvps WHERE event_id = NEW.id AND status = 'GOING') THEN
                           RAISE EXCEPTION '{full}: more people are GOING than the new capacity'
                             USING ERRCODE = 'check_violation';
                         END IF;
                         RETURN NEW;
                       END $$"#
            );
            run_sql(
                manager,
                &[
                    &rsvp,
                    "CREATE TRIGGER rsvps_capacity BEFORE INSERT OR UPDATE OF status ON rsvps
                     FOR EACH ROW EXECUTE FUNCTION yd_rsvps_capacity()",
                    &event,
                    "CREATE TRIGGER events_capacity BEFORE UPDATE OF capacity ON events
                     FOR EACH ROW EXECUTE FUNCTION yd_events_capacity()",
                ],
            )
            .await
        }
        DbBackend::Sqlite => {
            // One writer at a time (BEGIN IMMEDIATE): the count cannot race.
            let full_rsvp = format!(
                "SELECT RAISE(ABORT, '{full}: no seat is left at this event')
                  WHERE (SELECT capacity FROM events WHERE id = NEW.event_id) <=
                        (SELECT count(*) FROM rsvps
                          WHERE event_id = NEW.event_id AND status = 'GOING' AND id <> NEW.id);"
            );
            run_sql(
                manager,
                &[
                    &format!(
                        "CREATE TRIGGER rsvps_capacity_insert BEFORE INSERT ON rsvps
                         WHEN NEW.status = 'GOING' BEGIN {full_rsvp} END"
                    ),
                    &format!(
                        "CREATE TRIGGER rsvps_capacity_update BEFORE UPDATE OF status ON rsvps
                         WHEN NEW.status = 'GOING' AND OLD.status <> 'GOING' BEGIN {full_rsvp} END"
                    ),
                    &format!(
                        "CREATE TRIGGER events_capacity BEFORE UPDATE OF capacity ON events
                         WHEN NEW.capacity IS NOT NULL BEGIN
                           SELECT RAISE(ABORT, '{full}: more people are GOING than the new capacity')
                            WHERE NEW.capacity < (SELECT count(*) FROM rsvps
                                                   WHERE event_id = NEW.id AND status = 'GOING');
                         END"
                    ),
                ],
            )
            .await
        }
        other => Err(DbErr::Migration(format!(
            "unsupported database backend {other:?}"
        ))),
    }
}
