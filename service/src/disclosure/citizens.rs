//! Citizens' submissions: anyone — without an account, or with one — may
//! report a request they filed to an organization's campaign. It waits,
//! seen only by the organization's EDITOR+ (and platform admins), until one
//! of them accepts it (it becomes a request filed by a CITIZEN, with the
//! agency and visibility the editor chose) or declines it. The transport
//! limits how many submissions one client makes.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::requests::{self, NewRequest, existing_agency};
use super::transitions::{self, today};
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock, disclosure as rules};
use crate::validate;
use crate::write::Write;
use entity::citizen_submission::{self, Resolution};
use entity::{DisclosureChannel, FiledBy, Visibility, disclosure_request, organization};

pub struct CitizenReport {
    pub organization_slug: String,
    pub agency_name: String,
    pub subject: String,
    pub channel: Option<DisclosureChannel>,
    pub filed_on: NaiveDate,
    pub receipt_number: Option<String>,
    pub contact: Option<String>,
}

/// Take a citizen's report for the organization's editors.
pub async fn submit(ctx: &Ctx, input: CitizenReport) -> ApiResult<bool> {
    let agency_name = validate::line("agencyName", &input.agency_name, 200)?;
    let subject = validate::line("subject", &input.subject, 200)?;
    let receipt_number =
        validate::optional_line("receiptNumber", input.receipt_number.as_deref(), 100)?;
    let contact = validate::optional_line("contact", input.contact.as_deref(), 200)?;
    transitions::file(input.filed_on, today(ctx.now()))?;
    let slug = input.organization_slug.trim().to_lowercase();
    let org = organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(ctx.db())
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    let row = citizen_submission::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        agency_name,
        subject,
        channel: input.channel.unwrap_or(DisclosureChannel::Other),
        filed_on: input.filed_on,
        receipt_number,
        contact,
        submitted_by: ctx.viewer.user_id(),
        submitted_at: ctx.now(),
        resolution: None,
        resolved_at: None,
        request_id: None,
    };
    mutate!(ctx, |w| {
        w.insert(citizen_submission::ActiveModel::from(row.clone()))
            .await?;
        w.audit(
            Record::new("disclosure.citizen_submit", "citizen_submission", row.id)
                .in_org(row.organization_id)
                .details(json!({ "subject": row.subject, "agencyName": row.agency_name })),
        );
        Ok(true)
    })
}

/// An organization's waiting submissions, oldest first: for its EDITOR+
/// (and platform admins); nobody else sees any.
pub async fn pending(
    ctx: &Ctx,
    organization_id: Uuid,
) -> ApiResult<Vec<citizen_submission::Model>> {
    let access = policy::read_access(ctx, organization_id).await?;
    if !rules::can_review_submissions(&access) {
        return Ok(Vec::new());
    }
    ctx.reads().pending_submissions(organization_id).await
}

/// How to reach the citizen: for the organization's EDITOR+ only.
pub async fn contact(ctx: &Ctx, s: &citizen_submission::Model) -> ApiResult<Option<String>> {
    let access = policy::read_access(ctx, s.organization_id).await?;
    Ok(rules::can_see_contact(&access)
        .then(|| s.contact.clone())
        .flatten())
}

/// The waiting submission `id`, locked, for an editor of its organization
/// to resolve: NOT_FOUND unless the caller may see it, FORBIDDEN unless
/// they act for the organization.
async fn locked(w: &mut Write<'_>, id: Uuid) -> ApiResult<citizen_submission::Model> {
    let not_found = || ApiError::NotFound("citizen submission");
    let found = citizen_submission::Entity::find_by_id(id)
        .one(w.tx())
        .await?
        .ok_or_else(not_found)?;
    let access = w.act_for(found.organization_id, Lock::Share).await?;
    if !rules::can_review_submissions(&access) {
        return Err(not_found());
    }
    rules::ensure_can_file(&access)?;
    let current = w
        .lock::<citizen_submission::Entity>(id, "citizen submission")
        .await?;
    if current.resolution.is_some() {
        return Err(ApiError::bad_input(
            "id",
            "this submission was already accepted or declined",
        ));
    }
    Ok(current)
}

/// Accept a submission: it becomes a request filed by a CITIZEN.
pub async fn accept(
    ctx: &Ctx,
    id: Uuid,
    agency_id: Uuid,
    visibility: Visibility,
) -> ApiResult<disclosure_request::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    mutate!(ctx, |w| {
        let s = locked(w, id).await?;
        existing_agency(w, agency_id).await?;
        let input = NewRequest {
            organization_id: s.organization_id,
            project_id: None,
            agency_id,
            subject: s.subject.clone(),
            body: None,
            channel: s.channel,
            receipt_number: s.receipt_number.clone(),
            filed_on: s.filed_on,
            filed_by: FiledBy::Citizen,
            visibility,
        };
        let row = requests::new_row(ctx, input, user)?;
        let details =
            json!({ "subject": row.subject, "agencyId": agency_id, "citizenSubmission": id });
        requests::insert(w, &row, details).await?;
        let mut change = s.into_active_model();
        change.resolution = Set(Some(Resolution::Accepted));
        change.resolved_at = Set(Some(w.now()));
        change.request_id = Set(Some(row.id));
        change.update(w.tx()).await?;
        Ok(row)
    })
}

/// Decline a submission: it never becomes a request.
pub async fn decline(ctx: &Ctx, id: Uuid) -> ApiResult<bool> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let s = locked(w, id).await?;
        let org = s.organization_id;
        let mut change = s.into_active_model();
        change.resolution = Set(Some(Resolution::Declined));
        change.resolved_at = Set(Some(w.now()));
        change.update(w.tx()).await?;
        w.audit(Record::new("disclosure.citizen_decline", "citizen_submission", id).in_org(org));
        Ok(true)
    })
}
