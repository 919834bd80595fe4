use sea_orm::entity::prelude::*;

/// A log-in session: the family of refresh tokens descending from one
/// logIn/signUp. Revoking it ends every token of the family at once, and the
/// access tokens issued under it (they carry its id).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Access tokens name the session, so revoking it ends them at once.
    pub user_id: Uuid,
    pub created_at: DateTimeUtc,
    /// Absolute end of the session, whatever the refreshes.
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// Why it was revoked: `logout`, `reuse`.
    pub revoked_reason: Option<String>,
}

no_relations!();
