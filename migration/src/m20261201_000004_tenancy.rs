//! Closing side doors (issue 7):
//!
//! - `users.suspended_at`/`suspended_by`: platform admins can suspend an
//!   account, which ends its sessions and tokens; an organization whose every
//!   OWNER is suspended can have an owner restored (by another operator than
//!   the one who suspended them).
//! - `api_tokens.role`: a token bound to an organization acts with at most
//!   the role its creator held there when it was made. Existing bound tokens
//!   take their creator's current role; those whose creator has left, or
//!   left and came back after the token was made, are revoked.
//! - `audit_entries.by_operator`: the entry was made by a platform admin
//!   acting as an operator (not through a membership of that organization);
//!   the organization's own readers see that an operator acted, not who.
//! - `agreement_parties.admitted_at`: when a party began sharing — at
//!   ratification, or for a party added later once every sharing party's
//!   OWNER consented (`agreement_consents`). Existing parties that signed by
//!   ratification are admitted then; parties added to a running agreement
//!   afterwards now wait for the others' consent.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::refs::{Agreements, Organizations};
use crate::{References, add_column, constraints, create_table, run_sql, unique_index};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    SuspendedAt,
    SuspendedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEntries {
    Table,
    ByOperator,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiTokens {
    Table,
    Role,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgreementParties {
    Table,
    AdmittedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgreementConsents {
    Table,
    Id,
    AgreementId,
    NewcomerId,
    OrganizationId,
    Status,
    RespondedAt,
    RespondedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            Users::Table,
            timestamp_with_time_zone_null(Users::SuspendedAt),
        )
        .await?;
        add_column(manager, Users::Table, uuid_null(Users::SuspendedBy)).await?;
        add_column(
            manager,
            AuditEntries::Table,
            boolean(AuditEntries::ByOperator).default(false),
        )
        .await?;
        add_column(
            manager,
            ApiTokens::Table,
            string_len_null(ApiTokens::Role, 16)
                .check(Expr::col(ApiTokens::Role).is_in(["OWNER", "ADMIN", "EDITOR", "MEMBER"])),
        )
        .await?;
        add_column(
            manager,
            AgreementParties::Table,
            timestamp_with_time_zone_null(AgreementParties::AdmittedAt),
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(AgreementConsents::Table)
                .col(uuid(AgreementConsents::Id).primary_key())
                .col(uuid(AgreementConsents::AgreementId))
                .col(uuid(AgreementConsents::NewcomerId))
                .col(uuid(AgreementConsents::OrganizationId))
                .col(
                    string_len(AgreementConsents::Status, 16).check(
                        Expr::col(AgreementConsents::Status).is_in(["CONSENTED", "REFUSED"]),
                    ),
                )
                .col(timestamp_with_time_zone(AgreementConsents::RespondedAt))
                .col(uuid_null(AgreementConsents::RespondedBy))
                .check(
                    Expr::col(AgreementConsents::NewcomerId)
                        .ne(Expr::col(AgreementConsents::OrganizationId)),
                )
                .references(AgreementConsents::AgreementId, Agreements::Table, Cascade)
                .references(AgreementConsents::NewcomerId, Organizations::Table, Cascade)
                .references(
                    AgreementConsents::OrganizationId,
                    Organizations::Table,
                    Cascade,
                )
                .references(AgreementConsents::RespondedBy, Users::Table, SetNull),
        )
        .await?;
        // One answer per sharing party per newcomer.
        unique_index(
            manager,
            constraints::AGREEMENT_CONSENTS_ANSWER.name,
            AgreementConsents::Table,
            &["agreement_id", "newcomer_id", "organization_id"],
        )
        .await?;

        // The text form sqlx gives a DateTime<Utc> on SQLite, so stored
        // instants keep comparing correctly as text.
        let now = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Sqlite => {
                "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')"
            }
            _ => "CURRENT_TIMESTAMP",
        };
        let revoke = format!(
            "UPDATE api_tokens SET revoked_at = {now} \
             WHERE organization_id IS NOT NULL AND revoked_at IS NULL AND (role IS NULL \
               OR created_at < (SELECT m.joined_at FROM memberships m \
                 WHERE m.user_id = api_tokens.user_id AND m.organization_id = api_tokens.organization_id))"
        );
        run_sql(
            manager,
            &[
                // Bound tokens act with at most their creator's role when made;
                // for existing ones, the creator's role now.
                "UPDATE api_tokens SET role = (SELECT m.role FROM memberships m \
                   WHERE m.user_id = api_tokens.user_id AND m.organization_id = api_tokens.organization_id) \
                 WHERE organization_id IS NOT NULL",
                // ...and those whose creator left that organization (or left
                // and was invited back after the token was made) stop working.
                &revoke,
                // Parties that had signed when the agreement was ratified
                // share from ratification on.
                "UPDATE agreement_parties SET admitted_at = (SELECT a.ratified_at FROM agreements a \
                   WHERE a.id = agreement_parties.agreement_id) \
                 WHERE status = 'SIGNED' AND EXISTS (SELECT 1 FROM agreements a \
                   WHERE a.id = agreement_parties.agreement_id AND a.ratified_at IS NOT NULL \
                     AND agreement_parties.responded_at <= a.ratified_at)",
                // Invitations are listed per organization, pending first.
                "CREATE INDEX invitations_org_pending_idx ON invitations (organization_id, invited_by) \
                 WHERE accepted_at IS NULL AND revoked_at IS NULL",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_sql(
            manager,
            &["DROP INDEX IF EXISTS invitations_org_pending_idx"],
        )
        .await?;
        manager
            .drop_table(Table::drop().table(AgreementConsents::Table).to_owned())
            .await?;
        for (table, column) in [
            (
                AgreementParties::Table.into_iden(),
                AgreementParties::AdmittedAt.into_iden(),
            ),
            (ApiTokens::Table.into_iden(), ApiTokens::Role.into_iden()),
            (
                AuditEntries::Table.into_iden(),
                AuditEntries::ByOperator.into_iden(),
            ),
            (Users::Table.into_iden(), Users::SuspendedBy.into_iden()),
            (Users::Table.into_iden(), Users::SuspendedAt.into_iden()),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
