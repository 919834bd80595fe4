use sea_orm::entity::prelude::*;

/// A partner organization co-hosting an event; `(event_id,
/// organization_id)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_co_hosts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub organization_id: Uuid,
}

no_relations!();
