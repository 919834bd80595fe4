//! The names of this migration's tables and columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    IsPlatformAdmin,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum Organizations {
    Table,
    Id,
    Slug,
    Name,
    Description,
    Region,
    Website,
    Timezone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum Memberships {
    Table,
    Id,
    OrganizationId,
    UserId,
    Role,
    JoinedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum Invitations {
    Table,
    Id,
    OrganizationId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    Scopes,
    OrganizationId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum AuditEntries {
    Table,
    Id,
    At,
    ActorId,
    ApiTokenId,
    OrganizationId,
    Action,
    SubjectType,
    SubjectId,
    Details,
}

#[derive(DeriveIden, Clone, Copy)]
pub(super) enum LoginThrottles {
    Table,
    Email,
    Failures,
    LockedUntil,
    UpdatedAt,
}

pub(super) const ROLES: [&str; 4] = ["OWNER", "ADMIN", "EDITOR", "MEMBER"];
