use sea_orm::entity::prelude::*;

/// A public body that disclosure requests go to: reference data shared by
/// the whole coalition, one row per (name, kind) — `search_key` is the name
/// folded for comparison (NFKC, lower case, no white space), unique with the
/// kind, so the same agency typed two ways is one row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub search_key: String,
    pub kind: AgencyKind,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

no_relations!();

text_enum! {
    pub enum AgencyKind {
        City = "CITY",
        Province = "PROVINCE",
        District = "DISTRICT",
        Council = "COUNCIL",
        EducationOffice = "EDUCATION_OFFICE",
        Police = "POLICE",
        PublicCorporation = "PUBLIC_CORPORATION",
        Other = "OTHER",
    }
}
