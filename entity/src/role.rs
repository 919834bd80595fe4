use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Role of a user inside one organization. Declared strongest first; stored
/// as text (`OWNER`, ...) with a CHECK constraint in the migration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "OWNER")]
    Owner,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

impl Role {
    /// Higher is stronger: OWNER 4 > ADMIN 3 > EDITOR 2 > MEMBER 1.
    pub fn rank(self) -> u8 {
        match self {
            Role::Owner => 4,
            Role::Admin => 3,
            Role::Editor => 2,
            Role::Member => 1,
        }
    }

    /// Whether this role is at least as strong as `min`.
    pub fn at_least(self, min: Role) -> bool {
        self.rank() >= min.rank()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "OWNER",
            Role::Admin => "ADMIN",
            Role::Editor => "EDITOR",
            Role::Member => "MEMBER",
        }
    }

    /// All roles at least as strong as `min`, for `role IN (...)` filters.
    pub fn at_least_all(min: Role) -> Vec<Role> {
        [Role::Owner, Role::Admin, Role::Editor, Role::Member]
            .into_iter()
            .filter(|r| r.at_least(min))
            .collect()
    }
}
