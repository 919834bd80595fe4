//! The operators' own powers (accounts, restoring owners) and what anyone
//! may see of a user: e-mail, operator status, suspension, memberships.

use uuid::Uuid;

use super::is_platform_admin;
use super::{require_session, require_user};
use crate::auth::viewer::{Viewer, ViewerUser};
use crate::error::ApiError;
use entity::user;

/// Whether an account may act at all — sign in, refresh, authenticate a
/// request, grant through invitations it sent: not while suspended.
pub fn can_act(account: &user::Model) -> bool {
    account.suspended_at.is_none()
}

/// Restoring an owner: a platform admin (see [`ensure_can_manage_accounts`]),
/// only to an organization none of whose OWNERs can act any more (every one
/// suspended), not by the operator who suspended one of them (it takes two
/// operators), and only to a member who is not a platform admin — so no
/// operator can suspend an owner and crown themself or a colleague.
pub fn ensure_can_restore_owner(operator: Uuid, owners: &[user::Model]) -> Result<(), ApiError> {
    if owners.iter().any(can_act) {
        return Err(ApiError::forbidden(
            "this organization still has an OWNER who can act; owners are its own members' business",
        ));
    }
    if owners.iter().any(|o| o.suspended_by == Some(operator)) {
        return Err(ApiError::forbidden(
            "you suspended an owner of this organization; another operator must restore one",
        ));
    }
    Ok(())
}

/// Whom an owner is restored to (see [`ensure_can_restore_owner`]): a member
/// of the organization (the caller checks that) who is neither the operator
/// nor any platform admin, and not suspended.
pub fn ensure_can_be_restored_owner(
    operator: Uuid,
    new_owner: &user::Model,
) -> Result<(), ApiError> {
    if new_owner.id == operator || new_owner.is_platform_admin {
        return Err(ApiError::bad_input(
            "userId",
            "operators cannot make themselves or each other owners; name a member of the organization",
        ));
    }
    if !can_act(new_owner) {
        return Err(ApiError::bad_input(
            "userId",
            "this account is suspended; reinstate it first",
        ));
    }
    Ok(())
}

/// Suspending and reinstating accounts, restoring owners: platform admins,
/// signed in with a password — never through an API token, so a leaked
/// token cannot lock everyone else out. Returns the operator.
pub fn ensure_can_manage_accounts(viewer: &Viewer) -> Result<&ViewerUser, ApiError> {
    let user = require_user(viewer)?;
    if !is_platform_admin(viewer) {
        return Err(ApiError::forbidden("only platform admins manage accounts"));
    }
    require_session(viewer).map_err(|_| {
        ApiError::forbidden(
            "operators manage accounts signed in with a password, not with an API token",
        )
    })?;
    Ok(user)
}

/// Who may be suspended: anyone but the operator themself and platform
/// admins (operators do not lock each other out through the API).
pub fn ensure_can_suspend(operator: Uuid, target: &user::Model) -> Result<(), ApiError> {
    if target.id == operator {
        return Err(ApiError::bad_input("userId", "you cannot suspend yourself"));
    }
    if target.is_platform_admin {
        Err(ApiError::forbidden(
            "platform admins cannot be suspended through the API",
        ))
    } else {
        Ok(())
    }
}

/// Ending every session of a user: the user themself or a platform admin.
/// Others get NOT_FOUND.
pub fn can_end_sessions_of(viewer: &Viewer, user_id: Uuid) -> bool {
    viewer.user_id() == Some(user_id) || is_platform_admin(viewer)
}

/// API tokens: their owner, and platform admins (to revoke a leaked one).
/// Others get NOT_FOUND.
pub fn can_manage_api_token(viewer: &Viewer, token_owner: Uuid) -> bool {
    viewer.user_id() == Some(token_owner) || is_platform_admin(viewer)
}

/// Whom a user object is delivered to: whoever asked, or — in the answer to
/// signUp, logIn and refreshSession — the user themself, who was not yet
/// signed in when asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Viewer,
    Subject,
}

/// A user's e-mail: the user themself and platform admins.
pub fn can_see_email(viewer: &Viewer, audience: Audience, user_id: Uuid) -> bool {
    audience == Audience::Subject || viewer.user_id() == Some(user_id) || is_platform_admin(viewer)
}

/// The actor of an audit entry: hidden from the organization's own readers
/// when a platform admin acted as an operator, since who is an operator is
/// for operators (and that user) to know.
pub fn can_see_audit_actor(viewer: &Viewer, by_operator: bool, actor: Option<Uuid>) -> bool {
    !by_operator || is_platform_admin(viewer) || (actor.is_some() && viewer.user_id() == actor)
}

/// Whether a user is a platform admin: the user themself and platform
/// admins (others are told `false`).
pub fn can_see_platform_admin(viewer: &Viewer, audience: Audience, user_id: Uuid) -> bool {
    can_see_email(viewer, audience, user_id)
}

/// A user's suspension: the user themself and platform admins.
pub fn can_see_suspension(viewer: &Viewer, audience: Audience, user_id: Uuid) -> bool {
    can_see_email(viewer, audience, user_id)
}

/// A user's memberships: only the user themself (narrowed to the bound
/// organization for a bound token, see [`super::bound_organization`]).
pub fn can_see_memberships_of(viewer: &Viewer, audience: Audience, user_id: Uuid) -> bool {
    audience == Audience::Subject || viewer.user_id() == Some(user_id)
}
