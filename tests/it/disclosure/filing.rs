//! Filing a request: EDITOR+ of the organization, a known agency, a subject,
//! a filing date no later than today in Seoul, a decision due ten calendar
//! days later; a project only one the organization takes part in now.

use serde_json::json;

use super::{World, file, get, listed_under, plus, sorted, today, try_file, world};
use crate::db_test;
use crate::support::work::text;
use crate::support::{Gql, TestApp};

/// How many requests hanbat has, as its editor counts them.
async fn count(app: &TestApp, w: &World) -> i64 {
    listed_under(app, w.editor.token(), &w.hanbat.id, "")
        .await
        .0
}

db_test! {
    async fn an_editor_files_a_request_due_ten_days_later(app) {
        let w = world(&app).await;
        let vars = || json!({ "agencyId": w.agency });
        try_file(&app, None, &w.hanbat.id, vars()).await.assert_error("UNAUTHENTICATED", None);
        try_file(&app, w.member.token(), &w.hanbat.id, vars()).await.assert_error("FORBIDDEN", None);
        try_file(&app, w.gap_editor.token(), &w.hanbat.id, vars()).await.assert_error("FORBIDDEN", None);
        try_file(&app, w.yu_editor.token(), &w.hanbat.id, vars()).await.assert_error("FORBIDDEN", None);
        assert_eq!(count(&app, &w).await, 0, "nothing was written");

        let filed_on = plus(&today(&app), -3);
        let before = app.clock.now();
        let filed = try_file(&app, w.editor.token(), &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": filed_on })).await;
        let r = filed.data()["fileDisclosureRequest"].clone();
        let id = text(&r, "id");
        let created_at = chrono::DateTime::parse_from_rfc3339(&text(&r, "createdAt")).unwrap().with_timezone(&chrono::Utc);
        assert!(created_at >= before - chrono::TimeDelta::seconds(1) && created_at <= app.clock.now());
        let expected = json!({
            "id": id,
            "status": "FILED",
            "subject": "2024년 업무추진비 집행내역",
            "body": "2024년 1월부터 12월까지 구청장 업무추진비 집행내역 일체",
            "channel": "PORTAL",
            "receiptNumber": "10234567",
            "filedOn": filed_on,
            "filedBy": "MEMBER",
            "dueOn": plus(&filed_on, 10),
            "overdue": false,
            "decidedOn": null,
            "visibility": "PARTNERS",
            "createdAt": r["createdAt"],
            "organization": { "id": w.hanbat.id },
            "agency": { "id": w.agency, "name": "대전광역시 유성구", "kind": "DISTRICT" },
            "transferredTo": null,
            "objection": null,
            "appeal": null,
        });
        assert_eq!(r, expected);
        assert_eq!(get(&app, w.member.token(), &id).await, expected, "read back as filed");
        let p = app.gql(w.member.token(), "query($id: ID!) { disclosureRequest(id: $id) { project { id } } }", json!({ "id": id })).await;
        assert!(p.data()["disclosureRequest"]["project"].is_null());

        // The organization's OWNER files too, and for a citizen, by post,
        // without a body or a receipt number.
        let citizen = try_file(&app, w.hanbat.owner.token(), &w.hanbat.id, json!({ "agencyId": w.other_agency, "filedBy": "CITIZEN", "channel": "POST", "body": null, "receiptNumber": null, "visibility": "PRIVATE" })).await;
        let c = &citizen.data()["fileDisclosureRequest"];
        assert_eq!((&c["filedBy"], &c["channel"], &c["body"], &c["receiptNumber"], &c["visibility"]), (&json!("CITIZEN"), &json!("POST"), &json!(null), &json!(null), &json!("PRIVATE")));
        assert_eq!(c["dueOn"], plus(&today(&app), 10));
        assert_eq!(count(&app, &w).await, 2);
    }
}

db_test! {
    async fn the_due_date_counts_calendar_days_across_months_and_leap_years(app) {
        let w = world(&app).await;
        for (filed_on, due_on) in [
            ("2025-01-25", "2025-02-04"),
            ("2024-02-25", "2024-03-06"),
            ("2025-02-25", "2025-03-07"),
            ("2024-12-25", "2025-01-04"),
            ("2024-02-19", "2024-02-29"),
        ] {
            let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": filed_on })).await;
            let r = get(&app, w.editor.token(), &id).await;
            assert_eq!((r["filedOn"].as_str(), r["dueOn"].as_str()), (Some(filed_on), Some(due_on)));
            assert_eq!(r["overdue"], true, "filed {filed_on}, long undecided");
        }
    }
}

db_test! {
    async fn a_request_needs_a_known_agency_a_subject_and_a_date_not_after_today(app) {
        let w = world(&app).await;
        let today = today(&app);
        let refusals = [
            (json!({ "agencyId": w.agency, "filedOn": plus(&today, 1) }), "BAD_USER_INPUT", Some("filedOn")),
            (json!({ "agencyId": w.agency, "filedOn": plus(&today, 400) }), "BAD_USER_INPUT", Some("filedOn")),
            (json!({ "agencyId": w.agency, "subject": "" }), "BAD_USER_INPUT", Some("subject")),
            (json!({ "agencyId": w.agency, "subject": "   " }), "BAD_USER_INPUT", Some("subject")),
            (json!({ "agencyId": uuid::Uuid::now_v7().to_string() }), "NOT_FOUND", None),
        ];
        for (vars, code, field) in refusals {
            let r = try_file(&app, w.editor.token(), &w.hanbat.id, vars.clone()).await;
            assert_eq!(r.code(), code, "{vars}: {}", r.body);
            if field.is_some() {
                assert_eq!(r.field(), field, "{vars}: {}", r.body);
            }
        }
        assert_eq!(count(&app, &w).await, 0, "nothing was written");
        assert!(app.audit_actions(&w.hanbat.id).await.iter().all(|a| !a.starts_with("disclosure.")), "nor audited");

        // Today (in Seoul) is fine.
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": today })).await;
        let r = get(&app, w.editor.token(), &id).await;
        assert_eq!(r["filedOn"], today.as_str());
        assert_eq!(r["dueOn"], plus(&today, 10));
    }
}

/// `fileDisclosureRequest` for `org` naming `project`, answering the new
/// request's id and project.
async fn file_for(
    app: &TestApp,
    token: Option<&str>,
    org: &str,
    agency: &str,
    project: &str,
) -> Gql {
    let input = super::input(
        app,
        org,
        json!({ "agencyId": agency, "projectId": project }),
    );
    app.gql(
        token,
        "mutation($input: FileDisclosureRequestInput!) { fileDisclosureRequest(input: $input) { id project { id } } }",
        json!({ "input": input }),
    )
    .await
}

db_test! {
    async fn a_request_names_only_a_project_its_organization_takes_part_in(app) {
        let w = world(&app).await;
        let a = w.agency.as_str();

        // hanbat's own project (it leads, so it takes part).
        let joint_project = app.project_id(&w.editor, &w.hanbat.id, Some(&w.joint), "PARTNERS").await;
        let made = file_for(&app, w.editor.token(), &w.hanbat.id, a, &joint_project).await;
        assert_eq!(made.data()["fileDisclosureRequest"]["project"]["id"], joint_project.as_str());

        // gapcheon sees the PARTNERS project but does not take part yet.
        file_for(&app, w.gap_editor.token(), &w.gapcheon.id, a, &joint_project).await.assert_error("BAD_USER_INPUT", Some("projectId"));
        app.add_participant(&w.editor, &joint_project, &w.gapcheon.id).await.data();
        let theirs = file_for(&app, w.gap_editor.token(), &w.gapcheon.id, a, &joint_project).await;
        assert_eq!(theirs.data()["fileDisclosureRequest"]["project"]["id"], joint_project.as_str());

        // The project filter of the list.
        let (total, ids) = crate::disclosure::listed(&app, w.editor.token(), &format!("projectId: \"{joint_project}\"")).await;
        let both = sorted(vec![text(made.data(), "fileDisclosureRequest.id"), text(theirs.data(), "fileDisclosureRequest.id")]);
        assert_eq!((total, sorted(ids)), (2, both), "hanbat's and gapcheon's request for it");
        let elsewhere = app.project_id(&w.editor, &w.hanbat.id, None, "PUBLIC").await;
        assert_eq!(crate::disclosure::listed(&app, w.editor.token(), &format!("projectId: \"{elsewhere}\"")).await, (0, vec![]));

        // A project the caller cannot see is not found; a visible one the
        // organization has nothing to do with is a bad input.
        let hidden = app.project_id(&w.editor, &w.hanbat.id, None, "PRIVATE").await;
        file_for(&app, w.yu_editor.token(), &w.yuseong.id, a, &hidden).await.assert_error("NOT_FOUND", None);
        file_for(&app, w.yu_editor.token(), &w.yuseong.id, a, &joint_project).await.assert_error("NOT_FOUND", None);
        file_for(&app, w.yu_editor.token(), &w.yuseong.id, a, &elsewhere).await.assert_error("BAD_USER_INPUT", Some("projectId"));
        file_for(&app, w.yu_editor.token(), &w.yuseong.id, a, &uuid::Uuid::now_v7().to_string()).await.assert_error("NOT_FOUND", None);
        assert_eq!(listed_under(&app, w.yu_editor.token(), &w.yuseong.id, "").await.0, 0, "nothing was written");

        // Taking part is a matter of now: a participant that left the
        // agreement names the project no more, even where it still sees it.
        let open_joint = app.project_id(&w.editor, &w.hanbat.id, Some(&w.joint), "PUBLIC").await;
        app.add_participant(&w.editor, &open_joint, &w.gapcheon.id).await.data();
        file_for(&app, w.gap_editor.token(), &w.gapcheon.id, a, &open_joint).await.data();
        app.party_op(&w.gapcheon.owner, "withdrawFromAgreement", &w.joint, &w.gapcheon.id).await.data();
        file_for(&app, w.gap_editor.token(), &w.gapcheon.id, a, &open_joint).await.assert_error("BAD_USER_INPUT", Some("projectId"));
        file_for(&app, w.gap_editor.token(), &w.gapcheon.id, a, &joint_project).await.assert_error("NOT_FOUND", None);
        assert_eq!(listed_under(&app, w.gap_editor.token(), &w.gapcheon.id, "").await.0, 2, "the two it filed before");
    }
}

db_test! {
    async fn filing_and_deciding_are_in_the_organizations_audit_log(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": plus(&today(&app), -5) })).await;
        crate::disclosure::decide(&app, &w.editor, &id, "DISCLOSED", &today(&app), None).await.data();
        let log = app.audit_actions(&w.hanbat.id).await;
        let file_at = log.iter().position(|a| a == "disclosure.file").unwrap_or_else(|| panic!("disclosure.file in {log:?}"));
        let decide_at = log.iter().position(|a| a == "disclosure.decide").unwrap_or_else(|| panic!("disclosure.decide in {log:?}"));
        assert!(file_at < decide_at, "in order: {log:?}");
        assert_eq!(log.iter().filter(|a| *a == "disclosure.file").count(), 1);
        assert_eq!(log.iter().filter(|a| *a == "disclosure.decide").count(), 1);
        let others = app.audit_actions(&w.gapcheon.id).await;
        assert!(others.iter().all(|a| !a.starts_with("disclosure.")), "another organization's log has none: {others:?}");
    }
}
