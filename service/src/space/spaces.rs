//! Spaces: bookable rooms or desks of an organization's (shared) office. A
//! space is visible to the members of its owner and to whoever may book it
//! (EDITOR+ of the owner or of its partners for SPACES).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::sharing;
use crate::policy::{self, Lock, spaces as rules};
use crate::validate;
use entity::space;

/// Spaces the viewer may see (a condition on `spaces`).
pub fn visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    sharing::space_visible(viewer, (space::Entity, space::Column::OrganizationId), now)
}

pub struct NewSpace {
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub capacity: Option<i32>,
    pub requires_approval: bool,
}

/// `None`: unchanged; `Some(None)`: cleared.
#[derive(Default)]
pub struct SpacePatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub capacity: Option<Option<i32>>,
    pub requires_approval: Option<bool>,
}

fn check_capacity(capacity: Option<i32>) -> ApiResult<Option<i32>> {
    match capacity {
        Some(c) if c < 1 => Err(ApiError::bad_input(
            "capacity",
            "`capacity` must be at least 1",
        )),
        other => Ok(other),
    }
}

/// ADMIN+ of the owner creates a space.
pub async fn create(ctx: &Ctx, input: NewSpace) -> ApiResult<space::Model> {
    policy::require_user(&ctx.viewer)?;
    let model = space::Model {
        id: Uuid::now_v7(),
        organization_id: input.organization_id,
        name: validate::line("name", &input.name, 200)?,
        description: validate::optional_text("description", input.description.as_deref(), 5000)?,
        location: validate::optional_line("location", input.location.as_deref(), 200)?,
        capacity: check_capacity(input.capacity)?,
        requires_approval: input.requires_approval,
        created_at: ctx.now(),
        updated_at: ctx.now(),
    };
    mutate!(ctx, |w| {
        let access = w.act_for(model.organization_id, Lock::Share).await?;
        rules::ensure_can_manage_space(&access)?;
        w.insert(space::ActiveModel::from(model.clone())).await?;
        w.audit(
            Record::new("space.create", "space", model.id)
                .in_org(model.organization_id)
                .details(json!({ "name": model.name })),
        );
        Ok(model.clone())
    })
}

/// ADMIN+ of the owner edits a space.
pub async fn update(ctx: &Ctx, id: Uuid, patch: SpacePatch) -> ApiResult<space::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let owner = find_in(w.tx(), w.viewer(), w.now(), id)
            .await?
            .organization_id;
        let access = w.act_for(owner, Lock::Share).await?;
        rules::ensure_can_manage_space(&access)?;
        let current = w.lock::<space::Entity>(id, "space").await?;
        let mut active = current.into_active_model();
        if let Some(name) = &patch.name {
            active.name = Set(validate::line("name", name, 200)?);
        }
        if let Some(d) = &patch.description {
            active.description = Set(validate::optional_text("description", d.as_deref(), 5000)?);
        }
        if let Some(l) = &patch.location {
            active.location = Set(validate::optional_line("location", l.as_deref(), 200)?);
        }
        if let Some(c) = patch.capacity {
            active.capacity = Set(check_capacity(c)?);
        }
        if let Some(r) = patch.requires_approval {
            active.requires_approval = Set(r);
        }
        active.updated_at = Set(w.now());
        let updated = active.update(w.tx()).await?;
        w.audit(Record::new("space.update", "space", id).in_org(owner));
        Ok(updated)
    })
}

/// A space the viewer may see; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<space::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

/// [`find`], on any connection (a write transaction, say).
pub(crate) async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<space::Model> {
    find_visible(db, viewer, now, id)
        .await?
        .ok_or(ApiError::NotFound("space"))
}

pub(super) async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<Option<space::Model>> {
    Ok(space::Entity::find_by_id(id)
        .filter(visible(viewer, now))
        .one(db)
        .await?)
}

/// The spaces the viewer may book or whose owner the viewer belongs to.
pub async fn list(ctx: &Ctx) -> ApiResult<Vec<space::Model>> {
    Ok(space::Entity::find()
        .filter(visible(&ctx.viewer, ctx.now()))
        .order_by_asc(space::Column::Id)
        .all(ctx.db())
        .await?)
}

/// An organization's spaces, as far as the viewer may see them.
pub async fn of_organization(ctx: &Ctx, organization_id: Uuid) -> ApiResult<Vec<space::Model>> {
    ctx.reads().spaces_of(organization_id).await
}

/// Whether the viewer may book the space for at least one organization.
pub async fn viewer_can_book(ctx: &Ctx, space: &space::Model) -> ApiResult<bool> {
    ctx.reads().can_book_in(space.organization_id).await
}
