use sea_orm::entity::prelude::*;

/// One organization's place in an agreement; `(agreement_id,
/// organization_id)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_parties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub organization_id: Uuid,
    pub role: PartyRole,
    pub status: PartyStatus,
    pub invited_at: DateTimeUtc,
    /// The party OWNER's answer (sign, decline, withdraw).
    pub responded_at: Option<DateTimeUtc>,
    pub responded_by: Option<Uuid>,
    /// When it began sharing with the other parties: at ratification, or —
    /// for a party added later — once every sharing party consented.
    pub admitted_at: Option<DateTimeUtc>,
}

no_relations!();

text_enum! {
    pub enum PartyRole {
        Convener = "CONVENER",
        Partner = "PARTNER",
    }
}

text_enum! {
    pub enum PartyStatus {
        Invited = "INVITED",
        Signed = "SIGNED",
        Declined = "DECLINED",
        Withdrawn = "WITHDRAWN",
        Removed = "REMOVED",
    }
}
