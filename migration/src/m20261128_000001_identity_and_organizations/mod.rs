//! Users, sessions, API tokens, organizations, memberships, invitations and
//! the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

mod last_owner;
mod tables;

use tables::*;

use crate::{References, constraints, create_table, drop_tables, index, run_sql, unique_index};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn role_column<T: IntoIden + Clone + 'static>(col: T) -> ColumnDef {
    string_len(col.clone(), 16)
        .check(Expr::col(col).is_in(ROLES))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table(Users::Table)
                .col(uuid(Users::Id).primary_key())
                .col(string_len(Users::Email, 254))
                .col(string_len(Users::DisplayName, 100))
                .col(text(Users::PasswordHash))
                .col(boolean(Users::IsPlatformAdmin).default(false))
                .col(timestamp_with_time_zone(Users::CreatedAt)),
        )
        .await?;
        unique_index(
            manager,
            constraints::USERS_EMAIL.name,
            Users::Table,
            &["email"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(Organizations::Table)
                .col(uuid(Organizations::Id).primary_key())
                .col(string_len(Organizations::Slug, 40))
                .col(string_len(Organizations::Name, 200))
                .col(text_null(Organizations::Description))
                .col(string_len_null(Organizations::Region, 100))
                .col(string_len_null(Organizations::Website, 2048))
                .col(string_len(Organizations::Timezone, 64).default("Asia/Seoul"))
                .col(timestamp_with_time_zone(Organizations::CreatedAt))
                .col(timestamp_with_time_zone(Organizations::UpdatedAt)),
        )
        .await?;
        unique_index(
            manager,
            constraints::ORGANIZATIONS_SLUG.name,
            Organizations::Table,
            &["slug"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(Memberships::Table)
                .col(uuid(Memberships::Id).primary_key())
                .col(uuid(Memberships::OrganizationId))
                .col(uuid(Memberships::UserId))
                .col(role_column(Memberships::Role))
                .col(timestamp_with_time_zone(Memberships::JoinedAt))
                .references(Memberships::OrganizationId, Organizations::Table, Cascade)
                .references(Memberships::UserId, Users::Table, Cascade),
        )
        .await?;
        unique_index(
            manager,
            constraints::MEMBERSHIPS_ORG_USER.name,
            Memberships::Table,
            &["organization_id", "user_id"],
        )
        .await?;
        index(
            manager,
            "memberships_user_idx",
            Memberships::Table,
            &["user_id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(Invitations::Table)
                .col(uuid(Invitations::Id).primary_key())
                .col(uuid(Invitations::OrganizationId))
                .col(string_len(Invitations::Email, 254))
                .col(role_column(Invitations::Role))
                .col(string_len(Invitations::TokenHash, 64))
                .col(uuid_null(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .col(uuid_null(Invitations::AcceptedBy))
                .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                .references(Invitations::OrganizationId, Organizations::Table, Cascade)
                .references(Invitations::InvitedBy, Users::Table, SetNull)
                .references(Invitations::AcceptedBy, Users::Table, SetNull),
        )
        .await?;
        unique_index(
            manager,
            "invitations_token_hash_key",
            Invitations::Table,
            &["token_hash"],
        )
        .await?;
        index(
            manager,
            "invitations_org_email_idx",
            Invitations::Table,
            &["organization_id", "email"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(Sessions::Table)
                .col(uuid(Sessions::Id).primary_key())
                .col(uuid(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .col(string_len_null(Sessions::RevokedReason, 32))
                .references(Sessions::UserId, Users::Table, Cascade),
        )
        .await?;
        index(manager, "sessions_user_idx", Sessions::Table, &["user_id"]).await?;

        create_table(
            manager,
            Table::create()
                .table(RefreshTokens::Table)
                .col(uuid(RefreshTokens::Id).primary_key())
                .col(uuid(RefreshTokens::SessionId))
                .col(string_len(RefreshTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .references(RefreshTokens::SessionId, Sessions::Table, Cascade),
        )
        .await?;
        unique_index(
            manager,
            "refresh_tokens_token_hash_key",
            RefreshTokens::Table,
            &["token_hash"],
        )
        .await?;
        index(
            manager,
            "refresh_tokens_session_idx",
            RefreshTokens::Table,
            &["session_id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(ApiTokens::Table)
                .col(uuid(ApiTokens::Id).primary_key())
                .col(uuid(ApiTokens::UserId))
                .col(string_len(ApiTokens::Name, 100))
                .col(
                    string_len(ApiTokens::Scopes, 32).check(Expr::col(ApiTokens::Scopes).is_in([
                        "READ",
                        "WRITE",
                        "READ,WRITE",
                    ])),
                )
                .col(uuid_null(ApiTokens::OrganizationId))
                .col(string_len(ApiTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .references(ApiTokens::UserId, Users::Table, Cascade)
                .references(ApiTokens::OrganizationId, Organizations::Table, Cascade),
        )
        .await?;
        unique_index(
            manager,
            "api_tokens_token_hash_key",
            ApiTokens::Table,
            &["token_hash"],
        )
        .await?;
        index(
            manager,
            "api_tokens_user_idx",
            ApiTokens::Table,
            &["user_id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(AuditEntries::Table)
                .col(uuid(AuditEntries::Id).primary_key())
                .col(timestamp_with_time_zone(AuditEntries::At))
                .col(uuid_null(AuditEntries::ActorId))
                .col(uuid_null(AuditEntries::ApiTokenId))
                .col(uuid_null(AuditEntries::OrganizationId))
                .col(string_len(AuditEntries::Action, 64))
                .col(string_len(AuditEntries::SubjectType, 64))
                .col(uuid_null(AuditEntries::SubjectId))
                .col(json_null(AuditEntries::Details))
                .references(AuditEntries::ActorId, Users::Table, SetNull)
                .references(AuditEntries::ApiTokenId, ApiTokens::Table, SetNull)
                .references(AuditEntries::OrganizationId, Organizations::Table, SetNull),
        )
        .await?;
        index(
            manager,
            "audit_entries_org_idx",
            AuditEntries::Table,
            &["organization_id", "id"],
        )
        .await?;

        create_table(
            manager,
            Table::create()
                .table(LoginThrottles::Table)
                .col(string_len(LoginThrottles::Email, 254).primary_key())
                .col(integer(LoginThrottles::Failures).default(0))
                .col(timestamp_with_time_zone_null(LoginThrottles::LockedUntil))
                .col(timestamp_with_time_zone(LoginThrottles::UpdatedAt)),
        )
        .await?;

        last_owner::create(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "login_throttles",
                "audit_entries",
                "api_tokens",
                "refresh_tokens",
                "sessions",
                "invitations",
                "memberships",
                "organizations",
                "users",
            ],
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            run_sql(
                manager,
                &["DROP FUNCTION IF EXISTS yd_memberships_keep_owner()"],
            )
            .await?;
        }
        Ok(())
    }
}
