use sea_orm::entity::prelude::*;

use crate::Role;

/// A personal API token for third-party tools (`yd_pat_…`); only its SHA-256
/// hash is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// Comma-separated `READ`/`WRITE`, e.g. `READ,WRITE`.
    pub scopes: String,
    /// When set, the token acts only as a member of this organization.
    pub organization_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// For a bound token: its creator's role in that organization when it
    /// was made — the most it may ever act as.
    pub role: Option<Role>,
}

no_relations!();

/// The stored form of a token's scopes; `None` for no scope at all.
pub fn scopes_text(read: bool, write: bool) -> Option<&'static str> {
    match (read, write) {
        (true, true) => Some("READ,WRITE"),
        (false, true) => Some("WRITE"),
        (true, false) => Some("READ"),
        (false, false) => None,
    }
}

impl Model {
    pub fn can_read(&self) -> bool {
        self.scopes.split(',').any(|s| s == "READ")
    }

    pub fn can_write(&self) -> bool {
        self.scopes.split(',').any(|s| s == "WRITE")
    }
}
