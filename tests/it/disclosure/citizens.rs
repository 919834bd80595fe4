//! Citizen submissions: anyone (anonymous included) reports a request they
//! filed to an organization, by its slug, at most so many an hour per
//! client; only the organization's EDITOR+ (and operators) see what waits;
//! nothing of it is public, listed or counted until an editor accepts it as
//! a request filed by a CITIZEN, or declines it.

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use super::{
    REQUEST_FIELDS, file, get, listed, listed_under, operator, plus, read, sorted,
    to_next_seoul_midnight, today, world,
};
use crate::db_test;
use crate::support::work::text;
use crate::support::{Backend, Gql, Options, TestApp};

const SUBMISSION_FIELDS: &str =
    "id organization { id } agencyName subject filedOn receiptNumber submittedAt contact channel";

const SUBJECT: &str = "어린이보호구역 CCTV 설치 현황";

/// A `CitizenDisclosureInput` to the organization `slug`, filed today in
/// Seoul with the least it needs, `overrides` on top.
fn citizen_input(app: &TestApp, slug: &str, overrides: Value) -> Value {
    let mut input = json!({
        "organizationSlug": slug,
        "agencyName": "대전광역시 유성구",
        "subject": SUBJECT,
        "filedOn": today(app),
    });
    for (k, v) in overrides.as_object().unwrap() {
        input[k] = v.clone();
    }
    input
}

/// `submitCitizenDisclosure` as `token`.
async fn submit(app: &TestApp, token: Option<&str>, slug: &str, overrides: Value) -> Gql {
    app.gql(
        token,
        "mutation($input: CitizenDisclosureInput!) { submitCitizenDisclosure(input: $input) }",
        json!({ "input": citizen_input(app, slug, overrides) }),
    )
    .await
}

/// [`submit`], expected to answer true.
async fn submitted(app: &TestApp, token: Option<&str>, slug: &str, overrides: Value) {
    let r = submit(app, token, slug, overrides).await;
    assert_eq!(r.data()["submitCitizenDisclosure"], true, "{}", r.body);
}

/// `organization(id: org) { citizenSubmissions }` as `token`.
async fn pending(app: &TestApp, token: Option<&str>, org: &str) -> Vec<Value> {
    let r = app
        .gql(
            token,
            &format!("query($o: ID!) {{ organization(id: $o) {{ citizenSubmissions {{ {SUBMISSION_FIELDS} }} }} }}"),
            json!({ "o": org }),
        )
        .await;
    r.data()["organization"]["citizenSubmissions"]
        .as_array()
        .unwrap_or_else(|| panic!("no citizenSubmissions in {}", r.body))
        .clone()
}

/// The ids of [`pending`], in order.
async fn pending_ids(app: &TestApp, token: Option<&str>, org: &str) -> Vec<String> {
    pending(app, token, org)
        .await
        .iter()
        .map(|s| text(s, "id"))
        .collect()
}

/// `acceptCitizenSubmission` as `token`, answering [`REQUEST_FIELDS`].
async fn accept(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
    agency: &str,
    visibility: &str,
) -> Gql {
    app.gql(
        token,
        &format!("mutation($id: ID!, $a: ID!, $v: Visibility!) {{ acceptCitizenSubmission(id: $id, agencyId: $a, visibility: $v) {{ {REQUEST_FIELDS} }} }}"),
        json!({ "id": id, "a": agency, "v": visibility }),
    )
    .await
}

/// `declineCitizenSubmission` as `token`.
async fn decline(app: &TestApp, token: Option<&str>, id: &str) -> Gql {
    app.gql(
        token,
        "mutation($id: ID!) { declineCitizenSubmission(id: $id) }",
        json!({ "id": id }),
    )
    .await
}

/// How often `action` is in `org`'s audit log.
async fn audited(app: &TestApp, org: &str, action: &str) -> usize {
    app.audit_actions(org)
        .await
        .iter()
        .filter(|a| *a == action)
        .count()
}

db_test! {
    async fn anyone_submits_and_only_the_organizations_editors_see_it(app) {
        let w = world(&app).await;
        let root = operator(&app, "root@coalition.example").await;
        let resident = app.sign_up("resident@daejeon.example").await;
        let t = today(&app);
        let before = app.clock.now();
        submitted(&app, None, "hanbat", json!({ "filedOn": plus(&t, -2), "receiptNumber": "9876543", "contact": "010-1234-5678", "channel": "PORTAL" })).await;
        submitted(&app, resident.token(), "hanbat", json!({ "agencyName": "대전광역시", "subject": "공원 조성 예산 집행내역" })).await;

        let got = pending(&app, w.editor.token(), &w.hanbat.id).await;
        assert_eq!(got.len(), 2, "{got:?}");
        for s in &got {
            let at = chrono::DateTime::parse_from_rfc3339(&text(s, "submittedAt")).unwrap().with_timezone(&Utc);
            assert!(at >= before - TimeDelta::seconds(1) && at <= app.clock.now(), "{s}");
        }
        assert_ne!(got[0]["id"], got[1]["id"]);
        let expected = json!([
            { "id": got[0]["id"], "organization": { "id": w.hanbat.id }, "agencyName": "대전광역시 유성구", "subject": SUBJECT, "filedOn": plus(&t, -2), "receiptNumber": "9876543", "submittedAt": got[0]["submittedAt"], "contact": "010-1234-5678", "channel": "PORTAL" },
            { "id": got[1]["id"], "organization": { "id": w.hanbat.id }, "agencyName": "대전광역시", "subject": "공원 조성 예산 집행내역", "filedOn": t, "receiptNumber": null, "submittedAt": got[1]["submittedAt"], "contact": null, "channel": "OTHER" },
        ]);
        assert_eq!(Value::Array(got.clone()), expected, "oldest first; OTHER when no channel is given");

        let table: [(&str, Option<&str>, bool); 9] = [
            ("hanbat owner", w.hanbat.owner.token(), true),
            ("hanbat editor", w.editor.token(), true),
            ("operator", root.token(), true),
            ("hanbat member", w.member.token(), false),
            ("gapcheon owner (partner)", w.gapcheon.owner.token(), false),
            ("gapcheon editor (partner)", w.gap_editor.token(), false),
            ("yuseong editor", w.yu_editor.token(), false),
            ("the submitting resident", resident.token(), false),
            ("anonymous", None, false),
        ];
        for (who, token, sees) in table {
            let list = pending(&app, token, &w.hanbat.id).await;
            let mut want = if sees { got.clone() } else { Vec::new() };
            if who == "operator" {
                // Operators see the queue, never how to reach a citizen.
                for s in &mut want {
                    s["contact"] = Value::Null;
                }
            }
            assert_eq!(list, want, "{who}");
        }
        assert_eq!(pending(&app, w.gap_editor.token(), &w.gapcheon.id).await, Vec::<Value>::new(), "nothing went to gapcheon");
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.citizen_submit").await, 2);
        assert_eq!(audited(&app, &w.gapcheon.id, "disclosure.citizen_submit").await, 0);
    }
}

db_test! {
    async fn a_submission_needs_a_known_organization_an_agency_a_subject_and_a_past_date(app) {
        let w = world(&app).await;
        let t = today(&app);
        let refusals = [
            ("no-such-org", json!({}), "NOT_FOUND", None),
            ("hanbat", json!({ "agencyName": "" }), "BAD_USER_INPUT", Some("agencyName")),
            ("hanbat", json!({ "agencyName": "   " }), "BAD_USER_INPUT", Some("agencyName")),
            ("hanbat", json!({ "subject": "" }), "BAD_USER_INPUT", Some("subject")),
            ("hanbat", json!({ "subject": " \t " }), "BAD_USER_INPUT", Some("subject")),
            ("hanbat", json!({ "filedOn": plus(&t, 1) }), "BAD_USER_INPUT", Some("filedOn")),
            ("hanbat", json!({ "filedOn": plus(&t, 400) }), "BAD_USER_INPUT", Some("filedOn")),
            ("hanbat", json!({ "contact": "가".repeat(201) }), "BAD_USER_INPUT", Some("contact")),
        ];
        for (slug, overrides, code, field) in refusals {
            let r = submit(&app, None, slug, overrides.clone()).await;
            assert_eq!(r.code(), code, "{slug} {overrides}: {}", r.body);
            if field.is_some() {
                assert_eq!(r.field(), field, "{overrides}: {}", r.body);
            }
        }
        assert_eq!(pending(&app, w.editor.token(), &w.hanbat.id).await, Vec::<Value>::new(), "nothing was kept");
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.citizen_submit").await, 0, "nor audited");

        // 200 characters (not bytes) of contact are fine.
        submitted(&app, None, "hanbat", json!({ "contact": "가".repeat(200) })).await;
        // Five past midnight in Seoul: the new Seoul date is today, though
        // the UTC date is still yesterday's.
        to_next_seoul_midnight(&app, 5);
        let new_day = today(&app);
        assert_eq!(new_day, plus(&t, 1));
        submit(&app, None, "hanbat", json!({ "filedOn": plus(&new_day, 1) })).await.assert_error("BAD_USER_INPUT", Some("filedOn"));
        submitted(&app, None, "hanbat", json!({ "filedOn": new_day, "subject": "자정 직후 청구" })).await;
        let editor = app.again(&w.editor).await;
        let got = pending(&app, editor.token(), &w.hanbat.id).await;
        let seen: Vec<(String, String, usize)> = got.iter().map(|s| (text(s, "subject"), text(s, "filedOn"), s["contact"].as_str().map_or(0, |c| c.chars().count()))).collect();
        assert_eq!(seen, [(SUBJECT.to_owned(), t.clone(), 200), ("자정 직후 청구".to_owned(), new_day.clone(), 0)]);
    }
}

/// What `token` reads of hanbat's requests, as lists and counts, and of the
/// agencies' statistics over the last 30 days.
async fn everything_seen(app: &TestApp, token: Option<&str>, org: &str) -> Value {
    let t = today(app);
    let stats = app
        .gql(
            token,
            "query($f: Date!, $t: Date!) { agencyStats(from: $f, to: $t) { agency { id } requests decided overdue } }",
            json!({ "f": plus(&t, -30), "t": t }),
        )
        .await;
    let all = listed(app, token, "").await;
    let citizen = listed(app, token, "filedBy: CITIZEN").await;
    let search = listed(app, token, "search: \"CCTV\"").await;
    let under = listed_under(app, token, org, "").await;
    json!({
        "all": all,
        "citizen": citizen,
        "search": search,
        "org": under,
        "stats": stats.data()["agencyStats"].clone(),
    })
}

/// `requests` of `agency` in `everything_seen`'s statistics (0 if absent).
fn requests_to(seen: &Value, agency: &str) -> i64 {
    seen["stats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["agency"]["id"] == agency)
        .map_or(0, |s| s["requests"].as_i64().unwrap())
}

db_test! {
    async fn nothing_submitted_is_listed_or_counted_until_accepted(app) {
        let w = world(&app).await;
        let root = operator(&app, "root@coalition.example").await;
        let filed = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PUBLIC", "subject": "CCTV 운영 예산" })).await;
        let viewers = [
            ("hanbat editor", w.editor.token()),
            ("hanbat member", w.member.token()),
            ("gapcheon (partner)", w.gapcheon.owner.token()),
            ("yuseong", w.yu_editor.token()),
            ("operator", root.token()),
            ("anonymous", None),
        ];
        let mut before = Vec::new();
        for (_, token) in viewers {
            before.push(everything_seen(&app, token, &w.hanbat.id).await);
        }
        let anon = &before[5];
        assert_eq!((&anon["all"], &anon["citizen"], &anon["search"]), (&json!([1, [filed]]), &json!([0, []]), &json!([1, [filed]])));
        assert_eq!(requests_to(anon, &w.agency), 1);

        submitted(&app, None, "hanbat", json!({ "channel": "PORTAL" })).await;
        submitted(&app, w.gap_editor.token(), "hanbat", json!({ "subject": "CCTV 관제센터 인력 현황" })).await;
        submitted(&app, w.member.token(), "hanbat", json!({})).await;
        for ((who, token), was) in viewers.iter().zip(&before) {
            assert_eq!(&everything_seen(&app, *token, &w.hanbat.id).await, was, "{who}: unchanged by submissions");
        }

        // Accepted, it is a request like any other.
        let first = pending_ids(&app, w.editor.token(), &w.hanbat.id).await[0].clone();
        let accepted = accept(&app, w.editor.token(), &first, &w.agency, "PUBLIC").await;
        let id = text(accepted.data(), "acceptCitizenSubmission.id");
        let anon = everything_seen(&app, None, &w.hanbat.id).await;
        assert_eq!(anon["citizen"], json!([1, [id]]));
        assert_eq!(anon["all"][0], 2);
        assert_eq!(sorted(serde_json::from_value(anon["search"][1].clone()).unwrap()), sorted(vec![filed.clone(), id.clone()]));
        assert_eq!(requests_to(&anon, &w.agency), 2);
        assert_eq!(listed(&app, w.gapcheon.owner.token(), "").await.0, 2, "the two others still wait");
    }
}

db_test! {
    async fn an_editor_accepts_a_submission_as_a_request_filed_by_a_citizen(app) {
        let w = world(&app).await;
        let t = today(&app);
        let filed_on = plus(&t, -3);
        submitted(&app, None, "hanbat", json!({ "agencyName": "유성구청", "subject": "2025년 주민참여예산 심사 회의록", "filedOn": filed_on, "receiptNumber": "20241234", "channel": "POST", "contact": "resident@daejeon.example" })).await;
        let resident = app.sign_up("resident@daejeon.example").await;
        submitted(&app, resident.token(), "hanbat", json!({})).await;
        let [first, second]: [String; 2] = pending_ids(&app, w.editor.token(), &w.hanbat.id).await.try_into().unwrap();

        let r = accept(&app, w.editor.token(), &first, &w.other_agency, "PUBLIC").await;
        let r = r.data()["acceptCitizenSubmission"].clone();
        let id = text(&r, "id");
        let expected = json!({
            "id": id,
            "status": "FILED",
            "subject": "2025년 주민참여예산 심사 회의록",
            "body": r["body"],
            "channel": "POST",
            "receiptNumber": "20241234",
            "filedOn": filed_on,
            "filedBy": "CITIZEN",
            "dueOn": plus(&filed_on, 10),
            "overdue": false,
            "decidedOn": null,
            "visibility": "PUBLIC",
            "createdAt": r["createdAt"],
            "organization": { "id": w.hanbat.id },
            "agency": { "id": w.other_agency, "name": "대전광역시", "kind": "CITY" },
            "transferredTo": null,
            "objection": null,
            "appeal": null,
        });
        assert_eq!(r, expected);
        assert_eq!(get(&app, None, &id).await, expected, "PUBLIC: anonymous reads it");
        assert_eq!(pending_ids(&app, w.editor.token(), &w.hanbat.id).await, vec![second.clone()], "it no longer waits");
        let log = app.audit_actions(&w.hanbat.id).await;
        let submit_at = log.iter().position(|a| a == "disclosure.citizen_submit").unwrap_or_else(|| panic!("{log:?}"));
        let file_at = log.iter().position(|a| a == "disclosure.file").unwrap_or_else(|| panic!("{log:?}"));
        assert!(submit_at < file_at, "{log:?}");
        assert_eq!(log.iter().filter(|a| *a == "disclosure.file").count(), 1, "{log:?}");

        // The OWNER accepts the other, PRIVATE: the organization's alone.
        let r = accept(&app, w.hanbat.owner.token(), &second, &w.agency, "PRIVATE").await;
        let private = text(r.data(), "acceptCitizenSubmission.id");
        let seen = get(&app, w.member.token(), &private).await;
        assert_eq!((&seen["filedBy"], &seen["visibility"], &seen["channel"], &seen["receiptNumber"], &seen["subject"]), (&json!("CITIZEN"), &json!("PRIVATE"), &json!("OTHER"), &json!(null), &json!(SUBJECT)));
        assert_eq!((&seen["filedOn"], &seen["dueOn"], &seen["agency"]["id"]), (&json!(t), &json!(plus(&t, 10)), &json!(w.agency)));
        assert!(read(&app, w.gapcheon.owner.token(), &private).await.is_none(), "not even a partner");
        assert!(read(&app, None, &private).await.is_none());
        assert_eq!(listed(&app, None, "filedBy: CITIZEN").await, (1, vec![id.clone()]));
        assert_eq!(sorted(listed(&app, w.member.token(), "filedBy: CITIZEN").await.1), sorted(vec![id.clone(), private.clone()]));
        assert_eq!(pending(&app, w.editor.token(), &w.hanbat.id).await, Vec::<Value>::new());

        // Accepted is accepted: not a second time.
        accept(&app, w.editor.token(), &first, &w.agency, "PUBLIC").await.assert_error("BAD_USER_INPUT", Some("id"));
        decline(&app, w.editor.token(), &second).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(listed_under(&app, w.editor.token(), &w.hanbat.id, "").await.0, 2);
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.file").await, 2);
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.citizen_decline").await, 0);
    }
}

db_test! {
    async fn only_editors_of_the_receiving_organization_accept_or_decline(app) {
        let w = world(&app).await;
        submitted(&app, None, "hanbat", json!({})).await;
        let [id]: [String; 1] = pending_ids(&app, w.editor.token(), &w.hanbat.id).await.try_into().unwrap();
        let refusals = [
            ("anonymous", None, "UNAUTHENTICATED"),
            ("hanbat member", w.member.token(), "NOT_FOUND"),
            ("gapcheon editor (partner)", w.gap_editor.token(), "NOT_FOUND"),
            ("gapcheon owner (partner)", w.gapcheon.owner.token(), "NOT_FOUND"),
            ("yuseong editor", w.yu_editor.token(), "NOT_FOUND"),
        ];
        for (who, token, code) in refusals {
            let r = accept(&app, token, &id, &w.agency, "PUBLIC").await;
            assert_eq!(r.code(), code, "{who} accepts: {}", r.body);
            let r = decline(&app, token, &id).await;
            assert_eq!(r.code(), code, "{who} declines: {}", r.body);
        }
        let unknown = uuid::Uuid::now_v7().to_string();
        accept(&app, w.editor.token(), &id, &unknown, "PUBLIC").await.assert_error("NOT_FOUND", None);
        accept(&app, w.editor.token(), &unknown, &w.agency, "PUBLIC").await.assert_error("NOT_FOUND", None);
        decline(&app, w.editor.token(), &unknown).await.assert_error("NOT_FOUND", None);
        assert_eq!(pending_ids(&app, w.editor.token(), &w.hanbat.id).await, vec![id.clone()], "it still waits");
        assert_eq!(listed_under(&app, w.editor.token(), &w.hanbat.id, "").await, (0, vec![]));
        let log = app.audit_actions(&w.hanbat.id).await;
        assert!(!log.iter().any(|a| a == "disclosure.file" || a == "disclosure.citizen_decline"), "{log:?}");

        // Declined: out of the list, never a request.
        let r = decline(&app, w.editor.token(), &id).await;
        assert_eq!(r.data()["declineCitizenSubmission"], true);
        assert_eq!(pending(&app, w.editor.token(), &w.hanbat.id).await, Vec::<Value>::new());
        assert_eq!(pending(&app, w.hanbat.owner.token(), &w.hanbat.id).await, Vec::<Value>::new());
        accept(&app, w.editor.token(), &id, &w.agency, "PUBLIC").await.assert_error("BAD_USER_INPUT", Some("id"));
        decline(&app, w.hanbat.owner.token(), &id).await.assert_error("BAD_USER_INPUT", Some("id"));
        accept(&app, w.member.token(), &id, &w.agency, "PUBLIC").await.assert_error("NOT_FOUND", None);
        assert_eq!(listed_under(&app, w.editor.token(), &w.hanbat.id, "").await, (0, vec![]));
        assert_eq!(listed(&app, w.editor.token(), "filedBy: CITIZEN").await, (0, vec![]));
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.citizen_decline").await, 1);
        assert_eq!(audited(&app, &w.hanbat.id, "disclosure.file").await, 0);
    }
}

/// `achieved` of both goals, as an anonymous caller reads them.
async fn counts(app: &TestApp, goals: [&str; 2]) -> (f64, f64) {
    (
        app.achieved(None, goals[0]).await,
        app.achieved(None, goals[1]).await,
    )
}

db_test! {
    async fn a_citizens_request_counts_for_a_goal_once_accepted(app) {
        let w = world(&app).await;
        let project = app.project_id(&w.editor, &w.hanbat.id, Some(&w.joint), "PUBLIC").await;
        let goal = |filter: Option<Value>| {
            let mut input = json!({ "kind": "QUANTITATIVE", "title": "정보공개청구 건수", "unit": "건", "target": 2, "measure": "DISCLOSURE_REQUESTS" });
            if let Some(f) = filter {
                input["disclosureFilter"] = f;
            }
            input
        };
        let citizen = text(app.add_goal(&w.editor, &project, goal(Some(json!({ "filedBy": "CITIZEN" })))).await.data(), "addGoal.id");
        let every = text(app.add_goal(&w.editor, &project, goal(None)).await.data(), "addGoal.id");
        let goals = [citizen.as_str(), every.as_str()];
        assert_eq!(counts(&app, goals).await, (0.0, 0.0));

        submitted(&app, None, "hanbat", json!({})).await;
        submitted(&app, None, "hanbat", json!({ "subject": "공원 조성 예산" })).await;
        assert_eq!(counts(&app, goals).await, (0.0, 0.0), "waiting submissions count for nothing");
        file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        assert_eq!(counts(&app, goals).await, (0.0, 1.0), "a member's request");

        let [first, second]: [String; 2] = pending_ids(&app, w.editor.token(), &w.hanbat.id).await.try_into().unwrap();
        accept(&app, w.editor.token(), &first, &w.agency, "PRIVATE").await.data();
        assert_eq!(counts(&app, goals).await, (1.0, 2.0), "accepted, PRIVATE or not");
        decline(&app, w.editor.token(), &second).await.data();
        assert_eq!(counts(&app, goals).await, (1.0, 2.0), "declined counts for nothing");
    }
}

/// Submissions are limited per client: by the user when signed in, else by
/// the address; the refused one keeps nothing.
async fn submissions_are_limited_per_client(backend: Backend) {
    let mut options = Options::default();
    options.edges.citizen_submissions_per_hour = 3;
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let hanbat = app.org_with_owner("hanbat").await;
    let resident = app.sign_up("resident@daejeon.example").await;
    for i in 0..3 {
        submitted(
            &app,
            None,
            "hanbat",
            json!({ "subject": format!("익명 {i}") }),
        )
        .await;
    }
    submit(&app, None, "hanbat", json!({ "subject": "익명 3" }))
        .await
        .assert_error("RATE_LIMITED", None);

    // Signed in, from the same address: a budget of one's own.
    for i in 0..3 {
        submitted(
            &app,
            resident.token(),
            "hanbat",
            json!({ "subject": format!("주민 {i}") }),
        )
        .await;
    }
    submit(
        &app,
        resident.token(),
        "hanbat",
        json!({ "subject": "주민 3" }),
    )
    .await
    .assert_error("RATE_LIMITED", None);
    submit(&app, None, "hanbat", json!({ "subject": "익명 4" }))
        .await
        .assert_error("RATE_LIMITED", None);

    let subjects: Vec<String> = pending(&app, hanbat.owner.token(), &hanbat.id)
        .await
        .iter()
        .map(|s| text(s, "subject"))
        .collect();
    assert_eq!(
        subjects,
        ["익명 0", "익명 1", "익명 2", "주민 0", "주민 1", "주민 2"]
    );
    assert_eq!(
        audited(&app, &hanbat.id, "disclosure.citizen_submit").await,
        6
    );
}

crate::on_each_backend!(submissions_are_limited_per_client);
