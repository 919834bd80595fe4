//! No sequence of concurrent requests makes two live bookings of one space
//! overlap: hundreds of requests at once, through one server and through two
//! `yeondae serve` processes on one PostgreSQL database.

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::join_all;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::db_test;
use crate::support::fixtures::{Org, Session};
use crate::support::{Backend, TEST_JWT_SECRET, TestApp};

const REQUESTS: usize = 200;

struct Room {
    org: Org,
    editors: Vec<Session>,
    space: String,
}

async fn room(app: &TestApp) -> Room {
    let org = app.org_with_owner("hanbat").await;
    let mut editors = Vec::new();
    for i in 0..4 {
        editors.push(
            app.member(
                &org.owner,
                &org.id,
                &format!("editor{i}@hanbat.example"),
                "EDITOR",
            )
            .await,
        );
    }
    let space = app
        .space_id(&org.owner, &org.id, "공유 회의실", false)
        .await;
    Room {
        org,
        editors,
        space,
    }
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn base(app: &TestApp) -> DateTime<Utc> {
    use chrono::DurationRound;
    (app.clock.now() + TimeDelta::days(2))
        .duration_trunc(TimeDelta::hours(1))
        .unwrap()
}

/// Send every interval at once (to `urls`, round robin); returns each
/// request's outcome: Ok(()) booked, Err(code) refused.
async fn race(
    app: &TestApp,
    urls: &[String],
    r: &Room,
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<Result<(), String>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let q = "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }";
    let requests = slots.iter().enumerate().map(|(i, (s, e))| {
        let client = client.clone();
        let url = format!("{}/graphql", urls[i % urls.len()]);
        let token = r.editors[i % r.editors.len()].access_token.clone();
        let body = json!({ "query": q, "variables": { "input": {
            "spaceId": r.space, "organizationId": r.org.id, "title": format!("request {i}"), "startsAt": rfc(*s), "endsAt": rfc(*e) } } });
        async move {
            let resp = client.post(url).bearer_auth(token).json(&body).send().await.expect("request");
            let v: serde_json::Value = resp.json().await.expect("JSON");
            match v["errors"][0]["extensions"]["code"].as_str() {
                None => Ok(()),
                Some(code) => Err(code.to_owned()),
            }
        }
    });
    let _ = app;
    join_all(requests).await
}

/// The live bookings of the space, as intervals sorted by start.
async fn committed(app: &TestApp, space: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut rows: Vec<_> = entity::booking::Entity::find()
        .filter(entity::booking::Column::SpaceId.eq(Uuid::parse_str(space).unwrap()))
        .filter(entity::booking::Column::Status.is_in([
            entity::BookingStatus::Pending,
            entity::BookingStatus::Confirmed,
        ]))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.starts_at, b.ends_at))
        .collect();
    rows.sort();
    rows
}

fn overlaps(a: &(DateTime<Utc>, DateTime<Utc>), b: &(DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Committed bookings are pairwise disjoint, every refusal is a CONFLICT with
/// a committed booking (never INTERNAL), and every success is committed.
fn check(
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
    outcomes: &[Result<(), String>],
    kept: &[(DateTime<Utc>, DateTime<Utc>)],
) {
    for w in kept.windows(2) {
        assert!(
            w[0].1 <= w[1].0,
            "two live bookings overlap: {:?} and {:?}",
            w[0],
            w[1]
        );
    }
    for (slot, outcome) in slots.iter().zip(outcomes) {
        match outcome {
            Ok(()) => assert!(
                kept.contains(slot),
                "{slot:?} succeeded but is not committed"
            ),
            Err(code) => {
                assert_eq!(code, "CONFLICT", "a refusal must be a CONFLICT, got {code}");
                assert!(
                    kept.iter().any(|k| overlaps(k, slot)),
                    "{slot:?} was refused though nothing committed clashes"
                );
            }
        }
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), kept.len());
}

/// 200 requests for one slot: exactly one wins.
async fn one_hot_slot(app: &TestApp, urls: &[String]) {
    let r = room(app).await;
    let t = base(app);
    let slots = vec![(t, t + TimeDelta::hours(1)); REQUESTS];
    let outcomes = race(app, urls, &r, &slots).await;
    let kept = committed(app, &r.space).await;
    assert_eq!(kept.len(), 1, "exactly one booking of the hot slot");
    check(&slots, &outcomes, &kept);
}

/// 200 requests for a chain of slots each overlapping its neighbours
/// (an hour long, starting every 20 minutes): whatever wins is disjoint and
/// everything refused clashes with a winner.
async fn overlapping_chain(app: &TestApp, urls: &[String]) {
    let r = room(app).await;
    let t = base(app);
    let mut slots: Vec<_> = (0..REQUESTS as i64)
        .map(|i| {
            (
                t + TimeDelta::minutes(20 * i),
                t + TimeDelta::minutes(20 * i + 60),
            )
        })
        .collect();
    // Interleave so that neighbours race each other.
    slots.sort_by_key(|(s, _)| (s.timestamp() / 60 / 20) % 7);
    let outcomes = race(app, urls, &r, &slots).await;
    let kept = committed(app, &r.space).await;
    // Slots are 3 steps long: between two kept ones at most 5 steps pass, or
    // the slot in between would have been free (check() proves that).
    assert!(kept.len() >= REQUESTS / 5, "kept only {}", kept.len());
    check(&slots, &outcomes, &kept);
}

db_test! {
    async fn two_hundred_requests_for_one_slot(app) {
        let url = app.url.clone();
        one_hot_slot(&app, &[url]).await;
    }
}

db_test! {
    async fn two_hundred_requests_for_a_chain_of_overlapping_slots(app) {
        let url = app.url.clone();
        overlapping_chain(&app, &[url]).await;
    }
}

db_test! {
    async fn the_database_itself_refuses_overlaps(app) {
        // Straight to the database, past every check in the service.
        let r = room(&app).await;
        let t = base(&app);
        let space = Uuid::parse_str(&r.space).unwrap();
        let org = Uuid::parse_str(&r.org.id).unwrap();
        let row = |start: DateTime<Utc>, end: DateTime<Utc>, status: entity::BookingStatus| entity::booking::ActiveModel {
            id: Set(Uuid::now_v7()),
            space_id: Set(space),
            organization_id: Set(org),
            booked_by: Set(None),
            title: Set("direct".into()),
            starts_at: Set(start),
            ends_at: Set(end),
            status: Set(status),
            series_id: Set(None),
            created_at: Set(t),
            decided_at: Set(None),
            decided_by: Set(None),
            rejection_reason: Set(None),
        };
        use entity::BookingStatus::*;
        row(t, t + TimeDelta::hours(2), Confirmed).insert(app.db()).await.unwrap();
        for status in [Confirmed, Pending] {
            let err = row(t + TimeDelta::hours(1), t + TimeDelta::hours(3), status).insert(app.db()).await.unwrap_err();
            let api = service::ApiError::from(err);
            assert_eq!(api.code(), "CONFLICT", "{api:?}");
        }
        // Back to back, and overlapping-but-dead rows, are fine.
        row(t + TimeDelta::hours(2), t + TimeDelta::hours(3), Confirmed).insert(app.db()).await.unwrap();
        let cancelled = row(t, t + TimeDelta::hours(1), Cancelled).insert(app.db()).await.unwrap();
        row(t, t + TimeDelta::hours(1), Rejected).insert(app.db()).await.unwrap();
        // Bringing a dead booking back to life over a live one is refused too.
        let mut revive: entity::booking::ActiveModel = cancelled.into();
        revive.status = Set(Pending);
        assert_eq!(service::ApiError::from(revive.update(app.db()).await.unwrap_err()).code(), "CONFLICT");
        // Sub-second precision compares as time on both backends.
        let half = TimeDelta::milliseconds(500);
        let t2 = t + TimeDelta::hours(10);
        row(t2, t2 + TimeDelta::hours(1) + half, Confirmed).insert(app.db()).await.unwrap();
        row(t2 + TimeDelta::hours(1) + half, t2 + TimeDelta::hours(2), Confirmed).insert(app.db()).await.unwrap();
        let err = row(t2 + TimeDelta::hours(1), t2 + TimeDelta::hours(1) + TimeDelta::microseconds(1), Confirmed).insert(app.db()).await.unwrap_err();
        assert_eq!(service::ApiError::from(err).code(), "CONFLICT");
        // And an interval must end after it starts.
        assert!(row(t + TimeDelta::hours(5), t + TimeDelta::hours(5), Confirmed).insert(app.db()).await.is_err());
    }
}

/// Two `yeondae serve` processes on the test's PostgreSQL database.
struct Instances {
    children: Vec<tokio::process::Child>,
    urls: Vec<String>,
}

async fn two_instances(app: &TestApp, dir: &std::path::Path) -> Instances {
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..2 {
        let env = [
            ("DATABASE_URL", app.state.config.database_url.as_str()),
            ("YEONDAE_JWT_SECRET", TEST_JWT_SECRET),
            ("YEONDAE_DB_MAX_CONNECTIONS", "8"),
        ];
        let served = crate::support::process::serve(dir, &env).await;
        urls.push(served.url);
        children.push(served.child);
    }
    Instances { children, urls }
}

async fn across_two_processes(
    test: for<'a> fn(&'a TestApp, &'a [String]) -> futures::future::BoxFuture<'a, ()>,
) {
    let Some(app) = TestApp::spawn_with(Backend::Postgres, Default::default()).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let instances = two_instances(&app, dir.path()).await;
    test(&app, &instances.urls).await;
    for mut child in instances.children {
        child.kill().await.ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hot_slot_through_two_processes_on_postgres() {
    across_two_processes(|app, urls| Box::pin(one_hot_slot(app, urls))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_chain_through_two_processes_on_postgres() {
    across_two_processes(|app, urls| Box::pin(overlapping_chain(app, urls))).await;
}
