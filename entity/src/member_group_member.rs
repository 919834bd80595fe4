use sea_orm::entity::prelude::*;

/// One person in a member group (who counts only while a member of the
/// group's organization); `(group_id, user_id)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_group_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub user_id: Uuid,
}

no_relations!();
