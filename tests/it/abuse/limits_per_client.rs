//! Log-in, sign-up and refresh are limited per client address, the GraphQL
//! endpoint has a budget per caller, and failed log-ins from one client
//! never lock the owner out from another.

use serde_json::json;

use crate::db_test;
use crate::support::fixtures::{LOG_IN, PASSWORD};
use crate::support::{Backend, Options, TestApp};

/// A request to /graphql as if from `forwarded` behind a trusted proxy.
async fn from(
    app: &TestApp,
    forwarded: &str,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.url))
        .header("X-Forwarded-For", forwarded)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// The HTTP status of `query` (no variables) as if from `forwarded`.
async fn status(app: &TestApp, forwarded: &str, token: Option<&str>, query: &str) -> u16 {
    from(app, forwarded, token, query, json!({}))
        .await
        .status()
        .as_u16()
}

async fn spawn(backend: Backend, auth: u32, requests: u32) -> Option<TestApp> {
    let mut options = Options::default();
    options.edges.auth_per_minute = auth;
    options.edges.requests_per_minute = requests;
    options.edges.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    TestApp::spawn_with(backend, options).await
}

async fn auth_is_limited_per_address(backend: Backend) {
    let Some(app) = spawn(backend, 3, 0).await else {
        return;
    };
    // A different e-mail each time: below the log-in throttle's thresholds,
    // so only the per-address limit can refuse.
    let wrong = |i: usize| json!({ "email": format!("nobody-{i}@hanbat.example"), "password": "wrong horse battery" });
    for i in 0..3 {
        let r = from(&app, "203.0.113.1", None, LOG_IN, wrong(i)).await;
        assert_eq!(r.status(), 200);
    }
    let limited = from(&app, "203.0.113.1", None, LOG_IN, wrong(3)).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfterSeconds"], retry);
    // Another address is not affected, and neither are other operations.
    assert_eq!(
        from(&app, "203.0.113.2", None, LOG_IN, wrong(4))
            .await
            .status(),
        200
    );
    let sign_up = "mutation { signUp(input: { email: \"new@hanbat.example\", password: \"correct horse battery\", displayName: \"x\" }) { user { id } } }";
    assert_eq!(
        status(&app, "203.0.113.1", None, sign_up).await,
        429,
        "sign-ups share the limit"
    );
    assert_eq!(
        status(&app, "203.0.113.1", None, "{ __typename }").await,
        200
    );
}

async fn requests_have_a_budget_per_caller(backend: Backend) {
    let Some(app) = spawn(backend, 0, 4).await else {
        return;
    };
    let owner = app.sign_up("owner@hanbat.example").await;
    // (The sign-up came from 127.0.0.1: it spent none of this budget.)
    let me = |address: &'static str| status(&app, address, owner.token(), "{ me { id } }");
    for _ in 0..4 {
        assert_eq!(me("203.0.113.1").await, 200);
    }
    let spent = from(
        &app,
        "203.0.113.1",
        owner.token(),
        "{ me { id } }",
        json!({}),
    )
    .await;
    assert_eq!(spent.status(), 429);
    assert!(spent.headers().contains_key("retry-after"));
    // The budget is the user's wherever they call from; anonymous callers
    // have their address's.
    assert_eq!(me("203.0.113.9").await, 429);
    assert_eq!(
        status(&app, "203.0.113.9", None, "{ __typename }").await,
        200
    );
}

/// An attacker failing the owner's log-in from one address locks only that
/// address out; the owner logs in from theirs.
async fn failures_elsewhere_never_lock_the_owner_out(backend: Backend) {
    let Some(app) = spawn(backend, 0, 0).await else {
        return;
    };
    let owner = app.sign_up("owner@hanbat.example").await;
    let wrong = json!({ "email": owner.email, "password": "wrong horse battery" });
    for _ in 0..8 {
        from(&app, "198.51.100.66", None, LOG_IN, wrong.clone()).await;
    }
    let attacker = from(
        &app,
        "198.51.100.66",
        None,
        LOG_IN,
        json!({ "email": owner.email, "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        attacker.status(),
        429,
        "locked for the attacker's address, even with the right password"
    );
    let ok = from(
        &app,
        "203.0.113.5",
        None,
        LOG_IN,
        json!({ "email": owner.email, "password": PASSWORD }),
    )
    .await;
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(body["data"]["logIn"]["accessToken"].is_string(), "{body}");
}

db_test! {
    async fn the_throttle_table_forgets_idle_rows(app) {
        use sea_orm::{EntityTrait, PaginatorTrait};
        for i in 0..5 {
            app.log_in(&format!("nobody-{i}@hanbat.example"), "wrong horse battery").await;
        }
        let rows = entity::login_throttle::Entity::find().count(app.db()).await.unwrap();
        assert_eq!(rows, 6, "five e-mails from one client, and the client");
        app.clock.advance(chrono::TimeDelta::days(2));
        app.log_in("someone@hanbat.example", "wrong horse battery").await;
        let rows = entity::login_throttle::Entity::find().count(app.db()).await.unwrap();
        assert_eq!(rows, 2, "a day later only the new attempt's rows remain");
    }
}

crate::on_each_backend!(
    auth_is_limited_per_address,
    requests_have_a_budget_per_caller,
    failures_elsewhere_never_lock_the_owner_out
);
