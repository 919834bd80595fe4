use sea_orm::entity::prelude::*;

/// A call for joint action that organizations endorse while it is open.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "solidarity_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub initiator_id: Uuid,
    pub agreement_id: Option<Uuid>,
    pub title: String,
    pub kind: ActionKind,
    pub body: String,
    pub call_to_action: Option<String>,
    /// As stored: an OPEN action past its deadline reads as CLOSED
    /// (`service::action::transitions::status_of`).
    pub status: ActionStatus,
    pub deadline: Option<DateTimeUtc>,
    pub visibility: super::Visibility,
    pub opened_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

no_relations!();

text_enum! {
    pub enum ActionKind {
        Statement = "STATEMENT",
        PressConference = "PRESS_CONFERENCE",
        Rally = "RALLY",
        Petition = "PETITION",
        Campaign = "CAMPAIGN",
        Other = "OTHER",
    }
}

text_enum! {
    pub enum ActionStatus {
        Draft = "DRAFT",
        Open = "OPEN",
        Closed = "CLOSED",
    }
}
