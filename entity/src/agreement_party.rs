use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

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

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartyRole {
    #[sea_orm(string_value = "CONVENER")]
    Convener,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartyStatus {
    #[sea_orm(string_value = "INVITED")]
    Invited,
    #[sea_orm(string_value = "SIGNED")]
    Signed,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
    #[sea_orm(string_value = "REMOVED")]
    Removed,
}

impl PartyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyStatus::Invited => "INVITED",
            PartyStatus::Signed => "SIGNED",
            PartyStatus::Declined => "DECLINED",
            PartyStatus::Withdrawn => "WITHDRAWN",
            PartyStatus::Removed => "REMOVED",
        }
    }
}
