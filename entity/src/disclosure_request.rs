use sea_orm::entity::prelude::*;

/// An information-disclosure request (정보공개청구) an organization filed (or
/// recorded for a citizen) with a public agency, and how far it got: the
/// decision, an objection (이의신청) and an appeal or suit. `due_on` is
/// stored (filing + 10 days, + 20 once extended; the transfer + 10 days
/// after one) so lists filter overdue requests in SQL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub project_id: Option<Uuid>,
    pub agency_id: Uuid,
    pub subject: String,
    pub body: Option<String>,
    pub channel: DisclosureChannel,
    pub receipt_number: Option<String>,
    pub filed_on: Date,
    pub filed_by: FiledBy,
    pub status: DisclosureStatus,
    pub due_on: Date,
    /// When the agency notified its one extension.
    pub extended_on: Option<Date>,
    /// The latest decision: the transfer's, then the receiving agency's.
    pub decided_on: Option<Date>,
    pub transferred_to_agency_id: Option<Uuid>,
    pub transferred_on: Option<Date>,
    pub objection_lodged_on: Option<Date>,
    pub objection_decided_on: Option<Date>,
    pub objection_outcome: Option<ObjectionOutcome>,
    pub appeal_kind: Option<AppealKind>,
    pub appeal_noted_on: Option<Date>,
    pub visibility: super::Visibility,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

no_relations!();

text_enum! {
    pub enum DisclosureChannel {
        Portal = "PORTAL",
        Post = "POST",
        InPerson = "IN_PERSON",
        Email = "EMAIL",
        Fax = "FAX",
        Other = "OTHER",
    }
}

text_enum! {
    pub enum FiledBy {
        Member = "MEMBER",
        Citizen = "CITIZEN",
    }
}

text_enum! {
    pub enum DisclosureStatus {
        Filed = "FILED",
        Extended = "EXTENDED",
        Disclosed = "DISCLOSED",
        PartiallyDisclosed = "PARTIALLY_DISCLOSED",
        Refused = "REFUSED",
        NoInformation = "NO_INFORMATION",
        Transferred = "TRANSFERRED",
        Withdrawn = "WITHDRAWN",
    }
}

text_enum! {
    pub enum ObjectionOutcome {
        Upheld = "UPHELD",
        PartlyUpheld = "PARTLY_UPHELD",
        Dismissed = "DISMISSED",
    }
}

text_enum! {
    pub enum AppealKind {
        AdministrativeAppeal = "ADMINISTRATIVE_APPEAL",
        Lawsuit = "LAWSUIT",
    }
}
