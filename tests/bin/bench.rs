//! The performance benchmark: one generated coalition (see
//! `yeondae_tests::bench::dataset`), then each server binary given, in turn,
//! as a child process on its own copy of it, under 32 concurrent clients.
//! Prints, for every scenario, requests/s, p50/p99, the statements each
//! request ran (counted by PostgreSQL's pg_stat_statements when it is
//! loaded), the server's CPU per request and its peak resident memory.
//! Not a test: nothing here asserts a speed. `docs/performance.md` records
//! the figures.
//!
//!     cargo build --release -p yeondae-api -p yeondae-tests
//!     target/release/bench [--postgres URL] [--binary NAME=PATH]...
//!
//! Without `--binary`, the `yeondae` next to this program is measured.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use futures::StreamExt;
use serde_json::{Value, json};
use yeondae_tests::bench::dataset::{self, Dataset};
use yeondae_tests::bench::server::{Server, StatementCounter};
use yeondae_tests::bench::{Client, percentile};

const CONCURRENCY: usize = 32;

const DASHBOARD: &str = "query($org: ID!) { organization(id: $org) { name agreements(first: 50) { totalCount nodes { title projects(first: 50) { totalCount nodes { title events(first: 50) { totalCount nodes { title startsAt } } } } } } } }";
const MEMBERS: &str = "{ organizations(first: 50) { totalCount nodes { slug members(first: 20) { totalCount nodes { role user { displayName } } } } } }";
const BOOK: &str = "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }";

struct Measured {
    requests: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    statements: f64,
    cpu: f64,
}

/// Run `n` requests, `CONCURRENCY` at a time; every one must succeed.
async fn measure<F, Fut>(
    server: &Server,
    counter: Option<&StatementCounter>,
    n: usize,
    request: F,
) -> Measured
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    if let Some(c) = counter {
        c.reset().await;
    }
    server.reset_peak();
    let cpu = server.cpu_seconds();
    let started = Instant::now();
    let mut latencies: Vec<Duration> = futures::stream::iter(0..n)
        .map(|i| {
            let r = request(i);
            async move {
                let t = Instant::now();
                if let Err(answer) = r.await {
                    panic!("request {i} failed: {answer}");
                }
                t.elapsed()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let wall = started.elapsed();
    latencies.sort();
    let statements = match counter {
        Some(c) => c.count().await / n as f64,
        None => f64::NAN,
    };
    Measured {
        requests: n,
        wall,
        latencies,
        statements,
        cpu: server.cpu_seconds() - cpu,
    }
}

fn row(binary: &str, scenario: &str, m: &Measured, rss: f64) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {binary} | {scenario} | {} | {:.0} | {:.1} | {:.1} | {} | {:.2} | {:.0} |",
        m.requests,
        m.requests as f64 / m.wall.as_secs_f64(),
        ms(percentile(&m.latencies, 0.50)),
        ms(percentile(&m.latencies, 0.99)),
        if m.statements.is_nan() {
            "n/a".to_owned()
        } else {
            format!("{:.1}", m.statements)
        },
        m.cpu * 1000.0 / m.requests as f64,
        rss,
    );
}

/// Every scenario against one server on a copy of the dataset.
async fn scenarios(
    name: &str,
    server: &Server,
    counter: Option<&StatementCounter>,
    data: &Dataset,
) {
    let client = Arc::new(Client::new(server.url.clone()).expect("client"));
    let token = Arc::new(client.log_in(&data.owner_email, dataset::PASSWORD).await);
    let query = |q: &'static str, vars: Value| {
        let (client, token) = (client.clone(), token.clone());
        move |_| {
            let (client, token, vars) = (client.clone(), token.clone(), vars.clone());
            async move { client.gql_ok(Some(&token), q, vars).await }
        }
    };
    // Warm the pool and the caches.
    measure(server, None, 200, query(MEMBERS, json!({}))).await;

    let perf = server.profile(name, "dashboard");
    let dashboard = measure(
        server,
        counter,
        1000,
        query(DASHBOARD, json!({ "org": data.dashboard_org })),
    )
    .await;
    if let Some(p) = perf {
        p.stop();
    }
    row(name, "dashboard", &dashboard, server.peak_rss_mib());
    let perf = server.profile(name, "members");
    let members = measure(server, counter, 1000, query(MEMBERS, json!({}))).await;
    if let Some(p) = perf {
        p.stop();
    }
    row(name, "orgs → members", &members, server.peak_rss_mib());

    // Free hours after every generated booking, in each scenario's rooms.
    let org = data.dashboard_org;
    let book = |rooms: Vec<uuid::Uuid>| {
        let (client, token) = (client.clone(), token.clone());
        let from = data.free_from;
        move |i: usize| {
            let (client, token) = (client.clone(), token.clone());
            let room = rooms[i % rooms.len()];
            let at = from + TimeDelta::hours((i / rooms.len()) as i64);
            let input = json!({ "spaceId": room, "organizationId": org, "title": "bench", "startsAt": at.to_rfc3339(), "endsAt": (at + TimeDelta::hours(1)).to_rfc3339() });
            async move {
                client
                    .gql_ok(Some(&token), BOOK, json!({ "input": input }))
                    .await
            }
        }
    };
    let perf = server.profile(name, "booking");
    let busy = measure(server, counter, 2000, book(data.busy_rooms.clone())).await;
    if let Some(p) = perf {
        p.stop();
    }
    row(
        name,
        "bookSpace, 5 busy rooms",
        &busy,
        server.peak_rss_mib(),
    );
    let empty = measure(server, counter, 500, book(vec![data.empty_room])).await;
    row(name, "bookSpace, empty room", &empty, server.peak_rss_mib());
    let history = measure(server, counter, 500, book(vec![data.history_room])).await;
    row(
        name,
        "bookSpace, 100k past bookings",
        &history,
        server.peak_rss_mib(),
    );
}

fn arguments() -> (Option<String>, Vec<(String, String)>) {
    let mut postgres = None;
    let mut binaries = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--postgres" => postgres = args.next(),
            "--binary" => {
                let spec = args.next().expect("--binary NAME=PATH");
                let (name, path) = spec.split_once('=').expect("--binary NAME=PATH");
                binaries.push((name.to_owned(), path.to_owned()));
            }
            other => panic!("unknown argument {other}"),
        }
    }
    if binaries.is_empty() {
        let here = std::env::current_exe().expect("this program's path");
        let yeondae = here.with_file_name("yeondae");
        binaries.push(("yeondae".into(), yeondae.display().to_string()));
    }
    (postgres, binaries)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (postgres, binaries) = arguments();
    let (template, dir) = yeondae_tests::bench::database(postgres.as_deref()).await?;
    let started = Instant::now();
    let data = {
        // The first (oldest) binary makes the dataset; later ones migrate
        // their copies forward when they start.
        let server = Server::start(&binaries[0].1, &template).await?;
        let client = Client::new(server.url.clone())?;
        let db = sea_orm::Database::connect(&template).await?;
        let data = dataset::generate(&client, &db).await?;
        yeondae_tests::bench::settle(&db).await?;
        db.close().await?;
        server.stop();
        data
    };
    eprintln!(
        "dataset generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "benchmark: {}, {CONCURRENCY} clients, client and server on one machine",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "| binary | scenario | requests | req/s | p50 ms | p99 ms | statements/request | server CPU ms/request | peak RSS MiB |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (round, (name, path)) in binaries.iter().enumerate() {
        let copy = yeondae_tests::bench::copy_database(
            postgres.as_deref(),
            &template,
            dir.as_ref(),
            round,
        )
        .await?;
        let server = Server::start(path, &copy.url).await?;
        let counter = match (&postgres, &copy.name) {
            (Some(admin), Some(name)) => StatementCounter::new(admin, name).await,
            _ => None,
        };
        scenarios(name, &server, counter.as_ref(), &data).await;
        server.stop();
        copy.drop(postgres.as_deref()).await?;
    }
    yeondae_tests::bench::drop_template(postgres.as_deref(), &template).await?;
    Ok(())
}
