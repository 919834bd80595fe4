//! The caller of a request, established once from the `Authorization`
//! header. What the caller may do is decided in [`crate::policy`], never here.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::jwt::JwtKeys;
use super::secret;
use crate::error::ApiError;
use entity::{Role, api_token, session, user};

#[derive(Debug, Clone)]
pub struct ViewerUser {
    pub id: Uuid,
    pub is_platform_admin: bool,
}

#[derive(Debug, Clone)]
pub enum Credential {
    Anonymous,
    /// An access token of a log-in session.
    Session {
        session_id: Uuid,
    },
    /// A personal API token.
    ApiToken {
        token_id: Uuid,
        can_read: bool,
        can_write: bool,
        organization_id: Option<Uuid>,
        /// For a bound token, the role it was made under: the most it may
        /// act as there (see [`crate::policy::effective_role`]).
        role_cap: Option<Role>,
    },
}

#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Option<ViewerUser>,
    pub credential: Credential,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Viewer {
            user: None,
            credential: Credential::Anonymous,
        }
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn api_token_id(&self) -> Option<Uuid> {
        match self.credential {
            Credential::ApiToken { token_id, .. } => Some(token_id),
            _ => None,
        }
    }
}

/// `lastUsedAt` is written at most this often per token, so a busy tool does
/// not turn every read into a write.
const LAST_USED_GRANULARITY: TimeDelta = TimeDelta::seconds(60);

/// Resolve the `Authorization` header. No header: anonymous. A header that
/// does not check out is an error (the request is refused with
/// UNAUTHENTICATED), never a silent downgrade to anonymous.
pub async fn authenticate(
    db: &DatabaseConnection,
    writer: &DatabaseConnection,
    jwt: &JwtKeys,
    now: DateTime<Utc>,
    authorization: Option<&str>,
) -> Result<Viewer, ApiError> {
    let Some(header) = authorization else {
        return Ok(Viewer::anonymous());
    };
    let token = bearer(header).ok_or_else(|| {
        ApiError::unauthenticated("the Authorization header must be `Bearer <token>`")
    })?;
    if token.starts_with(secret::API_TOKEN_PREFIX) {
        authenticate_api_token(db, writer, token, now).await
    } else {
        authenticate_access_token(db, jwt, token, now).await
    }
}

/// The token of a `Bearer` Authorization header: the scheme in any case
/// (RFC 9110 §11.1), then one token with no spaces in it.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// A calendar feed's credential (its `Authorization` header's bearer token,
/// else its `?token=`): an API token only, never an access token, since
/// feed URLs end up in logs and calendar settings.
pub async fn authenticate_feed(
    db: &DatabaseConnection,
    writer: &DatabaseConnection,
    now: DateTime<Utc>,
    token: Option<&str>,
) -> Result<Viewer, ApiError> {
    match token {
        Some(t) if t.starts_with(secret::API_TOKEN_PREFIX) => {
            authenticate_api_token(db, writer, t, now).await
        }
        _ => Err(ApiError::unauthenticated(
            "calendar feeds need an API token (yd_pat_…) in Authorization or ?token=",
        )),
    }
}

/// The user a credential speaks for, unless they are gone or suspended.
async fn active_user(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<user::Model>, ApiError> {
    Ok(user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(crate::policy::can_act))
}

async fn authenticate_access_token(
    db: &impl ConnectionTrait,
    jwt: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Viewer, ApiError> {
    let access = jwt.verify(token, now)?;
    let ended = || ApiError::unauthenticated("the session has ended; log in again");
    let session = session::Entity::find_by_id(access.session_id)
        .one(db)
        .await?
        .ok_or_else(ended)?;
    if session.user_id != access.user_id
        || session.revoked_at.is_some()
        || session.expires_at <= now
    {
        return Err(ended());
    }
    let user = active_user(db, access.user_id).await?.ok_or_else(ended)?;
    Ok(Viewer {
        user: Some(ViewerUser {
            id: user.id,
            is_platform_admin: user.is_platform_admin,
        }),
        credential: Credential::Session {
            session_id: session.id,
        },
    })
}

async fn authenticate_api_token(
    db: &impl ConnectionTrait,
    writer: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Viewer, ApiError> {
    let invalid = || ApiError::unauthenticated("invalid, expired or revoked API token");
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret::hash(token)))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) {
        return Err(invalid());
    }
    let user = active_user(db, row.user_id).await?.ok_or_else(invalid)?;
    // A bound token ends with its creator's membership there. (Removal
    // revokes it too; this also covers rows revoked by no one, e.g. an
    // organization's data restored from elsewhere.)
    if let Some(org) = row.organization_id
        && crate::policy::stored_role(db, org, user.id)
            .await?
            .is_none()
    {
        return Err(ApiError::unauthenticated(
            "this API token's organization membership has ended; the token no longer works",
        ));
    }
    if row
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_GRANULARITY)
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_token::Column::Id.eq(row.id))
            .exec(writer)
            .await?;
    }
    let (can_read, can_write) = (row.can_read(), row.can_write());
    Ok(Viewer {
        user: Some(ViewerUser {
            id: user.id,
            is_platform_admin: user.is_platform_admin,
        }),
        credential: Credential::ApiToken {
            token_id: row.id,
            can_read,
            can_write,
            organization_id: row.organization_id,
            // A bound token without a recorded role acts as a MEMBER at most.
            role_cap: row
                .organization_id
                .map(|_| row.role.unwrap_or(Role::Member)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        for header in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc "] {
            assert_eq!(bearer(header), Some("abc"), "{header}");
        }
        for header in [
            "Basic abc",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Bearer a b",
            "abc",
        ] {
            assert_eq!(bearer(header), None, "{header}");
        }
    }
}
