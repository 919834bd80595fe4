use sea_orm::entity::prelude::*;

/// A (joint) project of a lead organization, optionally run under an
/// agreement that shares PROJECTS.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lead_organization_id: Uuid,
    pub agreement_id: Option<Uuid>,
    pub title: String,
    pub summary: Option<String>,
    pub status: ProjectStatus,
    pub visibility: super::Visibility,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

no_relations!();

text_enum! {
    pub enum ProjectStatus {
        Planned = "PLANNED",
        Active = "ACTIVE",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
    }
}
