//! A request's life: the deadline extended once, a decision among the
//! outcomes dated between filing and today, a transfer and the receiving
//! agency's decision, withdrawal while undecided, deletion. Each refusal
//! leaves the request and the audit log as they were.

use serde_json::json;

use super::{
    World, decide, delete, file, get, listed, listed_under, op, plus, read, sorted, state, today,
    world,
};
use crate::db_test;
use crate::support::TestApp;

/// A new PARTNERS request of hanbat's to the usual agency, filed `days_ago`.
async fn filed(app: &TestApp, w: &World, days_ago: i64) -> String {
    let filed_on = plus(&today(app), -days_ago);
    file(
        app,
        &w.editor,
        &w.hanbat.id,
        json!({ "agencyId": w.agency, "filedOn": filed_on }),
    )
    .await
}

db_test! {
    async fn the_deadline_is_extended_once_and_only_before_a_decision(app) {
        let w = world(&app).await;
        let filed_on = plus(&today(&app), -4);
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": filed_on })).await;
        let before = state(&app, &w, &id).await;
        op(&app, &w.member, "extendDisclosureDeadline", &id).await.assert_error("FORBIDDEN", None);
        op(&app, &w.gap_editor, "extendDisclosureDeadline", &id).await.assert_error("FORBIDDEN", None);
        op(&app, &w.yu_editor, "extendDisclosureDeadline", &id).await.assert_error("NOT_FOUND", None);
        assert_eq!(state(&app, &w, &id).await, before);

        let extended = op(&app, &w.editor, "extendDisclosureDeadline", &id).await;
        let r = &extended.data()["extendDisclosureDeadline"];
        assert_eq!(r["status"], "EXTENDED");
        assert_eq!(r["filedOn"], filed_on.as_str());
        assert_eq!(r["dueOn"], plus(&filed_on, 20));
        assert_eq!((&r["overdue"], &r["decidedOn"]), (&json!(false), &json!(null)));
        assert_eq!(&get(&app, w.member.token(), &id).await, r);

        let once = state(&app, &w, &id).await;
        op(&app, &w.editor, "extendDisclosureDeadline", &id).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, once, "a second extension changes nothing");

        let decided = decide(&app, &w.editor, &id, "PARTIALLY_DISCLOSED", &today(&app), None).await;
        assert_eq!(decided.data()["recordDisclosureDecision"]["status"], "PARTIALLY_DISCLOSED");
        let after = state(&app, &w, &id).await;
        op(&app, &w.editor, "extendDisclosureDeadline", &id).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, after);

        // The OWNER extends too.
        let other = filed(&app, &w, 0).await;
        let r = op(&app, &w.hanbat.owner, "extendDisclosureDeadline", &other).await;
        assert_eq!(r.data()["extendDisclosureDeadline"]["dueOn"], plus(&today(&app), 20));
    }
}

db_test! {
    async fn a_decision_is_an_outcome_dated_between_filing_and_today(app) {
        let w = world(&app).await;
        let t = today(&app);
        let id = filed(&app, &w, 6).await;
        let filed_on = plus(&t, -6);
        let before = state(&app, &w, &id).await;
        for status in ["FILED", "EXTENDED", "WITHDRAWN"] {
            decide(&app, &w.editor, &id, status, &t, None).await.assert_error("BAD_USER_INPUT", Some("status"));
        }
        decide(&app, &w.editor, &id, "DISCLOSED", &plus(&filed_on, -1), None).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        decide(&app, &w.editor, &id, "DISCLOSED", &plus(&t, 1), None).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        decide(&app, &w.editor, &id, "TRANSFERRED", &t, None).await.assert_error("BAD_USER_INPUT", Some("transferredToAgencyId"));
        decide(&app, &w.editor, &id, "TRANSFERRED", &t, Some(&w.agency)).await.assert_error("BAD_USER_INPUT", Some("transferredToAgencyId"));
        decide(&app, &w.editor, &id, "REFUSED", &t, Some(&w.other_agency)).await.assert_error("BAD_USER_INPUT", Some("transferredToAgencyId"));
        decide(&app, &w.member, &id, "DISCLOSED", &t, None).await.assert_error("FORBIDDEN", None);
        decide(&app, &w.gap_editor, &id, "DISCLOSED", &t, None).await.assert_error("FORBIDDEN", None);
        decide(&app, &w.yu_editor, &id, "DISCLOSED", &t, None).await.assert_error("NOT_FOUND", None);
        assert_eq!(state(&app, &w, &id).await, before, "every refusal left it as it was");

        // The day of filing is a fine day for a decision.
        let r = decide(&app, &w.editor, &id, "NO_INFORMATION", &filed_on, None).await;
        let r = &r.data()["recordDisclosureDecision"];
        assert_eq!((r["status"].as_str(), r["decidedOn"].as_str()), (Some("NO_INFORMATION"), Some(filed_on.as_str())));
        assert_eq!((&r["overdue"], &r["transferredTo"], &r["objection"], &r["appeal"]), (&json!(false), &json!(null), &json!(null), &json!(null)));
        assert_eq!(r["dueOn"], plus(&filed_on, 10));
        let decided = state(&app, &w, &id).await;
        decide(&app, &w.editor, &id, "DISCLOSED", &t, None).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, decided, "decided once");

        // Each outcome, from FILED and from EXTENDED.
        for (i, status) in ["DISCLOSED", "PARTIALLY_DISCLOSED", "REFUSED", "NO_INFORMATION"].into_iter().enumerate() {
            for extend in [false, true] {
                let other = filed(&app, &w, 3).await;
                if extend {
                    op(&app, &w.editor, "extendDisclosureDeadline", &other).await.data();
                }
                let on = plus(&t, -(i as i64 % 3));
                let r = decide(&app, &w.hanbat.owner, &other, status, &on, None).await;
                let r = &r.data()["recordDisclosureDecision"];
                assert_eq!((r["status"].as_str(), r["decidedOn"].as_str()), (Some(status), Some(on.as_str())), "extended: {extend}");
            }
        }
        let (total, _) = listed(&app, w.editor.token(), "status: PARTIALLY_DISCLOSED").await;
        assert_eq!(total, 2);
    }
}

db_test! {
    async fn a_transferred_request_is_decided_once_by_the_receiving_agency(app) {
        let w = world(&app).await;
        let t = today(&app);
        let third = crate::disclosure::agency_id(&app, &w.editor, "대전광역시교육청", "EDUCATION_OFFICE").await;
        let id = filed(&app, &w, 8).await;
        let transfer_on = plus(&t, -6);
        let r = decide(&app, &w.editor, &id, "TRANSFERRED", &transfer_on, Some(&w.other_agency)).await;
        let r = r.data()["recordDisclosureDecision"].clone();
        assert_eq!(r["status"], "TRANSFERRED");
        assert_eq!(r["transferredTo"], json!({ "id": w.other_agency }));
        assert_eq!(r["agency"]["id"], w.agency.as_str(), "the request stays with the agency it was filed with");
        assert_eq!((r["decidedOn"].as_str(), &r["overdue"]), (Some(transfer_on.as_str()), &json!(false)));
        let (total, ids) = listed(&app, w.editor.token(), "status: TRANSFERRED").await;
        assert_eq!((total, ids), (1, vec![id.clone()]));

        let before = state(&app, &w, &id).await;
        op(&app, &w.editor, "extendDisclosureDeadline", &id).await.assert_error("BAD_USER_INPUT", Some("id"));
        decide(&app, &w.editor, &id, "TRANSFERRED", &t, Some(&third)).await.assert_error("BAD_USER_INPUT", Some("status"));
        for status in ["FILED", "EXTENDED", "WITHDRAWN"] {
            decide(&app, &w.editor, &id, status, &t, None).await.assert_error("BAD_USER_INPUT", Some("status"));
        }
        decide(&app, &w.editor, &id, "DISCLOSED", &plus(&transfer_on, -1), None).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        decide(&app, &w.editor, &id, "DISCLOSED", &plus(&t, 1), None).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        decide(&app, &w.editor, &id, "DISCLOSED", &t, Some(&third)).await.assert_error("BAD_USER_INPUT", Some("transferredToAgencyId"));
        decide(&app, &w.member, &id, "DISCLOSED", &t, None).await.assert_error("FORBIDDEN", None);
        assert_eq!(state(&app, &w, &id).await, before, "every refusal left it as it was");

        // The receiving agency refuses on the day of the transfer.
        let r = decide(&app, &w.editor, &id, "REFUSED", &transfer_on, None).await;
        let r = &r.data()["recordDisclosureDecision"];
        assert_eq!((r["status"].as_str(), r["decidedOn"].as_str()), (Some("REFUSED"), Some(transfer_on.as_str())));
        assert_eq!(r["transferredTo"], json!({ "id": w.other_agency }), "the transfer is still on record");
        let decided = state(&app, &w, &id).await;
        decide(&app, &w.editor, &id, "DISCLOSED", &t, None).await.assert_error("BAD_USER_INPUT", Some("id"));
        op(&app, &w.editor, "withdrawDisclosureRequest", &id).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, decided);
        assert_eq!(listed(&app, w.editor.token(), "status: TRANSFERRED").await.0, 0);
        assert_eq!(listed(&app, w.editor.token(), "status: REFUSED").await, (1, vec![id.clone()]));

        // A receiving agency's decision later than the transfer.
        let later = filed(&app, &w, 8).await;
        decide(&app, &w.editor, &later, "TRANSFERRED", &plus(&t, -7), Some(&third)).await.data();
        let r = decide(&app, &w.editor, &later, "DISCLOSED", &t, None).await;
        let r = &r.data()["recordDisclosureDecision"];
        assert_eq!((r["status"].as_str(), r["decidedOn"].as_str(), &r["transferredTo"]), (Some("DISCLOSED"), Some(t.as_str()), &json!({ "id": third })));
    }
}

db_test! {
    async fn a_request_is_withdrawn_while_undecided_or_transferred(app) {
        let w = world(&app).await;
        let t = today(&app);
        let open = filed(&app, &w, 20).await;
        assert_eq!(get(&app, w.editor.token(), &open).await["overdue"], true, "filed 20 days ago, undecided");
        let extended = filed(&app, &w, 2).await;
        op(&app, &w.editor, "extendDisclosureDeadline", &extended).await.data();
        let transferred = filed(&app, &w, 2).await;
        decide(&app, &w.editor, &transferred, "TRANSFERRED", &t, Some(&w.other_agency)).await.data();
        let disclosed = filed(&app, &w, 2).await;
        decide(&app, &w.editor, &disclosed, "DISCLOSED", &t, None).await.data();

        let before = state(&app, &w, &open).await;
        op(&app, &w.member, "withdrawDisclosureRequest", &open).await.assert_error("FORBIDDEN", None);
        op(&app, &w.gap_editor, "withdrawDisclosureRequest", &open).await.assert_error("FORBIDDEN", None);
        op(&app, &w.yu_editor, "withdrawDisclosureRequest", &open).await.assert_error("NOT_FOUND", None);
        assert_eq!(state(&app, &w, &open).await, before);

        for id in [&open, &extended, &transferred] {
            let r = op(&app, &w.editor, "withdrawDisclosureRequest", id).await;
            let r = &r.data()["withdrawDisclosureRequest"];
            assert_eq!((r["status"].as_str(), &r["overdue"]), (Some("WITHDRAWN"), &json!(false)), "{id}");
        }
        let (total, ids) = listed(&app, w.editor.token(), "status: WITHDRAWN").await;
        assert_eq!((total, sorted(ids)), (3, sorted(vec![open.clone(), extended.clone(), transferred.clone()])));
        assert_eq!(listed(&app, w.editor.token(), "overdue: true").await.0, 0, "a withdrawn request is not overdue");

        // Withdrawn is the end; a decided request is not withdrawn.
        let withdrawn = state(&app, &w, &open).await;
        op(&app, &w.editor, "withdrawDisclosureRequest", &open).await.assert_error("BAD_USER_INPUT", Some("id"));
        op(&app, &w.editor, "extendDisclosureDeadline", &open).await.assert_error("BAD_USER_INPUT", Some("id"));
        decide(&app, &w.editor, &open, "DISCLOSED", &t, None).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &open).await, withdrawn);
        let kept = state(&app, &w, &disclosed).await;
        op(&app, &w.editor, "withdrawDisclosureRequest", &disclosed).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &disclosed).await, kept);
        assert_eq!(kept.0["status"], "DISCLOSED");
    }
}

db_test! {
    async fn an_editor_deletes_a_request_and_it_is_gone(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PUBLIC" })).await;
        let kept = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PUBLIC" })).await;
        let before = state(&app, &w, &id).await;
        delete(&app, &w.member, &id).await.assert_error("FORBIDDEN", None);
        delete(&app, &w.gap_editor, &id).await.assert_error("FORBIDDEN", None);
        delete(&app, &w.yu_editor, &id).await.assert_error("FORBIDDEN", None);
        assert_eq!(state(&app, &w, &id).await, before);
        assert!(read(&app, None, &id).await.is_some());

        let gone = delete(&app, &w.editor, &id).await;
        assert_eq!(gone.data()["deleteDisclosureRequest"], true);
        for token in [w.editor.token(), w.hanbat.owner.token(), None] {
            assert!(read(&app, token, &id).await.is_none());
        }
        assert_eq!(listed(&app, w.editor.token(), "").await, (1, vec![kept.clone()]));
        assert_eq!(listed_under(&app, None, &w.hanbat.id, "").await, (1, vec![kept.clone()]));
        delete(&app, &w.editor, &id).await.assert_error("NOT_FOUND", None);
        op(&app, &w.editor, "extendDisclosureDeadline", &id).await.assert_error("NOT_FOUND", None);
        decide(&app, &w.editor, &id, "DISCLOSED", &today(&app), None).await.assert_error("NOT_FOUND", None);

        // A decided request is deleted as well, by the OWNER.
        decide(&app, &w.editor, &kept, "REFUSED", &today(&app), None).await.data();
        assert_eq!(delete(&app, &w.hanbat.owner, &kept).await.data()["deleteDisclosureRequest"], true);
        assert_eq!(listed(&app, w.editor.token(), "").await, (0, vec![]));
        let log = app.audit_actions(&w.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "disclosure.file").count(), 2, "the log outlives the requests: {log:?}");
    }
}
