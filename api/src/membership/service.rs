use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
use entity::{Role, invitation, membership, user};

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
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::Email.eq(email.clone()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&tx)
        .await?;

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
    if user.email != invitation.email {
        return Err(ApiError::forbidden(
            "this invitation was issued to another e-mail address",
        ));
    }
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
