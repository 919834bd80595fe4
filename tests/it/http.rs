//! The endpoint itself: content types, sizes, batching, limits, GraphiQL,
//! health, error hygiene.

use std::time::Duration;

use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Backend, Options, TestApp};

db_test! {
    async fn graphiql_is_served_and_get_never_executes(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let resp = app
            .client
            .get(
                url::Url::parse_with_params(
                    &format!("{}/graphql", app.url),
                    [("query", "mutation { createOrganization(input: {slug: \"via-get\", name: \"x\"}) { id } }")],
                )
                .unwrap(),
            )
            .bearer_auth(&owner.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(resp.text().await.unwrap().to_lowercase().contains("graphiql"));
        let list = app.gql(None, "{ organizations { totalCount } }", json!({})).await;
        assert_eq!(list.data()["organizations"]["totalCount"], 0, "the GET did not run the mutation");
    }
}

db_test! {
    async fn only_json_posts_are_accepted(app) {
        for ct in ["text/plain", "application/x-www-form-urlencoded", "application/graphql"] {
            let resp = app.post_raw(ct, "{\"query\":\"{ me { id } }\"}").await;
            assert_eq!(resp.status(), 415, "{ct}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        }
        // Multipart (file uploads) only with the header no HTML form can send.
        let form = app.post_raw("multipart/form-data; boundary=x", "--x--\r\n").await;
        assert_eq!(form.status(), 400);
        let body: Value = form.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("Apollo-Require-Preflight"));
        let ok = app.post_raw("application/json; charset=utf-8", "{\"query\":\"{ me { id } }\"}").await;
        assert_eq!(ok.status(), 200);
        let garbage = app.post_raw("application/json", "{not json").await;
        assert_eq!(garbage.status(), 400);
    }
}

db_test! {
    async fn batches_and_huge_bodies_are_refused(app) {
        let batch = app.post_raw("application/json", r#"[{"query":"{ me { id } }"},{"query":"{ me { id } }"}]"#).await;
        assert_eq!(batch.status(), 400);
        let body: Value = batch.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

        // Over 1 MiB, announced by Content-Length or streamed in chunks.
        for chunked in [false, true] {
            let (status, body) = post_oversized(&app, 1024 * 1024 + 10, chunked).await;
            assert_eq!(status, 413, "chunked: {chunked}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "413 keeps the error shape: {body}");
        }

        // Just under the limit is fine (the query text limit is separate).
        let padding = "x".repeat(1024 * 1000);
        let fits = format!(r#"{{"query":"{{ me {{ id }} }}","variables":{{"pad":"{padding}"}}}}"#);
        assert_eq!(app.post_raw("application/json", fits).await.status(), 200);
    }
}

db_test! {
    async fn query_limits_are_enforced_before_execution(app) {
        // Depth 11.
        let deep = "{ me { memberships { organization { members { nodes { user { memberships { organization { members { nodes { role } } } } } } } } } } }";
        app.gql(None, deep, json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);

        // Sixteen aliases.
        let aliases: String = (0..16).map(|i| format!("a{i}: me {{ id }} ")).collect();
        app.gql(None, &format!("{{ {aliases} }}"), json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);
        let fifteen: String = (0..15).map(|i| format!("a{i}: me {{ id }} ")).collect();
        app.gql(None, &format!("{{ {fifteen} }}"), json!({})).await.data();

        // Six directives on one field.
        let dirs = "{ me @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { id } }";
        app.gql(None, dirs, json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);

        // Nodes: 100 organizations × 100 members × 10 memberships × 100 members.
        let wide = "query($n: Int) { organizations(first: $n) { nodes { members(first: 100) { nodes { user { memberships { organization { members(first: 100) { nodes { role } } } } } } } } } }";
        let r = app.gql(None, wide, json!({ "n": 100 })).await;
        r.assert_error("QUERY_TOO_COMPLEX", None);
        assert_eq!(r.body["data"], Value::Null);
        let narrow = app.gql(None, wide, json!({ "n": 1 })).await;
        narrow.data();

        // Query text over 15,000 bytes.
        let long = format!("{{ me {{ id }} }} # {}", "x".repeat(15_000));
        app.gql(None, &long, json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);

        // Introspection is on, and deep introspection is not "too deep".
        let introspection = "{ __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name } } } } } } } } } } }";
        let r = app.gql(None, introspection, json!({}));
        assert!(r.await.data()["__schema"]["types"].as_array().unwrap().len() > 10);
    }
}

db_test! {
    async fn errors_carry_codes_and_no_suggestions(app) {
        let typo = app.gql(None, "{ mee { id } }", json!({})).await;
        typo.assert_error("BAD_USER_INPUT", None);
        assert!(!typo.message().contains("Did you mean"), "{}", typo.message());
        app.gql(None, "{ me { id ", json!({})).await.assert_error("BAD_USER_INPUT", None);
        let wrong_type = app.gql(None, "query($n: Int) { organizations(first: $n) { totalCount } }", json!({ "n": "ten" })).await;
        wrong_type.assert_error("BAD_USER_INPUT", None);
    }
}

db_test! {
    async fn health_and_readiness(app) {
        let health = app.client.get(format!("{}/healthz", app.url)).send().await.unwrap();
        assert_eq!(health.status(), 200);
        let ready = app.client.get(format!("{}/readyz", app.url)).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        app.db().clone().close().await.ok();
        let down = app.client.get(format!("{}/readyz", app.url)).send().await.unwrap();
        assert_eq!(down.status(), 503, "not ready once the database is gone");
    }
}

db_test! {
    async fn internal_errors_reveal_nothing_and_write_nothing(app) {
        use sea_orm::ConnectionTrait;
        let owner = app.sign_up("owner@hanbat.example").await;
        // Break the audit table: every mutation must now fail as a whole.
        app.db().execute_unprepared("DROP TABLE audit_entries").await.unwrap();
        let r = app
            .gql(owner.token(), "mutation { createOrganization(input: { slug: \"hanbat\", name: \"x\" }) { id } }", json!({}))
            .await;
        r.assert_error("INTERNAL", None);
        let text = r.body.to_string().to_lowercase();
        for leak in ["audit", "sql", "select", "insert", "table", ".rs", "panicked"] {
            assert!(!text.contains(leak), "error leaks {leak:?}: {text}");
        }
        let list = app.gql(None, "{ organizations { totalCount } }", json!({})).await;
        assert_eq!(list.data()["organizations"]["totalCount"], 0, "the organization was not half-created");
    }
}

/// Hold the write lock (SQLite) or the organization row (PostgreSQL) from
/// outside, so a mutation blocks until the request timeout cuts it off.
async fn requests_time_out(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let Some(app) = TestApp::spawn_with(
        backend,
        Options {
            request_timeout: Duration::from_millis(1500),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let owner = app.sign_up("owner@hanbat.example").await;
    let org = app.create_org(&owner, "hanbat").await;
    let outside = service::db::connect(&app.state.config.database_url, 1)
        .await
        .unwrap();
    let tx = service::db::begin_write(&outside).await.unwrap();
    tx.execute_unprepared(&format!(
        "UPDATE organizations SET name = 'locked' WHERE id = '{org}'"
    ))
    .await
    .ok();
    if backend == Backend::Sqlite {
        tx.execute_unprepared("UPDATE organizations SET name = 'locked'")
            .await
            .unwrap();
    }
    let r = app
        .gql(
            owner.token(),
            "mutation($id: ID!) { updateOrganization(id: $id, input: { name: \"x\" }) { name } }",
            json!({ "id": org }),
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    r.assert_error("UNAVAILABLE", None);
    tx.rollback().await.unwrap();
}

/// POST an oversized body over a raw connection. The server answers 413
/// without reading the rest, so the client's writes may fail midway; the
/// answer is read from the socket regardless of how the writing ends.
async fn post_oversized(app: &TestApp, len: usize, chunked: bool) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.url.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {len}")
    };
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < len {
            let n = chunk.len().min(len - sent);
            if chunked {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                writer.write_all(&chunk[..n]).await?;
                writer.write_all(b"\r\n").await?;
            } else {
                writer.write_all(&chunk[..n]).await?;
            }
            sent += n;
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    writing.abort();
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    // A chunked response body: take the JSON object out of the framing.
    let json = body
        .find('{')
        .zip(body.rfind('}'))
        .map(|(a, b)| &body[a..=b])
        .unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

crate::on_each_backend!(requests_time_out);
