//! Who may do what with disclosure requests. Who reads one is the SQL
//! condition [`super::sharing::disclosure_visible`].

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::OrgAccess;
use super::sharing::{participates, project_visible, the_organization};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use entity::{Role, project};

/// Recording a request for an organization: EDITOR+ of it.
pub fn ensure_can_file(organization: &OrgAccess) -> Result<(), ApiError> {
    organization.require(
        Role::Editor,
        "recording disclosure requests for this organization",
    )
}

/// Recording a request's later steps, or deleting it: EDITOR+ of its
/// organization (partners who read it do not change it).
pub fn ensure_can_change(organization: &OrgAccess) -> Result<(), ApiError> {
    organization.require(
        Role::Editor,
        "changing this organization's disclosure requests",
    )
}

/// Seeing (and so resolving) citizens' submissions: EDITOR+ of the
/// receiving organization; platform admins read them too.
pub fn can_review_submissions(organization: &OrgAccess) -> bool {
    organization.reads_as(Role::Editor)
}

/// A citizen's contact details: EDITOR+ of the receiving organization
/// only — not platform admins, who see the queue for support.
pub fn can_see_contact(organization: &OrgAccess) -> bool {
    organization.has(Role::Editor)
}

/// A request belongs to a project its organization takes part in now: a
/// project the caller cannot see is NOT_FOUND, one the organization has no
/// part in is refused.
pub async fn ensure_project_fits(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    project_id: Uuid,
    organization_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let visible = project::Entity::find_by_id(project_id)
        .filter(project_visible(viewer, now))
        .count(db)
        .await?;
    if visible == 0 {
        return Err(ApiError::NotFound("project"));
    }
    let taking_part = project::Entity::find_by_id(project_id)
        .filter(participates(the_organization(organization_id), now))
        .count(db)
        .await?;
    if taking_part == 0 {
        return Err(ApiError::bad_input(
            "projectId",
            "the organization does not take part in this project",
        ));
    }
    Ok(())
}
