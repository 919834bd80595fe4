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
use yeondae_tests::bench::{Client, database, drop_database, percentile, start, unlimited};

const CONCURRENCY: usize = 32;
const SPREAD_REQUESTS: usize = 2000;
const HOT_REQUESTS: usize = 1000;

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
    let (url, state) = start(&database_url, unlimited()).await?;
    let client = Arc::new(Client::new(url)?);
    let token = Arc::new(client.sign_up("bench@hanbat.example").await);
    let org = client.create_org(&token, "hanbat").await;
    let spread_space = client.create_space(&token, &org, "spread").await;
    let hot_space = client.create_space(&token, &org, "hot").await;
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

    drop_database(postgres.as_deref(), &database_url, &state).await?;
    Ok(())
}
