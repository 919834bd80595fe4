//! The database keeps every organization's last OWNER: a trigger on both
//! backends refuses to delete or demote it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{constraints, run_sql};

pub(super) async fn create(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // An organization never loses its last OWNER. The check runs in the
    // database, after the row changes, so no code path can skip it; on
    // PostgreSQL it first locks the organization row, which serializes
    // concurrent demotions of different owners (otherwise two
    // transactions could each see the other's owner and both commit).
    // Deleting the organization itself (cascade) is allowed.
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            let function = format!(
                r#"CREATE FUNCTION yd_memberships_keep_owner() RETURNS trigger
                       LANGUAGE plpgsql AS $$
                       BEGIN
                         IF OLD.role = 'OWNER' AND (TG_OP = 'DELETE' OR NEW.role <> 'OWNER'
                             OR NEW.organization_id <> OLD.organization_id) THEN
                           PERFORM 1 FROM organizations WHERE id = OLD.organization_id FOR NO KEY UPDATE;
                           IF FOUND AND NOT EXISTS (
                             SELECT 1 FROM memberships
                              WHERE organization_id = OLD.organization_id AND role = 'OWNER'
                           ) THEN
                             RAISE EXCEPTION '{}: an organization must keep at least one OWNER'
                               USING ERRCODE = 'check_violation';
                           END IF;
                         END IF;
                         RETURN NULL;
                       END $$"#,
                constraints::LAST_OWNER.name
            );
            run_sql(
                manager,
                &[
                    &function,
                    r#"CREATE TRIGGER memberships_keep_owner
                       AFTER UPDATE OR DELETE ON memberships
                       FOR EACH ROW EXECUTE FUNCTION yd_memberships_keep_owner()"#,
                ],
            )
            .await?;
        }
        DbBackend::Sqlite => {
            // SQLite runs one writer at a time (the API opens write
            // transactions with BEGIN IMMEDIATE), so the check cannot race.
            let marker = constraints::LAST_OWNER.sqlite;
            run_sql(
                manager,
                &[
                    &format!(r#"CREATE TRIGGER memberships_keep_owner_update
                       AFTER UPDATE ON memberships
                       WHEN OLD.role = 'OWNER' AND (NEW.role <> 'OWNER' OR NEW.organization_id <> OLD.organization_id)
                       BEGIN
                         SELECT RAISE(ABORT, '{marker}: an organization must keep at least one OWNER')
                          WHERE NOT EXISTS (SELECT 1 FROM memberships
                                             WHERE organization_id = OLD.organization_id AND role = 'OWNER');
                       END"#),
                    &format!(r#"CREATE TRIGGER memberships_keep_owner_delete
                       AFTER DELETE ON memberships
                       WHEN OLD.role = 'OWNER'
                       BEGIN
                         SELECT RAISE(ABORT, '{marker}: an organization must keep at least one OWNER')
                          WHERE EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id)
                            AND NOT EXISTS (SELECT 1 FROM memberships
                                             WHERE organization_id = OLD.organization_id AND role = 'OWNER');
                       END"#),
                ],
            )
            .await?;
        }
        other => {
            return Err(DbErr::Migration(format!(
                "unsupported database backend {other:?}"
            )));
        }
    }
    Ok(())
}
