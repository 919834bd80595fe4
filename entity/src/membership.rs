use sea_orm::entity::prelude::*;

use crate::Role;

/// One user's role in one organization. `(organization_id, user_id)` is
/// unique; a trigger keeps at least one OWNER per organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    /// UUIDv7, so ordering by id is ordering by join time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub joined_at: DateTimeUtc,
}

no_relations!();
