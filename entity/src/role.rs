use sea_orm::entity::prelude::*;

text_enum! {
    /// Role of a user inside one organization. Declared strongest first;
    /// stored as text (`OWNER`, ...) with a CHECK constraint in the migration.
    pub enum Role {
        Owner = "OWNER",
        Admin = "ADMIN",
        Editor = "EDITOR",
        Member = "MEMBER",
    }
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

    /// All roles at least as strong as `min`, for `role IN (...)` filters.
    pub fn at_least_all(min: Role) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|r| r.at_least(min))
            .collect()
    }
}
