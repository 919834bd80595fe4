//! The benchmark programs' common ground: a fresh database, the real server
//! in-process on a free port, and a small GraphQL client. Benchmarks print
//! figures; they assert nothing about speed.

pub mod dataset;
pub mod server;

use std::time::Duration;

use serde_json::{Value, json};
use service::clock::Clock;
use tokio::net::TcpListener;
use yeondae_api::config::{Config, Edges};
use yeondae_api::http as app_server;
use yeondae_api::state::AppState;

/// A fresh database: an SQLite file in a temporary directory, or a new
/// database on the PostgreSQL server at `postgres` (an admin URL).
pub async fn database(
    postgres: Option<&str>,
) -> anyhow::Result<(String, Option<tempfile::TempDir>)> {
    match postgres {
        None => {
            let dir = tempfile::tempdir()?;
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            );
            Ok((url, Some(dir)))
        }
        Some(admin) => {
            use sea_orm::ConnectionTrait;
            let name = format!("yd_bench_{}", uuid::Uuid::now_v7().simple());
            let db = sea_orm::Database::connect(admin).await?;
            db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            let mut url = url::Url::parse(admin)?;
            url.set_path(&format!("/{name}"));
            Ok((url.to_string(), None))
        }
    }
}

/// Drop the PostgreSQL database [`database`] made (SQLite's goes with its
/// directory).
pub async fn drop_database(
    postgres: Option<&str>,
    database_url: &str,
    state: &AppState,
) -> anyhow::Result<()> {
    state.db.clone().close().await.ok();
    drop_template(postgres, database_url).await
}

/// Make a database safe to copy: on SQLite, fold the write-ahead log
/// into the file.
pub async fn settle(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    Ok(())
}

/// A copy of a benchmark database: its URL, and its name on PostgreSQL.
pub struct Copy {
    pub url: String,
    pub name: Option<String>,
}

/// Copy `template` (a database [`database`] made and nothing is connected
/// to): `CREATE DATABASE … TEMPLATE` on PostgreSQL, a file copy on SQLite.
pub async fn copy_database(
    postgres: Option<&str>,
    template: &str,
    dir: Option<&tempfile::TempDir>,
    n: usize,
) -> anyhow::Result<Copy> {
    use sea_orm::ConnectionTrait;
    match (postgres, dir) {
        (Some(admin), _) => {
            let source = url::Url::parse(template)?
                .path()
                .trim_start_matches('/')
                .to_owned();
            let name = format!("{source}_{n}");
            let db = sea_orm::Database::connect(admin).await?;
            db.execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{source}\""))
                .await?;
            db.close().await?;
            let mut url = url::Url::parse(admin)?;
            url.set_path(&format!("/{name}"));
            Ok(Copy {
                url: url.to_string(),
                name: Some(name),
            })
        }
        (None, Some(dir)) => {
            let file = dir.path().join(format!("copy-{n}.db"));
            std::fs::copy(dir.path().join("bench.db"), &file)?;
            Ok(Copy {
                url: format!("sqlite://{}?mode=rwc", file.display()),
                name: None,
            })
        }
        (None, None) => anyhow::bail!("an SQLite benchmark database lives in a directory"),
    }
}

impl Copy {
    pub async fn drop(self, postgres: Option<&str>) -> anyhow::Result<()> {
        drop_template(postgres, &self.url).await
    }
}

/// Drop a PostgreSQL benchmark database by URL (SQLite's go with their
/// directory).
pub async fn drop_template(postgres: Option<&str>, database_url: &str) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let Some(admin) = postgres else {
        return Ok(());
    };
    let name = url::Url::parse(database_url)?
        .path()
        .trim_start_matches('/')
        .to_owned();
    let db = sea_orm::Database::connect(admin).await?;
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    db.close().await?;
    Ok(())
}

/// The server on `database_url`, serving on a free port: its GraphQL URL
/// and state. `edges` as given (benchmarks usually turn the per-client
/// limits off: they are one client making many requests on purpose).
pub async fn start(database_url: &str, edges: Edges) -> anyhow::Result<(String, AppState)> {
    let config = Config {
        database_url: database_url.to_owned(),
        pool: service::db::PoolSettings::with_max(16),
        listen: "127.0.0.1:0".parse()?,
        jwt_secret: b"bench-secret-bench-secret-bench-secret-0123".to_vec(),
        request_timeout: Duration::from_secs(60),
        hash_concurrency: 2,
        edges,
        uploads: yeondae_api::config::default_uploads(),
    };
    let app = app_server::build(config, Clock::system()).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let edges = app.state.config.edges.clone();
    let state = app.state.clone();
    tokio::spawn(async move {
        app_server::serve(listener, app.router, &edges, std::future::pending()).await
    });
    Ok((url, state))
}

/// Edges with the per-client limits off.
pub fn unlimited() -> Edges {
    Edges {
        auth_per_minute: 0,
        requests_per_minute: 0,
        ..Edges::default()
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub url: String,
}

impl Client {
    pub fn new(url: String) -> anyhow::Result<Self> {
        Ok(Client {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()?,
            url,
        })
    }

    /// The JSON answer to one operation, and its size in bytes.
    pub async fn gql_sized(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (Value, usize) {
        let body = self.post(token, query, variables).await.expect("request");
        let body = body.as_ref();
        (serde_json::from_slice(body).expect("JSON"), body.len())
    }

    async fn post(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Result<impl AsRef<[u8]>> {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await?.bytes().await
    }

    /// Whether one operation succeeded, without parsing the answer (the
    /// load generator shares the machine with the server: its CPU is
    /// spent sparingly). Failures come back as the answer's text.
    pub async fn gql_ok(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<(), String> {
        let body = self
            .post(token, query, variables)
            .await
            .map_err(|e| e.to_string())?;
        let body = body.as_ref();
        let failed =
            !body.starts_with(b"{\"data\":") || body.windows(9).any(|w| w == b"\"errors\":");
        match failed {
            true => Err(String::from_utf8_lossy(body).into_owned()),
            false => Ok(()),
        }
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_sized(token, query, variables).await.0
    }

    /// Sign up `email` and return the access token.
    pub async fn sign_up(&self, email: &str) -> String {
        let r = self
            .gql(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
                json!({ "input": { "email": email, "password": "benchmark password", "displayName": "bench" } }),
            )
            .await;
        r["data"]["signUp"]["accessToken"]
            .as_str()
            .expect("signed up")
            .to_owned()
    }
}

impl Client {
    /// A new organization `slug` owned by `token`'s user: its id.
    pub async fn create_org(&self, token: &str, slug: &str) -> String {
        let r = self
            .gql(
                Some(token),
                "mutation($slug: String!) { createOrganization(input: { slug: $slug, name: $slug }) { id } }",
                json!({ "slug": slug }),
            )
            .await;
        r["data"]["createOrganization"]["id"]
            .as_str()
            .expect("organization")
            .to_owned()
    }

    /// A new space of `org` that needs no approval: its id.
    pub async fn create_space(&self, token: &str, org: &str, name: &str) -> String {
        let r = self
            .gql(
                Some(token),
                "mutation($input: CreateSpaceInput!) { createSpace(input: $input) { id } }",
                json!({ "input": { "organizationId": org, "name": name, "requiresApproval": false } }),
            )
            .await;
        r["data"]["createSpace"]["id"]
            .as_str()
            .expect("space")
            .to_owned()
    }
}

/// Resident memory of process `pid` (`"self"` for this one), in MiB; `None`
/// off Linux.
pub fn resident_mib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The error code of an answer, or "ok".
pub fn outcome(answer: &Value) -> String {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("ok")
        .to_owned()
}
