//! Errors as HTTP answers: the status derived from the error's kind, the
//! body in the GraphQL error shape every client already reads.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use service::ApiError;

/// The HTTP status of an error answered outside GraphQL (feeds, refused
/// requests): what the error's kind means.
pub fn status_of(error: &ApiError) -> StatusCode {
    match error {
        ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::BadUserInput { .. } | ApiError::QueryTooComplex(_) => StatusCode::BAD_REQUEST,
        ApiError::Conflict { .. } | ApiError::Transient => StatusCode::CONFLICT,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_body(error: &ApiError) -> serde_json::Value {
    error.log_internal();
    json!({ "errors": [ { "message": error.message(), "extensions": error.extensions() } ] })
}

/// `error` with an explicit status (a body too large, a wrong content type).
pub fn with_status(status: StatusCode, error: ApiError) -> Response {
    let mut response = (status, Json(error_body(&error))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(secs) = error.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// `error` with the status of its kind.
pub fn response(error: ApiError) -> Response {
    with_status(status_of(&error), error)
}
