//! Information-disclosure requests (정보공개청구) and the agencies they go
//! to: agencies as shared reference data, a request's life (filing, the
//! deadline and its extension, the decision, a transfer, an objection, an
//! appeal, withdrawal), when it is overdue by the Seoul calendar, and who
//! reads and changes it.
//!
//! One file per subject: `agencies.rs`, `filing.rs`, `lifecycle.rs`,
//! `objections.rs` (and appeals), `overdue.rs`, `visibility.rs`, `lists.rs`;
//! this file holds the callers and the helpers they share.

mod agencies;
mod attachments;
mod citizens;
mod filing;
mod goals;
mod lifecycle;
mod lists;
mod objections;
mod overdue;
mod spreadsheet;
mod stats;
mod visibility;

use chrono::{NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::support::fixtures::{Org, Session, day};
use crate::support::work::text;
use crate::support::{Gql, TestApp};

/// What the tests read of a request (not its project: whether that shows
/// depends on who reads it; ask for it where it matters).
pub(super) const REQUEST_FIELDS: &str = "id status subject body channel receiptNumber filedOn filedBy dueOn overdue decidedOn visibility createdAt organization { id } agency { id name kind } transferredTo { id } objection { lodgedOn dueOn decidedOn outcome } appeal { kind notedOn }";

/// hanbat files requests; gapcheon shares PROJECTS with it (`joint`);
/// `actions-only` shares only ACTIONS; yuseong is unrelated.
pub(super) struct World {
    pub hanbat: Org,
    pub editor: Session,
    pub member: Session,
    pub gapcheon: Org,
    pub gap_editor: Session,
    pub actions_only: Org,
    pub yuseong: Org,
    pub yu_editor: Session,
    /// hanbat and gapcheon's agreement (PROJECTS).
    pub joint: String,
    /// 대전광역시 유성구 (DISTRICT): where the requests go by default.
    pub agency: String,
    /// 대전광역시 (CITY): another agency, for transfers and filters.
    pub other_agency: String,
}

pub(super) async fn world(app: &TestApp) -> World {
    let hanbat = app.org_with_owner("hanbat").await;
    let [editor, member] = app
        .staff(&hanbat.owner, &hanbat.id, "hanbat", ["EDITOR", "MEMBER"])
        .await;
    let gapcheon = app.org_with_owner("gapcheon").await;
    let [gap_editor] = app
        .staff(&gapcheon.owner, &gapcheon.id, "gapcheon", ["EDITOR"])
        .await;
    let actions_only = app.org_with_owner("actions-only").await;
    let yuseong = app.org_with_owner("yuseong").await;
    let [yu_editor] = app
        .staff(&yuseong.owner, &yuseong.id, "yuseong", ["EDITOR"])
        .await;
    let joint = app
        .ratified_agreement(&[&hanbat, &gapcheon], &["PROJECTS"], "2024-01-01", None)
        .await;
    app.ratified_agreement(&[&hanbat, &actions_only], &["ACTIONS"], "2024-01-01", None)
        .await;
    let agency = agency_id(app, &editor, "대전광역시 유성구", "DISTRICT").await;
    let other_agency = agency_id(app, &editor, "대전광역시", "CITY").await;
    World {
        hanbat,
        editor,
        member,
        gapcheon,
        gap_editor,
        actions_only,
        yuseong,
        yu_editor,
        joint,
        agency,
        other_agency,
    }
}

/// A platform admin (an operator), signed in.
pub(super) async fn operator(app: &TestApp, email: &str) -> Session {
    let root = app.sign_up(email).await;
    app.promote_admin(email).await;
    root
}

/// Today in Asia/Seoul at the server's clock, as YYYY-MM-DD.
pub(super) fn today(app: &TestApp) -> String {
    day(app, 0)
}

/// `date` (YYYY-MM-DD) moved by `days` calendar days.
pub(super) fn plus(date: &str, days: i64) -> String {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap_or_else(|e| panic!("{date}: {e}"));
    (d + TimeDelta::days(days)).format("%Y-%m-%d").to_string()
}

/// Move the clock to `minutes` past the coming midnight in Seoul: the Seoul
/// date turns while the UTC date (15:00 the day before) does not. Access
/// tokens issued before are stale afterwards (`app.again`).
pub(super) fn to_next_seoul_midnight(app: &TestApp, minutes: i64) {
    let seoul = chrono_tz::Asia::Seoul;
    let now = app.clock.now();
    let midnight = (now.with_timezone(&seoul).date_naive() + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(seoul)
        .single()
        .expect("Seoul has one midnight a day")
        .with_timezone(&Utc);
    app.clock
        .advance(midnight + TimeDelta::minutes(minutes) - now);
}

/// `createAgency(name, kind)` as `token`.
pub(super) async fn create_agency(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    kind: &str,
) -> Gql {
    app.gql(
        token,
        "mutation($n: String!, $k: AgencyKind!) { createAgency(name: $n, kind: $k) { id name kind createdAt } }",
        json!({ "n": name, "k": kind }),
    )
    .await
}

/// [`create_agency`], expected to succeed: the agency's id.
pub(super) async fn agency_id(app: &TestApp, by: &Session, name: &str, kind: &str) -> String {
    text(
        create_agency(app, by.token(), name, kind).await.data(),
        "createAgency.id",
    )
}

/// A `FileDisclosureRequestInput` for `org`: a member's PARTNERS request
/// filed today through the portal, with `overrides` on top (which must name
/// the `agencyId`).
pub(super) fn input(app: &TestApp, org: &str, overrides: Value) -> Value {
    assert!(
        overrides.get("agencyId").is_some(),
        "name the agencyId: {overrides}"
    );
    let mut input = json!({
        "organizationId": org,
        "subject": "2024년 업무추진비 집행내역",
        "body": "2024년 1월부터 12월까지 구청장 업무추진비 집행내역 일체",
        "channel": "PORTAL",
        "receiptNumber": "10234567",
        "filedOn": today(app),
        "filedBy": "MEMBER",
        "visibility": "PARTNERS",
    });
    for (k, v) in overrides.as_object().unwrap() {
        input[k] = v.clone();
    }
    input
}

/// `fileDisclosureRequest` as `token` with [`input`].
pub(super) async fn try_file(
    app: &TestApp,
    token: Option<&str>,
    org: &str,
    overrides: Value,
) -> Gql {
    app.gql(
        token,
        &format!("mutation($input: FileDisclosureRequestInput!) {{ fileDisclosureRequest(input: $input) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "input": input(app, org, overrides) }),
    )
    .await
}

/// [`try_file`], expected to succeed: the new request's id.
pub(super) async fn file(app: &TestApp, by: &Session, org: &str, overrides: Value) -> String {
    let filed = try_file(app, by.token(), org, overrides).await;
    text(filed.data(), "fileDisclosureRequest.id")
}

/// The request as `token` reads it, or `None` when it is NOT_FOUND to them
/// (any other error fails the test).
pub(super) async fn read(app: &TestApp, token: Option<&str>, id: &str) -> Option<Value> {
    let r = app
        .gql(
            token,
            &format!("query($id: ID!) {{ disclosureRequest(id: $id) {{ {REQUEST_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    if r.is_ok() {
        let found = r.data()["disclosureRequest"].clone();
        assert!(
            !found.is_null(),
            "a request that is not there is NOT_FOUND: {}",
            r.body
        );
        return Some(found);
    }
    r.assert_error("NOT_FOUND", None);
    None
}

/// A request as hanbat's OWNER reads it, with hanbat's audit log: what a
/// refused mutation must leave as it was. (The OWNER's token is the one
/// from the start: not for tests that move the clock by more than minutes.)
pub(super) async fn state(app: &TestApp, w: &World, id: &str) -> (Value, Vec<String>) {
    (
        get(app, w.hanbat.owner.token(), id).await,
        app.audit_actions(&w.hanbat.id).await,
    )
}

/// [`read`], expected to be readable.
pub(super) async fn get(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    read(app, token, id)
        .await
        .unwrap_or_else(|| panic!("request {id} is not readable"))
}

/// The mutation `op(id: $id)`, answering [`REQUEST_FIELDS`].
pub(super) async fn op(app: &TestApp, by: &Session, op: &str, id: &str) -> Gql {
    app.op_on(by, op, id, REQUEST_FIELDS).await
}

/// `recordDisclosureDecision`.
pub(super) async fn decide(
    app: &TestApp,
    by: &Session,
    id: &str,
    status: &str,
    decided_on: &str,
    transferred_to: Option<&String>,
) -> Gql {
    app.gql(
        by.token(),
        &format!("mutation($id: ID!, $input: DisclosureDecisionInput!) {{ recordDisclosureDecision(id: $id, input: $input) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "id": id, "input": { "status": status, "decidedOn": decided_on, "transferredToAgencyId": transferred_to } }),
    )
    .await
}

/// `lodgeObjection`.
pub(super) async fn lodge(app: &TestApp, by: &Session, id: &str, lodged_on: &str) -> Gql {
    app.gql(
        by.token(),
        &format!("mutation($id: ID!, $on: Date!) {{ lodgeObjection(id: $id, lodgedOn: $on) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "id": id, "on": lodged_on }),
    )
    .await
}

/// `recordObjectionDecision`.
pub(super) async fn rule_on_objection(
    app: &TestApp,
    by: &Session,
    id: &str,
    outcome: &str,
    decided_on: &str,
) -> Gql {
    app.gql(
        by.token(),
        &format!("mutation($id: ID!, $o: ObjectionOutcome!, $on: Date!) {{ recordObjectionDecision(id: $id, outcome: $o, decidedOn: $on) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "id": id, "o": outcome, "on": decided_on }),
    )
    .await
}

/// `noteDisclosureAppeal`.
pub(super) async fn appeal(
    app: &TestApp,
    by: &Session,
    id: &str,
    kind: &str,
    noted_on: &str,
) -> Gql {
    app.gql(
        by.token(),
        &format!("mutation($id: ID!, $k: AppealKind!, $on: Date!) {{ noteDisclosureAppeal(id: $id, kind: $k, notedOn: $on) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "id": id, "k": kind, "on": noted_on }),
    )
    .await
}

/// `deleteDisclosureRequest`.
pub(super) async fn delete(app: &TestApp, by: &Session, id: &str) -> Gql {
    app.gql(
        by.token(),
        "mutation($id: ID!) { deleteDisclosureRequest(id: $id) }",
        json!({ "id": id }),
    )
    .await
}

/// Every mutation on an existing request, as (name, query, variables), each
/// well-formed for a request filed on or before `today`.
pub(super) fn every_mutation(
    id: &str,
    agency: &str,
    today: &str,
) -> Vec<(&'static str, String, Value)> {
    let f = REQUEST_FIELDS;
    vec![
        (
            "extendDisclosureDeadline",
            format!("mutation($id: ID!) {{ extendDisclosureDeadline(id: $id) {{ {f} }} }}"),
            json!({ "id": id }),
        ),
        (
            "recordDisclosureDecision",
            format!(
                "mutation($id: ID!, $input: DisclosureDecisionInput!) {{ recordDisclosureDecision(id: $id, input: $input) {{ {f} }} }}"
            ),
            json!({ "id": id, "input": { "status": "TRANSFERRED", "decidedOn": today, "transferredToAgencyId": agency } }),
        ),
        (
            "lodgeObjection",
            format!(
                "mutation($id: ID!, $on: Date!) {{ lodgeObjection(id: $id, lodgedOn: $on) {{ {f} }} }}"
            ),
            json!({ "id": id, "on": today }),
        ),
        (
            "recordObjectionDecision",
            format!(
                "mutation($id: ID!, $on: Date!) {{ recordObjectionDecision(id: $id, outcome: UPHELD, decidedOn: $on) {{ {f} }} }}"
            ),
            json!({ "id": id, "on": today }),
        ),
        (
            "noteDisclosureAppeal",
            format!(
                "mutation($id: ID!, $on: Date!) {{ noteDisclosureAppeal(id: $id, kind: LAWSUIT, notedOn: $on) {{ {f} }} }}"
            ),
            json!({ "id": id, "on": today }),
        ),
        (
            "withdrawDisclosureRequest",
            format!("mutation($id: ID!) {{ withdrawDisclosureRequest(id: $id) {{ {f} }} }}"),
            json!({ "id": id }),
        ),
        (
            "deleteDisclosureRequest",
            "mutation($id: ID!) { deleteDisclosureRequest(id: $id) }".to_owned(),
            json!({ "id": id }),
        ),
    ]
}

/// `disclosureRequests(<args>)` as `token` (arguments written inline, e.g.
/// `status: FILED, agencyId: "…"`): (totalCount, ids in order).
pub(super) async fn listed(app: &TestApp, token: Option<&str>, args: &str) -> (i64, Vec<String>) {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    let query = format!("{{ disclosureRequests{args} {{ totalCount nodes {{ id }} }} }}");
    let r = app.gql(token, &query, json!({})).await;
    connection(&r.data()["disclosureRequests"])
}

/// `organization(id: org) { disclosureRequests(<args>) }` as `token`:
/// (totalCount, ids in order).
pub(super) async fn listed_under(
    app: &TestApp,
    token: Option<&str>,
    org: &str,
    args: &str,
) -> (i64, Vec<String>) {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    let query = format!(
        "query($o: ID!) {{ organization(id: $o) {{ disclosureRequests{args} {{ totalCount nodes {{ id }} }} }} }}"
    );
    let r = app.gql(token, &query, json!({ "o": org })).await;
    connection(&r.data()["organization"]["disclosureRequests"])
}

/// (totalCount, node ids) of a connection.
pub(super) fn connection(c: &Value) -> (i64, Vec<String>) {
    let total = c["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("no totalCount in {c}"));
    let ids = c["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no nodes in {c}"))
        .iter()
        .map(|n| text(n, "id"))
        .collect();
    (total, ids)
}

/// `ids` sorted, to compare lists whose order is not the point.
pub(super) fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}
