use sea_orm::entity::prelude::*;

/// A request a citizen reports having filed, waiting for an EDITOR+ of the
/// receiving organization: accepted, it becomes a request filed by a
/// CITIZEN (`request_id`); declined, it stays out. Until then nobody but
/// the organization's editors sees it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citizen_submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub agency_name: String,
    pub subject: String,
    pub channel: super::DisclosureChannel,
    pub filed_on: Date,
    pub receipt_number: Option<String>,
    /// How to reach the citizen: for the organization's editors only.
    pub contact: Option<String>,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    pub resolution: Option<Resolution>,
    pub resolved_at: Option<DateTimeUtc>,
    pub request_id: Option<Uuid>,
}

no_relations!();

text_enum! {
    pub enum Resolution {
        Accepted = "ACCEPTED",
        Declined = "DECLINED",
    }
}
