//! Booking throughput and latency, end to end over HTTP against a real
//! server on a fresh database. Prints a table; `docs/performance.md` records
//! the figures. Not a test: nothing here asserts a speed.
//!
//!     cargo run --release -p yeondae-tests --bin bench-bookings
//!     cargo run --release -p yeondae-tests --bin bench-bookings -- postgres://postgres@127.0.0.1:5432/postgres
//!
//! Scenarios: `spread` books distinct, non-overlapping hours (every request
//! succeeds); `hot` sends every request for the same hour (one succeeds, the
//! rest are CONFLICTs). Both with 32 requests in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DurationRound, TimeDelta, Utc};
use futures::StreamExt;
use serde_json::{Value, json};
use service::clock::Clock;
use tokio::net::TcpListener;
use yeondae_api::config::Config;
use yeondae_api::http as server;

const CONCURRENCY: usize = 32;
const SPREAD_REQUESTS: usize = 2000;
const HOT_REQUESTS: usize = 1000;

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }
}

async fn database(postgres: Option<&str>) -> anyhow::Result<(String, Option<tempfile::TempDir>)> {
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the requests `CONCURRENCY` at a time; returns (wall time, latencies, successes).
async fn run(
    client: Arc<Client>,
    token: Arc<String>,
    inputs: Vec<Value>,
) -> (Duration, Vec<Duration>, usize) {
    let q = "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }";
    let started = Instant::now();
    let results: Vec<(Duration, bool)> = futures::stream::iter(inputs)
        .map(|input| {
            let (client, token) = (client.clone(), token.clone());
            async move {
                let t = Instant::now();
                let r = client.gql(Some(&token), q, json!({ "input": input })).await;
                let ok = r.get("errors").is_none();
                if !ok {
                    let code = r["errors"][0]["extensions"]["code"].as_str().unwrap_or("?");
                    assert_eq!(code, "CONFLICT", "unexpected error: {r}");
                }
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let wall = started.elapsed();
    let successes = results.iter().filter(|(_, ok)| *ok).count();
    let mut latencies: Vec<Duration> = results.into_iter().map(|(d, _)| d).collect();
    latencies.sort();
    (wall, latencies, successes)
}

fn report(name: &str, (wall, latencies, successes): &(Duration, Vec<Duration>, usize)) {
    println!(
        "{name:<8} {:>6} {:>9} {:>12.0} {:>9.1} {:>9.1} {:>9.1}",
        latencies.len(),
        successes,
        latencies.len() as f64 / wall.as_secs_f64(),
        percentile(latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(latencies, 0.99).as_secs_f64() * 1000.0,
        latencies
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().nth(1);
    let (database_url, _dir) = database(postgres.as_deref()).await?;
    let config = Config {
        database_url: database_url.clone(),
        pool: service::db::PoolSettings::with_max(16),
        listen: "127.0.0.1:0".parse()?,
        jwt_secret: b"bench-secret-bench-secret-bench-secret-0123".to_vec(),
        request_timeout: Duration::from_secs(60),
        hash_concurrency: 2,
        // The benchmark is one client making many requests on purpose.
        edges: yeondae_api::config::Edges {
            auth_per_minute: 0,
            requests_per_minute: 0,
            ..Default::default()
        },
    };
    let app = server::build(config, Clock::system()).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let edges = app.state.config.edges.clone();
    tokio::spawn(async move {
        server::serve(listener, app.router, &edges, std::future::pending()).await
    });
    let client = Arc::new(Client {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
        url,
    });

    let signed_up = client
        .gql(
            None,
            "mutation { signUp(input: { email: \"bench@hanbat.example\", password: \"benchmark password\", displayName: \"bench\" }) { accessToken } }",
            json!({}),
        )
        .await;
    let token = Arc::new(
        signed_up["data"]["signUp"]["accessToken"]
            .as_str()
            .expect("signed up")
            .to_owned(),
    );
    let org = client
        .gql(
            Some(&token),
            "mutation { createOrganization(input: { slug: \"hanbat\", name: \"한밭\" }) { id } }",
            json!({}),
        )
        .await;
    let org = org["data"]["createOrganization"]["id"]
        .as_str()
        .expect("organization")
        .to_owned();
    let space = |name: &str| {
        let client = client.clone();
        let token = token.clone();
        let org = org.clone();
        let name = name.to_owned();
        async move {
            let r = client
                .gql(
                    Some(&token),
                    "mutation($input: CreateSpaceInput!) { createSpace(input: $input) { id } }",
                    json!({ "input": { "organizationId": org, "name": name, "requiresApproval": false } }),
                )
                .await;
            r["data"]["createSpace"]["id"]
                .as_str()
                .expect("space")
                .to_owned()
        }
    };
    let (spread_space, hot_space) = (space("spread").await, space("hot").await);
    let start = (Utc::now() + TimeDelta::days(1)).duration_trunc(TimeDelta::hours(1))?;
    let slot = |space: &str, hour: i64| {
        let s = start + TimeDelta::hours(hour);
        json!({ "spaceId": space, "organizationId": org, "title": "bench", "startsAt": s.to_rfc3339(), "endsAt": (s + TimeDelta::hours(1)).to_rfc3339() })
    };

    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("booking benchmark: {backend}, {CONCURRENCY} requests in flight, one server process");
    println!(
        "{:<8} {:>6} {:>9} {:>12} {:>9} {:>9} {:>9}",
        "scenario", "reqs", "booked", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let spread = run(
        client.clone(),
        token.clone(),
        (0..SPREAD_REQUESTS as i64)
            .map(|h| slot(&spread_space, h))
            .collect(),
    )
    .await;
    report("spread", &spread);
    let hot = run(
        client.clone(),
        token.clone(),
        (0..HOT_REQUESTS).map(|_| slot(&hot_space, 0)).collect(),
    )
    .await;
    report("hot", &hot);
    assert_eq!(spread.2, SPREAD_REQUESTS, "every distinct slot is booked");
    assert_eq!(hot.2, 1, "the hot slot is booked exactly once");

    if let Some(admin) = postgres {
        use sea_orm::ConnectionTrait;
        let name = url::Url::parse(&database_url)?
            .path()
            .trim_start_matches('/')
            .to_owned();
        app.state.db.clone().close().await.ok();
        let db = sea_orm::Database::connect(admin.as_str()).await?;
        db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    Ok(())
}
