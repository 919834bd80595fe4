use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased at write time; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// A coalition operator: manages accounts and MOUs' parties, never acts
    /// as an organization.
    pub is_platform_admin: bool,
    pub created_at: DateTimeUtc,
    /// Set by a platform admin: the account cannot sign in, and its
    /// sessions and tokens were revoked.
    pub suspended_at: Option<DateTimeUtc>,
    /// The platform admin who suspended it (another one must restore an
    /// owner in its place).
    pub suspended_by: Option<Uuid>,
}

no_relations!();
