use sea_orm::entity::prelude::*;

/// One contribution to (TOTAL) or reading of (LEVEL) a goal, for one
/// participating organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub goal_id: Uuid,
    pub organization_id: Uuid,
    pub amount_e4: i64,
    pub note: Option<String>,
    pub recorded_at: DateTimeUtc,
    pub recorded_by: Option<Uuid>,
}

no_relations!();
