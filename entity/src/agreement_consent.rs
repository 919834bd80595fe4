use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

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

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ConsentStatus {
    #[sea_orm(string_value = "CONSENTED")]
    Consented,
    #[sea_orm(string_value = "REFUSED")]
    Refused,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Consented => "CONSENTED",
            ConsentStatus::Refused => "REFUSED",
        }
    }
}
