//! Invitations: a pending membership, as good as its inviter's right to
//! grant it. Listed and revoked by ADMIN+; revoked when the inviter leaves,
//! is demoted below the role or suspended; checked again on acceptance.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::members::insert;
use crate::audit::Record;
use crate::auth::secret;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock};
use crate::validate;
use crate::write::Write;
use entity::{Role, invitation, membership, user};

pub const INVITATION_TTL: TimeDelta = TimeDelta::days(7);

fn revoked(i: &invitation::Model, reason: Option<&str>) -> Record {
    let mut details = json!({ "email": i.email, "role": i.role.as_str() });
    if let Some(reason) = reason {
        details["reason"] = json!(reason);
    }
    Record::new("member.invitation_revoke", "invitation", i.id)
        .in_org(i.organization_id)
        .details(details)
}

/// Invite `email` to join with `role`. A newer invitation for the same
/// e-mail replaces any pending one. Returns the invitation and its secret,
/// which is shown only this once.
pub async fn invite(
    ctx: &Ctx,
    organization_id: Uuid,
    email: &str,
    role: Role,
) -> ApiResult<(invitation::Model, String)> {
    policy::require_user(&ctx.viewer)?;
    let email = validate::email("email", email)?;
    mutate!(ctx, |w| {
        let now = w.now();
        let access = w.act_for(organization_id, Lock::Exclusive).await?;
        policy::ensure_can_invite(&access, role)?;
        let invitee = user::Entity::find()
            .filter(crate::identity::email_is(&email))
            .one(w.tx())
            .await?;
        if let Some(u) = invitee
            && policy::stored_role(w.tx(), organization_id, u.id)
                .await?
                .is_some()
        {
            return Err(ApiError::conflict(
                Some("email"),
                "this person is already a member",
            ));
        }
        // A new invitation replaces the pending one — which the inviter
        // must be allowed to revoke (an ADMIN does not replace an OWNER
        // invitation).
        let replaced =
            pending_for(w.tx(), organization_id, invitation::Column::Email, &email).await?;
        for old in &replaced {
            policy::ensure_can_revoke_invitation(&access, old.role)?;
        }
        revoke_all(w.tx(), &replaced, now).await?;
        w.audit_all(
            replaced
                .iter()
                .map(|i| revoked(i, Some("replaced by a new invitation"))),
        );

        let token = secret::generate(secret::INVITATION_PREFIX);
        let model = invitation::Model {
            id: Uuid::now_v7(),
            organization_id,
            email: email.clone(),
            role,
            token_hash: secret::hash(&token),
            invited_by: w.viewer().user_id(),
            created_at: now,
            expires_at: now + INVITATION_TTL,
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        w.insert(invitation::ActiveModel::from(model.clone()))
            .await?;
        w.audit(
            Record::new("member.invite", "invitation", model.id)
                .in_org(organization_id)
                .details(json!({ "email": email, "role": role.as_str() })),
        );
        Ok((model, token))
    })
}

/// Not yet accepted or revoked (expiry is checked where it matters).
fn pending() -> Condition {
    Condition::all()
        .add(invitation::Column::AcceptedAt.is_null())
        .add(invitation::Column::RevokedAt.is_null())
}

/// Revoke every pending invitation `inviter` sent, in any organization
/// (inside the caller's write), each recorded with `reason`.
pub(crate) async fn revoke_sent_by(
    w: &mut Write<'_>,
    inviter: Uuid,
    reason: &str,
) -> ApiResult<()> {
    let pending = invitation::Entity::find()
        .filter(invitation::Column::InvitedBy.eq(inviter))
        .filter(pending())
        .all(w.tx())
        .await?;
    revoke_all(w.tx(), &pending, w.now()).await?;
    w.audit_all(pending.iter().map(|i| revoked(i, Some(reason))));
    Ok(())
}

/// Pending invitations of an organization where `column` (the e-mail, or
/// the inviter) equals `value`.
async fn pending_for<V>(
    tx: &impl ConnectionTrait,
    organization_id: Uuid,
    column: invitation::Column,
    value: V,
) -> ApiResult<Vec<invitation::Model>>
where
    V: Into<sea_orm::Value>,
{
    Ok(invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(column.eq(value))
        .filter(pending())
        .all(tx)
        .await?)
}

/// Revoke these invitations (inside the caller's transaction).
async fn revoke_all(
    tx: &impl ConnectionTrait,
    invitations: &[invitation::Model],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if !invitations.is_empty() {
        invitation::Entity::update_many()
            .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
            .filter(invitation::Column::Id.is_in(invitations.iter().map(|i| i.id)))
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// Accept an invitation: single use, unexpired, only by the signed-in user
/// whose e-mail it names, and only while its inviter may still grant it.
pub async fn accept(ctx: &Ctx, token: &str) -> ApiResult<membership::Model> {
    let user_id = policy::require_unbound(&ctx.viewer)?.id;
    mutate!(ctx, |w| {
        let now = w.now();
        let invitation = invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(secret::hash(token.trim())))
            .one(w.tx())
            .await?
            .ok_or(ApiError::NotFound("invitation"))?;
        let user = crate::db::find::<user::Entity>(w.tx(), user_id, "user").await?;
        policy::ensure_invitation_is_for(&user.email, &invitation.email)?;
        let used = || {
            ApiError::bad_input(
                "token",
                "this invitation has already been used or was replaced",
            )
        };
        if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() {
            return Err(used());
        }
        if invitation.expires_at <= now {
            return Err(ApiError::bad_input(
                "token",
                "this invitation has expired; ask for a new one",
            ));
        }
        // The inviter must still be able to grant the role: an ADMIN who
        // was removed or demoted since cannot bring anyone in through an
        // old invitation. (Removal and demotion revoke such invitations as
        // well.)
        w.act_for(invitation.organization_id, Lock::Exclusive)
            .await?;
        let inviter_role =
            policy::inviter_role(w.tx(), invitation.organization_id, invitation.invited_by).await?;
        if !policy::inviter_may_grant(invitation.organization_id, inviter_role, invitation.role) {
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
            .exec(w.tx())
            .await?;
        if claimed.rows_affected != 1 {
            return Err(used());
        }
        let membership = insert(
            w.tx(),
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
        w.audit(
            Record::new("member.join", "membership", membership.id)
                .in_org(invitation.organization_id)
                .details(
                    json!({ "invitationId": invitation.id, "role": invitation.role.as_str() }),
                ),
        );
        Ok(membership)
    })
}

/// Revoke the pending invitations `inviter` made in `organization_id` that
/// `role` (their role from now on; `None` when they leave) no longer lets
/// them grant — inside the caller's write.
pub(super) async fn revoke_beyond(
    w: &mut Write<'_>,
    organization_id: Uuid,
    inviter: Uuid,
    role: Option<Role>,
    reason: &str,
) -> ApiResult<()> {
    let pending = pending_for(
        w.tx(),
        organization_id,
        invitation::Column::InvitedBy,
        inviter,
    )
    .await?;
    let doomed: Vec<invitation::Model> = pending
        .into_iter()
        .filter(|i| !policy::inviter_may_grant(organization_id, role, i.role))
        .collect();
    revoke_all(w.tx(), &doomed, w.now()).await?;
    w.audit_all(doomed.iter().map(|i| revoked(i, Some(reason))));
    Ok(())
}

/// Invitations not yet accepted, revoked or expired, oldest first: for
/// ADMIN+ (and platform admins); everyone else gets an empty list.
pub async fn pending_invitations(
    ctx: &Ctx,
    organization_id: Uuid,
) -> ApiResult<Vec<invitation::Model>> {
    if !policy::can_view_invitations(&policy::read_access(ctx, organization_id).await?) {
        return Ok(Vec::new());
    }
    ctx.reads().pending_invitations(organization_id).await
}

/// Revoke a pending invitation: whoever could make it now (ADMIN+; OWNER
/// for an OWNER invitation). Others who may not see the organization's
/// invitations get NOT_FOUND.
pub async fn revoke_invitation(ctx: &Ctx, id: Uuid) -> ApiResult<invitation::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let missing = || ApiError::NotFound("invitation");
        let organization_id = invitation::Entity::find_by_id(id)
            .select_only()
            .column(invitation::Column::OrganizationId)
            .into_tuple::<Uuid>()
            .one(w.tx())
            .await?
            .ok_or_else(missing)?;
        let access = w.act_for(organization_id, Lock::Exclusive).await?;
        if !policy::can_view_invitations(&access) {
            return Err(missing());
        }
        let current = invitation::Entity::find_by_id(id)
            .one(w.tx())
            .await?
            .ok_or_else(missing)?;
        policy::ensure_can_revoke_invitation(&access, current.role)?;
        if current.accepted_at.is_some()
            || current.revoked_at.is_some()
            || current.expires_at <= w.now()
        {
            return Err(ApiError::bad_input(
                "id",
                "this invitation is no longer pending (accepted, revoked or expired)",
            ));
        }
        revoke_all(w.tx(), std::slice::from_ref(&current), w.now()).await?;
        w.audit(revoked(&current, None));
        Ok(invitation::Model {
            revoked_at: Some(w.now()),
            ..current
        })
    })
}
