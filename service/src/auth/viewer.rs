//! The caller of a request, established once from the `Authorization`
//! header. What the caller may do is decided in [`crate::policy`], never here.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryResult,
};
use uuid::Uuid;

use super::jwt::JwtKeys;
use super::secret;
use crate::error::ApiError;
use entity::{Role, api_token, membership, session, user};

#[derive(Debug, Clone)]
pub struct ViewerUser {
    pub id: Uuid,
    pub is_platform_admin: bool,
    /// The user's stored role in each organization, read with the
    /// credential in one statement: what the request's reads use for
    /// "the viewer's role". Writes read the role again under the
    /// organization's lock ([`crate::policy::org_access`]). `None` for a
    /// viewer made without authentication (the demo loader, tests).
    pub roles: Option<Arc<HashMap<Uuid, Role>>>,
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

/// The credential's row (`table` aliased `c`, matched by `filter`), its
/// user (`u`) and the user's memberships (`m`, one row each, or one row of
/// NULLs): authentication in one statement.
async fn credential_rows<C: EntityTrait>(
    db: &impl ConnectionTrait,
    user_col: C::Column,
    filter: Expr,
) -> Result<Vec<QueryResult>, ApiError> {
    let mut q = Query::select();
    crate::db::select_prefixed::<C>(&mut q, Alias::new("c"), "c_");
    crate::db::select_prefixed::<user::Entity>(&mut q, Alias::new("u"), "u_");
    q.expr_as(
        Expr::col((Alias::new("m"), membership::Column::OrganizationId)),
        Alias::new("m_organization_id"),
    )
    .expr_as(
        Expr::col((Alias::new("m"), membership::Column::Role)),
        Alias::new("m_role"),
    )
    .from_as(C::default(), Alias::new("c"))
    .join_as(
        JoinType::InnerJoin,
        user::Entity,
        Alias::new("u"),
        Expr::col((Alias::new("u"), user::Column::Id)).equals((Alias::new("c"), user_col)),
    )
    .join_as(
        JoinType::LeftJoin,
        membership::Entity,
        Alias::new("m"),
        Expr::col((Alias::new("m"), membership::Column::UserId))
            .equals((Alias::new("u"), user::Column::Id)),
    )
    .and_where(filter);
    Ok(db.query_all(&q).await?)
}

/// A credential's row, its user and the user's stored roles.
type CredentialRows<M> = (M, user::Model, HashMap<Uuid, Role>);

/// The credential, its user (unless suspended) and the user's roles, from
/// [`credential_rows`]; `None` when there is no such credential or user.
fn read_credential<M: FromQueryResult>(
    rows: &[QueryResult],
) -> Result<Option<CredentialRows<M>>, ApiError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let credential = M::from_query_result(first, "c_")?;
    let account = user::Model::from_query_result(first, "u_")?;
    if !crate::policy::can_act(&account) {
        return Ok(None);
    }
    let mut roles = HashMap::new();
    for row in rows {
        let org: Option<Uuid> = row.try_get("", "m_organization_id")?;
        let role: Option<Role> = row.try_get("", "m_role")?;
        if let (Some(org), Some(role)) = (org, role) {
            roles.insert(org, role);
        }
    }
    Ok(Some((credential, account, roles)))
}

fn viewer_user(account: &user::Model, roles: HashMap<Uuid, Role>) -> ViewerUser {
    ViewerUser {
        id: account.id,
        is_platform_admin: account.is_platform_admin,
        roles: Some(Arc::new(roles)),
    }
}

async fn authenticate_access_token(
    db: &impl ConnectionTrait,
    jwt: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Viewer, ApiError> {
    let access = jwt.verify(token, now)?;
    let ended = || ApiError::unauthenticated("the session has ended; log in again");
    let rows = credential_rows::<session::Entity>(
        db,
        session::Column::UserId,
        Expr::col((Alias::new("c"), session::Column::Id)).eq(access.session_id),
    )
    .await?;
    let (session, account, roles) = read_credential::<session::Model>(&rows)?.ok_or_else(ended)?;
    if session.user_id != access.user_id
        || session.revoked_at.is_some()
        || session.expires_at <= now
    {
        return Err(ended());
    }
    Ok(Viewer {
        user: Some(viewer_user(&account, roles)),
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
    let rows = credential_rows::<api_token::Entity>(
        db,
        api_token::Column::UserId,
        Expr::col((Alias::new("c"), api_token::Column::TokenHash)).eq(secret::hash(token)),
    )
    .await?;
    let (row, account, roles) = read_credential::<api_token::Model>(&rows)?.ok_or_else(invalid)?;
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) {
        return Err(invalid());
    }
    // A bound token ends with its creator's membership there. (Removal
    // revokes it too; this also covers rows revoked by no one, e.g. an
    // organization's data restored from elsewhere.)
    if let Some(org) = row.organization_id
        && !roles.contains_key(&org)
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
        user: Some(viewer_user(&account, roles)),
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
