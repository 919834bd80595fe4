//! The HTTP edges: CORS, the `Authorization` header, calendar-feed caching.

use crate::support::{Backend, Options, TestApp};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.url))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

fn allowed_origin(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// Only the origins the operator lists may call from a browser; by default none.
async fn cors_allows_the_listed_origins_only(backend: Backend) {
    let Some(closed) = TestApp::spawn_with(backend, Options::default()).await else {
        return;
    };
    assert_eq!(allowed_origin(&preflight(&closed, "https://app.example.org").await), None);

    let mut options = Options::default();
    options.edges.cors_origins = vec!["https://app.example.org".parse().unwrap()];
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let ok = preflight(&app, "https://app.example.org").await;
    assert_eq!(allowed_origin(&ok).as_deref(), Some("https://app.example.org"));
    let methods = ok.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let headers = ok.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(headers.contains("authorization"), "{headers}");
    assert_eq!(allowed_origin(&preflight(&app, "https://evil.example").await), None);
    assert_eq!(allowed_origin(&preflight(&app, "http://app.example.org").await), None);

    let post = app
        .client
        .post(format!("{}/graphql", app.url))
        .header("Origin", "https://app.example.org")
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&post).as_deref(), Some("https://app.example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_the_listed_origins_only_on_sqlite() {
    cors_allows_the_listed_origins_only(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_the_listed_origins_only_on_postgres() {
    cors_allows_the_listed_origins_only(Backend::Postgres).await;
}
