//! HTTP: the router, the GraphQL endpoint and its guards, the calendar
//! feed, health checks, and running with graceful shutdown.
//!
//! The GraphQL POST handler is written out here rather than taken from
//! async-graphql-axum's extractor because it must refuse things that
//! extractor accepts: non-JSON bodies (form posts are the shape of a CSRF
//! attack), JSON batches, and bodies over 1 MiB (answered with the API's own
//! error shape); and it authenticates before executing.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use uuid::Uuid;

use crate::auth::{secret, viewer};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::ApiError;
use crate::graphql::{self, AppSchema, RequestCtx};
use crate::state::AppState;

/// Request bodies above this are refused with HTTP 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
struct Shared {
    app: AppState,
    schema: AppSchema,
}

/// A ready-to-serve application: database migrated, schema built.
pub struct App {
    pub state: AppState,
    pub router: Router,
}

/// Connect, migrate and assemble the service.
pub async fn build(config: Config, clock: Clock) -> anyhow::Result<App> {
    let db = crate::db::connect(&config.database_url, config.db_max_connections).await?;
    crate::db::migrate(&db).await?;
    build_with_db(db, config, clock).await
}

pub async fn build_with_db(
    db: DatabaseConnection,
    config: Config,
    clock: Clock,
) -> anyhow::Result<App> {
    let state = AppState::new(db, config, clock).await?;
    let schema = graphql::build_schema()?;
    let router = router(state.clone(), schema);
    Ok(App { state, router })
}

pub fn router(app: AppState, schema: AppSchema) -> Router {
    let routes = Router::new()
        .route("/graphql", get(graphiql).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/ical/spaces/{file}", get(space_feed))
        .with_state(Shared { app, schema });
    with_middleware(routes)
}

/// Body limit, panic catching, request ids and request tracing.
fn with_middleware(routes: Router) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    routes
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(json_payload_too_large))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// Serve until `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

fn error_body(error: &ApiError) -> serde_json::Value {
    let e = error.to_graphql().into_server_error(Default::default());
    json!({ "errors": [ { "message": e.message, "extensions": e.extensions } ] })
}

fn error_response(status: StatusCode, error: ApiError) -> Response {
    let mut response = (status, Json(error_body(&error))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        ApiError::internal(anyhow::anyhow!("panic")),
    )
}

/// The body limit layer answers an oversized `Content-Length` itself, in
/// plain text; give that answer the API's error shape.
async fn json_payload_too_large(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::bad_input("body", "request body exceeds 1 MiB"),
        );
    }
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// `POST /graphql`. Only `application/json` bodies (form and text bodies are
/// the shape of a CSRF attack), one operation per request (batches are
/// refused), at most 1 MiB.
async fn graphql_post(State(shared): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    if !is_json(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::bad_input("Content-Type", "send GraphQL requests as application/json"),
        );
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::bad_input("body", "request body exceeds 1 MiB"),
            );
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ApiError::bad_input("body", "body is not valid JSON"),
            );
        }
    };
    if value.is_array() {
        return error_response(
            StatusCode::BAD_REQUEST,
            ApiError::bad_input(
                "body",
                "batched requests are not supported; send one operation per request",
            ),
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ApiError::bad_input(
                    "body",
                    "expected {\"query\": ..., \"variables\": ..., \"operationName\": ...}",
                ),
            );
        }
    };

    let app = &shared.app;
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match viewer::authenticate(app, app.clock.now(), authorization).await {
        Ok(v) => v,
        Err(e @ ApiError::Unauthenticated(_)) => {
            return error_response(StatusCode::UNAUTHORIZED, e);
        }
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let request = request.data(RequestCtx::new(app.clone(), viewer));
    let timeout = app.config.request_timeout;
    let mut response = match tokio::time::timeout(timeout, shared.schema.execute(request)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(?timeout, "request timed out");
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                ApiError::internal(anyhow::anyhow!("request exceeded {timeout:?}")),
            );
        }
    };
    // Errors raised by async-graphql itself (syntax, validation, input
    // coercion) carry no code; all of them are the client's mistake.
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_USER_INPUT");
        }
    }
    Json(response).into_response()
}

/// `GET /graphql` serves GraphiQL; it never executes an operation.
async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Yeondae GraphQL")
            .finish(),
    )
}

/// `GET /ical/spaces/{id}.ics`: a space's bookings as iCalendar, for
/// calendar apps. Authenticated by an API token (`yd_pat_…`) in the
/// `Authorization` header or, for apps that cannot send headers, the `token`
/// query parameter; access tokens (JWTs) are refused here, since URLs end up
/// in logs and calendar settings.
async fn space_feed(
    State(shared): State<Shared>,
    Path(file): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(space_id) = file
        .strip_suffix(".ics")
        .and_then(|id| Uuid::parse_str(id).ok())
    else {
        return error_response(StatusCode::NOT_FOUND, ApiError::NotFound("space"));
    };
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = match from_header.or(params.get("token").map(String::as_str)) {
        Some(t) if t.starts_with(secret::API_TOKEN_PREFIX) => t.to_owned(),
        _ => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                ApiError::unauthenticated(
                    "calendar feeds need an API token (yd_pat_…) in Authorization or ?token=",
                ),
            );
        }
    };
    let app = &shared.app;
    let now = app.clock.now();
    let viewer = match viewer::authenticate(app, now, Some(&format!("Bearer {token}"))).await {
        Ok(v) => v,
        Err(e @ ApiError::Unauthenticated(_)) => {
            return error_response(StatusCode::UNAUTHORIZED, e);
        }
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    match crate::space::ical::feed(&app.db, &viewer, now, space_id).await {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e @ ApiError::NotFound(_)) => error_response(StatusCode::NOT_FOUND, e),
        Err(e @ ApiError::Forbidden(_)) => error_response(StatusCode::FORBIDDEN, e),
        Err(e) => error_response(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(shared): State<Shared>) -> Response {
    match tokio::time::timeout(Duration::from_secs(5), shared.app.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_internal_error() {
        async fn boom() -> &'static str {
            panic!("secret detail at src/secret.rs:42")
        }
        let app = with_middleware(Router::new().route("/boom", get(boom)));
        let response = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().contains_key("x-request-id"));
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["errors"][0]["extensions"]["code"], "INTERNAL");
        assert_eq!(json["errors"][0]["message"], "internal error");
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
    }
}
