//! Faults: a database that cannot be reached in time answers UNAVAILABLE
//! (503, Retry-After) wherever in the request it happens; SQLite commits
//! are durable by default.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::json;

use crate::support::{Backend, Options, TestApp};

/// With every connection of the pool held, a signed-in request (which needs
/// the database to authenticate) and an anonymous one both answer at the
/// pool's acquire timeout with UNAVAILABLE, not 30 s later as CONFLICT.
async fn an_exhausted_pool_answers_unavailable(backend: Backend) {
    let mut options = Options::default();
    options.pool.max_connections = 2;
    options.pool.acquire_timeout = Duration::from_secs(1);
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let owner = app.sign_up("owner@hanbat.example").await;
    let held = [
        app.db().begin().await.unwrap(),
        app.db().begin().await.unwrap(),
    ];
    for token in [owner.token(), None] {
        let started = Instant::now();
        let r = app
            .gql(
                token,
                "{ organizations { totalCount } me { id } }",
                json!({}),
            )
            .await;
        assert_eq!(r.status, 503, "{}", r.body);
        r.assert_error("UNAVAILABLE", None);
        assert_eq!(r.body["errors"][0]["extensions"]["retryAfterSeconds"], 5);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
    let raw = app
        .client
        .post(format!("{}/graphql", app.url))
        .bearer_auth(&owner.access_token)
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 503);
    assert_eq!(raw.headers()["retry-after"], "5");
    drop(held);
    let after = app.gql(owner.token(), "{ me { id } }", json!({})).await;
    assert_eq!(after.data()["me"]["id"], owner.user_id.as_str());
}

/// Acknowledged means durable: SQLite runs with synchronous=FULL unless the
/// operator relaxes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commits_survive_a_power_cut_by_default() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for db in [app.db(), &app.state.writer] {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA synchronous",
            ))
            .await
            .unwrap()
            .unwrap();
        let level: i32 = row.try_get_by_index(0).unwrap();
        assert_eq!(level, 2, "FULL");
    }
    let mut relaxed = Options::default();
    relaxed.pool.sqlite_full_sync = false;
    let app = TestApp::spawn_with(Backend::Sqlite, relaxed).await.unwrap();
    let row = app
        .db()
        .query_one_raw(Statement::from_string(
            app.db().get_database_backend(),
            "PRAGMA synchronous",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 1, "NORMAL");
}

/// Open a connection and send `head` (and nothing more); return it.
async fn stall(app: &TestApp, head: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// What the server sends before it closes the connection.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Slow clients: headers and bodies have deadlines, and shutdown has a
/// bounded grace period whatever clients still hold open.
async fn slow_clients_are_cut_off(backend: Backend) {
    let mut options = Options::default();
    options.edges.header_read_timeout = Duration::from_secs(1);
    options.edges.body_read_timeout = Duration::from_secs(1);
    options.edges.shutdown_grace = Duration::from_secs(1);
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    // Nothing, half the headers, or half the body: each is cut off at its
    // deadline (the body with 408).
    for (what, head, answer) in [
        ("silence", "", ""),
        (
            "headers",
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: appl",
            "",
        ),
        (
            "body",
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
            "HTTP/1.1 408",
        ),
    ] {
        let started = Instant::now();
        let mut stalled = stall(&app, head).await;
        let got = read_to_close(&mut stalled).await;
        assert!(got.starts_with(answer), "{what}: {got}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: {:?}",
            started.elapsed()
        );
    }

    // Stalled clients hold connections open, and a request waits for its
    // body far longer than the grace period: shutdown still finishes.
    let mut patient = Options::default();
    patient.edges.header_read_timeout = Duration::from_secs(60);
    patient.edges.body_read_timeout = Duration::from_secs(60);
    patient.edges.shutdown_grace = Duration::from_secs(1);
    drop(app);
    let Some(mut app) = TestApp::spawn_with(backend, patient).await else {
        return;
    };
    let _held: Vec<_> =
        futures::future::join_all((0..20).map(|_| stall(&app, "GET /healthz HTTP/1.1\r\n"))).await;
    let _busy = stall(&app, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), app.shut_down())
        .await
        .expect("shutdown finishes");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown: {:?}",
        started.elapsed()
    );
}

crate::on_each_backend!(
    an_exhausted_pool_answers_unavailable,
    slow_clients_are_cut_off
);
