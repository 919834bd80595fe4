use sea_orm::entity::prelude::*;

/// A bookable room or desk, owned by one organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// Seats, for people choosing a room; bookings do not count against it.
    pub capacity: Option<i32>,
    /// Other organizations' bookings wait (PENDING, holding the slot) for
    /// an owner ADMIN+ to approve them.
    pub requires_approval: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

no_relations!();
