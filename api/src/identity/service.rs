use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::throttle;
use crate::audit::{self, Record};
use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::secret;
use crate::auth::viewer::Viewer;
use crate::db::{self, Db, TransactionSession};
use crate::error::{ApiError, ApiResult};
use crate::policy;
use crate::validate;
use entity::{api_token, invitation, membership, refresh_token, session, user};

/// A refresh token lives this long after it is issued (each refresh issues a
/// new one)...
pub const REFRESH_TOKEN_TTL: TimeDelta = TimeDelta::days(30);
/// ...but a session ends this long after log-in, however often it is refreshed.
pub const SESSION_MAX_AGE: TimeDelta = TimeDelta::days(90);

/// What signUp, logIn and refreshSession hand back.
pub struct SessionTokens {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub user: user::Model,
}

pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

/// Start a session (refresh-token family) for `user_id`, inside `tx`.
async fn start_session(
    tx: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<(session::Model, String)> {
    let session = session::Model {
        id: Uuid::now_v7(),
        user_id,
        created_at: now,
        expires_at: now + SESSION_MAX_AGE,
        revoked_at: None,
        revoked_reason: None,
    };
    session::Entity::insert(session::ActiveModel::from(session.clone()))
        .exec_without_returning(tx)
        .await?;
    let token = issue_refresh_token(tx, &session, now).await?;
    Ok((session, token))
}

async fn issue_refresh_token(
    tx: &impl ConnectionTrait,
    session: &session::Model,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let token = secret::generate(secret::REFRESH_TOKEN_PREFIX);
    let row = refresh_token::Model {
        id: Uuid::now_v7(),
        session_id: session.id,
        token_hash: secret::hash(&token),
        created_at: now,
        expires_at: (now + REFRESH_TOKEN_TTL).min(session.expires_at),
        used_at: None,
    };
    refresh_token::Entity::insert(refresh_token::ActiveModel::from(row))
        .exec_without_returning(tx)
        .await?;
    Ok(token)
}

fn tokens(
    jwt: &JwtKeys,
    user: user::Model,
    session: &session::Model,
    refresh_token: String,
    now: DateTime<Utc>,
) -> ApiResult<SessionTokens> {
    let (access_token, access_token_expires_at) = jwt.issue(user.id, session.id, now)?;
    Ok(SessionTokens {
        access_token,
        access_token_expires_at,
        refresh_token,
        user,
    })
}

/// Create an account and sign it in.
pub async fn sign_up(
    db: &impl Db,
    hasher: &PasswordHasher,
    jwt: &JwtKeys,
    viewer: &Viewer,
    now: DateTime<Utc>,
    input: SignUp,
) -> ApiResult<SessionTokens> {
    let email = validate::email("email", &input.email)?;
    let display_name = validate::required_text("displayName", &input.display_name, 100)?;
    let password_hash = hasher.hash(&input.password).await?;
    let user = user::Model {
        id: Uuid::now_v7(),
        email,
        display_name,
        password_hash,
        is_platform_admin: false,
        created_at: now,
        suspended_at: None,
        suspended_by: None,
    };
    let tx = db::begin_write(db).await?;
    user::Entity::insert(user::ActiveModel::from(user.clone()))
        .exec_without_returning(&tx)
        .await?;
    let (session, refresh) = start_session(&tx, user.id, now).await?;
    audit::record(
        &tx,
        viewer,
        Some(user.id),
        now,
        Record::new("user.sign_up", "user", user.id),
    )
    .await?;
    tx.commit().await?;
    tokens(jwt, user, &session, refresh, now)
}

/// Check e-mail and password and start a session. Wrong password and unknown
/// e-mail are the same error, cost the same time and count towards the same
/// lockout.
pub async fn log_in(
    db: &impl Db,
    hasher: &PasswordHasher,
    jwt: &JwtKeys,
    viewer: &Viewer,
    now: DateTime<Utc>,
    email: &str,
    password: &str,
) -> ApiResult<SessionTokens> {
    let email = validate::email("email", email)?;
    if password.is_empty() || password.chars().count() > crate::auth::password::MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_input(
            "password",
            "password must be 1 to 256 characters",
        ));
    }
    throttle::admit(db, &email, now).await?;
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?;
    let ok = hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::unauthenticated("wrong e-mail or password"));
    };
    // Told only to someone who knows the password.
    if user.suspended_at.is_some() {
        return Err(suspended());
    }
    let tx = db::begin_write(db).await?;
    throttle::clear(&tx, &email).await?;
    let (session, refresh) = start_session(&tx, user.id, now).await?;
    audit::record(
        &tx,
        viewer,
        Some(user.id),
        now,
        Record::new("session.log_in", "session", session.id),
    )
    .await?;
    tx.commit().await?;
    tokens(jwt, user, &session, refresh, now)
}

async fn revoke_session(
    tx: &impl ConnectionTrait,
    session_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> ApiResult<bool> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(
            session::Column::RevokedReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Trade a refresh token for a new access token and a new refresh token.
/// A refresh token works once: presenting one that was already used means
/// it was copied, and the whole session is revoked.
pub async fn refresh(
    db: &impl Db,
    jwt: &JwtKeys,
    viewer: &Viewer,
    now: DateTime<Utc>,
    token: &str,
) -> ApiResult<SessionTokens> {
    let invalid = || ApiError::unauthenticated("invalid or expired refresh token; log in again");
    let tx = db::begin_write(db).await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::hash(token.trim())))
        .one(&tx)
        .await?
        .ok_or_else(invalid)?;
    let session = session::Entity::find_by_id(row.session_id)
        .one(&tx)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || session.expires_at <= now || row.expires_at <= now {
        return Err(invalid());
    }
    // Claim the token; if it was used already (now or by a concurrent
    // request), this is a replay: end the session for everyone holding it.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_session(&tx, session.id, now, "reuse").await?;
        audit::record(
            &tx,
            viewer,
            Some(session.user_id),
            now,
            Record::new("session.revoke", "session", session.id)
                .details(json!({ "reason": "refresh token reuse" })),
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::unauthenticated(
            "this refresh token was already used; the session has been revoked, log in again",
        ));
    }
    let user = user::Entity::find_by_id(session.user_id)
        .one(&tx)
        .await?
        .ok_or_else(invalid)?;
    if user.suspended_at.is_some() {
        return Err(suspended());
    }
    let next = issue_refresh_token(&tx, &session, now).await?;
    audit::record(
        &tx,
        viewer,
        Some(user.id),
        now,
        Record::new("session.refresh", "session", session.id),
    )
    .await?;
    tx.commit().await?;
    tokens(jwt, user, &session, next, now)
}

/// End the session a refresh token belongs to (and with it, its access
/// tokens). `false` when the token is unknown or the session already ended.
pub async fn log_out(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    token: &str,
) -> ApiResult<bool> {
    let tx = db::begin_write(db).await?;
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::hash(token.trim())))
        .one(&tx)
        .await?
    else {
        return Ok(false);
    };
    let Some(session) = session::Entity::find_by_id(row.session_id).one(&tx).await? else {
        return Ok(false);
    };
    if !revoke_session(&tx, session.id, now, "logout").await? {
        return Ok(false);
    }
    audit::record(
        &tx,
        viewer,
        Some(session.user_id),
        now,
        Record::new("session.log_out", "session", session.id),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub struct NewApiToken {
    pub name: String,
    pub can_read: bool,
    pub can_write: bool,
    pub organization_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Mint an API token for the signed-in user. The secret is returned once.
pub async fn create_api_token(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    input: NewApiToken,
) -> ApiResult<(api_token::Model, String)> {
    let user_id = policy::require_session(viewer)?.id;
    let name = validate::required_text("name", &input.name, 100)?;
    let scopes = match (input.can_read, input.can_write) {
        (true, true) => "READ,WRITE",
        (false, true) => "WRITE",
        (true, false) => "READ",
        (false, false) => return Err(ApiError::bad_input("scopes", "give at least one scope")),
    };
    if input.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad_input(
            "expiresAt",
            "`expiresAt` must be in the future",
        ));
    }
    let tx = db::begin_write(db).await?;
    // A bound token keeps the role its creator holds there now as the most
    // it may ever act as.
    let role = match input.organization_id {
        Some(org) => {
            let access = policy::org_access(&tx, viewer, org, policy::Lock::Share).await?;
            policy::ensure_can_bind_token(&access)?;
            access.role
        }
        None => None,
    };
    let token = secret::generate(secret::API_TOKEN_PREFIX);
    let model = api_token::Model {
        id: Uuid::now_v7(),
        user_id,
        name,
        scopes: scopes.to_owned(),
        organization_id: input.organization_id,
        token_hash: secret::hash(&token),
        created_at: now,
        expires_at: input.expires_at,
        last_used_at: None,
        revoked_at: None,
        role,
    };
    api_token::Entity::insert(api_token::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    let mut record = Record::new("api_token.create", "api_token", model.id)
        .details(json!({ "name": model.name, "scopes": scopes }));
    record.organization_id = model.organization_id;
    audit::record(&tx, viewer, None, now, record).await?;
    tx.commit().await?;
    Ok((model, token))
}

/// Revoke one of the viewer's tokens (platform admins: anyone's).
pub async fn revoke_api_token(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<api_token::Model> {
    policy::require_session(viewer)?;
    let tx = db::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .filter(|t| policy::can_manage_api_token(viewer, t.user_id))
        .ok_or(ApiError::NotFound("API token"))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    let mut record = Record::new("api_token.revoke", "api_token", id);
    record.organization_id = token.organization_id;
    audit::record(&tx, viewer, None, now, record).await?;
    tx.commit().await?;
    Ok(api_token::Model {
        revoked_at: Some(now),
        ..token
    })
}

fn suspended() -> ApiError {
    ApiError::unauthenticated("this account is suspended; ask the coalition's operators")
}

/// End every open session of a user and revoke every API token they hold
/// (inside the caller's transaction). Returns the number of sessions ended.
async fn end_everything_of(
    tx: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
    tokens_too: bool,
) -> ApiResult<u64> {
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(
            session::Column::RevokedReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?
        .rows_affected;
    if tokens_too {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(tx)
            .await?;
    }
    Ok(ended)
}

/// End every session of a user ("log out everywhere"): the user themself or
/// a platform admin. Their access tokens stop working at once; API tokens
/// are revoked one by one with `revokeApiToken`.
pub async fn end_sessions(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    user_id: Uuid,
) -> ApiResult<u64> {
    policy::require_unbound(viewer)?;
    if !policy::can_end_sessions_of(viewer, user_id) {
        return Err(ApiError::NotFound("user"));
    }
    let tx = db::begin_write(db).await?;
    user::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    let ended = end_everything_of(&tx, user_id, now, "ended", false).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("session.revoke_all", "user", user_id).details(json!({ "sessions": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Suspend an account (platform admins, signed in with a password): it
/// cannot sign in, and its sessions, API tokens and pending invitations end
/// at once. Its memberships stay, so an organization whose every OWNER is
/// suspended can have one restored.
pub async fn suspend(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    user_id: Uuid,
    reason: &str,
) -> ApiResult<user::Model> {
    let operator = policy::ensure_can_manage_accounts(viewer)?.id;
    let reason = validate::required_text("reason", reason, 500)?;
    if operator == user_id {
        return Err(ApiError::bad_input("userId", "you cannot suspend yourself"));
    }
    let tx = db::begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    policy::ensure_can_suspend(&user)?;
    if user.suspended_at.is_some() {
        return Ok(user);
    }
    user::Entity::update_many()
        .col_expr(user::Column::SuspendedAt, Expr::value(Some(now)))
        .col_expr(user::Column::SuspendedBy, Expr::value(Some(operator)))
        .filter(user::Column::Id.eq(user_id))
        .exec(&tx)
        .await?;
    end_everything_of(&tx, user_id, now, "suspended", true).await?;
    // The invitations they sent die with their standing.
    let invitations = invitation::Entity::find()
        .filter(invitation::Column::InvitedBy.eq(user_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .all(&tx)
        .await?;
    if !invitations.is_empty() {
        invitation::Entity::update_many()
            .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
            .filter(invitation::Column::Id.is_in(invitations.iter().map(|i| i.id)))
            .exec(&tx)
            .await?;
    }
    // Each of their organizations hears of it in its own log (the reason
    // stays with the operators).
    let organizations: Vec<Uuid> = membership::Entity::find()
        .select_only()
        .column(membership::Column::OrganizationId)
        .filter(membership::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&tx)
        .await?;
    let mut records = vec![
        Record::new("user.suspend", "user", user_id)
            .details(json!({ "userId": user_id, "reason": reason })),
    ];
    records.extend(organizations.into_iter().map(|org| {
        Record::new("user.suspend", "user", user_id)
            .in_org(org)
            .details(json!({ "userId": user_id }))
    }));
    records.extend(invitations.iter().map(|i| {
        Record::new("member.invitation_revoke", "invitation", i.id)
            .in_org(i.organization_id)
            .details(json!({
                "email": i.email,
                "role": i.role.as_str(),
                "reason": "the inviter was suspended",
            }))
    }));
    audit::record_many(&tx, viewer, now, records).await?;
    tx.commit().await?;
    Ok(user::Model {
        suspended_at: Some(now),
        suspended_by: Some(operator),
        ..user
    })
}

/// Lift a suspension (platform admins, signed in with a password). Revoked
/// tokens and invitations stay revoked.
pub async fn reinstate(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    user_id: Uuid,
) -> ApiResult<user::Model> {
    policy::ensure_can_manage_accounts(viewer)?;
    let tx = db::begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
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
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("user.reinstate", "user", user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(user::Model {
        suspended_at: None,
        suspended_by: None,
        ..user
    })
}

/// The signed-in user's API tokens, newest first.
pub async fn api_tokens_of_viewer(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> ApiResult<Vec<api_token::Model>> {
    let user_id = policy::require_session(viewer)?.id;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// The outcome of `yeondae create-admin`.
pub enum AdminOutcome {
    Created(user::Model),
    Promoted(user::Model),
    AlreadyAdmin(user::Model),
}

/// Create a platform admin, or promote an existing account (whose password
/// is then left alone).
pub async fn create_admin(
    db: &impl Db,
    hasher: &PasswordHasher,
    now: DateTime<Utc>,
    email: &str,
    password: Option<&str>,
    display_name: Option<&str>,
) -> ApiResult<AdminOutcome> {
    let email = validate::email("email", email)?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?;
    let viewer = Viewer::anonymous();
    if let Some(user) = existing {
        if user.is_platform_admin {
            return Ok(AdminOutcome::AlreadyAdmin(user));
        }
        let tx = db::begin_write(db).await?;
        user::Entity::update_many()
            .col_expr(user::Column::IsPlatformAdmin, Expr::value(true))
            .filter(user::Column::Id.eq(user.id))
            .exec(&tx)
            .await?;
        audit::record(
            &tx,
            &viewer,
            None,
            now,
            Record::new("user.promote_admin", "user", user.id),
        )
        .await?;
        tx.commit().await?;
        return Ok(AdminOutcome::Promoted(user::Model {
            is_platform_admin: true,
            ..user
        }));
    }
    let password = password
        .ok_or_else(|| ApiError::bad_input("password", "a new account needs a password"))?;
    let default_name = email.split('@').next().unwrap_or("admin").to_owned();
    let display_name =
        validate::required_text("displayName", display_name.unwrap_or(&default_name), 100)?;
    let user = user::Model {
        id: Uuid::now_v7(),
        email,
        display_name,
        password_hash: hasher.hash(password).await?,
        is_platform_admin: true,
        created_at: now,
        suspended_at: None,
        suspended_by: None,
    };
    let tx = db::begin_write(db).await?;
    user::Entity::insert(user::ActiveModel::from(user.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        &viewer,
        None,
        now,
        Record::new("user.create_admin", "user", user.id),
    )
    .await?;
    tx.commit().await?;
    Ok(AdminOutcome::Created(user))
}
