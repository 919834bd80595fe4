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
//! Adding a new kind of item (disclosure requests — projects, events and
//! solidarity actions are the worked examples: [`sharing::project_visible`],
//! [`sharing::action_visible`], [`projects`], [`actions`]):
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

pub mod accounts;
pub mod actions;
pub mod agreements;
pub mod disclosure;
pub mod events;
pub mod members;
pub mod projects;
pub mod sharing;
pub mod spaces;

pub use accounts::*;
pub use members::*;

use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::auth::viewer::{Credential, Viewer, ViewerUser};
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use entity::{Role, membership, organization};

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
/// token without READ: [`ensure_may_see_answer`].)
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

/// What a mutation hands back to a credential that may not read: the
/// changed object's `id` (and `__typename`), nothing more. `reads_beyond_ids`
/// names the first selected field that would read more, if any; the
/// transport works it out from the document, and only when it matters.
pub fn ensure_may_see_answer(
    viewer: &Viewer,
    reads_beyond_ids: impl FnOnce() -> Option<String>,
) -> Result<(), ApiError> {
    if may_read(viewer) {
        return Ok(());
    }
    match reads_beyond_ids() {
        Some(field) => Err(ApiError::forbidden(format!(
            "this API token has no READ scope: a mutation answers it with the changed object's `id` only (`{field}` would read)"
        ))),
        None => Ok(()),
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
    /// A standing through a membership alone (`None`: none), whoever is
    /// calling: what an invitation's sender grants through it.
    pub fn member(organization_id: Uuid, role: Option<Role>) -> Self {
        OrgAccess {
            organization_id,
            role,
            platform_admin: false,
        }
    }

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

/// The caller's access to an organization as reads see it (through the
/// request's batched role lookups, no existence check): for deciding what a
/// read shows, never for a write.
pub async fn read_access(ctx: &Ctx, organization_id: Uuid) -> ApiResult<OrgAccess> {
    let stored = ctx.reads().viewer_role(organization_id).await?;
    Ok(OrgAccess::from_stored(&ctx.viewer, organization_id, stored))
}

/// The caller's access to an organization; NOT_FOUND if it does not exist.
pub async fn org_access(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    organization_id: Uuid,
    lock: Lock,
) -> Result<OrgAccess, ApiError> {
    let locked = lock_org(db, organization_id, lock).await?;
    let stored = match viewer.user_id() {
        Some(user_id) => stored_role(db, organization_id, user_id).await?,
        None => None,
    };
    Ok(locked.access(viewer, stored))
}

/// An organization locked (see [`Lock`]) whose caller's role is still to
/// be read — by the step's next statement, which so reads it after the
/// lock (a role read in the locking statement itself would come from the
/// snapshot taken before waiting for the lock).
#[must_use]
pub struct LockedOrg {
    organization_id: Uuid,
}

impl LockedOrg {
    /// The caller's standing, from the role [`stored_role_column`] read.
    pub fn access(self, viewer: &Viewer, stored: Option<Role>) -> OrgAccess {
        OrgAccess::from_stored(viewer, self.organization_id, stored)
    }
}

/// Lock the organization row; NOT_FOUND when it does not exist.
pub async fn lock_org(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    lock: Lock,
) -> Result<LockedOrg, ApiError> {
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
    Ok(LockedOrg { organization_id })
}

/// The viewer's stored role in an organization as a column of another
/// query (NULL for no membership or no user): see [`LockedOrg`].
pub fn stored_role_column(viewer: &Viewer, organization_id: Uuid) -> Expr {
    match viewer.user_id() {
        Some(user_id) => Expr::SubQuery(
            None,
            Box::new(
                Query::select()
                    .column(membership::Column::Role)
                    .from(membership::Entity)
                    .and_where(Expr::col(membership::Column::OrganizationId).eq(organization_id))
                    .and_where(Expr::col(membership::Column::UserId).eq(user_id))
                    .to_owned()
                    .into(),
            ),
        ),
        None => Expr::value(Option::<String>::None),
    }
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
