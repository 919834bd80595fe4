//! Statement budgets: what one request may cost the database, whatever the
//! size of the lists it returns — at most one statement to authenticate,
//! then at most one per level of nesting (a level's page and its
//! `totalCount` come from one query). Counted by the database driver, which
//! does not see a transaction's BEGIN and COMMIT. The benchmark (`bench`)
//! counts the same requests from the database's side.

use serde_json::json;

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{Org, at};
use crate::support::work::text;

/// The partner dashboard: an organization, its agreements, their projects
/// and the projects' events — four levels.
const DASHBOARD: &str = "query($org: ID!) { organization(id: $org) { name agreements(first: 50) { totalCount nodes { title projects(first: 50) { totalCount nodes { title events(first: 50) { totalCount nodes { title startsAt } } } } } } } }";
/// Authentication, then one statement per level.
const DASHBOARD_BUDGET: usize = 1 + 4;

const MEMBERS: &str = "{ organizations(first: 50) { totalCount nodes { slug members(first: 20) { totalCount nodes { role user { displayName } } } } } }";
/// Authentication, the organizations, their members (with the users).
const MEMBERS_BUDGET: usize = 3;

/// Authentication; the organization locked; the caller's role there (read
/// after the lock), the space and the booking rule in one statement; the
/// insert; its audit entry. BEGIN and COMMIT come on top: seven in all.
const BOOKING_BUDGET: usize = 5;
const BOOK: &str = "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }";

/// The statements of one more run of `query`, for a failure's message.
async fn shown(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> String {
    app.take_statements();
    app.gql(token, query, variables).await;
    app.take_statements()
        .iter()
        .map(|s| format!("\n  {s}"))
        .collect()
}

/// Grow the dashboard of `host` to `agreements` agreements with a partner,
/// each running `projects` projects of `events` events.
async fn grow_dashboard(
    app: &TestApp,
    host: &Org,
    agreements: usize,
    projects: usize,
    events: usize,
) {
    for a in 0..agreements {
        let partner = app
            .org_with_owner(&format!("partner-{}", uuid::Uuid::now_v7().simple()))
            .await;
        let agreement = app
            .ratified_agreement(
                &[host, &partner],
                &["EVENTS", "PROJECTS"],
                "2024-01-01",
                None,
            )
            .await;
        for p in 0..projects {
            let made = app
                .create_project(
                    &host.owner,
                    &host.id,
                    Some(&agreement),
                    "PARTNERS",
                    &format!("사업 {a}-{p}"),
                )
                .await;
            let project = text(made.data(), "createProject.id");
            for e in 0..events {
                let start = 24 + (a * 100 + p * 10 + e) as i64;
                app.event_id(
                    &host.owner,
                    &host.id,
                    start,
                    start + 1,
                    json!({ "projectId": project }),
                )
                .await;
            }
        }
    }
}

db_test! {
    async fn the_dashboard_costs_one_statement_per_level(app) {
        let host = app.org_with_owner("hanbat").await;
        let vars = json!({ "org": host.id });
        grow_dashboard(&app, &host, 1, 1, 1).await;
        let small = app.statements_with(host.owner.token(), DASHBOARD, vars.clone()).await;
        grow_dashboard(&app, &host, 2, 3, 3).await;
        let (large, r) = app.statements_with(host.owner.token(), DASHBOARD, vars).await;
        let agreements = &r.data()["organization"]["agreements"];
        assert_eq!(agreements["totalCount"], 3);
        let events: usize = agreements["nodes"].as_array().unwrap().iter()
            .flat_map(|a| a["projects"]["nodes"].as_array().unwrap().clone())
            .map(|p| p["events"]["nodes"].as_array().unwrap().len())
            .sum();
        assert_eq!(events, 1 + 2 * 3 * 3);
        assert_eq!(small.0, large, "the dashboard's statements grew with its lists");
        assert!(large <= DASHBOARD_BUDGET, "the dashboard took {large} statements (budget {DASHBOARD_BUDGET}):{}", shown(&app, host.owner.token(), DASHBOARD, json!({ "org": host.id })).await);
    }
}

db_test! {
    async fn organizations_and_their_members_cost_three_statements(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let first = app.create_org(&owner, "hanbat").await;
        let small = app.statements_with(owner.token(), MEMBERS, json!({})).await.0;
        for i in 0..12 {
            let org = app.create_org(&owner, &format!("org-{i}")).await;
            for m in 0..3 {
                app.member(&owner, &org, &format!("m{m}@org-{i}.example"), "MEMBER").await;
            }
        }
        app.member(&owner, &first, "extra@hanbat.example", "EDITOR").await;
        let (large, r) = app.statements_with(owner.token(), MEMBERS, json!({})).await;
        let nodes = r.data()["organizations"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 13);
        assert!(nodes.iter().all(|o| o["members"]["nodes"].as_array().unwrap().len() >= 2));
        assert_eq!(small, large, "statements grew with the organizations and members");
        assert!(large <= MEMBERS_BUDGET, "organizations → members took {large} statements (budget {MEMBERS_BUDGET}):{}", shown(&app, owner.token(), MEMBERS, json!({})).await);
    }
}

db_test! {
    async fn a_booking_costs_the_same_whatever_the_room_has_seen(app) {
        let host = app.org_with_owner("hanbat").await;
        let space = app.space_id(&host.owner, &host.id, "소회의실", false).await;
        let mut costs = Vec::new();
        let mut log = Vec::new();
        for (round, history) in [(0, 0), (1, 40)] {
            for h in 0..history {
                let start = 100 + round * 1000 + h;
                app.book(host.owner.token(), &space, &host.id, &at(&app, start), &at(&app, start + 1), None).await.data();
            }
            app.take_statement_count();
            let start = 50 + round;
            let input = json!({ "spaceId": space, "organizationId": host.id, "title": "회의", "startsAt": at(&app, start), "endsAt": at(&app, start + 1) });
            app.gql(host.owner.token(), BOOK, json!({ "input": input })).await.data();
            log = app.take_statements();
            costs.push(log.len());
        }
        assert_eq!(costs[0], costs[1], "a booking's statements grew with the room's history");
        assert!(costs[0] <= BOOKING_BUDGET, "bookSpace took {} statements (budget {BOOKING_BUDGET}):\n  {}", costs[0], log.join("\n  "));
    }
}

db_test! {
    async fn the_bounded_clash_check_still_sees_a_day_long_booking(app) {
        // The clash checks read only bookings that started within the last
        // 24 hours (the longest a booking lasts): one that started 23 hours
        // before still clashes, one that ended as the new one starts does not.
        let host = app.org_with_owner("hanbat").await;
        let space = app.space_id(&host.owner, &host.id, "강당", false).await;
        let token = host.owner.token();
        app.book(token, &space, &host.id, &at(&app, 48), &at(&app, 72), None).await.data();
        let refused = app.book(token, &space, &host.id, &at(&app, 71), &at(&app, 73), None).await;
        refused.assert_error("CONFLICT", None);
        assert_eq!(refused.errors()[0]["extensions"]["conflicts"][0]["clashesWith"][0]["startsAt"], at(&app, 48));
        app.book(token, &space, &host.id, &at(&app, 72), &at(&app, 73), None).await.data();
    }
}

/// organizations → their disclosure requests → the agencies: one statement
/// per level after authentication.
const REQUESTS: &str = "{ organizations(first: 50) { nodes { slug disclosureRequests(first: 20) { totalCount nodes { subject overdue agency { name } transferredTo { name } } } } } }";
const REQUESTS_BUDGET: usize = 1 + 3;

db_test! {
    async fn organizations_and_their_disclosure_requests_cost_one_statement_per_level(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let first = app.create_org(&owner, "hanbat").await;
        let agency = app.agency_id(&owner, "대전광역시", "CITY").await;
        app.request_id(&owner, &first, &agency, "PRIVATE").await;
        let small = app.statements_with(owner.token(), REQUESTS, json!({})).await.0;
        for i in 0..6 {
            let org = app.create_org(&owner, &format!("org-{i}")).await;
            for k in 0..4 {
                let to = app.agency_id(&owner, &format!("기관 {i}-{k}"), "OTHER").await;
                let id = app.request_id(&owner, &org, &agency, "PRIVATE").await;
                app.decide_request(&owner, &id, "TRANSFERRED", Some(&to)).await.data();
            }
        }
        let (large, r) = app.statements_with(owner.token(), REQUESTS, json!({})).await;
        let nodes = r.data()["organizations"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 7);
        assert!(nodes.iter().all(|o| o["disclosureRequests"]["totalCount"].as_i64() >= Some(1)));
        assert_eq!(nodes[1]["disclosureRequests"]["nodes"][3]["transferredTo"]["name"], "기관 0-3");
        assert_eq!(small, large, "statements grew with the organizations and requests");
        assert!(large <= REQUESTS_BUDGET, "organizations → requests took {large} statements (budget {REQUESTS_BUDGET}):{}", shown(&app, owner.token(), REQUESTS, json!({})).await);
    }
}
