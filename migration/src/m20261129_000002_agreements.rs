//! Agreements (MOUs) and their parties.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::refs::{Organizations, Users};
use crate::{References, constraints, create_table, drop_tables, index, run_sql, unique_index};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agreements {
    Table,
    Id,
    ConvenerId,
    Title,
    Purpose,
    SharesProjects,
    SharesEvents,
    SharesActions,
    SharesSpaces,
    StartsOn,
    EndsOn,
    ActiveFrom,
    ActiveUntil,
    CreatedAt,
    CreatedBy,
    UpdatedAt,
    ProposedAt,
    RatifiedAt,
    TerminatedAt,
    TerminatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgreementParties {
    Table,
    Id,
    AgreementId,
    OrganizationId,
    Role,
    Status,
    InvitedAt,
    RespondedAt,
    RespondedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table(Agreements::Table)
                .col(uuid(Agreements::Id).primary_key())
                .col(uuid(Agreements::ConvenerId))
                .col(string_len(Agreements::Title, 200))
                .col(text_null(Agreements::Purpose))
                .col(boolean(Agreements::SharesProjects))
                .col(boolean(Agreements::SharesEvents))
                .col(boolean(Agreements::SharesActions))
                .col(boolean(Agreements::SharesSpaces))
                .col(date(Agreements::StartsOn))
                .col(date_null(Agreements::EndsOn))
                .col(timestamp_with_time_zone(Agreements::ActiveFrom))
                .col(timestamp_with_time_zone_null(Agreements::ActiveUntil))
                .col(timestamp_with_time_zone(Agreements::CreatedAt))
                .col(uuid_null(Agreements::CreatedBy))
                .col(timestamp_with_time_zone(Agreements::UpdatedAt))
                .col(timestamp_with_time_zone_null(Agreements::ProposedAt))
                .col(timestamp_with_time_zone_null(Agreements::RatifiedAt))
                .col(timestamp_with_time_zone_null(Agreements::TerminatedAt))
                .col(uuid_null(Agreements::TerminatedBy))
                .check(
                    Expr::col(Agreements::EndsOn)
                        .is_null()
                        .or(Expr::col(Agreements::EndsOn).gte(Expr::col(Agreements::StartsOn))),
                )
                // Ratification needs a proposal first.
                .check(
                    Expr::col(Agreements::RatifiedAt)
                        .is_null()
                        .or(Expr::col(Agreements::ProposedAt).is_not_null()),
                )
                .references(Agreements::ConvenerId, Organizations::Table, Cascade)
                .references(Agreements::CreatedBy, Users::Table, SetNull)
                .references(Agreements::TerminatedBy, Users::Table, SetNull),
        )
        .await?;
        index(
            manager,
            "agreements_convener_idx",
            Agreements::Table,
            &["convener_id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(AgreementParties::Table)
                .col(uuid(AgreementParties::Id).primary_key())
                .col(uuid(AgreementParties::AgreementId))
                .col(uuid(AgreementParties::OrganizationId))
                .col(
                    string_len(AgreementParties::Role, 16)
                        .check(Expr::col(AgreementParties::Role).is_in(["CONVENER", "PARTNER"])),
                )
                .col(string_len(AgreementParties::Status, 16).check(
                    Expr::col(AgreementParties::Status).is_in([
                        "INVITED",
                        "SIGNED",
                        "DECLINED",
                        "WITHDRAWN",
                        "REMOVED",
                    ]),
                ))
                .col(timestamp_with_time_zone(AgreementParties::InvitedAt))
                .col(timestamp_with_time_zone_null(AgreementParties::RespondedAt))
                .col(uuid_null(AgreementParties::RespondedBy))
                .references(AgreementParties::AgreementId, Agreements::Table, Cascade)
                .references(
                    AgreementParties::OrganizationId,
                    Organizations::Table,
                    Cascade,
                )
                .references(AgreementParties::RespondedBy, Users::Table, SetNull),
        )
        .await?;
        unique_index(
            manager,
            constraints::AGREEMENT_PARTIES_AGREEMENT_ORG.name,
            AgreementParties::Table,
            &["agreement_id", "organization_id"],
        )
        .await?;
        // The partner lookups start from an organization and its status.
        index(
            manager,
            "agreement_parties_org_status_idx",
            AgreementParties::Table,
            &["organization_id", "status"],
        )
        .await?;
        // Exactly one convener per agreement (same syntax on both backends).
        run_sql(
            manager,
            &["CREATE UNIQUE INDEX agreement_parties_one_convener_key ON agreement_parties (agreement_id) WHERE role = 'CONVENER'"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["agreement_parties", "agreements"]).await
    }
}
