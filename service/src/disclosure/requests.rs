//! Filing, reading, listing and deleting disclosure requests. Who reads one
//! is [`sharing::disclosure_visible`]; who files and changes them is
//! [`crate::policy::disclosure`]; the life after filing is in
//! [`super::lifecycle`], its rules in [`super::transitions`].

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::reads::OrgFilter;
use super::transitions::{self, overdue_condition, today};
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::sharing;
use crate::policy::{self, Lock, disclosure as rules};
use crate::validate;
use crate::write::Write;
use entity::{
    DisclosureChannel, DisclosureStatus, FiledBy, Visibility, agency, disclosure_request, project,
};

pub struct NewRequest {
    pub organization_id: Uuid,
    pub project_id: Option<Uuid>,
    pub agency_id: Uuid,
    pub subject: String,
    pub body: Option<String>,
    pub channel: DisclosureChannel,
    pub receipt_number: Option<String>,
    pub filed_on: NaiveDate,
    pub filed_by: FiledBy,
    pub visibility: Visibility,
}

/// A new FILED request from `input`, checked, recorded by `user`.
pub(super) fn new_row(
    ctx: &Ctx,
    input: NewRequest,
    user: Uuid,
) -> ApiResult<disclosure_request::Model> {
    let due_on = transitions::file(input.filed_on, today(ctx.now()))?;
    Ok(disclosure_request::Model {
        id: Uuid::now_v7(),
        organization_id: input.organization_id,
        project_id: input.project_id,
        agency_id: input.agency_id,
        subject: validate::line("subject", &input.subject, 200)?,
        body: validate::optional_text("body", input.body.as_deref(), 20_000)?,
        channel: input.channel,
        receipt_number: validate::optional_line(
            "receiptNumber",
            input.receipt_number.as_deref(),
            100,
        )?,
        filed_on: input.filed_on,
        filed_by: input.filed_by,
        status: DisclosureStatus::Filed,
        due_on,
        extended_on: None,
        decided_on: None,
        transferred_to_agency_id: None,
        transferred_on: None,
        objection_lodged_on: None,
        objection_decided_on: None,
        objection_outcome: None,
        appeal_kind: None,
        appeal_noted_on: None,
        visibility: input.visibility,
        created_by: Some(user),
        created_at: ctx.now(),
        updated_at: ctx.now(),
    })
}

/// Write a new request and its audit entry.
pub(super) async fn insert(
    w: &mut Write<'_>,
    row: &disclosure_request::Model,
    details: serde_json::Value,
) -> ApiResult<()> {
    w.insert(disclosure_request::ActiveModel::from(row.clone()))
        .await?;
    w.audit(
        Record::new("disclosure.file", "disclosure_request", row.id)
            .in_org(row.organization_id)
            .details(details),
    );
    Ok(())
}

/// Record a request an organization filed (or a citizen filed for it):
/// EDITOR+ of the organization.
pub async fn file(ctx: &Ctx, input: NewRequest) -> ApiResult<disclosure_request::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let row = new_row(ctx, input, user)?;
    mutate!(ctx, |w| {
        let org = w.act_for(row.organization_id, Lock::Share).await?;
        rules::ensure_can_file(&org)?;
        existing_agency(w, row.agency_id).await?;
        if let Some(project) = row.project_id {
            rules::ensure_project_fits(w.tx(), w.viewer(), project, row.organization_id, w.now())
                .await?;
        }
        let details = json!({ "subject": row.subject, "agencyId": row.agency_id });
        insert(w, &row, details).await?;
        Ok(row.clone())
    })
}

/// An agency named by the input; NOT_FOUND when there is none.
pub(super) async fn existing_agency(w: &Write<'_>, id: Uuid) -> ApiResult<agency::Model> {
    agency::Entity::find_by_id(id)
        .one(w.tx())
        .await?
        .ok_or(ApiError::NotFound("agency"))
}

/// Delete a request: EDITOR+ of its organization.
pub async fn delete(ctx: &Ctx, id: Uuid) -> ApiResult<bool> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let current = super::lifecycle::locked(w, id).await?;
        disclosure_request::Entity::delete_by_id(id)
            .exec(w.tx())
            .await?;
        w.audit(
            Record::new("disclosure.delete", "disclosure_request", id)
                .in_org(current.organization_id)
                .details(json!({ "subject": current.subject })),
        );
        Ok(true)
    })
}

/// A request the viewer may read; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<disclosure_request::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

pub(super) async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<disclosure_request::Model> {
    disclosure_request::Entity::find_by_id(id)
        .filter(sharing::disclosure_visible(viewer, now))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("disclosure request"))
}

/// What a list of requests keeps.
#[derive(Debug, Default, Clone)]
pub struct RequestFilter {
    pub organization_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub status: Option<DisclosureStatus>,
    pub overdue: Option<bool>,
    pub filed_by: Option<FiledBy>,
    pub search: Option<String>,
}

/// Status and overdue, as a condition (today as of `now`).
pub fn state_condition(filter: OrgFilter, now: DateTime<Utc>) -> Condition {
    let mut cond = Condition::all();
    if let Some(status) = filter.status {
        cond = cond.add(disclosure_request::Column::Status.eq(status));
    }
    if let Some(overdue) = filter.overdue {
        cond = cond.add(overdue_condition(overdue, today(now)));
    }
    cond
}

/// Which requests a list keeps: those the viewer may read that `filter`
/// keeps.
pub fn list_condition(ctx: &Ctx, filter: &RequestFilter) -> ApiResult<Condition> {
    use disclosure_request::Column as C;
    let state = OrgFilter {
        status: filter.status,
        overdue: filter.overdue,
    };
    let mut cond = Condition::all()
        .add(sharing::disclosure_visible(&ctx.viewer, ctx.now()))
        .add(state_condition(state, ctx.now()));
    let by = [
        (C::OrganizationId, filter.organization_id),
        (C::ProjectId, filter.project_id),
        (C::AgencyId, filter.agency_id),
    ];
    for (col, id) in by {
        if let Some(id) = id {
            cond = cond.add(col.eq(id));
        }
    }
    if let Some(filed_by) = filter.filed_by {
        cond = cond.add(C::FiledBy.eq(filed_by));
    }
    if let Some(term) = validate::search("search", filter.search.as_deref())? {
        cond = cond.add(validate::contains_ignoring_case(
            (disclosure_request::Entity, C::Subject),
            &term,
        ));
    }
    Ok(cond)
}

/// The requests the viewer may read that `filter` keeps, oldest first.
pub async fn list(
    ctx: &Ctx,
    filter: RequestFilter,
    args: &PageArgs,
) -> ApiResult<Listing<disclosure_request::Model>> {
    let cond = list_condition(ctx, &filter)?;
    let id = disclosure_request::Column::Id;
    crate::paging::list(ctx.db(), cond, id, Order::Asc, args).await
}

/// An organization's requests that the viewer may read.
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
    filter: OrgFilter,
    args: PageArgs,
) -> ApiResult<Listing<disclosure_request::Model>> {
    let page = ctx
        .reads()
        .organization_disclosure_requests(organization_id, filter, args)
        .await?;
    Ok(Listing::nested(page, move |r| {
        r.organization_disclosure_request_count(organization_id, filter)
    }))
}

/// No decision, and past due (as of this request's "now").
pub fn overdue(ctx: &Ctx, r: &disclosure_request::Model) -> bool {
    transitions::is_overdue(r.status, r.due_on, today(ctx.now()))
}

/// The request's project, when the viewer may see it.
pub async fn project(
    ctx: &Ctx,
    r: &disclosure_request::Model,
) -> ApiResult<Option<project::Model>> {
    let Some(id) = r.project_id else {
        return Ok(None);
    };
    if !ctx.reads().project_visible(id).await? {
        return Ok(None);
    }
    ctx.reads().project(id).await
}
