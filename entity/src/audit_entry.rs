use sea_orm::entity::prelude::*;

/// Who did what, when. Written in the same transaction as the mutation it
/// records.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// Who did it; null once their account is gone.
    pub actor_id: Option<Uuid>,
    /// The API token the actor used, if any.
    pub api_token_id: Option<Uuid>,
    /// The log it belongs to; null for account-level entries.
    pub organization_id: Option<Uuid>,
    /// e.g. `member.role_change`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    /// Free-form JSON with the details worth keeping (old/new role, ...).
    pub details: Option<Json>,
    /// Made by a platform admin acting as the coalition's operator (not
    /// through a membership of `organization_id`): its readers there see
    /// that an operator acted, not who.
    pub by_operator: bool,
}

no_relations!();
