//! Disclosure requests' and agencies' queries and mutations: thin resolvers
//! over the disclosure services.

use async_graphql::{Context, ID, InputObject, Object, Upload};

use super::{
    Agency, AgencyConnection, AgencyKindGql, AgencyStats, AppealKindGql, Attachment,
    DisclosureChannelGql, DisclosureImportReport, DisclosureRequest, DisclosureRequestConnection,
    DisclosureStatusGql, FiledByGql, ObjectionOutcomeGql,
};
use crate::graphql::project::VisibilityGql;
use crate::graphql::{Date, Result, core, ids, request_ctx};
use service::ApiError;
use service::disclosure::attachments;
use service::disclosure::citizens::{self, CitizenReport};
use service::disclosure::spreadsheet;
use service::disclosure::stats::{self, StatsFilter};
use service::disclosure::{Decision, NewRequest, RequestFilter, agencies, lifecycle, requests};

#[derive(InputObject)]
pub struct FileDisclosureRequestInput {
    organization_id: ID,
    /// A project the organization takes part in now.
    project_id: Option<ID>,
    agency_id: ID,
    subject: String,
    body: Option<String>,
    channel: DisclosureChannelGql,
    /// The agency's receipt number (접수번호).
    receipt_number: Option<String>,
    /// Not in the future (dates are Korean calendar days).
    filed_on: Date,
    filed_by: FiledByGql,
    /// PARTNERS: also the organization's partners for PROJECTS and the organizations taking part in its project.
    visibility: VisibilityGql,
}

#[derive(InputObject)]
pub struct DisclosureDecisionInput {
    /// DISCLOSED, PARTIALLY_DISCLOSED, REFUSED, NO_INFORMATION or TRANSFERRED.
    status: DisclosureStatusGql,
    /// From the filing (or the transfer) through today.
    decided_on: Date,
    /// required for TRANSFERRED
    transferred_to_agency_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CitizenDisclosureInput {
    /// slug of the organization the citizen reports to
    organization_slug: String,
    agency_name: String,
    subject: String,
    /// Not in the future.
    filed_on: Date,
    receipt_number: Option<String>,
    /// how to reach the citizen; shown to EDITOR+ of the organization only
    contact: Option<String>,
    /// How it was filed; OTHER when omitted.
    channel: Option<DisclosureChannelGql>,
}

/// The filter of a request list (`disclosureRequests`, its CSV), from the
/// arguments both take: the organization, project and agency ids, in order.
fn request_filter(
    [organization_id, project_id, agency_id]: [Option<ID>; 3],
    status: Option<DisclosureStatusGql>,
    overdue: Option<bool>,
    filed_by: Option<FiledByGql>,
    search: Option<String>,
) -> Result<RequestFilter> {
    Ok(RequestFilter {
        organization_id: ids::parse_opt(organization_id.as_ref(), "organizationId")?,
        project_id: ids::parse_opt(project_id.as_ref(), "projectId")?,
        agency_id: ids::parse_opt(agency_id.as_ref(), "agencyId")?,
        status: status.map(Into::into),
        overdue,
        filed_by: filed_by.map(Into::into),
        search,
    })
}

#[derive(Default)]
pub struct DisclosureQuery;

#[Object]
impl DisclosureQuery {
    /// Requests the viewer may read, oldest first; `search` matches part of the subject, case-insensitively.
    #[allow(clippy::too_many_arguments)]
    async fn disclosure_requests(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
        project_id: Option<ID>,
        agency_id: Option<ID>,
        status: Option<DisclosureStatusGql>,
        overdue: Option<bool>,
        filed_by: Option<FiledByGql>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<DisclosureRequestConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let by = [organization_id, project_id, agency_id];
        let filter = request_filter(by, status, overdue, filed_by, search)?;
        let listing = requests::list(core(ctx)?, filter, &args).await?;
        Ok(DisclosureRequestConnection::from_listing(
            listing,
            DisclosureRequest,
        ))
    }

    /// The same list as `disclosureRequests` (all of it, at most 5,000 rows), as CSV: RFC 4180, UTF-8, a header line; oldest first.
    #[allow(clippy::too_many_arguments)]
    async fn disclosure_requests_csv(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
        project_id: Option<ID>,
        agency_id: Option<ID>,
        status: Option<DisclosureStatusGql>,
        overdue: Option<bool>,
        filed_by: Option<FiledByGql>,
        search: Option<String>,
    ) -> Result<String> {
        let by = [organization_id, project_id, agency_id];
        let filter = request_filter(by, status, overdue, filed_by, search)?;
        Ok(spreadsheet::export(core(ctx)?, filter).await?)
    }

    async fn disclosure_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<DisclosureRequest>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(DisclosureRequest(
            requests::find(core(ctx)?, id).await?,
        )))
    }

    /// Per agency, over the requests the viewer may read filed in [from, to] (of one organization when given): most requests first, then by name.
    async fn agency_stats(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        organization_id: Option<ID>,
    ) -> Result<Vec<AgencyStats>> {
        let filter = StatsFilter {
            from: from.0,
            to: to.0,
            organization_id: ids::parse_opt(organization_id.as_ref(), "organizationId")?,
        };
        let found = stats::agency_stats(core(ctx)?, filter).await?;
        Ok(found.into_iter().map(AgencyStats).collect())
    }

    /// Agencies by name; `search` matches part of the name, ignoring spaces and case.
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AgencyConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = agencies::list(core(ctx)?, search.as_deref(), &args).await?;
        Ok(AgencyConnection::from_listing(listing, Agency))
    }
}

#[derive(Default)]
pub struct DisclosureMutation;

#[Object]
impl DisclosureMutation {
    /// Any signed-in user; deduplicated by name and kind (the existing agency is returned).
    async fn create_agency(
        &self,
        ctx: &Context<'_>,
        name: String,
        kind: AgencyKindGql,
    ) -> Result<Agency> {
        Ok(Agency(
            agencies::create(core(ctx)?, &name, kind.into()).await?,
        ))
    }

    /// EDITOR+ of the organization.
    async fn file_disclosure_request(
        &self,
        ctx: &Context<'_>,
        input: FileDisclosureRequestInput,
    ) -> Result<DisclosureRequest> {
        let input = NewRequest {
            organization_id: ids::parse(&input.organization_id, "organizationId")?,
            project_id: ids::parse_opt(input.project_id.as_ref(), "projectId")?,
            agency_id: ids::parse(&input.agency_id, "agencyId")?,
            subject: input.subject,
            body: input.body,
            channel: input.channel.into(),
            receipt_number: input.receipt_number,
            filed_on: input.filed_on.0,
            filed_by: input.filed_by.into(),
            visibility: input.visibility.into(),
        };
        Ok(DisclosureRequest(requests::file(core(ctx)?, input).await?))
    }

    /// EDITOR+ of the request's organization: FILED → EXTENDED, due 20 days after filing. `extendedOn` (today when omitted) is when the agency notified the extension: within the first 10 days, not in the future.
    async fn extend_disclosure_deadline(
        &self,
        ctx: &Context<'_>,
        id: ID,
        extended_on: Option<Date>,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        let extended = lifecycle::extend(core(ctx)?, id, extended_on.map(|d| d.0)).await?;
        Ok(DisclosureRequest(extended))
    }

    /// EDITOR+ of the request's organization. After TRANSFERRED, records the receiving agency's decision.
    async fn record_disclosure_decision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DisclosureDecisionInput,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        let decision = Decision {
            status: input.status.into(),
            decided_on: input.decided_on.0,
            transferred_to: ids::parse_opt(
                input.transferred_to_agency_id.as_ref(),
                "transferredToAgencyId",
            )?,
        };
        Ok(DisclosureRequest(
            lifecycle::decide(core(ctx)?, id, decision).await?,
        ))
    }

    /// Within 30 days of a REFUSED or PARTIALLY_DISCLOSED decision.
    async fn lodge_objection(
        &self,
        ctx: &Context<'_>,
        id: ID,
        lodged_on: Date,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        Ok(DisclosureRequest(
            lifecycle::lodge_objection(core(ctx)?, id, lodged_on.0).await?,
        ))
    }

    async fn record_objection_decision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        outcome: ObjectionOutcomeGql,
        decided_on: Date,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        let updated =
            lifecycle::decide_objection(core(ctx)?, id, outcome.into(), decided_on.0).await?;
        Ok(DisclosureRequest(updated))
    }

    /// EDITOR+ of the request's organization: after REFUSED, PARTIALLY_DISCLOSED or NO_INFORMATION (and its objection's decision, if any), once.
    async fn note_disclosure_appeal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        kind: AppealKindGql,
        noted_on: Date,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        let updated = lifecycle::note_appeal(core(ctx)?, id, kind.into(), noted_on.0).await?;
        Ok(DisclosureRequest(updated))
    }

    /// EDITOR+ of the request's organization, while a decision is awaited.
    async fn withdraw_disclosure_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        Ok(DisclosureRequest(
            lifecycle::withdraw(core(ctx)?, id).await?,
        ))
    }

    /// Anyone, anonymous included; rate-limited per user, or per address when signed out. Seen only by the organization's EDITOR+ until accepted.
    async fn submit_citizen_disclosure(
        &self,
        ctx: &Context<'_>,
        input: CitizenDisclosureInput,
    ) -> Result<bool> {
        let rc = request_ctx(ctx)?;
        rc.state
            .limits
            .check_citizen_submission(&rc.core.viewer, rc.core.client())?;
        let report = CitizenReport {
            organization_slug: input.organization_slug,
            agency_name: input.agency_name,
            subject: input.subject,
            channel: input.channel.map(Into::into),
            filed_on: input.filed_on.0,
            receipt_number: input.receipt_number,
            contact: input.contact,
        };
        Ok(citizens::submit(&rc.core, report).await?)
    }

    /// EDITOR+ of the receiving organization: becomes a request filed by a CITIZEN.
    async fn accept_citizen_submission(
        &self,
        ctx: &Context<'_>,
        id: ID,
        agency_id: ID,
        visibility: VisibilityGql,
    ) -> Result<DisclosureRequest> {
        let id = ids::parse(&id, "id")?;
        let agency_id = ids::parse(&agency_id, "agencyId")?;
        let accepted = citizens::accept(core(ctx)?, id, agency_id, visibility.into()).await?;
        Ok(DisclosureRequest(accepted))
    }

    /// EDITOR+ of the receiving organization: the submission is set aside and never becomes a request.
    async fn decline_citizen_submission(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let id = ids::parse(&id, "id")?;
        Ok(citizens::decline(core(ctx)?, id).await?)
    }

    /// EDITOR+ of the request's organization; one file per request (GraphQL multipart request spec, with an `Apollo-Require-Preflight` header), at most 10 MiB (configurable), and a request's attachments at most 100 MiB together. Its type is sniffed from the bytes; programs are refused.
    async fn attach_to_disclosure_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        file: Upload,
    ) -> Result<Attachment> {
        let id = ids::parse(&id, "id")?;
        let rc = request_ctx(ctx)?;
        let value = file
            .value(ctx)
            .map_err(|_| ApiError::bad_input("file", "the file part is missing"))?;
        let upload = attachments::Upload {
            file_name: value.filename,
            bytes: value.content.to_vec(),
        };
        let store = &rc.state.config.uploads;
        Ok(Attachment(
            attachments::attach(&rc.core, store, id, upload).await?,
        ))
    }

    /// EDITOR+ of the organization: requests from a spreadsheet (CSV with a header line; columns `agency`, `subject`, `filed_on` required; `agency_kind`, `channel`, `filed_by`, `visibility` (PRIVATE when empty), `receipt_number`, `body`, and `status` with `decided_on` optional). All or nothing: with any row refused nothing is written and every refused row is reported. At most 5,000 rows.
    async fn import_disclosure_requests(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        csv: String,
    ) -> Result<DisclosureImportReport> {
        let org = ids::parse(&organization_id, "organizationId")?;
        let report = spreadsheet::import(core(ctx)?, org, &csv).await?;
        Ok(report.into())
    }

    /// EDITOR+ of the request's organization.
    async fn delete_disclosure_request(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let id = ids::parse(&id, "id")?;
        Ok(requests::delete(core(ctx)?, id).await?)
    }
}
