//! Who may do what with events. Who reads one is the SQL condition
//! [`super::sharing::event_visible`]; who co-hosts one now is
//! [`super::sharing::current_co_hosts`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::OrgAccess;
use super::sharing::{
    Scope, current_co_hosts, event_readable_by_viewer, event_visible, partners_of,
    the_organization, viewer_organizations_as,
};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use entity::{Role, event, event_co_host, membership, organization};

/// Hosting events for an organization, and changing or cancelling them:
/// EDITOR+ of the host.
pub fn ensure_can_host(host: &OrgAccess) -> Result<(), ApiError> {
    host.require(Role::Editor, "hosting events for this organization")
}

/// Checking people in: EDITOR+ of the host or of a current co-host.
pub fn ensure_can_check_in(acting_for: &OrgAccess) -> Result<(), ApiError> {
    acting_for.require(Role::Editor, "checking people in")
}

/// Who sees who answered and who came (the RSVP list, the attendance
/// rate): members of the host (and platform admins, who read for support)
/// and members of a current co-host.
pub fn can_see_attendance(host: &OrgAccess, member_of_co_host: bool) -> bool {
    host.reads_as(Role::Member) || member_of_co_host
}

/// Who may publish a series' attendance rate as a goal: a member of its
/// host or of a current co-host, through a membership (a platform admin's
/// reach for support does not count).
pub fn can_publish_attendance(host: &OrgAccess, member_of_co_host: bool) -> bool {
    host.is_member() || member_of_co_host
}

/// Every co-host is another organization and a partner of the host for
/// EVENTS now; BAD_USER_INPUT otherwise.
pub async fn ensure_co_hosts(
    db: &impl ConnectionTrait,
    host: Uuid,
    co_hosts: &[Uuid],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if co_hosts.contains(&host) {
        return Err(ApiError::bad_input(
            "coHostIds",
            "the host does not co-host its own event",
        ));
    }
    let wanted: HashSet<Uuid> = co_hosts.iter().copied().collect();
    let partners = organization::Entity::find()
        .filter(organization::Column::Id.is_in(wanted.iter().copied()))
        .filter(organization::Column::Id.in_subquery(partners_of(
            the_organization(host),
            Scope::Events,
            now,
        )))
        .count(db)
        .await?;
    if partners as usize != wanted.len() {
        return Err(ApiError::bad_input(
            "coHostIds",
            "every co-host must be a partner of the host for EVENTS under an ACTIVE agreement",
        ));
    }
    Ok(())
}

/// Invitees are members of the host; BAD_USER_INPUT otherwise.
pub async fn ensure_invitees_are_members(
    db: &impl ConnectionTrait,
    host: Uuid,
    users: &[Uuid],
) -> ApiResult<()> {
    let wanted: HashSet<Uuid> = users.iter().copied().collect();
    let members = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(host))
        .filter(membership::Column::UserId.is_in(wanted.iter().copied()))
        .count(db)
        .await?;
    if members as usize != wanted.len() {
        return Err(ApiError::bad_input(
            "inviteeUserIds",
            "invitees must be members of the host organization",
        ));
    }
    Ok(())
}

/// Answering an event takes reading it as oneself: a platform admin who
/// sees it only for support may not answer it.
pub async fn ensure_may_answer(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let find = |cond| event::Entity::find_by_id(event_id).filter(cond).count(db);
    if find(event_readable_by_viewer(viewer, now)).await? > 0 {
        return Ok(());
    }
    if find(event_visible(viewer, now)).await? > 0 {
        return Err(ApiError::forbidden(
            "platform admins answer only events they can read as members",
        ));
    }
    Err(ApiError::NotFound("event"))
}

/// A current co-host of the event where the viewer is EDITOR+ — what
/// checking in for a co-host acts as — if any.
pub async fn co_host_editor_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    let Some(editor_of) = viewer_organizations_as(viewer, Role::Editor) else {
        return Ok(None);
    };
    let mut q = current_co_hosts(Some(editor_of), now);
    q.clear_selects();
    q.column((Alias::new("ch"), event_co_host::Column::OrganizationId))
        .and_where(Expr::col((Alias::new("ch"), event_co_host::Column::EventId)).eq(event_id))
        .limit(1);
    let row = db.query_one(&q).await?;
    Ok(match row {
        Some(row) => Some(row.try_get_by_index::<Uuid>(0)?),
        None => None,
    })
}
