//! Who may do what with projects and goals. Who sees a project is the SQL
//! condition [`super::sharing::project_visible`]; who takes part in one now
//! is [`super::sharing::participates`].

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::OrgAccess;
use super::sharing::{participates, the_organization};
use crate::error::{ApiError, ApiResult};
use entity::{Role, project};

/// Creating a project for its lead, and managing it (participants, status,
/// goals and their status): EDITOR+ of the lead.
pub fn ensure_can_manage_project(lead: &OrgAccess) -> Result<(), ApiError> {
    lead.require(Role::Editor, "running projects for this organization")
}

/// Recording progress for an organization: EDITOR+ of it. (That it takes
/// part in the project is [`ensure_takes_part`].)
pub fn ensure_can_record_for(organization: &OrgAccess) -> Result<(), ApiError> {
    organization.require(Role::Editor, "recording progress for this organization")
}

/// Progress is recorded only for an organization taking part in the
/// project now (see [`participates`]); FORBIDDEN otherwise.
pub async fn ensure_takes_part(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let taking_part = project::Entity::find_by_id(project_id)
        .filter(participates(the_organization(organization_id), now))
        .count(db)
        .await?;
    if taking_part == 0 {
        return Err(ApiError::forbidden(
            "this organization does not take part in the project",
        ));
    }
    Ok(())
}

/// Who recorded a progress entry: members of the recording organization
/// and of the lead (and platform admins, who read for support). Anyone
/// else who may see the project sees the amounts, not the people.
pub fn can_see_recorder(recording: &OrgAccess, lead: &OrgAccess) -> bool {
    recording.is_member() || lead.is_member() || lead.platform_admin
}
