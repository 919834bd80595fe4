//! Projects: created by EDITOR+ of the lead, optionally under an agreement
//! the lead signed that shares PROJECTS; participants are the agreement's
//! other SIGNED parties. Who reads a project is [`sharing::project_visible`].

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, Order,
    QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::transitions;
use crate::agreement::{parties::party_of, reads::find_visible as find_agreement};
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::sharing::{self, Scope};
use crate::policy::{self, Lock, agreements, projects as rules};
use crate::validate;
use crate::write::Write;
use entity::{ProjectStatus, Visibility, organization, project, project_participant};

pub struct NewProject {
    pub lead_organization_id: Uuid,
    pub agreement_id: Option<Uuid>,
    pub title: String,
    pub summary: Option<String>,
    pub visibility: Visibility,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// Projects the viewer may see (a condition on `projects`).
pub fn visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    sharing::project_visible(viewer, now)
}

/// The ids of the projects the viewer may see, as a sub-select.
pub fn visible_ids(viewer: &Viewer, now: DateTime<Utc>) -> SelectStatement {
    let mut q = Query::select();
    q.column((project::Entity, project::Column::Id))
        .from(project::Entity)
        .cond_where(visible(viewer, now));
    q
}

/// Create a project; its lead is its first participant.
pub async fn create(ctx: &Ctx, input: NewProject) -> ApiResult<project::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    if let (Some(s), Some(e)) = (input.starts_on, input.ends_on)
        && e < s
    {
        return Err(ApiError::bad_input(
            "endsOn",
            "`endsOn` is before `startsOn`",
        ));
    }
    let model = project::Model {
        id: Uuid::now_v7(),
        lead_organization_id: input.lead_organization_id,
        agreement_id: input.agreement_id,
        title: validate::line("title", &input.title, 200)?,
        summary: validate::optional_text("summary", input.summary.as_deref(), 5000)?,
        status: ProjectStatus::Planned,
        visibility: input.visibility,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        created_at: ctx.now(),
        updated_at: ctx.now(),
    };
    mutate!(ctx, |w| {
        let lead = w.act_for(model.lead_organization_id, Lock::Share).await?;
        rules::ensure_can_manage_project(&lead)?;
        if let Some(agreement_id) = model.agreement_id {
            let agreement = find_agreement(w.tx(), w.viewer(), agreement_id).await?;
            let party = party_of(w.tx(), agreement_id, model.lead_organization_id).await?;
            agreements::ensure_works_under(
                &agreement,
                Scope::Projects,
                party.as_ref(),
                "leadOrganizationId",
                w.now(),
            )?;
        }
        w.insert(project::ActiveModel::from(model.clone())).await?;
        insert_participant(w, model.id, model.lead_organization_id, user).await?;
        w.audit(
            Record::new("project.create", "project", model.id)
                .in_org(model.lead_organization_id)
                .details(json!({ "title": model.title, "agreement": model.agreement_id })),
        );
        Ok(model.clone())
    })
}

async fn insert_participant(
    w: &mut Write<'_>,
    project_id: Uuid,
    organization_id: Uuid,
    by: Uuid,
) -> ApiResult<()> {
    let row = project_participant::Model {
        id: Uuid::now_v7(),
        project_id,
        organization_id,
        added_at: w.now(),
        added_by: Some(by),
    };
    w.insert(project_participant::ActiveModel::from(row))
        .await?;
    Ok(())
}

/// Add a SIGNED party of the project's agreement as a participant.
pub async fn add_participant(
    ctx: &Ctx,
    project_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<project::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    mutate!(ctx, |w| {
        let project = find_in(w.tx(), w.viewer(), w.now(), project_id).await?;
        let lead = w.act_for(project.lead_organization_id, Lock::Share).await?;
        rules::ensure_can_manage_project(&lead)?;
        let Some(agreement_id) = project.agreement_id else {
            return Err(ApiError::bad_input(
                "projectId",
                "only a project run under an agreement has participants besides its lead",
            ));
        };
        // The lead must still share in the agreement (a lead that left it
        // cannot probe who signed it), and so must the newcomer.
        crate::db::find::<organization::Entity>(w.tx(), organization_id, "organization").await?;
        let agreement = find_agreement(w.tx(), w.viewer(), agreement_id).await?;
        let now = w.now();
        let sides = [
            (project.lead_organization_id, "projectId"),
            (organization_id, "organizationId"),
        ];
        for (org, field) in sides {
            let party = party_of(w.tx(), agreement_id, org).await?;
            agreements::ensure_works_under(
                &agreement,
                Scope::Projects,
                party.as_ref(),
                field,
                now,
            )?;
        }
        insert_participant(w, project.id, organization_id, user).await?;
        w.audit(
            Record::new("project.add_participant", "project", project.id)
                .in_org(project.lead_organization_id)
                .details(json!({ "organization": organization_id })),
        );
        Ok(project)
    })
}

/// Move a project along [`transitions::set_status`].
pub async fn set_status(ctx: &Ctx, id: Uuid, status: ProjectStatus) -> ApiResult<project::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let lead = find_in(w.tx(), w.viewer(), w.now(), id)
            .await?
            .lead_organization_id;
        let access = w.act_for(lead, Lock::Share).await?;
        rules::ensure_can_manage_project(&access)?;
        let current = w.lock::<project::Entity>(id, "project").await?;
        let from = current.status;
        let mut active = current.into_active_model();
        active.status = Set(transitions::set_status(from, status)?);
        active.updated_at = Set(w.now());
        let updated = active.update(w.tx()).await?;
        w.audit(
            Record::new("project.status", "project", id)
                .in_org(lead)
                .details(json!({ "from": from.as_str(), "to": status.as_str() })),
        );
        Ok(updated)
    })
}

/// A project the viewer may see; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<project::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

pub(crate) async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<project::Model> {
    project::Entity::find_by_id(id)
        .filter(visible(viewer, now))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("project"))
}

/// What a project list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub status: Option<ProjectStatus>,
    pub agreement_id: Option<Uuid>,
    /// A case-insensitive part of the title.
    pub search: Option<String>,
}

/// The projects the viewer may see, oldest first.
pub async fn list(
    ctx: &Ctx,
    filter: ProjectFilter,
    args: &PageArgs,
) -> ApiResult<Listing<project::Model>> {
    let mut cond = Condition::all().add(visible(&ctx.viewer, ctx.now()));
    if let Some(status) = filter.status {
        cond = cond.add(project::Column::Status.eq(status));
    }
    if let Some(agreement) = filter.agreement_id {
        cond = cond.add(project::Column::AgreementId.eq(agreement));
    }
    if let Some(term) = validate::search("search", filter.search.as_deref())? {
        let title = (project::Entity, project::Column::Title);
        cond = cond.add(validate::contains_ignoring_case(title, &term));
    }
    crate::paging::list(ctx.db(), cond, project::Column::Id, Order::Asc, args).await
}

/// The projects an organization leads or takes part in, as far as the
/// viewer may see them.
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
    status: Option<ProjectStatus>,
    args: PageArgs,
) -> ApiResult<Listing<project::Model>> {
    let page = ctx
        .reads()
        .organization_projects(organization_id, status, args)
        .await?;
    Ok(Listing::nested(page, move |r| {
        r.organization_project_count(organization_id, status)
    }))
}

/// The projects run under an agreement, as far as the viewer may see them.
pub async fn of_agreement(
    ctx: &Ctx,
    agreement_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<project::Model>> {
    let page = ctx.reads().agreement_projects(agreement_id, args).await?;
    Ok(Listing::nested(page, move |r| {
        r.agreement_project_count(agreement_id)
    }))
}

/// The organizations taking part, the lead first.
pub async fn participants(
    ctx: &Ctx,
    project: &project::Model,
) -> ApiResult<Vec<organization::Model>> {
    let ids = ctx.reads().participants(project.id).await?;
    ctx.reads().organizations(&ids).await
}
