//! The one error type of the domain. Its variants *are* the contract's
//! `extensions.code` values; each transport turns an error into its own
//! shape (a GraphQL error, an HTTP status) from [`ApiError::code`],
//! [`ApiError::extensions`] and [`ApiError::message`], and internal errors
//! are logged once, by [`ApiError::log_internal`], and masked.

use sea_orm::DbErr;
use serde_json::{Value, json};

use migration::constraints::{self, Named};

/// Deliberately not `Display`: a transport's blanket conversion of anything
/// displayable would carry its text and no code.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated(String),
    Forbidden(String),
    /// Something that does not exist *for this viewer*: never say which.
    NotFound(&'static str),
    BadUserInput {
        field: String,
        message: String,
    },
    Conflict {
        message: String,
        field: Option<String>,
        /// Extra machine-readable detail, e.g. the clashing intervals of a booking.
        conflicts: Option<Value>,
    },
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// The database could not be reached in time (no free connection, the
    /// server gone): HTTP 503 with `Retry-After`. The cause is logged once.
    Unavailable(anyhow::Error),
    /// Lost a race the database resolved by aborting us (deadlock,
    /// serialization failure, busy database): safe to retry; reported as
    /// CONFLICT when retries run out.
    Transient,
    QueryTooComplex(String),
    Internal(anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What an UNAVAILABLE answer asks the client to wait.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::Unavailable(_) => "UNAVAILABLE",
            ApiError::Transient => "CONFLICT",
            ApiError::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The client-facing message; internal errors say nothing more.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::QueryTooComplex(m) => m.clone(),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::BadUserInput { message, .. }
            | ApiError::Conflict { message, .. }
            | ApiError::RateLimited { message, .. } => message.clone(),
            ApiError::Transient => {
                "the request collided with a concurrent change; try again".to_owned()
            }
            ApiError::Unavailable(_) => {
                "the service cannot reach its database right now; try again shortly".to_owned()
            }
            ApiError::Internal(_) => "internal error".to_owned(),
        }
    }

    /// What a client is told besides the message: `code`, and `field`,
    /// `conflicts` or `retryAfterSeconds` where they apply.
    pub fn extensions(&self) -> serde_json::Map<String, Value> {
        let mut ext = serde_json::Map::new();
        ext.insert("code".into(), json!(self.code()));
        match self {
            ApiError::BadUserInput { field, .. } => {
                ext.insert("field".into(), json!(field));
            }
            ApiError::Conflict {
                field, conflicts, ..
            } => {
                if let Some(field) = field {
                    ext.insert("field".into(), json!(field));
                }
                if let Some(conflicts) = conflicts {
                    ext.insert("conflicts".into(), conflicts.clone());
                }
            }
            ApiError::RateLimited {
                retry_after_secs, ..
            } => {
                ext.insert("retryAfterSeconds".into(), json!(retry_after_secs));
            }
            ApiError::Unavailable(_) => {
                ext.insert("retryAfterSeconds".into(), json!(UNAVAILABLE_RETRY_SECS));
            }
            _ => {}
        }
        ext
    }

    /// Log an internal error with its cause chain — the one place that
    /// happens; transports call it as they mask the error.
    pub fn log_internal(&self) {
        match self {
            ApiError::Internal(source) => {
                tracing::error!(error = format!("{source:#}"), "internal error");
            }
            ApiError::Unavailable(source) => {
                tracing::warn!(error = format!("{source:#}"), "database unavailable");
            }
            _ => {}
        }
    }

    /// How long a client should wait before trying again, where it should.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden(message.into())
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        ApiError::Unauthenticated(message.into())
    }

    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            message: message.into(),
            field: field.map(str::to_owned),
            conflicts: None,
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(error.into())
    }
}

/// A named violation and the client's error it stands for.
type Violation = (Named, fn() -> ApiError);

/// Constraint and trigger violations that are the client's doing, mapped to
/// the error the client should see. The names are the migration's own
/// constants ([`migration::constraints`]): a PostgreSQL message names the
/// constraint (`... unique constraint "users_email_key"`), an SQLite one the
/// columns (`UNIQUE constraint failed: users.email`); triggers raise the
/// constant's marker on both. A test violates each one on both databases.
const KNOWN_VIOLATIONS: &[Violation] = &[
    (constraints::USERS_EMAIL, || {
        ApiError::conflict(Some("email"), "an account with this e-mail already exists")
    }),
    (constraints::ORGANIZATIONS_SLUG, || {
        ApiError::conflict(Some("slug"), "this slug is already taken")
    }),
    (constraints::MEMBERSHIPS_ORG_USER, || {
        ApiError::conflict(
            Some("userId"),
            "the user is already a member of this organization",
        )
    }),
    (constraints::BOOKINGS_NO_OVERLAP, || {
        ApiError::conflict(
            Some("startsAt"),
            "the space is already booked for that time",
        )
    }),
    (constraints::AGREEMENT_PARTIES_AGREEMENT_ORG, || {
        ApiError::conflict(
            Some("organizationId"),
            "this organization is already a party",
        )
    }),
    (constraints::AGREEMENT_CONSENTS_ANSWER, || {
        ApiError::conflict(
            Some("organizationId"),
            "this organization has already answered for the newcomer",
        )
    }),
    (constraints::PROJECT_PARTICIPANTS_KEY, || {
        ApiError::conflict(
            Some("organizationId"),
            "this organization already takes part in the project",
        )
    }),
    (constraints::ENDORSEMENTS_KEY, || {
        ApiError::conflict(
            Some("organizationId"),
            "this organization has already endorsed the action",
        )
    }),
    (constraints::EVENT_CO_HOSTS_KEY, || {
        ApiError::conflict(Some("coHostIds"), "an organization co-hosts an event once")
    }),
    (constraints::EVENT_INVITEES_KEY, || {
        ApiError::conflict(Some("inviteeUserIds"), "a person is invited once")
    }),
    (constraints::RSVPS_KEY, || {
        ApiError::conflict(Some("eventId"), "this person has already answered")
    }),
    (constraints::MEMBER_GROUPS_NAME, || {
        ApiError::conflict(
            Some("name"),
            "this organization already has a group of that name",
        )
    }),
    (constraints::EVENT_FULL, || {
        ApiError::conflict(
            Some("capacity"),
            "the event has no seat left for this (or fewer seats than people GOING)",
        )
    }),
    (constraints::LAST_OWNER, || {
        ApiError::bad_input("role", "an organization must keep at least one OWNER")
    }),
];

/// The error a database message stands for, if it names a known violation.
pub fn known_violation(message: &str) -> Option<ApiError> {
    KNOWN_VIOLATIONS
        .iter()
        .find(|(named, _)| named.matches(message))
        .map(|(_, to_error)| to_error())
}

/// The driver's code and message for a database-side error, if this is one.
pub fn database_error(e: &DbErr) -> Option<(String, String)> {
    use sea_orm::RuntimeErr;
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner))
        | DbErr::Conn(RuntimeErr::SqlxError(inner)) => match inner.as_ref() {
            sea_orm::sqlx::Error::Database(db) => Some((
                db.code().map(|c| c.into_owned()).unwrap_or_default(),
                db.message().to_owned(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// No connection in time, or the server gone: not the request's fault, and
/// not worth retrying at once.
fn unreachable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(inner))
        | DbErr::Exec(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner)) => matches!(
            inner.as_ref(),
            Sqlx::PoolTimedOut
                | Sqlx::PoolClosed
                | Sqlx::Io(_)
                | Sqlx::Tls(_)
                | Sqlx::WorkerCrashed
        ),
        _ => false,
    }
}

/// PostgreSQL deadlock / serialization failure; SQLite busy or locked.
const TRANSIENT_CODES: &[&str] = &["40P01", "40001", "5", "6", "517"];

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        if unreachable(&e) {
            return ApiError::Unavailable(anyhow::Error::new(e));
        }
        if let Some((code, message)) = database_error(&e) {
            if TRANSIENT_CODES.contains(&code.as_str()) {
                return ApiError::Transient;
            }
            if let Some(known) = known_violation(&message) {
                return known;
            }
        }
        ApiError::Internal(anyhow::Error::new(e))
    }
}
