//! The one error type of the API. Its variants *are* the contract's
//! `extensions.code` values; converting to a GraphQL error is the only place
//! where codes, fields and messages are attached, and where internal errors
//! are logged (once) and masked.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Deliberately not `Display`: async-graphql converts anything `Display`
/// into an error carrying its text and no code, so without it the only way
/// out of a resolver is [`ApiError::to_graphql`], with code and masking.
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
        conflicts: Option<async_graphql::Value>,
    },
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// Lost a race the database resolved by aborting us (deadlock,
    /// serialization failure, busy database): safe to retry; reported as
    /// CONFLICT when retries run out.
    Transient,
    QueryTooComplex(String),
    Internal(anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
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
            ApiError::Internal(_) => "internal error".to_owned(),
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

    /// The GraphQL error sent to the client. Internal errors are logged here,
    /// with their cause chain, and reach the client as a bare "internal error".
    pub fn to_graphql(&self) -> async_graphql::Error {
        if let ApiError::Internal(source) = self {
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        let code = self.code();
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", code);
            match self {
                ApiError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                ApiError::Conflict {
                    field, conflicts, ..
                } => {
                    if let Some(field) = field {
                        ext.set("field", field.as_str());
                    }
                    if let Some(conflicts) = conflicts {
                        ext.set("conflicts", conflicts.clone());
                    }
                }
                ApiError::RateLimited {
                    retry_after_secs, ..
                } => ext.set("retryAfterSeconds", *retry_after_secs),
                _ => {}
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        e.to_graphql()
    }
}

/// Constraint and trigger violations that are the client's doing, mapped by
/// name to the error the client should see. A PostgreSQL message names the
/// constraint (`... unique constraint "users_email_key"`), an SQLite one the
/// columns (`UNIQUE constraint failed: users.email`); triggers raise a
/// `yd_...` marker on both.
struct KnownViolation {
    markers: &'static [&'static str],
    to_error: fn() -> ApiError,
}

const KNOWN_VIOLATIONS: &[KnownViolation] = &[
    KnownViolation {
        markers: &["users_email_key", "users.email"],
        to_error: || {
            ApiError::conflict(Some("email"), "an account with this e-mail already exists")
        },
    },
    KnownViolation {
        markers: &["organizations_slug_key", "organizations.slug"],
        to_error: || ApiError::conflict(Some("slug"), "this slug is already taken"),
    },
    KnownViolation {
        markers: &[
            "memberships_org_user_key",
            "memberships.organization_id, memberships.user_id",
        ],
        to_error: || {
            ApiError::conflict(
                Some("userId"),
                "the user is already a member of this organization",
            )
        },
    },
    KnownViolation {
        markers: &["bookings_no_overlap", "yd_booking_overlap"],
        to_error: || {
            ApiError::conflict(
                Some("startsAt"),
                "the space is already booked for that time",
            )
        },
    },
    KnownViolation {
        markers: &[
            "agreement_parties_agreement_org_key",
            "agreement_parties.agreement_id, agreement_parties.organization_id",
        ],
        to_error: || {
            ApiError::conflict(
                Some("organizationId"),
                "this organization is already a party",
            )
        },
    },
    KnownViolation {
        markers: &["yd_last_owner"],
        to_error: || ApiError::bad_input("role", "an organization must keep at least one OWNER"),
    },
];

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

/// PostgreSQL deadlock / serialization failure; SQLite busy or locked.
const TRANSIENT_CODES: &[&str] = &["40P01", "40001", "5", "6", "517"];

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        if matches!(e, DbErr::ConnectionAcquire(_)) {
            // The pool stayed busy past its timeout: overload, worth a retry.
            return ApiError::Transient;
        }
        if let Some((code, message)) = database_error(&e) {
            if TRANSIENT_CODES.contains(&code.as_str()) {
                return ApiError::Transient;
            }
            for known in KNOWN_VIOLATIONS {
                if known.markers.iter().any(|m| message.contains(m)) {
                    return (known.to_error)();
                }
            }
        }
        ApiError::Internal(anyhow::Error::new(e))
    }
}
