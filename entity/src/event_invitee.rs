use sea_orm::entity::prelude::*;

/// A person expected at an invitee-only event; `(event_id, user_id)` is
/// unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_invitees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub user_id: Uuid,
}

no_relations!();
