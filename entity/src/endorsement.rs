use sea_orm::entity::prelude::*;

/// An organization's sign-on to a solidarity action; `(action_id,
/// organization_id)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endorsements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    pub organization_id: Uuid,
    pub endorsed_by: Uuid,
    pub comment: Option<String>,
    pub endorsed_at: DateTimeUtc,
}

no_relations!();
