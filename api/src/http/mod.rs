//! HTTP: the router, authentication of a request, health checks, and
//! running with graceful shutdown. The GraphQL endpoint is [`graphql`], the
//! calendar feeds [`feeds`], errors as HTTP answers [`errors`].

pub mod attachments;
pub mod clients;
pub mod errors;
pub mod event_feeds;
pub mod feeds;
pub mod graphql;
mod vtimezone;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::Method;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use service::ApiError;
use service::auth::{Viewer, viewer};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::{Config, Edges};
use crate::graphql::{self as schema, AppSchema};
use crate::state::AppState;
use service::clock::Clock;

/// Request bodies above this are refused with HTTP 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct Shared {
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
    let db = crate::db::connect_with(&config.database_url, config.pool).await?;
    crate::db::migrate(&db).await?;
    let writer = crate::state::writer_for(&db, &config).await?;
    build_with_db(db, writer, config, clock).await
}

/// The app on connections made by the caller: `writer` as
/// [`crate::state::writer_for`] makes it.
pub async fn build_with_db(
    db: DatabaseConnection,
    writer: DatabaseConnection,
    config: Config,
    clock: Clock,
) -> anyhow::Result<App> {
    let state = AppState::new(db, writer, config, clock).await?;
    let schema = schema::build_schema(state.config.edges.introspection)?;
    let router = router(state.clone(), schema);
    Ok(App { state, router })
}

pub fn router(app: AppState, schema: AppSchema) -> Router {
    let routes = Router::new()
        .route("/graphql", get(graphql::graphiql).post(graphql::post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/ical/spaces/{file}", get(feeds::space))
        .route("/ical/events.ics", get(event_feeds::all))
        .route(
            "/ical/organizations/{id}/{file}",
            get(event_feeds::of_organization),
        )
        .route("/attachments/{id}", get(attachments::download))
        .with_state(Shared {
            app: app.clone(),
            schema,
        });
    // JSON bodies are held to MAX_BODY_BYTES by the GraphQL handler itself;
    // a multipart upload may carry one file besides.
    let body_limit = MAX_BODY_BYTES.saturating_add(app.config.uploads.max_file_bytes);
    with_middleware(routes, body_limit).layer(cors(&app.config.edges.cors_origins))
}

/// Browsers may call from the listed origins only (none by default): a
/// partner's frontend on its own origin sends its token in `Authorization`,
/// never cookies, so credentials are not allowed.
fn cors(origins: &[header::HeaderValue]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static(graphql::UPLOAD_PREFLIGHT),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Body limit, panic catching, request ids and request tracing.
fn with_middleware(routes: Router, body_limit: usize) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    routes
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(axum::middleware::map_response(json_payload_too_large))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// Serve until `shutdown` resolves, then give in-flight requests
/// `edges.shutdown_grace` to finish and close what is left.
///
/// Written on hyper directly rather than `axum::serve`, which sets no
/// header-read timeout and waits forever at shutdown: one client that sends
/// half a request and stalls would keep the process from ever exiting.
/// HTTP/1.1 only: its header deadline runs from the moment a connection
/// waits for a request (a silent connection is closed too), where
/// HTTP/2's cleartext preface sniffing would wait unbounded. At most
/// `edges.max_connections` are open at once; further clients wait in the
/// listen backlog.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    edges: &Edges,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(edges.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(edges.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                router.clone().oneshot(request)
            });
        // (No upgrades yet: WebSocket subscriptions will add them.)
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client closing early or timing out is not the server's error.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(edges.shutdown_grace) => {
            tracing::warn!(grace = ?edges.shutdown_grace, "closing the connections still open after the grace period");
        }
    }
    Ok(())
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

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    errors::response(ApiError::internal(anyhow::anyhow!("panic")))
}

/// The body limit layer answers an oversized `Content-Length` itself, in
/// plain text; give that answer the API's error shape.
async fn json_payload_too_large(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return errors::with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::bad_input("body", "request body exceeds 1 MiB"),
        );
    }
    response
}

/// The caller of a request, from its `Authorization` header — or the HTTP
/// answer refusing it (a header that does not check out is 401, never a
/// silent downgrade to anonymous).
pub async fn authenticate(
    app: &AppState,
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Viewer, Response> {
    let authorization = authorization(headers).map_err(errors::response)?;
    viewer::authenticate(&app.db, &app.writer, &app.jwt, now, authorization)
        .await
        .map_err(errors::response)
}

/// The request's one `Authorization` header, if any. Two are refused (which
/// one a proxy or a framework trusts differs, and a request that disagrees
/// with itself is not a caller's honest mistake), and so is one that is not
/// visible ASCII, rather than read as no header at all.
pub fn authorization(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::unauthenticated(
            "send one Authorization header, not several",
        ));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| ApiError::unauthenticated("the Authorization header must be `Bearer <token>`"))
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
        let app = with_middleware(Router::new().route("/boom", get(boom)), MAX_BODY_BYTES);
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
