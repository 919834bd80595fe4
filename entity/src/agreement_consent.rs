use sea_orm::entity::prelude::*;

/// A sharing party's answer (through its OWNER) to a newcomer's admission
/// into a ratified agreement. `(agreement_id, newcomer_id, organization_id)`
/// is unique; no row means the answer is still pending.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agreement_id: Uuid,
    /// The organization asking to join.
    pub newcomer_id: Uuid,
    /// The party answering.
    pub organization_id: Uuid,
    pub status: ConsentStatus,
    pub responded_at: DateTimeUtc,
    pub responded_by: Option<Uuid>,
}

no_relations!();

text_enum! {
    pub enum ConsentStatus {
        Consented = "CONSENTED",
        Refused = "REFUSED",
    }
}
