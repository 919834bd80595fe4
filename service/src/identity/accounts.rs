//! Accounts: signing up, the operators' own (`yeondae create-admin`), and
//! suspending and reinstating accounts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::sessions::{SessionTokens, end_everything_of, start_session, tokens};
use crate::audit::Record;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::membership::invitations;
use crate::mutate;
use crate::policy;
use crate::validate;
use entity::{membership, user};

pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

/// Create an account and sign it in.
pub async fn sign_up(
    ctx: &Ctx,
    hasher: &PasswordHasher,
    jwt: &JwtKeys,
    input: SignUp,
) -> ApiResult<SessionTokens> {
    let email = validate::email("email", &input.email)?;
    let display_name = validate::line("displayName", &input.display_name, 100)?;
    let password_hash = hasher.hash(&input.password).await?;
    let user = user::Model {
        id: Uuid::now_v7(),
        email,
        display_name,
        password_hash,
        is_platform_admin: false,
        created_at: ctx.now(),
        suspended_at: None,
        suspended_by: None,
    };
    let (session, refresh) = mutate!(ctx, |w| {
        w.insert(user::ActiveModel::from(user.clone())).await?;
        let (session, refresh) = start_session(w.tx(), user.id, w.now()).await?;
        w.audit(Record::new("user.sign_up", "user", user.id).by(user.id));
        Ok((session, refresh))
    })?;
    tokens(jwt, user, &session, refresh, ctx.now())
}

/// The outcome of `yeondae create-admin`.
pub enum AdminOutcome {
    Created(user::Model),
    Promoted(user::Model),
    AlreadyAdmin(user::Model),
}

/// Create a platform admin, or promote an existing account (whose password
/// is then left alone). For the command line, which runs as nobody.
pub async fn create_admin(
    ctx: &Ctx,
    hasher: &PasswordHasher,
    email: &str,
    password: Option<&str>,
    display_name: Option<&str>,
) -> ApiResult<AdminOutcome> {
    let email = validate::email("email", email)?;
    let existing = user::Entity::find()
        .filter(crate::identity::email_is(&email))
        .one(ctx.db())
        .await?;
    if let Some(user) = existing {
        if user.is_platform_admin {
            return Ok(AdminOutcome::AlreadyAdmin(user));
        }
        mutate!(ctx, |w| {
            user::Entity::update_many()
                .col_expr(user::Column::IsPlatformAdmin, Expr::value(true))
                .filter(user::Column::Id.eq(user.id))
                .exec(w.tx())
                .await?;
            w.audit(Record::new("user.promote_admin", "user", user.id));
            Ok(())
        })?;
        return Ok(AdminOutcome::Promoted(user::Model {
            is_platform_admin: true,
            ..user
        }));
    }
    let password = password
        .ok_or_else(|| ApiError::bad_input("password", "a new account needs a password"))?;
    let default_name = email.split('@').next().unwrap_or("admin").to_owned();
    let display_name = validate::line("displayName", display_name.unwrap_or(&default_name), 100)?;
    let user = user::Model {
        id: Uuid::now_v7(),
        email,
        display_name,
        password_hash: hasher.hash(password).await?,
        is_platform_admin: true,
        created_at: ctx.now(),
        suspended_at: None,
        suspended_by: None,
    };
    mutate!(ctx, |w| {
        w.insert(user::ActiveModel::from(user.clone())).await?;
        w.audit(Record::new("user.create_admin", "user", user.id));
        Ok(())
    })?;
    Ok(AdminOutcome::Created(user))
}

/// Suspend an account (platform admins, signed in with a password): it
/// cannot sign in, and its sessions, API tokens and pending invitations end
/// at once. Its memberships stay, so an organization whose every OWNER is
/// suspended can have one restored.
pub async fn suspend(ctx: &Ctx, user_id: Uuid, reason: &str) -> ApiResult<user::Model> {
    let operator = policy::ensure_can_manage_accounts(&ctx.viewer)?.id;
    let reason = validate::required_text("reason", reason, 500)?;
    mutate!(ctx, |w| {
        let now = w.now();
        let user = crate::db::find::<user::Entity>(w.tx(), user_id, "user").await?;
        policy::ensure_can_suspend(operator, &user)?;
        if user.suspended_at.is_some() {
            return Ok(user);
        }
        user::Entity::update_many()
            .col_expr(user::Column::SuspendedAt, Expr::value(Some(now)))
            .col_expr(user::Column::SuspendedBy, Expr::value(Some(operator)))
            .filter(user::Column::Id.eq(user_id))
            .exec(w.tx())
            .await?;
        end_everything_of(w.tx(), user_id, now, "suspended", true).await?;
        // Each of their organizations hears of it in its own log (the
        // reason stays with the operators).
        let organizations: Vec<Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::OrganizationId)
            .filter(membership::Column::UserId.eq(user_id))
            .into_tuple()
            .all(w.tx())
            .await?;
        w.audit(
            Record::new("user.suspend", "user", user_id)
                .details(json!({ "userId": user_id, "reason": reason })),
        );
        w.audit_all(organizations.into_iter().map(|org| {
            Record::new("user.suspend", "user", user_id)
                .in_org(org)
                .details(json!({ "userId": user_id }))
        }));
        invitations::revoke_sent_by(w, user_id, "the inviter was suspended").await?;
        Ok(user::Model {
            suspended_at: Some(now),
            suspended_by: Some(operator),
            ..user
        })
    })
}

/// Lift a suspension (platform admins, signed in with a password). Revoked
/// tokens and invitations stay revoked.
pub async fn reinstate(ctx: &Ctx, user_id: Uuid) -> ApiResult<user::Model> {
    policy::ensure_can_manage_accounts(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let user = crate::db::find::<user::Entity>(w.tx(), user_id, "user").await?;
        if user.suspended_at.is_none() {
            return Ok(user);
        }
        user::Entity::update_many()
            .col_expr(
                user::Column::SuspendedAt,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(user::Column::SuspendedBy, Expr::value(None::<Uuid>))
            .filter(user::Column::Id.eq(user_id))
            .exec(w.tx())
            .await?;
        w.audit(Record::new("user.reinstate", "user", user_id));
        Ok(user::Model {
            suspended_at: None,
            suspended_by: None,
            ..user
        })
    })
}
