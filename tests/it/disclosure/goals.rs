//! Goals measured by disclosure requests (measure DISCLOSURE_REQUESTS):
//! `achieved` is the number of requests of the organizations taking part in
//! the project now, filed from the project's start (or the goal's creation
//! day in Seoul) through the goal's due date, not withdrawn, and matching
//! the goal's filter — whatever their visibility. Nothing is recorded by
//! hand: the count follows filing, decisions, withdrawal and deletion, and
//! the charts count the same way month by month.

use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Value, json};

use super::{World, decide, delete, file, op, plus, read, to_next_seoul_midnight, today, world};
use crate::db_test;
use crate::support::fixtures::{Org, Session};
use crate::support::work::text;
use crate::support::{Gql, TestApp};

const GOAL_FIELDS: &str = "id kind measure target unit dueOn achieved ratio disclosureFilter { filedBy decidedOnly } progress { totalCount }";

/// A project led by `lead` under `agreement`, starting on `starts_on`.
async fn project(
    app: &TestApp,
    by: &Session,
    lead: &str,
    agreement: &str,
    starts_on: Option<&str>,
    visibility: &str,
) -> String {
    let input = json!({ "leadOrganizationId": lead, "agreementId": agreement, "title": "정보공개 운동", "visibility": visibility, "startsOn": starts_on });
    let made = app
        .gql(
            by.token(),
            "mutation($input: CreateProjectInput!) { createProject(input: $input) { id startsOn } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(made.data()["createProject"]["startsOn"], json!(starts_on));
    text(made.data(), "createProject.id")
}

/// hanbat's project under `joint` (PUBLIC, so anyone reads its goals),
/// with gapcheon taking part.
async fn joint_project(app: &TestApp, w: &World, starts_on: Option<&str>) -> String {
    let id = project(app, &w.editor, &w.hanbat.id, &w.joint, starts_on, "PUBLIC").await;
    app.add_participant(&w.editor, &id, &w.gapcheon.id)
        .await
        .data();
    id
}

/// A `GoalInput` counting disclosure requests.
fn counting(target: f64, due_on: Option<&str>, filter: Option<Value>) -> Value {
    let mut input = json!({ "kind": "QUANTITATIVE", "title": "정보공개청구 건수", "unit": "건", "target": target, "measure": "DISCLOSURE_REQUESTS" });
    if let Some(due_on) = due_on {
        input["dueOn"] = json!(due_on);
    }
    if let Some(filter) = filter {
        input["disclosureFilter"] = filter;
    }
    input
}

async fn add(app: &TestApp, by: &Session, project: &str, input: Value) -> Gql {
    app.gql(
        by.token(),
        &format!("mutation($p: ID!, $input: GoalInput!) {{ addGoal(projectId: $p, input: $input) {{ {GOAL_FIELDS} }} }}"),
        json!({ "p": project, "input": input }),
    )
    .await
}

async fn goal_id(
    app: &TestApp,
    by: &Session,
    project: &str,
    target: f64,
    due_on: Option<&str>,
    filter: Option<Value>,
) -> String {
    let made = add(app, by, project, counting(target, due_on, filter)).await;
    text(made.data(), "addGoal.id")
}

/// The goal as `token` reads it.
async fn goal(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let r = app
        .gql(
            token,
            &format!("query($id: ID!) {{ goal(id: $id) {{ {GOAL_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    r.data()["goal"].clone()
}

/// `achieved` of each goal, as an anonymous caller reads it.
async fn counts(app: &TestApp, goals: &[&str]) -> Vec<f64> {
    let mut out = Vec::new();
    for id in goals {
        out.push(app.achieved(None, id).await);
    }
    out
}

/// A request of `org`'s to the usual agency, filed on `filed_on`, with
/// `extra` fields on top.
async fn filed(
    app: &TestApp,
    w: &World,
    by: &Session,
    org: &Org,
    filed_on: &str,
    extra: Value,
) -> String {
    let mut overrides = json!({ "agencyId": w.agency, "filedOn": filed_on });
    for (k, v) in extra.as_object().unwrap() {
        overrides[k] = v.clone();
    }
    file(app, by, &org.id, overrides).await
}

const CHART: &str = "query($id: ID!, $from: Date!, $to: Date!) { goal(id: $id) { achieved series(interval: MONTH, from: $from, to: $to) { periodStart achieved } seriesByOrganization(interval: MONTH, from: $from, to: $to) { organization { id } points { periodStart achieved } } } }";

/// The points of a series as (periodStart, achieved).
fn points(v: &Value) -> Vec<(String, f64)> {
    v.as_array()
        .unwrap_or_else(|| panic!("no points in {v}"))
        .iter()
        .map(|p| (text(p, "periodStart"), p["achieved"].as_f64().unwrap()))
        .collect()
}

/// `seriesByOrganization` as (organization id, values), by id.
fn by_organization(goal: &Value) -> Vec<(String, Vec<f64>)> {
    let mut out: Vec<(String, Vec<f64>)> = goal["seriesByOrganization"]
        .as_array()
        .unwrap_or_else(|| panic!("no seriesByOrganization in {goal}"))
        .iter()
        .map(|o| {
            (
                text(o, "organization.id"),
                points(&o["points"]).into_iter().map(|(_, v)| v).collect(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn sorted_by_id(mut v: Vec<(String, Vec<f64>)>) -> Vec<(String, Vec<f64>)> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

db_test! {
    async fn a_disclosure_goal_carries_its_filter_and_takes_no_recordings(app) {
        let w = world(&app).await;
        let t = today(&app);
        let project = project(&app, &w.editor, &w.hanbat.id, &w.joint, Some(&plus(&t, -30)), "PARTNERS").await;
        app.add_participant(&w.editor, &project, &w.gapcheon.id).await.data();
        let filter = json!({ "filedBy": "CITIZEN", "decidedOnly": true });
        let with_measure = |measure: Option<&str>| {
            let mut input = json!({ "kind": "QUANTITATIVE", "title": "청구", "target": 5, "disclosureFilter": filter });
            if let Some(m) = measure {
                input["measure"] = json!(m);
            }
            input
        };
        for (input, field) in [
            (with_measure(Some("TOTAL")), "disclosureFilter"),
            (with_measure(Some("LEVEL")), "disclosureFilter"),
            (with_measure(None), "disclosureFilter"),
            (json!({ "kind": "QUALITATIVE", "title": "보고서", "measure": "DISCLOSURE_REQUESTS" }), "measure"),
            (json!({ "kind": "QUANTITATIVE", "title": "청구", "measure": "DISCLOSURE_REQUESTS" }), "target"),
        ] {
            add(&app, &w.editor, &project, input).await.assert_error("BAD_USER_INPUT", Some(field));
        }
        let input = counting(12.0, None, Some(filter.clone()));
        add(&app, &w.member, &project, input.clone()).await.assert_error("FORBIDDEN", None);
        add(&app, &w.gap_editor, &project, input.clone()).await.assert_error("FORBIDDEN", None);
        add(&app, &w.yu_editor, &project, input).await.assert_error("NOT_FOUND", None);
        let goals = app.gql(w.editor.token(), "query($id: ID!) { project(id: $id) { goals { id } } }", json!({ "id": project })).await;
        assert_eq!(goals.data()["project"]["goals"], json!([]), "no refused goal was added");

        let due = plus(&t, 60);
        let made = add(&app, &w.editor, &project, counting(12.0, Some(&due), Some(filter.clone()))).await;
        let g = made.data()["addGoal"].clone();
        let id = text(&g, "id");
        assert_eq!(g, json!({ "id": id, "kind": "QUANTITATIVE", "measure": "DISCLOSURE_REQUESTS", "target": 12.0, "unit": "건", "dueOn": due, "achieved": 0.0, "ratio": 0.0, "disclosureFilter": { "filedBy": "CITIZEN", "decidedOnly": true }, "progress": { "totalCount": 0 } }));
        assert_eq!(goal(&app, w.member.token(), &id).await, g);
        assert_eq!(goal(&app, w.gapcheon.owner.token(), &id).await, g, "a participant reads the same");

        // Without a filter every request counts; a filter names what it
        // narrows, decidedOnly false unless asked for.
        let plain = goal_id(&app, &w.editor, &project, 3.0, None, None).await;
        let g = goal(&app, w.member.token(), &plain).await;
        assert_eq!((&g["measure"], &g["dueOn"], &g["disclosureFilter"]), (&json!("DISCLOSURE_REQUESTS"), &json!(null), &json!({ "filedBy": null, "decidedOnly": false })));
        let members = goal_id(&app, &w.hanbat.owner, &project, 3.0, None, Some(json!({ "filedBy": "MEMBER" }))).await;
        assert_eq!(goal(&app, w.member.token(), &members).await["disclosureFilter"], json!({ "filedBy": "MEMBER", "decidedOnly": false }));
        let total = app.goal_id(&w.editor, &project, "TOTAL", 5.0).await;
        let g = goal(&app, w.member.token(), &total).await;
        assert_eq!((&g["measure"], &g["disclosureFilter"]), (&json!("TOTAL"), &json!(null)));

        // Nothing is recorded by hand, by the lead or by a participant.
        app.record(&w.editor, &id, &w.hanbat.id, 1.0).await.assert_error("BAD_USER_INPUT", Some("goalId"));
        app.record(&w.gap_editor, &plain, &w.gapcheon.id, 1.0).await.assert_error("BAD_USER_INPUT", Some("goalId"));
        let g = goal(&app, w.member.token(), &plain).await;
        assert_eq!((&g["achieved"], &g["progress"]), (&json!(0.0), &json!({ "totalCount": 0 })));
        let log = app.audit_actions(&w.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "goal.create").count(), 4, "{log:?}");
        assert!(!log.iter().any(|a| a == "goal.progress"), "{log:?}");
    }
}

db_test! {
    async fn achieved_follows_filing_decisions_withdrawal_and_deletion(app) {
        let w = world(&app).await;
        let t = today(&app);
        let start = plus(&t, -30);
        let project = joint_project(&app, &w, Some(&start)).await;
        let all = goal_id(&app, &w.editor, &project, 4.0, None, None).await;
        let decided = goal_id(&app, &w.editor, &project, 2.0, None, Some(json!({ "decidedOnly": true }))).await;
        let citizen = goal_id(&app, &w.editor, &project, 1.0, None, Some(json!({ "filedBy": "CITIZEN" }))).await;
        let until = goal_id(&app, &w.editor, &project, 10.0, Some(&plus(&t, -10)), None).await;
        let goals = [all.as_str(), decided.as_str(), citizen.as_str(), until.as_str()];
        let none = json!({});
        assert_eq!(counts(&app, &goals).await, [0.0; 4]);

        filed(&app, &w, &w.editor, &w.hanbat, &plus(&start, -1), json!({ "visibility": "PUBLIC" })).await;
        assert_eq!(counts(&app, &goals).await, [0.0; 4], "filed the day before the project starts");
        let r1 = filed(&app, &w, &w.editor, &w.hanbat, &start, none.clone()).await;
        assert_eq!(counts(&app, &goals).await, [1.0, 0.0, 0.0, 1.0], "the project's first day counts");

        // Organizations not taking part count for nothing.
        filed(&app, &w, &w.yu_editor, &w.yuseong, &plus(&t, -5), json!({ "visibility": "PUBLIC" })).await;
        filed(&app, &w, &w.actions_only.owner, &w.actions_only, &plus(&t, -5), none.clone()).await;
        assert_eq!(counts(&app, &goals).await, [1.0, 0.0, 0.0, 1.0]);

        // A participant's PRIVATE request counts: only the number shows.
        let r2 = filed(&app, &w, &w.gap_editor, &w.gapcheon, &plus(&t, -20), json!({ "visibility": "PRIVATE" })).await;
        assert_eq!(counts(&app, &goals).await, [2.0, 0.0, 0.0, 2.0]);
        assert!(read(&app, None, &r2).await.is_none(), "the request itself stays unreadable");
        assert!(read(&app, w.editor.token(), &r2).await.is_none());

        let r3 = filed(&app, &w, &w.editor, &w.hanbat, &plus(&t, -10), json!({ "filedBy": "CITIZEN" })).await;
        assert_eq!(counts(&app, &goals).await, [3.0, 0.0, 1.0, 3.0], "the due date itself counts");
        assert_eq!(goal(&app, None, &citizen).await["ratio"].as_f64(), Some(1.0));
        let r4 = filed(&app, &w, &w.editor, &w.hanbat, &plus(&t, -9), none.clone()).await;
        assert_eq!(counts(&app, &goals).await, [4.0, 0.0, 1.0, 3.0], "after the due date: not for `until`");
        assert_eq!(goal(&app, None, &all).await["ratio"].as_f64(), Some(1.0));

        // Decisions count for decidedOnly, a transfer included; an
        // extension is not a decision.
        decide(&app, &w.editor, &r1, "DISCLOSED", &plus(&t, -25), None).await.data();
        assert_eq!(counts(&app, &goals).await, [4.0, 1.0, 1.0, 3.0]);
        decide(&app, &w.gap_editor, &r2, "TRANSFERRED", &plus(&t, -15), Some(&w.other_agency)).await.data();
        assert_eq!(counts(&app, &goals).await, [4.0, 2.0, 1.0, 3.0]);
        assert_eq!(goal(&app, None, &decided).await["ratio"].as_f64(), Some(1.0));
        op(&app, &w.editor, "extendDisclosureDeadline", &r4).await.data();
        assert_eq!(counts(&app, &goals).await, [4.0, 2.0, 1.0, 3.0]);

        // Withdrawn, deleted: no longer counted.
        op(&app, &w.editor, "withdrawDisclosureRequest", &r4).await.data();
        assert_eq!(counts(&app, &goals).await, [3.0, 2.0, 1.0, 3.0]);
        filed(&app, &w, &w.editor, &w.hanbat, &t, json!({ "visibility": "PUBLIC" })).await;
        assert_eq!(counts(&app, &goals).await, [4.0, 2.0, 1.0, 3.0], "filed today");
        assert_eq!(delete(&app, &w.editor, &r1).await.data()["deleteDisclosureRequest"], true);
        assert_eq!(counts(&app, &goals).await, [3.0, 1.0, 1.0, 2.0]);
        delete(&app, &w.editor, &r3).await.data();
        assert_eq!(counts(&app, &goals).await, [2.0, 1.0, 0.0, 1.0]);
        let g = goal(&app, None, &all).await;
        assert_eq!((g["achieved"].as_f64(), g["ratio"].as_f64(), &g["progress"]), (Some(2.0), Some(0.5), &json!({ "totalCount": 0 })));
    }
}

db_test! {
    async fn without_a_start_a_goal_counts_from_its_creation_day_in_seoul(app) {
        let w = world(&app).await;
        let before = today(&app);
        // Five past midnight in Seoul: the UTC date is still `before`.
        to_next_seoul_midnight(&app, 5);
        let t = today(&app);
        assert_eq!(t, plus(&before, 1));
        let (editor, gap_editor) = (app.again(&w.editor).await, app.again(&w.gap_editor).await);
        let project = project(&app, &editor, &w.hanbat.id, &w.joint, None, "PUBLIC").await;
        app.add_participant(&editor, &project, &w.gapcheon.id).await.data();
        filed(&app, &w, &editor, &w.hanbat, &before, json!({})).await;
        let id = goal_id(&app, &editor, &project, 4.0, None, None).await;
        assert_eq!(app.achieved(None, &id).await, 0.0, "filed the day before the goal's creation day in Seoul");
        filed(&app, &w, &editor, &w.hanbat, &t, json!({})).await;
        filed(&app, &w, &gap_editor, &w.gapcheon, &t, json!({ "filedBy": "CITIZEN" })).await;
        let g = goal(&app, None, &id).await;
        assert_eq!((g["achieved"].as_f64(), g["ratio"].as_f64()), (Some(2.0), Some(0.5)));
    }
}

db_test! {
    async fn only_organizations_taking_part_now_are_counted(app) {
        let w = world(&app).await;
        let t = today(&app);
        let daedeok = app.org_with_owner("daedeok").await;
        let three = app.ratified_agreement(&[&w.hanbat, &w.gapcheon, &daedeok], &["PROJECTS"], "2024-01-01", None).await;
        let project = project(&app, &w.editor, &w.hanbat.id, &three, Some(&plus(&t, -30)), "PUBLIC").await;
        app.add_participant(&w.editor, &project, &w.gapcheon.id).await.data();
        let id = goal_id(&app, &w.editor, &project, 4.0, None, None).await;
        filed(&app, &w, &daedeok.owner, &daedeok, &plus(&t, -3), json!({})).await;
        filed(&app, &w, &w.editor, &w.hanbat, &plus(&t, -2), json!({})).await;
        filed(&app, &w, &w.gap_editor, &w.gapcheon, &plus(&t, -1), json!({})).await;
        assert_eq!(app.achieved(None, &id).await, 2.0, "daedeok is a party, not a participant");

        // Once it takes part, its requests since the start count, those
        // filed before it joined included.
        app.add_participant(&w.editor, &project, &daedeok.id).await.data();
        assert_eq!(app.achieved(None, &id).await, 3.0);

        // gapcheon leaves the agreement: it no longer takes part.
        app.party_op(&w.gapcheon.owner, "withdrawFromAgreement", &three, &w.gapcheon.id).await.data();
        assert_eq!(app.achieved(None, &id).await, 2.0);
        let r = app.gql(None, CHART, json!({ "id": id, "from": t, "to": t })).await;
        let g = &r.data()["goal"];
        assert_eq!(points(&g["series"]).into_iter().map(|(_, v)| v).collect::<Vec<_>>(), [2.0]);
        let expected = sorted_by_id(vec![(w.hanbat.id.clone(), vec![1.0]), (daedeok.id.clone(), vec![1.0])]);
        assert_eq!(by_organization(g), expected);
    }
}

db_test! {
    async fn the_monthly_series_counts_requests_as_of_each_month_end(app) {
        let w = world(&app).await;
        let t = today(&app);
        let this_month = NaiveDate::parse_from_str(&t, "%Y-%m-%d").unwrap().with_day(1).unwrap();
        let month = |back: u32| (this_month - Months::new(back)).to_string();
        let (m0, m1, m2, m3) = (month(3), month(2), month(1), month(0));
        let project = joint_project(&app, &w, Some(&m0)).await;
        let goal = goal_id(&app, &w.editor, &project, 10.0, None, None).await;
        let until = goal_id(&app, &w.editor, &project, 10.0, Some(&plus(&m2, 14)), None).await;

        let none = json!({});
        filed(&app, &w, &w.editor, &w.hanbat, &plus(&m0, -1), none.clone()).await;
        filed(&app, &w, &w.editor, &w.hanbat, &m0, none.clone()).await;
        filed(&app, &w, &w.editor, &w.hanbat, &plus(&m1, 4), json!({ "visibility": "PRIVATE" })).await;
        filed(&app, &w, &w.editor, &w.hanbat, &t, none.clone()).await;
        filed(&app, &w, &w.gap_editor, &w.gapcheon, &plus(&m1, 9), none.clone()).await;
        filed(&app, &w, &w.gap_editor, &w.gapcheon, &plus(&m2, 1), json!({ "filedBy": "CITIZEN" })).await;
        let withdrawn = filed(&app, &w, &w.gap_editor, &w.gapcheon, &plus(&m2, 2), none.clone()).await;
        op(&app, &w.gap_editor, "withdrawDisclosureRequest", &withdrawn).await.data();
        filed(&app, &w, &w.yu_editor, &w.yuseong, &plus(&m1, 4), json!({ "visibility": "PUBLIC" })).await;

        let r = app.gql(None, CHART, json!({ "id": goal, "from": m0, "to": t })).await;
        let g = &r.data()["goal"];
        assert_eq!(g["achieved"].as_f64(), Some(5.0));
        let expected = vec![(m0.clone(), 1.0), (m1.clone(), 3.0), (m2.clone(), 4.0), (m3.clone(), 5.0)];
        assert_eq!(points(&g["series"]), expected, "cumulative, month by month");
        let expected = sorted_by_id(vec![
            (w.hanbat.id.clone(), vec![1.0, 2.0, 2.0, 3.0]),
            (w.gapcheon.id.clone(), vec![0.0, 1.0, 2.0, 2.0]),
        ]);
        assert_eq!(by_organization(g), expected, "one entry per organization with a counted request");

        // A window starting later still counts from the project's start.
        let r = app.gql(None, CHART, json!({ "id": goal, "from": m1, "to": t })).await;
        assert_eq!(points(&r.data()["goal"]["series"]), vec![(m1.clone(), 3.0), (m2.clone(), 4.0), (m3.clone(), 5.0)]);

        // Due on the 15th of last month: nothing filed after counts.
        let r = app.gql(None, CHART, json!({ "id": until, "from": m0, "to": t })).await;
        let g = &r.data()["goal"];
        assert_eq!(g["achieved"].as_f64(), Some(4.0));
        let values: Vec<f64> = points(&g["series"]).into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, [1.0, 3.0, 4.0, 4.0]);
        let expected = sorted_by_id(vec![
            (w.hanbat.id.clone(), vec![1.0, 2.0, 2.0, 2.0]),
            (w.gapcheon.id.clone(), vec![0.0, 1.0, 2.0, 2.0]),
        ]);
        assert_eq!(by_organization(g), expected);

        let bad = app.gql(None, CHART, json!({ "id": goal, "from": t, "to": m0 })).await;
        bad.assert_error("BAD_USER_INPUT", Some("to"));
    }
}
