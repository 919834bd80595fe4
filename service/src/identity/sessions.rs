//! Sessions: log-in opens one (a refresh-token family); each refresh token
//! works once, and a replayed one ends the whole session; logging out, or
//! out everywhere, ends them.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::throttle;
use crate::audit::Record;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::secret;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy;
use crate::validate;
use entity::{api_token, refresh_token, session, user};

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

/// Start a session (refresh-token family) for `user_id`, inside `tx`.
pub(super) async fn start_session(
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

pub(super) fn tokens(
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

pub(super) fn suspended() -> ApiError {
    ApiError::unauthenticated("this account is suspended; ask the coalition's operators")
}

/// Check e-mail and password and start a session. Wrong password and unknown
/// e-mail are the same error, cost the same time and count towards the same
/// lockout.
pub async fn log_in(
    ctx: &Ctx,
    hasher: &PasswordHasher,
    jwt: &JwtKeys,
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
    // Counted before the password is checked, in its own transaction.
    let attempt = throttle::Attempt::new(&email, ctx.client());
    let locked = mutate!(ctx, |w| {
        throttle::count_attempt(w.tx(), &attempt, w.now()).await
    })?;
    if let Some(secs) = locked {
        return Err(throttle::locked(secs));
    }
    let user = user::Entity::find()
        .filter(crate::identity::email_is(&email))
        .one(ctx.db())
        .await?;
    let ok = hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::unauthenticated("wrong e-mail or password"));
    };
    // Told only to someone who knows the password.
    if !policy::can_act(&user) {
        return Err(suspended());
    }
    let (session, refresh) = mutate!(ctx, |w| {
        throttle::clear(w.tx(), &attempt).await?;
        let (session, refresh) = start_session(w.tx(), user.id, w.now()).await?;
        w.audit(Record::new("session.log_in", "session", session.id).by(user.id));
        Ok((session, refresh))
    })?;
    tokens(jwt, user, &session, refresh, ctx.now())
}

async fn revoke_session(
    tx: &impl ConnectionTrait,
    session_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> ApiResult<bool> {
    let ended = close_sessions(tx, session::Column::Id.eq(session_id), now, reason).await?;
    Ok(ended == 1)
}

/// End the open sessions matching `which`; returns how many ended.
async fn close_sessions(
    tx: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
    now: DateTime<Utc>,
    reason: &str,
) -> ApiResult<u64> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(
            session::Column::RevokedReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(which)
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(result.rows_affected)
}

/// How a refresh went: a new pair, or a replay that ended the session (the
/// revocation commits, then the client is told no).
enum Refreshed {
    Tokens(Box<(user::Model, session::Model, String)>),
    Replayed,
}

/// Trade a refresh token for a new access token and a new refresh token.
/// A refresh token works once: presenting one that was already used means
/// it was copied, and the whole session is revoked.
pub async fn refresh(ctx: &Ctx, jwt: &JwtKeys, token: &str) -> ApiResult<SessionTokens> {
    let invalid = || ApiError::unauthenticated("invalid or expired refresh token; log in again");
    let outcome = mutate!(ctx, |w| {
        let now = w.now();
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(secret::hash(token.trim())))
            .one(w.tx())
            .await?
            .ok_or_else(invalid)?;
        let session = session::Entity::find_by_id(row.session_id)
            .one(w.tx())
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
            .exec(w.tx())
            .await?;
        if claimed.rows_affected != 1 {
            revoke_session(w.tx(), session.id, now, "reuse").await?;
            w.audit(
                Record::new("session.revoke", "session", session.id)
                    .by(session.user_id)
                    .details(json!({ "reason": "refresh token reuse" })),
            );
            return Ok(Refreshed::Replayed);
        }
        let user = user::Entity::find_by_id(session.user_id)
            .one(w.tx())
            .await?
            .ok_or_else(invalid)?;
        if !policy::can_act(&user) {
            return Err(suspended());
        }
        let next = issue_refresh_token(w.tx(), &session, now).await?;
        w.audit(Record::new("session.refresh", "session", session.id).by(user.id));
        Ok(Refreshed::Tokens(Box::new((user, session, next))))
    })?;
    match outcome {
        Refreshed::Tokens(pair) => {
            let (user, session, next) = *pair;
            tokens(jwt, user, &session, next, ctx.now())
        }
        Refreshed::Replayed => Err(ApiError::unauthenticated(
            "this refresh token was already used; the session has been revoked, log in again",
        )),
    }
}

/// End the session a refresh token belongs to (and with it, its access
/// tokens). `false` when the token is unknown or the session already ended.
pub async fn log_out(ctx: &Ctx, token: &str) -> ApiResult<bool> {
    mutate!(ctx, |w| {
        let Some(row) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(secret::hash(token.trim())))
            .one(w.tx())
            .await?
        else {
            return Ok(false);
        };
        let Some(session) = session::Entity::find_by_id(row.session_id)
            .one(w.tx())
            .await?
        else {
            return Ok(false);
        };
        if !revoke_session(w.tx(), session.id, w.now(), "logout").await? {
            return Ok(false);
        }
        w.audit(Record::new("session.log_out", "session", session.id).by(session.user_id));
        Ok(true)
    })
}

/// End every open session of a user, and (`tokens_too`) revoke every API
/// token they hold, inside the caller's transaction. Returns the number of
/// sessions ended.
pub(super) async fn end_everything_of(
    tx: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
    tokens_too: bool,
) -> ApiResult<u64> {
    let ended = close_sessions(tx, session::Column::UserId.eq(user_id), now, reason).await?;
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
pub async fn end_sessions(ctx: &Ctx, user_id: Uuid) -> ApiResult<u64> {
    policy::require_unbound(&ctx.viewer)?;
    if !policy::can_end_sessions_of(&ctx.viewer, user_id) {
        return Err(ApiError::NotFound("user"));
    }
    mutate!(ctx, |w| {
        crate::db::find::<user::Entity>(w.tx(), user_id, "user").await?;
        let ended = end_everything_of(w.tx(), user_id, w.now(), "ended", false).await?;
        w.audit(
            Record::new("session.revoke_all", "user", user_id)
                .details(json!({ "sessions": ended })),
        );
        Ok(ended)
    })
}
