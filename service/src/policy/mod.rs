//! The one place that decides who may see and do what.
//!
//! Every read and write in the product asks this module; resolvers and
//! services never compare roles or inspect credentials themselves. The
//! module answers three kinds of question:
//!
//! - *who is calling* — [`require_user`], [`require_session`],
//!   [`require_unbound`], [`ensure_may_run`]: anonymous callers, tokens
//!   without READ or WRITE, and tokens bound to one organization (acting at
//!   most with the role they were made under) are narrowed here;
//! - *what may the caller do for organization O* — [`org_access`] gathers the
//!   caller's effective role in O (an API token bound to another organization
//!   has none), and the `ensure_*` functions below turn it into a yes or a
//!   FORBIDDEN;
//! - *what may the caller see* — the `can_*` functions; what a caller may not
//!   see is reported as NOT_FOUND by the services, never FORBIDDEN.
//!
//! Platform admins (the coalition's operators) read everything for support,
//! but act for an organization only through a membership of their own:
//! [`OrgAccess::has`] counts memberships only, [`OrgAccess::reads_as`] lets
//! them read. Their own powers — managing agreement parties, terminating,
//! revoking tokens and sessions, suspending accounts, restoring an owner to
//! an ownerless organization — are separate functions here.
//!
//! Organizations themselves are a public directory (name, slug, region...),
//! so acting on one you may not act on is FORBIDDEN; their members,
//! e-mails and everything private answer "not visible" instead.
//!
//! Sharing between organizations — who are partners, for which scope, right
//! now — lives in [`sharing`], as SQL conditions; the rules of agreements
//! and of spaces and bookings in [`agreements`] and [`spaces`].
//!
//! Adding a new kind of item (projects, events, solidarity actions — spaces
//! are the worked example: [`sharing::space_visible`], [`spaces`]):
//! 1. give it an owning organization (and a `visibility` column if it has
//!    one);
//! 2. write its read rule once, as a sea-query `Condition` in [`sharing`]
//!    built from [`sharing::viewer_organizations`] and
//!    [`sharing::partners_of`] with the item's [`sharing::Scope`] — e.g.
//!    `visibility = 'PUBLIC' OR owner IN (viewer orgs) OR (visibility =
//!    'PARTNERS' AND owner IN (partners of viewer orgs for scope))`;
//! 3. use that condition for lists *and* for single reads
//!    (`find_by_id(id).filter(cond)`; no row → NOT_FOUND), never a Rust-side
//!    re-implementation of it;
//! 4. write its write rules as `ensure_*` functions taking an [`OrgAccess`];
//! 5. add every new operation to `tests/it/authorization_matrix.txt`.

pub mod agreements;
pub mod sharing;
pub mod spaces;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::LockType,
};
use uuid::Uuid;

use crate::auth::viewer::{Credential, Viewer, ViewerUser};
use crate::error::ApiError;
use entity::{Role, membership, organization, user};

// ---------------------------------------------------------------------------
// Who is calling

/// The signed-in user, or UNAUTHENTICATED.
pub fn require_user(viewer: &Viewer) -> Result<&ViewerUser, ApiError> {
    viewer
        .user
        .as_ref()
        .ok_or_else(|| ApiError::unauthenticated("sign in first"))
}

/// A user signed in with a session (not an API token). API tokens cannot see
/// or manage API tokens, so a leaked token cannot mint or hide others.
pub fn require_session(viewer: &Viewer) -> Result<&ViewerUser, ApiError> {
    let user = require_user(viewer)?;
    match viewer.credential {
        Credential::Session { .. } => Ok(user),
        _ => Err(ApiError::forbidden(
            "API tokens cannot manage API tokens; sign in with a password",
        )),
    }
}

/// A user whose credential is not bound to one organization — needed to act
/// outside any organization (create one, join one).
pub fn require_unbound(viewer: &Viewer) -> Result<&ViewerUser, ApiError> {
    let user = require_user(viewer)?;
    match viewer.credential {
        Credential::ApiToken {
            organization_id: Some(_),
            ..
        } => Err(ApiError::forbidden(
            "this API token may only act within its organization",
        )),
        _ => Ok(user),
    }
}

/// What kind of operation a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Queries, subscriptions and calendar feeds.
    Read,
    /// Mutations.
    Write,
}

/// Whether the credential may read at all: sessions may; API tokens only
/// with the READ scope.
pub fn may_read(viewer: &Viewer) -> bool {
    match viewer.credential {
        Credential::ApiToken { can_read, .. } => can_read,
        _ => true,
    }
}

/// A token's scopes mean what they say: without READ it reads nothing
/// (queries and feeds), without WRITE it changes nothing. Checked once per
/// request, before anything executes. (What a mutation hands back to a
/// token without READ is narrowed by the request limits: only the changed
/// object's own fields.)
pub fn ensure_may_run(viewer: &Viewer, operation: Operation) -> Result<(), ApiError> {
    match (&viewer.credential, operation) {
        (
            Credential::ApiToken {
                can_write: false, ..
            },
            Operation::Write,
        ) => Err(ApiError::forbidden(
            "this API token is read-only (scope READ)",
        )),
        (
            Credential::ApiToken {
                can_read: false, ..
            },
            Operation::Read,
        ) => Err(ApiError::forbidden(
            "this API token has no READ scope: it can run mutations but read nothing",
        )),
        _ => Ok(()),
    }
}

/// Platform admins read everything for support — except through a token
/// bound to one organization, which acts only as a member of that
/// organization. They never *act* for an organization through this: acting
/// takes a membership (see [`OrgAccess::has`]).
pub fn is_platform_admin(viewer: &Viewer) -> bool {
    let bound = matches!(
        viewer.credential,
        Credential::ApiToken {
            organization_id: Some(_),
            ..
        }
    );
    !bound && viewer.user.as_ref().is_some_and(|u| u.is_platform_admin)
}

/// Whether the caller's credential may act in `organization_id` at all.
pub fn credential_reaches(viewer: &Viewer, organization_id: Uuid) -> bool {
    match viewer.credential {
        Credential::ApiToken {
            organization_id: Some(bound),
            ..
        } => bound == organization_id,
        _ => true,
    }
}

/// The most a credential may act as: a bound token's role when it was made.
pub fn role_cap(viewer: &Viewer) -> Option<Role> {
    match viewer.credential {
        Credential::ApiToken {
            organization_id: Some(_),
            role_cap,
            ..
        } => role_cap,
        _ => None,
    }
}

/// The weaker of two roles.
pub fn weaker(a: Role, b: Role) -> Role {
    if b.rank() < a.rank() { b } else { a }
}

/// The role the caller effectively holds, given their stored membership
/// role: none where the credential does not reach, and for a bound token
/// the lesser of the role it was made under and the creator's role now.
pub fn effective_role(
    viewer: &Viewer,
    organization_id: Uuid,
    stored: Option<Role>,
) -> Option<Role> {
    let role = stored.filter(|_| credential_reaches(viewer, organization_id))?;
    Some(match role_cap(viewer) {
        Some(cap) => weaker(role, cap),
        None => role,
    })
}

// ---------------------------------------------------------------------------
// What may the caller do for an organization

/// The caller's standing in one organization.
#[derive(Debug, Clone, Copy)]
pub struct OrgAccess {
    pub organization_id: Uuid,
    /// Effective membership role (None: not a member, or not reachable by the
    /// credential).
    pub role: Option<Role>,
    /// A platform admin reads the organization's private data for support;
    /// this never lets them act for it.
    pub platform_admin: bool,
}

impl OrgAccess {
    pub fn is_member(&self) -> bool {
        self.role.is_some()
    }

    /// At least `min` here, through a membership. Platform admins act for an
    /// organization only through a membership of their own, like anyone.
    pub fn has(&self, min: Role) -> bool {
        self.role.is_some_and(|r| r.at_least(min))
    }

    /// Reads of the organization's private records (members, invitations,
    /// the audit log at ADMIN+): by membership, or as a platform admin.
    pub fn reads_as(&self, min: Role) -> bool {
        self.platform_admin || self.has(min)
    }

    pub(crate) fn require(&self, min: Role, what: &str) -> Result<(), ApiError> {
        if self.has(min) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "{what} requires {} or higher in this organization",
                min.as_str()
            )))
        }
    }
}

/// How the organization row is locked while the caller's role is read.
///
/// Every write acting for an organization locks its row, so the role just
/// read cannot change before the write commits: changes to an
/// organization's memberships take [`Lock::Exclusive`] (PostgreSQL `FOR NO
/// KEY UPDATE`) and so serialize per organization; other writes acting for
/// it take [`Lock::Share`] (`FOR SHARE`), which membership changes wait for.
/// Locks are taken organization first, then the item acted on, everywhere.
/// SQLite write transactions are exclusive already (`BEGIN IMMEDIATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Reads only.
    None,
    Share,
    Exclusive,
}

impl OrgAccess {
    /// From a role already loaded (e.g. through the viewer-role DataLoader).
    pub fn from_stored(viewer: &Viewer, organization_id: Uuid, stored: Option<Role>) -> Self {
        OrgAccess {
            organization_id,
            role: effective_role(viewer, organization_id, stored),
            platform_admin: is_platform_admin(viewer),
        }
    }
}

/// The organization a bound API token is confined to, if any; lists of the
/// viewer's own memberships are narrowed to it in SQL.
pub fn bound_organization(viewer: &Viewer) -> Option<Uuid> {
    match viewer.credential {
        Credential::ApiToken {
            organization_id, ..
        } => organization_id,
        _ => None,
    }
}

/// The caller's access to an organization; NOT_FOUND if it does not exist.
pub async fn org_access(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    organization_id: Uuid,
    lock: Lock,
) -> Result<OrgAccess, ApiError> {
    let mut find = organization::Entity::find_by_id(organization_id)
        .select_only()
        .column(organization::Column::Id);
    match lock {
        Lock::None => {}
        Lock::Share => find = find.lock(LockType::Share),
        Lock::Exclusive => find = find.lock(LockType::NoKeyUpdate),
    }
    find.into_tuple::<Uuid>()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    let stored = match viewer.user_id() {
        Some(user_id) => stored_role(db, organization_id, user_id).await?,
        None => None,
    };
    Ok(OrgAccess::from_stored(viewer, organization_id, stored))
}

/// A user's stored role in an organization (no credential narrowing).
pub async fn stored_role(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Role>, ApiError> {
    Ok(membership::Entity::find()
        .select_only()
        .column(membership::Column::Role)
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::UserId.eq(user_id))
        .into_tuple::<Role>()
        .one(db)
        .await?)
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

/// Restoring an owner: a platform admin (see [`ensure_can_manage_accounts`]),
/// only to an organization none of whose OWNERs can act any more (every one
/// suspended), not by the operator who suspended one of them (it takes two
/// operators), and only to a member who is not a platform admin — so no
/// operator can suspend an owner and crown themself or a colleague.
pub fn ensure_can_restore_owner(operator: Uuid, owners: &[user::Model]) -> Result<(), ApiError> {
    if owners.iter().any(|o| o.suspended_at.is_none()) {
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
    if new_owner.suspended_at.is_some() {
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

/// Who may be suspended: anyone but a platform admin (operators do not lock
/// each other out through the API).
pub fn ensure_can_suspend(target: &user::Model) -> Result<(), ApiError> {
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

// ---------------------------------------------------------------------------
// What may the caller see

/// API tokens: their owner, and platform admins (to revoke a leaked one).
/// Others get NOT_FOUND.
pub fn can_manage_api_token(viewer: &Viewer, token_owner: Uuid) -> bool {
    viewer.user_id() == Some(token_owner) || is_platform_admin(viewer)
}

/// Member lists: members of the organization and platform admins.
pub fn can_view_members(access: &OrgAccess) -> bool {
    access.reads_as(Role::Member)
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
/// organization for a bound token, see [`bound_organization`]).
pub fn can_see_memberships_of(viewer: &Viewer, audience: Audience, user_id: Uuid) -> bool {
    audience == Audience::Subject || viewer.user_id() == Some(user_id)
}
