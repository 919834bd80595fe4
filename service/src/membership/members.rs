//! Members and their roles. Every change locks the organization row first
//! ([`Lock::Exclusive`]), so an organization's membership changes apply one
//! at a time and the roles they check cannot change underneath them; the
//! database keeps the last OWNER.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::invitations::revoke_beyond;
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::{self, Lock, OrgAccess};
use crate::write::Write;
use entity::{Role, api_token, membership, user};

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
    ctx: &Ctx,
    organization_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<membership::Model>> {
    if !policy::can_view_members(&policy::read_access(ctx, organization_id).await?) {
        return Ok(Listing::empty());
    }
    let page = ctx.reads().member_page(organization_id, args).await?;
    Ok(Listing::nested(page, move |r| {
        r.member_count(organization_id)
    }))
}

/// A user's memberships, as far as the viewer may see them (their own, or
/// the subject of a payload about them); empty otherwise.
pub async fn memberships_of_user(
    ctx: &Ctx,
    audience: policy::Audience,
    user_id: Uuid,
) -> ApiResult<Vec<membership::Model>> {
    if !policy::can_see_memberships_of(&ctx.viewer, audience, user_id) {
        return Ok(Vec::new());
    }
    ctx.reads().memberships_of(user_id).await
}

/// The viewer's effective role in an organization (null when not a member,
/// or when the credential does not reach it).
pub async fn viewer_role(ctx: &Ctx, organization_id: Uuid) -> ApiResult<Option<Role>> {
    Ok(policy::read_access(ctx, organization_id).await?.role)
}

/// The first part of a change to `user_id`'s membership: the organization
/// locked, the caller's access read, the target row found. Callers who
/// cannot see the member list get NOT_FOUND — they must not learn who is a
/// member.
async fn member_to_change(
    w: &mut Write<'_>,
    organization_id: Uuid,
    user_id: Uuid,
) -> ApiResult<(OrgAccess, membership::Model)> {
    let access = w.act_for(organization_id, Lock::Exclusive).await?;
    if !policy::can_view_members(&access) {
        return Err(ApiError::NotFound("membership"));
    }
    let current = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(w.tx())
        .await?
        .ok_or(ApiError::NotFound("membership"))?;
    Ok((access, current))
}

/// Change a member's role. Only an OWNER grants or takes away OWNER; the
/// database refuses to leave the organization without an OWNER.
pub async fn change_role(
    ctx: &Ctx,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> ApiResult<membership::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let (access, current) = member_to_change(w, organization_id, user_id).await?;
        policy::ensure_can_change_role(&access, current.role, role)?;
        if current.role == role {
            return Ok(current);
        }
        let mut active: membership::ActiveModel = current.clone().into();
        active.role = Set(role);
        let updated = active.update(w.tx()).await?;
        revoke_beyond(
            w,
            organization_id,
            user_id,
            Some(role),
            "the inviter's role changed",
        )
        .await?;
        w.audit(
            Record::new("member.role_change", "membership", current.id)
                .in_org(organization_id)
                .details(
                    json!({ "userId": user_id, "from": current.role.as_str(), "to": role.as_str() }),
                ),
        );
        Ok(updated)
    })
}

/// Remove a member (or leave, when `user_id` is the viewer). What came with
/// the membership goes with it: the invitations they sent, and API tokens
/// bound to this organization.
pub async fn remove(ctx: &Ctx, organization_id: Uuid, user_id: Uuid) -> ApiResult<bool> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let (access, current) = member_to_change(w, organization_id, user_id).await?;
        policy::ensure_can_remove_member(&access, w.viewer(), user_id, current.role)?;
        membership::Entity::delete_by_id(current.id)
            .exec(w.tx())
            .await
            .map_err(|e| match ApiError::from(e) {
                ApiError::BadUserInput { message, .. } => ApiError::bad_input("userId", message),
                other => other,
            })?;
        revoke_beyond(w, organization_id, user_id, None, "the inviter left").await?;
        let bound_tokens: Vec<Uuid> = api_token::Entity::find()
            .select_only()
            .column(api_token::Column::Id)
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::OrganizationId.eq(organization_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .into_tuple()
            .all(w.tx())
            .await?;
        if !bound_tokens.is_empty() {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::RevokedAt, Expr::value(Some(w.now())))
                .filter(api_token::Column::Id.is_in(bound_tokens.iter().copied()))
                .exec(w.tx())
                .await?;
            w.audit_all(bound_tokens.iter().map(|id| {
                Record::new("api_token.revoke", "api_token", *id)
                    .in_org(organization_id)
                    .details(json!({ "reason": "its creator left the organization" }))
            }));
        }
        w.audit(
            Record::new("member.remove", "membership", current.id)
                .in_org(organization_id)
                .details(json!({ "userId": user_id, "role": current.role.as_str() })),
        );
        Ok(true)
    })
}

/// Restore an owner to an organization none of whose OWNERs can act any
/// more (every one suspended): a platform admin names one of its members,
/// who becomes OWNER (see [`policy::ensure_can_restore_owner`] for who may,
/// and whom). Recorded in the organization's audit log.
pub async fn restore_owner(
    ctx: &Ctx,
    organization_id: Uuid,
    user_id: Uuid,
) -> ApiResult<membership::Model> {
    // Refused before any lock: only operators get further.
    let operator = policy::ensure_can_manage_accounts(&ctx.viewer)?.id;
    mutate!(ctx, |w| {
        w.act_for(organization_id, Lock::Exclusive).await?;
        let mut owner_ids = Query::select();
        owner_ids
            .column(membership::Column::UserId)
            .from(membership::Entity)
            .and_where(membership::Column::OrganizationId.eq(organization_id))
            .and_where(membership::Column::Role.eq(Role::Owner));
        let owners = user::Entity::find()
            .filter(user::Column::Id.in_subquery(owner_ids))
            .all(w.tx())
            .await?;
        policy::ensure_can_restore_owner(operator, &owners)?;
        let not_a_member = || ApiError::bad_input("userId", "name a member of the organization");
        let member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(organization_id))
            .filter(membership::Column::UserId.eq(user_id))
            .one(w.tx())
            .await?
            .ok_or_else(not_a_member)?;
        let new_owner = user::Entity::find_by_id(user_id)
            .one(w.tx())
            .await?
            .ok_or_else(not_a_member)?;
        policy::ensure_can_be_restored_owner(operator, &new_owner)?;
        let from = member.role;
        let mut active: membership::ActiveModel = member.into();
        active.role = Set(Role::Owner);
        let restored = active.update(w.tx()).await?;
        w.audit(
            Record::new("member.restore_owner", "membership", restored.id)
                .in_org(organization_id)
                .details(json!({ "userId": user_id, "from": from.as_str() })),
        );
        Ok(restored)
    })
}
