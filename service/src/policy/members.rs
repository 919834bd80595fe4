//! Who may change an organization's profile, members and invitations, and
//! who may see them.

use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::OrgAccess;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use entity::{Role, member_group, user};

/// Keeping member groups (saved invitee lists): ADMIN+.
pub fn ensure_can_manage_groups(access: &OrgAccess) -> Result<(), ApiError> {
    access.require(Role::Admin, "keeping member groups")
}

/// Who sees a member group (a condition on `member_groups`): members of
/// its organization; platform admins always; nobody else.
pub fn group_visible(viewer: &Viewer) -> Condition {
    if super::is_platform_admin(viewer) {
        return Condition::all();
    }
    match super::sharing::viewer_organizations(viewer) {
        Some(orgs) => Condition::all().add(
            Expr::col((member_group::Entity, member_group::Column::OrganizationId))
                .in_subquery(orgs),
        ),
        None => super::sharing::never(),
    }
}

/// Profile changes: ADMIN+.
pub fn ensure_can_update_organization(access: &OrgAccess) -> Result<(), ApiError> {
    access.require(Role::Admin, "editing the organization")
}

/// Inviting with `role` — and, for an invitation already made, whether its
/// inviter may still grant it (checked again on acceptance): ADMIN+, and
/// only an OWNER invites an OWNER.
pub fn ensure_can_invite(access: &OrgAccess, role: Role) -> Result<(), ApiError> {
    access.require(Role::Admin, "inviting members")?;
    if role == Role::Owner {
        access.require(Role::Owner, "inviting an OWNER")?;
    }
    Ok(())
}

/// The role through which an invitation's sender still grants anything:
/// their role in the organization now, unless their account can no longer
/// act ([`super::can_act`]). Platform admins grant nothing without a
/// membership.
pub async fn inviter_role(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    inviter: Option<Uuid>,
) -> ApiResult<Option<Role>> {
    let Some(inviter) = inviter else {
        return Ok(None);
    };
    let account = user::Entity::find_by_id(inviter).one(db).await?;
    if !account.as_ref().is_some_and(super::can_act) {
        return Ok(None);
    }
    super::stored_role(db, organization_id, inviter).await
}

/// Whether an invitation for `invited`, sent by someone who now holds
/// `inviter_role` there (see [`inviter_role`]), may still bring someone in:
/// the rule of [`ensure_can_invite`], applied to the sender as a member.
pub fn inviter_may_grant(organization_id: Uuid, inviter_role: Option<Role>, invited: Role) -> bool {
    ensure_can_invite(&OrgAccess::member(organization_id, inviter_role), invited).is_ok()
}

/// Pending invitations (with the invitees' e-mails): ADMIN+, and platform
/// admins for support.
pub fn can_view_invitations(access: &OrgAccess) -> bool {
    access.reads_as(Role::Admin)
}

/// Revoking an invitation: whoever could make it now.
pub fn ensure_can_revoke_invitation(access: &OrgAccess, role: Role) -> Result<(), ApiError> {
    ensure_can_invite(access, role)
}

/// Role changes: ADMIN+; only an OWNER grants OWNER or changes an OWNER's
/// role. Whether the organization keeps an OWNER is the database's call.
pub fn ensure_can_change_role(
    access: &OrgAccess,
    current: Role,
    new: Role,
) -> Result<(), ApiError> {
    access.require(Role::Admin, "changing roles")?;
    if current == Role::Owner || new == Role::Owner {
        access.require(Role::Owner, "granting or removing OWNER")?;
    }
    Ok(())
}

/// Removing a member: ADMIN+, and only an OWNER removes an OWNER. Anyone may
/// remove themselves (leave).
pub fn ensure_can_remove_member(
    access: &OrgAccess,
    viewer: &Viewer,
    target_user: Uuid,
    current: Role,
) -> Result<(), ApiError> {
    if viewer.user_id() == Some(target_user) && access.is_member() {
        return Ok(());
    }
    access.require(Role::Admin, "removing members")?;
    if current == Role::Owner {
        access.require(Role::Owner, "removing an OWNER")?;
    }
    Ok(())
}

/// Audit log: ADMIN+ (or platform admin).
pub fn ensure_can_read_audit_log(access: &OrgAccess) -> Result<(), ApiError> {
    if access.reads_as(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "reading the audit log requires ADMIN or higher in this organization",
        ))
    }
}

/// Binding an API token to an organization: only to one the caller belongs to.
pub fn ensure_can_bind_token(access: &OrgAccess) -> Result<(), ApiError> {
    if access.is_member() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "you can only bind a token to an organization you belong to",
        ))
    }
}

/// An invitation is accepted only by the user whose e-mail it names.
pub fn ensure_invitation_is_for(user_email: &str, invitation_email: &str) -> Result<(), ApiError> {
    if user_email == invitation_email {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "this invitation was issued to another e-mail address",
        ))
    }
}

/// Member lists: members of the organization and platform admins.
pub fn can_view_members(access: &OrgAccess) -> bool {
    access.reads_as(Role::Member)
}
