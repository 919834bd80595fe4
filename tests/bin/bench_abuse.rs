//! What hostile requests cost the server, end to end over HTTP against a
//! real server on a fresh database (issue 8's cost cases). Prints figures;
//! `docs/api.md` quotes them. Nothing here asserts a speed.
//!
//!     cargo run --release -p yeondae-tests --bin bench-abuse
//!     cargo run --release -p yeondae-tests --bin bench-abuse -- postgres://postgres@127.0.0.1:5432/postgres
//!
//! - introspection: the standard query, the aliased-copies attack, and the
//!   most copies the limits let through;
//! - a recurrence built to be expensive, alone and ten at once while a
//!   victim logs in (on SQLite the writer connection is shared);
//! - a flood of sign-ups and log-ins, and the process's resident memory.

use std::time::{Duration, Instant};

use chrono::{DurationRound, TimeDelta, Utc};
use serde_json::json;
use yeondae_api::graphql::limits::STANDARD_INTROSPECTION;
use yeondae_tests::bench::{
    Client, database, drop_database, outcome, percentile, resident_mib, start, unlimited,
};

fn resident() -> u64 {
    resident_mib("self").unwrap_or(0)
}

fn row(what: &str, outcome: &str, took: Duration, bytes: usize) {
    println!(
        "{what:<52} {outcome:<18} {:>9.1} ms {:>11} bytes",
        took.as_secs_f64() * 1000.0,
        bytes
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().nth(1);
    let (database_url, _dir) = database(postgres.as_deref()).await?;
    let (url, state) = start(&database_url, unlimited()).await?;
    let client = Client::new(url)?;
    println!("resident memory at start: {} MiB", resident());

    let timed = |query: String| {
        let client = &client;
        async move {
            let t = Instant::now();
            let (answer, bytes) = client.gql_sized(None, &query, json!({})).await;
            (outcome(&answer), t.elapsed(), bytes)
        }
    };
    let (o, t, b) = timed(STANDARD_INTROSPECTION.to_owned()).await;
    row("standard introspection query", &o, t, b);
    let copies: String = (0..15)
        .map(|i| format!("s{i}: __schema {{ types {{ ...T }} }} "))
        .collect();
    let chain: String = (1..5)
        .map(|i| format!("fragment R{i} on __Type {{ name ofType {{ fields {{ name type {{ ...R{} }} }} }} }} ", i + 1))
        .collect();
    let attack = format!(
        "{{ {copies} }} fragment T on __Type {{ name fields {{ name type {{ ...R1 }} }} }} {chain} fragment R5 on __Type {{ name }}"
    );
    let (o, t, b) = timed(attack).await;
    row("15 aliased type systems chained through ofType", &o, t, b);
    let fragments = &STANDARD_INTROSPECTION[STANDARD_INTROSPECTION
        .find("fragment FullType")
        .unwrap_or(0)..];
    for n in [2, 3, 15] {
        let full: String = (0..n)
            .map(|i| format!("s{i}: __schema {{ types {{ ...FullType }} }} "))
            .collect();
        let (o, t, b) = timed(format!("{{ {full} }} {fragments}")).await;
        row(&format!("{n} aliased full introspections"), &o, t, b);
    }
    let typenames: String = (0..101).map(|i| format!("t{i}: __typename ")).collect();
    let (o, t, b) = timed(format!("{{ {typenames} }}")).await;
    row("101 aliases of __typename", &o, t, b);

    // Recurrences.
    let token = client.sign_up("owner@hanbat.example").await;
    let org = client.create_org(&token, "hanbat").await;
    let space = client.create_space(&token, &org, "회의실").await;
    let start_at = Utc::now().duration_trunc(TimeDelta::hours(1))? + TimeDelta::days(1);
    let hostile = "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;UNTIL=20991231T000000Z";
    let never = "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3";
    let book = |rule: &'static str| {
        let (client, token, space, org) = (&client, &token, &space, &org);
        async move {
            let t = Instant::now();
            let (answer, bytes) = client
                .gql_sized(
                    Some(token),
                    "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }",
                    json!({ "input": { "spaceId": space, "organizationId": org, "title": "회의",
                        "startsAt": start_at.to_rfc3339(), "endsAt": (start_at + TimeDelta::hours(1)).to_rfc3339(), "recurrence": rule } }),
                )
                .await;
            (outcome(&answer), t.elapsed(), bytes)
        }
    };
    let (o, t, b) = book(hostile).await;
    row("recurrence with every BY-list, until 2099", &o, t, b);
    let (o, t, b) = book(never).await;
    row("hourly recurrence that never matches", &o, t, b);
    let (o, t, b) = book("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=100").await;
    row("100 weekly occurrences (booked)", &o, t, b);

    // Ten hostile recurrences at once while a victim logs in.
    let log_in = || async {
        let t = Instant::now();
        let r = client
            .gql(None, "mutation { logIn(email: \"owner@hanbat.example\", password: \"benchmark password\") { accessToken } }", json!({}))
            .await;
        (outcome(&r), t.elapsed())
    };
    let (_, quiet) = log_in().await;
    let attacks = futures::future::join_all((0..10).map(|_| book(hostile)));
    let (_, (o, busy)) = futures::join!(attacks, log_in());
    println!(
        "victim's log-in: {:.1} ms alone, {:.1} ms beside ten hostile recurrences ({o})",
        quiet.as_secs_f64() * 1000.0,
        busy.as_secs_f64() * 1000.0
    );

    // A flood of sign-ups and log-ins.
    let before = resident();
    let mut latencies = Vec::new();
    for round in 0..10 {
        let requests = (0..40).map(|i| {
            let client = &client;
            async move {
                let t = Instant::now();
                if i % 2 == 0 {
                    client.sign_up(&format!("flood-{round}-{i}@hanbat.example")).await;
                } else {
                    client
                        .gql(None, "mutation($e: String!) { logIn(email: $e, password: \"wrong password!\") { accessToken } }", json!({ "e": format!("flood-{round}-{i}@hanbat.example") }))
                        .await;
                }
                t.elapsed()
            }
        });
        latencies.extend(futures::future::join_all(requests).await);
    }
    latencies.sort();
    println!(
        "400 sign-ups and log-ins, 40 at a time: p50 {:.0} ms, p99 {:.0} ms; resident memory {before} MiB before, {} MiB after",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        resident()
    );
    drop_database(postgres.as_deref(), &database_url, &state).await
}
