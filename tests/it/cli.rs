//! The `yeondae` binary as a user runs it: serve, migrate, create-admin,
//! export-schema.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::support::process::{Served, serve, yeondae};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

async fn terminate(mut served: Served) {
    let pid = served.child.id().unwrap().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), served.child.wait())
        .await
        .expect("graceful shutdown")
        .unwrap();
    assert!(exit.success(), "exit status after SIGTERM: {exit:?}");
}

async fn post(url: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn serve_on_sqlite_keeps_sessions_across_restarts_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path(), &[]).await;
    assert!(
        first.startup_line.contains("database: sqlite://yeondae.db"),
        "{}",
        first.startup_line
    );
    assert!(
        first
            .startup_line
            .contains(&format!("GraphiQL: {}/graphql", first.url)),
        "{}",
        first.startup_line
    );
    assert!(
        dir.path().join("yeondae.db").exists(),
        "the database file is created on first run"
    );
    let secret = dir.path().join("yeondae.db.jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let kept = std::fs::read_to_string(&secret).unwrap();

    let signed_up = post(
        &first.url,
        None,
        "mutation { signUp(input: { email: \"first@hanbat.example\", password: \"long enough\", displayName: \"첫\" }) { accessToken } }",
        json!({}),
    )
    .await;
    let token = signed_up["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    terminate(first).await;

    let second = serve(dir.path(), &[]).await;
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        kept,
        "the secret is generated once"
    );
    let me = post(&second.url, Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(
        me["data"]["me"]["email"], "first@hanbat.example",
        "sessions survive a restart: {me}"
    );
    let health = reqwest::get(format!("{}/healthz", second.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    terminate(second).await;
}

#[tokio::test]
async fn serve_refuses_postgres_without_a_secret_and_short_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = yeondae(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        )
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("YEONDAE_JWT_SECRET is not set"), "{stderr}");

    let out = yeondae(dir.path())
        .args(["serve"])
        .env("YEONDAE_JWT_SECRET", "short")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"));
}

async fn create_admin(dir: &Path, email: &str, stdin: &str) -> std::process::Output {
    let mut child = yeondae(dir)
        .args(["create-admin", "--email", email])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .await
        .unwrap();
    child.wait_with_output().await.unwrap()
}

#[tokio::test]
async fn migrate_and_create_admin() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let dir = tempfile::tempdir().unwrap();
    let migrated = yeondae(dir.path()).arg("migrate").output().await.unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );

    let created = create_admin(dir.path(), "Admin@Coalition.example", "an admin password\n").await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&created.stdout).trim(),
        "created platform admin admin@coalition.example"
    );
    let again = create_admin(dir.path(), "admin@coalition.example", "").await;
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "admin@coalition.example is already a platform admin"
    );
    let short = create_admin(dir.path(), "second@coalition.example", "short\n").await;
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));

    let db = sea_orm::Database::connect(format!(
        "sqlite://{}",
        dir.path().join("yeondae.db").display()
    ))
    .await
    .unwrap();
    let admin = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq("admin@coalition.example"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(admin.is_platform_admin);
}

#[tokio::test]
async fn export_schema_prints_the_committed_sdl() {
    let dir = tempfile::tempdir().unwrap();
    let out = yeondae(dir.path())
        .arg("export-schema")
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[tokio::test]
async fn serve_with_demo_loads_the_demo_coalition() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path(), &[("YEONDAE_DEMO", "true")]).await;
    let login = post(
        &served.url,
        None,
        "mutation($p: String!) { logIn(email: \"editor@gapcheon.example\", password: $p) { accessToken } }",
        json!({ "p": yeondae_api::demo::PASSWORD }),
    )
    .await;
    let token = login["data"]["logIn"]["accessToken"]
        .as_str()
        .expect("the demo account signs in")
        .to_owned();
    let spaces = post(
        &served.url,
        Some(&token),
        "{ spaces { name viewerCanBook } }",
        json!({}),
    )
    .await;
    assert_eq!(
        spaces["data"]["spaces"].as_array().unwrap().len(),
        2,
        "{spaces}"
    );
    terminate(served).await;
}
