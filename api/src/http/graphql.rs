//! `POST /graphql` and GraphiQL.
//!
//! The POST handler is written out here rather than taken from
//! async-graphql-axum's extractor because it must refuse things that
//! extractor accepts: non-JSON bodies (form posts are the shape of a CSRF
//! attack), JSON batches, and bodies over 1 MiB (answered with the API's own
//! error shape); and it authenticates before executing. File uploads (the
//! GraphQL multipart request spec, for `attachToDisclosureRequest`) are the
//! one exception to JSON: `multipart/form-data` with one file, and only
//! with an `Apollo-Require-Preflight` header — a header no plain HTML form
//! can send, so a browser asks (CORS preflight) before it posts one.

use async_graphql::http::GraphiQLSource;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use service::ApiError;

use super::clients::client_ip;
use super::errors::with_status;
use super::{MAX_BODY_BYTES, Shared, authenticate};
use crate::graphql::RequestCtx;
use crate::graphql::limits::MAX_RESPONSE_BYTES;
use crate::graphql::scalars::REFUSED_VALUE;
use service::auth::Viewer;

/// The header a multipart (upload) request must carry.
pub const UPLOAD_PREFLIGHT: &str = "apollo-require-preflight";

fn media_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
}

fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m.eq_ignore_ascii_case("application/json"))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m.eq_ignore_ascii_case("multipart/form-data"))
}

/// The body, at most `limit` bytes, arriving within `deadline`. One
/// announced larger is refused before any of it is read.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<Bytes, Response> {
    let too_large = || {
        with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::bad_input(
                "body",
                format!(
                    "request body exceeds {} MiB",
                    (limit as f64 / 1_048_576.0 * 10.0).round() / 10.0
                ),
            ),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let read = tokio::time::timeout(deadline, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            with_status(
                StatusCode::REQUEST_TIMEOUT,
                ApiError::bad_input("body", "the request body did not arrive in time"),
            )
        })?;
    read.map_err(|_| too_large())
}

/// One operation with one uploaded file (the GraphQL multipart request
/// spec), parsed by async-graphql within the upload limits.
async fn upload_operation(
    headers: &HeaderMap,
    body: Body,
    deadline: std::time::Duration,
    max_file: usize,
) -> Result<async_graphql::Request, Response> {
    let bad = |status: StatusCode, message: String| {
        with_status(status, ApiError::bad_input("body", message))
    };
    let limit = MAX_BODY_BYTES.saturating_add(max_file);
    let bytes = read_body(headers, body, limit, deadline).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // Each part (a file, or the operation's JSON) at most `max_file`; the
    // whole body is bounded above. (Setting a number of files would bound
    // the whole stream, JSON parts included, by files × `max_file`.)
    let options = async_graphql::http::MultipartOptions::default().max_file_size(max_file);
    let request =
        async_graphql::http::receive_body(content_type, futures::io::Cursor::new(bytes), options)
            .await
            .map_err(|e| match e {
                async_graphql::ParseRequestError::PayloadTooLarge => bad(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "a part (a file, or the operation) holds at most {} KiB",
                        max_file / 1024
                    ),
                ),
                other => bad(
                    StatusCode::BAD_REQUEST,
                    format!("not a GraphQL multipart request: {other}"),
                ),
            })?;
    // The operation itself is held to what a JSON body may be; one file.
    let operation = request.query.len()
        + serde_json::to_vec(&request.variables).map_or(usize::MAX, |v| v.len());
    if operation > MAX_BODY_BYTES {
        return Err(bad(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the operation of a multipart request holds at most 1 MiB".into(),
        ));
    }
    if request.uploads.len() > 1 {
        return Err(bad(StatusCode::BAD_REQUEST, "one file per request".into()));
    }
    Ok(request)
}

/// The one operation a body asks for, or the HTTP answer refusing it. The
/// body must arrive within `deadline` (a client that stalls halfway gets
/// 408, and its connection is not held).
async fn operation(
    headers: &HeaderMap,
    body: Body,
    deadline: std::time::Duration,
    max_file: usize,
) -> Result<async_graphql::Request, Response> {
    if is_multipart(headers) {
        return upload_operation(headers, body, deadline, max_file).await;
    }
    if !is_json(headers) {
        return Err(with_status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::bad_input("Content-Type", "send GraphQL requests as application/json"),
        ));
    }
    let bytes = read_body(headers, body, MAX_BODY_BYTES, deadline).await?;
    let bad = |message: &str| {
        with_status(
            StatusCode::BAD_REQUEST,
            ApiError::bad_input("body", message),
        )
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| bad("body is not valid JSON"))?;
    if value.is_array() {
        return Err(bad(
            "batched requests are not supported; send one operation per request",
        ));
    }
    serde_json::from_value(value)
        .map_err(|_| bad("expected {\"query\": ..., \"variables\": ..., \"operationName\": ...}"))
}

/// `POST /graphql`. Only `application/json` bodies, one operation per
/// request (batches are refused), at most 1 MiB.
pub async fn post(State(shared): State<Shared>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let edges = &shared.app.config.edges;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0);
    let client = client_ip(peer, &headers, &edges.trusted_proxies);
    let max_file = shared.app.config.uploads.max_file_bytes;
    if is_multipart(&headers) {
        if !headers.contains_key(UPLOAD_PREFLIGHT) {
            return with_status(
                StatusCode::BAD_REQUEST,
                ApiError::bad_input(
                    "body",
                    "multipart requests must carry an `Apollo-Require-Preflight` header",
                ),
            );
        }
        // Only a signed-in caller may make the server read an upload.
        let now = shared.app.clock.now();
        match authenticate(&shared.app, &headers, now).await {
            Ok(viewer) if viewer.user_id().is_some() => {}
            Ok(_) => {
                return with_status(
                    StatusCode::UNAUTHORIZED,
                    ApiError::unauthenticated("sign in to upload files"),
                );
            }
            Err(refused) => return refused,
        }
    }
    let request = match operation(&headers, body, edges.body_read_timeout, max_file).await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let timeout = shared.app.config.request_timeout;
    match tokio::time::timeout(timeout, run(&shared, &headers, client, request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?timeout, "request timed out");
            super::errors::response(ApiError::Unavailable(anyhow::anyhow!(
                "request exceeded {timeout:?}"
            )))
        }
    }
}

/// Authenticate and execute one operation: everything the request timeout
/// covers.
async fn run(
    shared: &Shared,
    headers: &HeaderMap,
    client: Option<std::net::IpAddr>,
    request: async_graphql::Request,
) -> Response {
    let app = &shared.app;
    let now = app.clock.now();
    let viewer = match authenticate(app, headers, now).await {
        Ok(v) => v,
        Err(refused) => {
            // A refused credential still spends its address's budget.
            return match app.limits.check_request(&Viewer::anonymous(), client) {
                Err(spent) => super::errors::response(spent),
                Ok(()) => refused,
            };
        }
    };
    if let Err(spent) = app.limits.check_request(&viewer, client) {
        return super::errors::response(spent);
    }
    let variables = serde_json::to_value(&request.variables).unwrap_or_default();
    let request = request.data(RequestCtx::new(app.clone(), viewer, now, client));
    let mut response = crate::graphql::loaders::drive(shared.schema.execute(request)).await;
    // Errors raised by async-graphql itself (syntax, validation, input
    // coercion) carry no code; all of them are the client's mistake.
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_USER_INPUT");
            if let Some(field) = refused_field(&error.message, ext.get(REFUSED_VALUE), &variables) {
                ext.set("field", field);
            }
        }
        ext.unset(REFUSED_VALUE);
    }
    let mut answer = sized(&response);
    // Nothing came back: every root field is null (or the whole data is).
    let failed = match &response.data {
        async_graphql::Value::Object(fields) => {
            fields.values().all(|v| *v == async_graphql::Value::Null)
        }
        _ => true,
    };
    if let Some((status, retry_after)) = come_back_later(&response).filter(|_| failed) {
        // Wherever in the request the database was lost or a limit was
        // hit, an operation that returned nothing answers the same: its
        // status and when to come back. (A partial answer stays 200: what
        // it holds may have been written.)
        *answer.status_mut() = status;
        answer.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from(retry_after),
        );
    }
    answer
}

/// The status and `Retry-After` of a response holding an UNAVAILABLE (503)
/// or RATE_LIMITED (429) error; the longest wait among them.
fn come_back_later(response: &async_graphql::Response) -> Option<(StatusCode, u64)> {
    let mut found: Option<(StatusCode, u64)> = None;
    for error in &response.errors {
        let Some(ext) = error.extensions.as_ref() else {
            continue;
        };
        let status = match ext.get("code") {
            Some(async_graphql::Value::String(code)) if code == "UNAVAILABLE" => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Some(async_graphql::Value::String(code)) if code == "RATE_LIMITED" => {
                StatusCode::TOO_MANY_REQUESTS
            }
            _ => continue,
        };
        let wait = match ext.get("retryAfterSeconds") {
            Some(async_graphql::Value::Number(n)) => n.as_u64().unwrap_or(1),
            _ => 1,
        };
        found = Some(match found {
            Some((s, w)) if w >= wait => (s, w),
            _ => (status, wait),
        });
    }
    found
}

/// The input field an input-coercion error is about, so BAD_USER_INPUT names
/// it like every other refusal: from a literal argument's path in the
/// message (`Invalid value for argument "input.startsOn"`), or the variable
/// key holding the text one of our scalars refused.
fn refused_field(
    message: &str,
    refused: Option<&async_graphql::Value>,
    variables: &serde_json::Value,
) -> Option<String> {
    if let Some(rest) = message.split("Invalid value for argument \"").nth(1) {
        let path = rest.split('"').next()?;
        let last = path.rsplit('.').next()?;
        return Some(last.split('[').next().unwrap_or(last).to_owned());
    }
    let async_graphql::Value::String(text) = refused? else {
        return None;
    };
    fn key_of(value: &serde_json::Value, text: &str) -> Option<String> {
        match value {
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| match v {
                serde_json::Value::String(s) if s == text => Some(k.clone()),
                other => key_of(other, text),
            }),
            serde_json::Value::Array(items) => items.iter().find_map(|v| key_of(v, text)),
            _ => None,
        }
    }
    key_of(variables, text)
}

/// The response as JSON — unless it is larger than any client needs, which
/// the limits could not foresee (long texts in many nodes): then the
/// refusal, so one request cannot tie up the server's memory and network.
fn sized(response: &async_graphql::Response) -> Response {
    let body = match serde_json::to_vec(response) {
        Ok(body) => body,
        Err(e) => return super::errors::response(ApiError::internal(e)),
    };
    if body.len() > MAX_RESPONSE_BYTES {
        return with_status(
            StatusCode::OK,
            ApiError::QueryTooComplex(format!(
                "the response would exceed {} MiB; ask for fewer nodes",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            )),
        );
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `GET /graphql` serves GraphiQL; it never executes an operation.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Yeondae GraphQL")
            .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_oversized_response_is_replaced_by_the_refusal() {
        let big = async_graphql::Value::String("x".repeat(MAX_RESPONSE_BYTES));
        let response = sized(&async_graphql::Response::new(big));
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");

        let small = sized(&async_graphql::Response::new(async_graphql::Value::Null));
        let body = axum::body::to_bytes(small.into_body(), 4096).await.unwrap();
        assert_eq!(&body[..], br#"{"data":null}"#);
    }
}
