//! Memberships and invitations: who belongs to an organization, with which
//! role, and who is invited. Every change locks the organization row first
//! ([`Lock::Exclusive`]), so an organization's membership changes apply one
//! at a time and the roles they check cannot change underneath them.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Record};
use crate::auth::secret;
use crate::auth::viewer::Viewer;
use crate::db::{self, Db, TransactionSession};
use crate::error::{ApiError, ApiResult};
use crate::graphql::RequestCtx;
use crate::graphql::connection::{CountSource, Listing, PageArgs, TotalCount};
use crate::policy::{self, Lock, OrgAccess};
use crate::validate;
use entity::{Role, api_token, invitation, membership, user};

pub const INVITATION_TTL: TimeDelta = TimeDelta::days(7);

/// Insert a membership row (inside the caller's transaction).
pub async fn insert(
    tx: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> ApiResult<membership::Model> {
    let model = membership::Model {
        id: Uuid::now_v7(),
        organization_id,
        user_id,
        role,
        joined_at: now,
    };
    membership::Entity::insert(membership::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    Ok(model)
}

/// Members of an organization, for members (and platform admins) only:
/// everyone else gets an empty list.
pub async fn members(
    rc: &RequestCtx,
    organization_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<membership::Model>> {
    let stored = rc.loaders.viewer_role(organization_id).await?;
    let access = OrgAccess::from_stored(&rc.viewer, organization_id, stored);
    if !policy::can_view_members(&access) {
        return Ok(Listing::empty());
    }
    let page = rc.loaders.member_page(organization_id, args).await?;
    Ok(Listing {
        page,
        total: TotalCount::lazy(MemberCount(organization_id)),
    })
}

struct MemberCount(Uuid);

#[async_trait::async_trait]
impl CountSource for MemberCount {
    async fn count(&self, ctx: &async_graphql::Context<'_>) -> ApiResult<i64> {
        crate::graphql::request_ctx(ctx)?
            .loaders
            .member_count(self.0)
            .await
    }
}

/// Invite `email` to join with `role`. A newer invitation for the same
/// e-mail replaces any pending one. Returns the invitation and its secret,
/// which is shown only this once.
pub async fn invite(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organization_id: Uuid,
    email: &str,
    role: Role,
) -> ApiResult<(invitation::Model, String)> {
    policy::require_user(viewer)?;
    let email = validate::email("email", email)?;
    let tx = db::begin_write(db).await?;
    let access = policy::org_access(&tx, viewer, organization_id, Lock::Exclusive).await?;
    policy::ensure_can_invite(&access, role)?;

    let invitee = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(&tx)
        .await?;
    let already_member = match invitee {
        Some(u) => membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(organization_id))
            .filter(membership::Column::UserId.eq(u.id))
            .one(&tx)
            .await?
            .is_some(),
        None => false,
    };
    if already_member {
        return Err(ApiError::conflict(
            Some("email"),
            "this person is already a member",
        ));
    }
    // A new invitation replaces the pending one — which the inviter must be
    // allowed to revoke (an ADMIN does not replace an OWNER invitation).
    let replaced = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::Email.eq(email.clone()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .all(&tx)
        .await?;
    for old in &replaced {
        policy::ensure_can_revoke_invitation(&access, old.role)?;
    }
    if !replaced.is_empty() {
        invitation::Entity::update_many()
            .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
            .filter(invitation::Column::Id.is_in(replaced.iter().map(|i| i.id)))
            .exec(&tx)
            .await?;
        let records = replaced.iter().map(|i| {
            Record::new("member.invitation_revoke", "invitation", i.id)
                .in_org(organization_id)
                .details(json!({
                    "email": i.email,
                    "role": i.role.as_str(),
                    "reason": "replaced by a new invitation",
                }))
        });
        audit::record_many(&tx, viewer, now, records).await?;
    }

    let token = secret::generate(secret::INVITATION_PREFIX);
    let model = invitation::Model {
        id: Uuid::now_v7(),
        organization_id,
        email: email.clone(),
        role,
        token_hash: secret::hash(&token),
        invited_by: viewer.user_id(),
        created_at: now,
        expires_at: now + INVITATION_TTL,
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    };
    invitation::Entity::insert(invitation::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.invite", "invitation", model.id)
            .in_org(organization_id)
            .details(json!({ "email": email, "role": role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok((model, token))
}

/// Accept an invitation: single use, unexpired, and only by the signed-in
/// user whose e-mail it names.
pub async fn accept(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    token: &str,
) -> ApiResult<membership::Model> {
    let user_id = policy::require_unbound(viewer)?.id;
    let tx = db::begin_write(db).await?;
    let invitation = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(secret::hash(token.trim())))
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("invitation"))?;
    let user = user::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    policy::ensure_invitation_is_for(&user.email, &invitation.email)?;
    if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() {
        return Err(ApiError::bad_input(
            "token",
            "this invitation has already been used or was replaced",
        ));
    }
    if invitation.expires_at <= now {
        return Err(ApiError::bad_input(
            "token",
            "this invitation has expired; ask for a new one",
        ));
    }
    // The inviter must still be able to grant the role: an ADMIN who was
    // removed or demoted since cannot bring anyone in through an old
    // invitation. (Removal and demotion revoke such invitations as well.)
    policy::org_access(&tx, viewer, invitation.organization_id, Lock::Exclusive).await?;
    let inviter = match invitation.invited_by {
        Some(inviter) => inviter_access(&tx, invitation.organization_id, inviter).await?,
        None => OrgAccess {
            organization_id: invitation.organization_id,
            role: None,
            platform_admin: false,
        },
    };
    if policy::ensure_can_invite(&inviter, invitation.role).is_err() {
        return Err(ApiError::bad_input(
            "token",
            "this invitation is no longer valid: whoever sent it may no longer grant that role",
        ));
    }
    // Claim it; a concurrent acceptance of the same token matches no row.
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .col_expr(invitation::Column::AcceptedBy, Expr::value(Some(user_id)))
        .filter(invitation::Column::Id.eq(invitation.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(ApiError::bad_input(
            "token",
            "this invitation has already been used or was replaced",
        ));
    }
    let membership = insert(
        &tx,
        invitation.organization_id,
        user_id,
        invitation.role,
        now,
    )
    .await
    .map_err(|e| match e {
        ApiError::Conflict { .. } => ApiError::conflict(
            Some("token"),
            "you are already a member of this organization",
        ),
        other => other,
    })?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.join", "membership", membership.id)
            .in_org(invitation.organization_id)
            .details(json!({ "invitationId": invitation.id, "role": invitation.role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(membership)
}

/// What an inviter may still grant in an organization: their role there now,
/// as long as their account is not suspended. (Platform admins grant
/// nothing without a membership.)
async fn inviter_access(
    tx: &impl ConnectionTrait,
    organization_id: Uuid,
    inviter: Uuid,
) -> ApiResult<OrgAccess> {
    let active = user::Entity::find_by_id(inviter)
        .one(tx)
        .await?
        .is_some_and(|u| u.suspended_at.is_none());
    let role = if active {
        policy::stored_role(tx, organization_id, inviter).await?
    } else {
        None
    };
    Ok(OrgAccess {
        organization_id,
        role,
        platform_admin: false,
    })
}

/// Revoke the pending invitations `inviter` made in `organization_id` that
/// `role` (their role from now on; `None` when they leave) no longer lets
/// them grant — inside the caller's transaction.
async fn revoke_invitations_beyond(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organization_id: Uuid,
    inviter: Uuid,
    role: Option<Role>,
    reason: &str,
) -> ApiResult<()> {
    let pending = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::InvitedBy.eq(inviter))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .all(tx)
        .await?;
    let from_now_on = OrgAccess {
        organization_id,
        role,
        platform_admin: false,
    };
    let doomed: Vec<invitation::Model> = pending
        .into_iter()
        .filter(|i| policy::ensure_can_invite(&from_now_on, i.role).is_err())
        .collect();
    if doomed.is_empty() {
        return Ok(());
    }
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.is_in(doomed.iter().map(|i| i.id)))
        .exec(tx)
        .await?;
    let records = doomed.iter().map(|i| {
        Record::new("member.invitation_revoke", "invitation", i.id)
            .in_org(organization_id)
            .details(json!({ "email": i.email, "role": i.role.as_str(), "reason": reason }))
    });
    audit::record_many(tx, viewer, now, records).await
}

/// Invitations not yet accepted, revoked or expired, oldest first: for
/// ADMIN+ (and platform admins); everyone else gets an empty list.
pub async fn pending_invitations(
    rc: &RequestCtx,
    organization_id: Uuid,
) -> ApiResult<Vec<invitation::Model>> {
    let stored = rc.loaders.viewer_role(organization_id).await?;
    let access = OrgAccess::from_stored(&rc.viewer, organization_id, stored);
    if !policy::can_view_invitations(&access) {
        return Ok(Vec::new());
    }
    rc.loaders.pending_invitations(organization_id).await
}

/// Revoke a pending invitation: whoever could make it now (ADMIN+; OWNER
/// for an OWNER invitation). Others who may not see the organization's
/// invitations get NOT_FOUND.
pub async fn revoke_invitation(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<invitation::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let missing = || ApiError::NotFound("invitation");
    let organization_id = invitation::Entity::find_by_id(id)
        .select_only()
        .column(invitation::Column::OrganizationId)
        .into_tuple::<Uuid>()
        .one(&tx)
        .await?
        .ok_or_else(missing)?;
    let access = policy::org_access(&tx, viewer, organization_id, Lock::Exclusive).await?;
    if !policy::can_view_invitations(&access) {
        return Err(missing());
    }
    let current = invitation::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(missing)?;
    policy::ensure_can_revoke_invitation(&access, current.role)?;
    if current.accepted_at.is_some() || current.revoked_at.is_some() || current.expires_at <= now {
        return Err(ApiError::bad_input(
            "id",
            "this invitation is no longer pending (accepted, revoked or expired)",
        ));
    }
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.invitation_revoke", "invitation", id)
            .in_org(organization_id)
            .details(json!({ "email": current.email, "role": current.role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(invitation::Model {
        revoked_at: Some(now),
        ..current
    })
}

/// Restore an owner to an organization none of whose OWNERs can act any
/// more (every one suspended): a platform admin names one of its members,
/// who becomes OWNER. Recorded in the organization's audit log. The admin
/// cannot name themself, so suspending an owner and restoring oneself is no
/// way for an operator to take an organization over.
pub async fn restore_owner(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organization_id: Uuid,
    user_id: Uuid,
) -> ApiResult<membership::Model> {
    // Refused before any lock: only operators get further.
    let operator = policy::ensure_can_manage_accounts(viewer)?.id;
    let tx = db::begin_write(db).await?;
    policy::org_access(&tx, viewer, organization_id, Lock::Exclusive).await?;
    let mut owner_ids = Query::select();
    owner_ids
        .column(membership::Column::UserId)
        .from(membership::Entity)
        .and_where(membership::Column::OrganizationId.eq(organization_id))
        .and_where(membership::Column::Role.eq(Role::Owner));
    let owners = user::Entity::find()
        .filter(user::Column::Id.in_subquery(owner_ids))
        .all(&tx)
        .await?;
    policy::ensure_can_restore_owner(operator, &owners)?;
    let not_a_member = || ApiError::bad_input("userId", "name a member of the organization");
    let member = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&tx)
        .await?
        .ok_or_else(not_a_member)?;
    let new_owner = user::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or_else(not_a_member)?;
    policy::ensure_can_be_restored_owner(operator, &new_owner)?;
    let from = member.role;
    let mut active: membership::ActiveModel = member.into();
    active.role = Set(Role::Owner);
    let restored = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.restore_owner", "membership", restored.id)
            .in_org(organization_id)
            .details(json!({ "userId": user_id, "from": from.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(restored)
}

/// Opens the transaction of a change to `user_id`'s membership: the
/// organization locked, the caller's access read, the target row found.
/// Callers who cannot see the member list get NOT_FOUND — they must not
/// learn who is a member.
async fn open_member_change<C: Db>(
    db: &C,
    viewer: &Viewer,
    organization_id: Uuid,
    user_id: Uuid,
) -> ApiResult<(C::Transaction, OrgAccess, membership::Model)> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let access = policy::org_access(&tx, viewer, organization_id, Lock::Exclusive).await?;
    if !policy::can_view_members(&access) {
        return Err(ApiError::NotFound("membership"));
    }
    let current = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("membership"))?;
    Ok((tx, access, current))
}

/// Change a member's role. Only an OWNER grants or takes away OWNER; the
/// database refuses to leave the organization without an OWNER.
pub async fn change_role(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> ApiResult<membership::Model> {
    let (tx, access, current) = open_member_change(db, viewer, organization_id, user_id).await?;
    policy::ensure_can_change_role(&access, current.role, role)?;
    if current.role == role {
        return Ok(current);
    }
    let mut active: membership::ActiveModel = current.clone().into();
    active.role = Set(role);
    let updated = active.update(&tx).await?;
    revoke_invitations_beyond(
        &tx,
        viewer,
        now,
        organization_id,
        user_id,
        Some(role),
        "the inviter's role changed",
    )
    .await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.role_change", "membership", current.id)
            .in_org(organization_id)
            .details(
                json!({ "userId": user_id, "from": current.role.as_str(), "to": role.as_str() }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Remove a member (or leave, when `user_id` is the viewer).
pub async fn remove(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    organization_id: Uuid,
    user_id: Uuid,
) -> ApiResult<bool> {
    let (tx, access, current) = open_member_change(db, viewer, organization_id, user_id).await?;
    policy::ensure_can_remove_member(&access, viewer, user_id, current.role)?;
    membership::Entity::delete_by_id(current.id)
        .exec(&tx)
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::BadUserInput { message, .. } => ApiError::bad_input("userId", message),
            other => other,
        })?;
    // What came with the membership goes with it: the invitations they
    // sent, and API tokens bound to this organization.
    revoke_invitations_beyond(
        &tx,
        viewer,
        now,
        organization_id,
        user_id,
        None,
        "the inviter left",
    )
    .await?;
    let bound_tokens: Vec<Uuid> = api_token::Entity::find()
        .select_only()
        .column(api_token::Column::Id)
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::OrganizationId.eq(organization_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .into_tuple()
        .all(&tx)
        .await?;
    if !bound_tokens.is_empty() {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_token::Column::Id.is_in(bound_tokens.iter().copied()))
            .exec(&tx)
            .await?;
        let records = bound_tokens.iter().map(|id| {
            Record::new("api_token.revoke", "api_token", *id)
                .in_org(organization_id)
                .details(json!({ "reason": "its creator left the organization" }))
        });
        audit::record_many(&tx, viewer, now, records).await?;
    }
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("member.remove", "membership", current.id)
            .in_org(organization_id)
            .details(json!({ "userId": user_id, "role": current.role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The viewer's effective role in an organization (null when not a member,
/// or when the credential does not reach it).
pub async fn viewer_role(rc: &RequestCtx, organization_id: Uuid) -> ApiResult<Option<Role>> {
    let stored = rc.loaders.viewer_role(organization_id).await?;
    Ok(OrgAccess::from_stored(&rc.viewer, organization_id, stored).role)
}
