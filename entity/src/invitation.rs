use sea_orm::entity::prelude::*;

use crate::Role;

/// A pending membership. The secret token is only stored as a SHA-256 hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Lower-cased e-mail of the invitee.
    pub email: String,
    pub role: Role,
    #[sea_orm(unique)]
    /// SHA-256 of the secret shown once to the inviter.
    pub token_hash: String,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub accepted_by: Option<Uuid>,
    /// Set when a newer invitation for the same e-mail replaces this one.
    pub revoked_at: Option<DateTimeUtc>,
}

no_relations!();
