//! Disclosure requests and agencies as the API shows them. Queries and
//! mutations are in [`operations`].

pub mod operations;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::organization::Organization;
use super::project::{Project, VisibilityGql};
use super::{Date, DateTime, Result, core, ids};
use entity::{agency, disclosure_request};
use service::disclosure::{agencies, attachments, requests, spreadsheet, stats, transitions};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "AgencyKind", remote = "entity::AgencyKind")]
pub enum AgencyKindGql {
    City,
    Province,
    District,
    Council,
    EducationOffice,
    Police,
    PublicCorporation,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "DisclosureChannel", remote = "entity::DisclosureChannel")]
pub enum DisclosureChannelGql {
    Portal,
    Post,
    InPerson,
    Email,
    Fax,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "FiledBy", remote = "entity::FiledBy")]
pub enum FiledByGql {
    Member,
    Citizen,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "DisclosureStatus", remote = "entity::DisclosureStatus")]
pub enum DisclosureStatusGql {
    /// filed, awaiting the agency's decision
    Filed,
    /// the agency extended its deadline once (10 more days)
    Extended,
    Disclosed,
    PartiallyDisclosed,
    Refused,
    NoInformation,
    /// sent on to another agency, which decides it
    Transferred,
    Withdrawn,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ObjectionOutcome", remote = "entity::ObjectionOutcome")]
pub enum ObjectionOutcomeGql {
    Upheld,
    PartlyUpheld,
    Dismissed,
}

/// What followed an adverse decision beyond the agency.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "AppealKind", remote = "entity::AppealKind")]
pub enum AppealKindGql {
    /// an administrative appeal (행정심판)
    AdministrativeAppeal,
    /// an administrative suit (행정소송)
    Lawsuit,
}

/// A public body that disclosure requests go to; shared reference data.
#[derive(Clone)]
pub struct Agency(pub agency::Model);

#[Object]
impl Agency {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> AgencyKindGql {
        self.0.kind.into()
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::connection_type!(AgencyConnection, AgencyEdge, Agency);

/// An objection (이의신청) against a refusal or partial disclosure.
pub struct Objection {
    lodged_on: chrono::NaiveDate,
    decided_on: Option<chrono::NaiveDate>,
    outcome: Option<entity::ObjectionOutcome>,
}

#[Object]
impl Objection {
    async fn lodged_on(&self) -> Date {
        self.lodged_on.into()
    }

    /// the agency's decision is due by then (7 days after lodging)
    async fn due_on(&self) -> Date {
        transitions::objection_due_on(self.lodged_on).into()
    }

    async fn decided_on(&self) -> Option<Date> {
        self.decided_on.map(Into::into)
    }

    async fn outcome(&self) -> Option<ObjectionOutcomeGql> {
        self.outcome.map(Into::into)
    }
}

/// An administrative appeal or suit brought after an adverse decision.
pub struct Appeal {
    kind: entity::AppealKind,
    noted_on: chrono::NaiveDate,
}

#[Object]
impl Appeal {
    async fn kind(&self) -> AppealKindGql {
        self.kind.into()
    }

    async fn noted_on(&self) -> Date {
        self.noted_on.into()
    }
}

/// An information-disclosure request (정보공개청구) to a public agency.
#[derive(Clone)]
pub struct DisclosureRequest(pub disclosure_request::Model);

#[Object]
impl DisclosureRequest {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    /// The project it belongs to; null also when the viewer may not see the project.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(requests::project(core(ctx)?, &self.0).await?.map(Project))
    }

    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        Ok(Agency(agencies::find(core(ctx)?, self.0.agency_id).await?))
    }

    async fn subject(&self) -> &str {
        &self.0.subject
    }

    async fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    async fn channel(&self) -> DisclosureChannelGql {
        self.0.channel.into()
    }

    async fn receipt_number(&self) -> Option<&str> {
        self.0.receipt_number.as_deref()
    }

    async fn filed_on(&self) -> Date {
        self.0.filed_on.into()
    }

    async fn filed_by(&self) -> FiledByGql {
        self.0.filed_by.into()
    }

    async fn status(&self) -> DisclosureStatusGql {
        self.0.status.into()
    }

    /// the decision is due by then (10 days after filing, 20 once extended; after a transfer, 10 days after it for the receiving agency)
    async fn due_on(&self) -> Date {
        self.0.due_on.into()
    }

    /// When the agency notified its one extension.
    async fn extended_on(&self) -> Option<Date> {
        self.0.extended_on.map(Into::into)
    }

    /// no decision and dueOn has passed (derived from the time; days are Korean calendar days)
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(requests::overdue(core(ctx)?, &self.0))
    }

    /// The latest decision's date: a transfer's, then the receiving agency's.
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Into::into)
    }

    /// the agency the request was transferred to
    async fn transferred_to(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        match self.0.transferred_to_agency_id {
            Some(id) => Ok(Some(Agency(agencies::find(core(ctx)?, id).await?))),
            None => Ok(None),
        }
    }

    async fn objection(&self) -> Option<Objection> {
        Some(Objection {
            lodged_on: self.0.objection_lodged_on?,
            decided_on: self.0.objection_decided_on,
            outcome: self.0.objection_outcome,
        })
    }

    /// An administrative appeal or suit, once noted.
    async fn appeal(&self) -> Option<Appeal> {
        Some(Appeal {
            kind: self.0.appeal_kind?,
            noted_on: self.0.appeal_noted_on?,
        })
    }

    async fn visibility(&self) -> VisibilityGql {
        self.0.visibility.into()
    }

    /// The agency's notice and the disclosed files, oldest first.
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Vec<Attachment>> {
        let found = attachments::of_request(core(ctx)?, &self.0).await?;
        Ok(found.into_iter().map(Attachment).collect())
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A file attached to a disclosure request.
#[derive(Clone)]
pub struct Attachment(pub entity::disclosure_attachment::Model);

#[Object]
impl Attachment {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    /// As uploaded (its last path segment).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// What the bytes are, sniffed from them (not the uploader's claim).
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    async fn size_bytes(&self) -> i32 {
        clamp(self.0.size_bytes)
    }

    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Download address; answers only to callers who may read the request. Relative to the API's origin; send the same `Authorization` header as to /graphql. Always a download (Content-Disposition: attachment).
    async fn url(&self) -> String {
        format!("/attachments/{}", self.0.id)
    }

    async fn uploaded_at(&self) -> DateTime {
        self.0.uploaded_at.into()
    }
}

crate::connection_type!(
    DisclosureRequestConnection,
    DisclosureRequestEdge,
    DisclosureRequest
);

/// How one agency answered, over the requests the viewer may read.
pub struct AgencyStats(pub stats::AgencyStats);

#[Object]
impl AgencyStats {
    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        Ok(Agency(agencies::find(core(ctx)?, self.0.agency_id).await?))
    }

    /// Requests filed in the period (and, for an agency requests were transferred to, those it received).
    async fn requests(&self) -> i32 {
        clamp(self.0.requests)
    }

    /// Those with the agency's decision (a transfer is the first agency's decision).
    async fn decided(&self) -> i32 {
        clamp(self.0.decided)
    }

    /// share of decided requests disclosed in full or in part
    async fn disclosure_rate(&self) -> Option<f64> {
        self.0.disclosure_rate()
    }

    /// share of decided requests refused
    async fn refusal_rate(&self) -> Option<f64> {
        self.0.refusal_rate()
    }

    /// Median days from filing (or the transfer) to the decision.
    async fn median_days_to_decide(&self) -> Option<f64> {
        self.0.median_days
    }

    /// Requests with no decision past their due date.
    async fn overdue(&self) -> i32 {
        clamp(self.0.overdue)
    }
}

fn clamp(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A request reported by a citizen, waiting for the receiving organization to accept it.
#[derive(Clone)]
pub struct CitizenSubmission(pub entity::citizen_submission::Model);

#[Object]
impl CitizenSubmission {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    async fn agency_name(&self) -> &str {
        &self.0.agency_name
    }

    async fn subject(&self) -> &str {
        &self.0.subject
    }

    async fn channel(&self) -> DisclosureChannelGql {
        self.0.channel.into()
    }

    async fn filed_on(&self) -> Date {
        self.0.filed_on.into()
    }

    async fn receipt_number(&self) -> Option<&str> {
        self.0.receipt_number.as_deref()
    }

    /// How to reach the citizen: for EDITOR+ of the organization only (platform admins, who see the queue, do not see this).
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(service::disclosure::citizens::contact(core(ctx)?, &self.0).await?)
    }

    async fn submitted_at(&self) -> DateTime {
        self.0.submitted_at.into()
    }
}

/// A row an import refused.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// Its line in the file (the header is line 1).
    line: i32,
    /// The column at fault, when one is.
    column: Option<String>,
    message: String,
}

/// What an import did: all or nothing.
#[derive(SimpleObject)]
pub struct DisclosureImportReport {
    /// Requests written: 0 when any row was refused.
    imported: i32,
    /// Every refused row.
    errors: Vec<ImportRowError>,
}

impl From<spreadsheet::ImportReport> for DisclosureImportReport {
    fn from(r: spreadsheet::ImportReport) -> Self {
        DisclosureImportReport {
            imported: clamp(r.imported as i64),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    line: clamp(e.line as i64),
                    column: e.column,
                    message: e.message,
                })
                .collect(),
        }
    }
}
