//! The test harness: a real server per test, on a free port, against a fresh
//! database (an SQLite file in a temp dir, or a new PostgreSQL database), and
//! a small HTTP client speaking GraphQL to it.

#![allow(dead_code)]

pub mod disclosure;
pub mod events;
pub mod fixtures;
pub mod process;
mod statements;
pub mod work;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use service::clock::Clock;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use yeondae_api::config::{Config, Edges};
use yeondae_api::http as server;
use yeondae_api::state::AppState;

/// The HMAC secret tests sign with, so they can forge and tamper tokens.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once on SQLite and once on PostgreSQL (the latter is
/// skipped without `YEONDAE_TEST_POSTGRES_URL`, and fails without it when
/// `YEONDAE_TEST_REQUIRE_POSTGRES=1`, as in CI).
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::support::TestApp::spawn_postgres().await else { return };
                $body
            }
        }
    };
}

/// Run each `async fn name(backend: Backend)` as `name::sqlite` and
/// `name::postgres` (for tests that start their server themselves, with
/// options of their own; the PostgreSQL half returns early without one).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        )*
    };
}

pub struct TestApp {
    pub backend: Backend,
    pub url: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub state: AppState,
    /// SQL statements executed by the server since the last reset.
    pub(super) statements: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    database: TestDatabase,
    /// Where the server keeps attachments' files.
    pub uploads: tempfile::TempDir,
}

enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }
}

pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("YEONDAE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("YEONDAE_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("YEONDAE_TEST_REQUIRE_POSTGRES=1 but YEONDAE_TEST_POSTGRES_URL is not set");
            }
            None
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("YEONDAE_TEST_POSTGRES_URL is not a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

async fn admin_exec(admin_url: &str, sql: &str) {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(admin_url)
        .await
        .expect("connect to PostgreSQL admin database");
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    db.close().await.ok();
}

/// A fresh, empty database (no migrations run) for tests of the
/// migrations themselves; dropped (PostgreSQL) or deleted (SQLite) with the
/// guard. `None` when PostgreSQL is asked for but not configured.
pub async fn empty_database(backend: Backend) -> Option<(sea_orm::DatabaseConnection, impl Drop)> {
    let database = TestDatabase::create(backend).await?;
    let db = service::db::connect(database.url(), 2)
        .await
        .expect("connect to the test database");
    Some((db, database))
}

impl TestDatabase {
    /// A new, empty database on `backend`; `None` when PostgreSQL is asked
    /// for but not configured.
    async fn create(backend: Backend) -> Option<TestDatabase> {
        Some(match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDatabase::Sqlite { _dir: dir, url }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url()?;
                let name = format!("yd_test_{}", uuid::Uuid::now_v7().simple());
                admin_exec(&admin_url, &format!("CREATE DATABASE \"{name}\"")).await;
                let url = with_database(&admin_url, &name);
                TestDatabase::Postgres {
                    admin_url,
                    name,
                    url,
                }
            }
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop the database from a plain thread: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(admin_exec(
                    &admin_url,
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ));
            })
            .join();
        }
    }
}

pub struct Options {
    pub request_timeout: Duration,
    pub edges: Edges,
    pub pool: service::db::PoolSettings,
    /// The largest attachment, and the most one request's attachments hold.
    pub upload_limits: (usize, i64),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            request_timeout: Duration::from_secs(60),
            // The tests sign up many users from one address; the tests of
            // the rate limits turn them on.
            edges: Edges {
                auth_per_minute: 0,
                requests_per_minute: 0,
                citizen_submissions_per_hour: 0,
                ..Edges::default()
            },
            pool: service::db::PoolSettings::with_max(8),
            upload_limits: (10 * 1024 * 1024, 100 * 1024 * 1024),
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default())
            .await
            .expect("backend available")
    }

    pub async fn spawn_postgres() -> Option<TestApp> {
        Self::spawn_with(Backend::Postgres, Options::default()).await
    }

    /// `None` when PostgreSQL is asked for but not configured.
    pub async fn spawn_with(backend: Backend, options: Options) -> Option<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let uploads = tempfile::tempdir().expect("a directory for uploads");
        let config = Config {
            database_url: database.url().to_owned(),
            pool: options.pool,
            listen: "127.0.0.1:0".parse().unwrap(),
            jwt_secret: TEST_JWT_SECRET.as_bytes().to_vec(),
            request_timeout: options.request_timeout,
            hash_concurrency: 2,
            edges: options.edges,
            uploads: service::disclosure::files::FileStore::new(
                uploads.path(),
                options.upload_limits.0,
                options.upload_limits.1,
            ),
        };
        let clock = Clock::system();
        let mut db = service::db::connect_with(&config.database_url, config.pool)
            .await
            .expect("connect to the test database");
        service::db::migrate(&db)
            .await
            .expect("migrate the test database");
        // Count on both pools (on an SQLite file, writes go through a
        // connection of their own; elsewhere the writer is a copy of `db`,
        // and each copy counts what runs through it). The driver does not
        // see a transaction's BEGIN and COMMIT.
        let statements = Arc::new(Mutex::new(Vec::new()));
        let mut writer = yeondae_api::state::writer_for(&db, &config)
            .await
            .expect("the writer pool");
        for conn in [&mut db, &mut writer] {
            let log = statements.clone();
            conn.set_metric_callback(move |info| {
                if let Ok(mut log) = log.lock() {
                    log.push(info.statement.to_string());
                }
            });
        }
        let app = server::build_with_db(db, writer, config, clock.clone())
            .await
            .expect("build the app");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let router = app.router;
        let edges = app.state.config.edges.clone();
        let server = tokio::spawn(async move {
            server::serve(listener, router, &edges, async {
                let _ = rx.await;
            })
            .await
            .expect("server failed");
        });
        Some(TestApp {
            backend,
            url: format!("http://{addr}"),
            client: reqwest::Client::new(),
            clock,
            state: app.state,
            statements,
            shutdown: Some(tx),
            server: Some(server),
            database,
            uploads,
        })
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// The service's context of a request by nobody in particular (as the
    /// command line runs).
    pub fn as_nobody(&self) -> service::Ctx {
        self.state.request(service::auth::Viewer::anonymous())
    }

    /// Make an existing account a platform admin (`yeondae create-admin`).
    pub async fn promote_admin(&self, email: &str) {
        service::identity::accounts::create_admin(
            &self.as_nobody(),
            &self.state.hasher,
            email,
            None,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("promote {email}: {}", e.message()));
    }

    /// POST a GraphQL operation, with a bearer token if given.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("JSON response");
        Gql { status, body }
    }

    /// A raw POST to /graphql.
    pub async fn post_raw(
        &self,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/graphql", self.url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

impl TestApp {
    /// Signal shutdown (as SIGTERM does) and wait for the server to return.
    pub async fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        // The database itself goes with `self.database` (see its Drop).
    }
}

/// A GraphQL response: HTTP status and JSON body.
#[derive(Debug, Clone)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    pub fn errors(&self) -> &Vec<Value> {
        self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors, got {}", self.body))
    }

    /// The code of the first error (panics when there is none).
    pub fn code(&self) -> &str {
        self.errors()[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without code: {}", self.body))
    }

    pub fn field(&self) -> Option<&str> {
        self.errors()[0]["extensions"]["field"].as_str()
    }

    pub fn message(&self) -> &str {
        self.errors()[0]["message"].as_str().unwrap_or_default()
    }

    /// Asserts the first error's code (and field, when given).
    pub fn assert_error(&self, code: &str, field: Option<&str>) {
        assert_eq!(self.code(), code, "{}", self.body);
        if let Some(field) = field {
            assert_eq!(self.field(), Some(field), "{}", self.body);
        }
    }

    pub fn is_ok(&self) -> bool {
        self.body.get("errors").is_none()
    }
}
