//! After a decision: an objection (이의신청) lodged within thirty days of a
//! refusal or partial disclosure, due seven days later and decided once;
//! an appeal or a suit noted once, not before the decision it is against.

use serde_json::json;

use super::{World, appeal, decide, file, lodge, op, plus, rule_on_objection, state, today, world};
use crate::db_test;
use crate::support::TestApp;

/// A new PARTNERS request of hanbat's filed `filed_ago` days ago and, with
/// a status, decided `decided_ago` days ago (TRANSFERRED to the other
/// agency; EXTENDED and WITHDRAWN by those mutations, undated).
async fn request(
    app: &TestApp,
    w: &World,
    filed_ago: i64,
    status: Option<&str>,
    decided_ago: i64,
) -> String {
    let t = today(app);
    let id = file(
        app,
        &w.editor,
        &w.hanbat.id,
        json!({ "agencyId": w.agency, "filedOn": plus(&t, -filed_ago) }),
    )
    .await;
    match status {
        None => {}
        Some("EXTENDED") => {
            op(app, &w.editor, "extendDisclosureDeadline", &id)
                .await
                .data();
        }
        Some("WITHDRAWN") => {
            op(app, &w.editor, "withdrawDisclosureRequest", &id)
                .await
                .data();
        }
        Some(status) => {
            let to = (status == "TRANSFERRED").then_some(&w.other_agency);
            decide(app, &w.editor, &id, status, &plus(&t, -decided_ago), to)
                .await
                .data();
        }
    }
    id
}

db_test! {
    async fn an_objection_is_lodged_within_thirty_days_of_a_refusal(app) {
        let w = world(&app).await;
        let t = today(&app);
        let id = request(&app, &w, 60, None, 0).await;
        lodge(&app, &w.editor, &id, &t).await.assert_error("BAD_USER_INPUT", Some("id"));
        let decided_on = plus(&t, -40);
        decide(&app, &w.editor, &id, "REFUSED", &decided_on, None).await.data();

        let before = state(&app, &w, &id).await;
        lodge(&app, &w.editor, &id, &plus(&decided_on, 31)).await.assert_error("BAD_USER_INPUT", Some("lodgedOn"));
        lodge(&app, &w.editor, &id, &plus(&decided_on, -1)).await.assert_error("BAD_USER_INPUT", Some("lodgedOn"));
        lodge(&app, &w.member, &id, &plus(&decided_on, 30)).await.assert_error("FORBIDDEN", None);
        lodge(&app, &w.gap_editor, &id, &plus(&decided_on, 30)).await.assert_error("FORBIDDEN", None);
        lodge(&app, &w.yu_editor, &id, &plus(&decided_on, 30)).await.assert_error("NOT_FOUND", None);
        assert_eq!(state(&app, &w, &id).await, before, "every refusal left it as it was");

        // The thirtieth day is the last.
        let lodged_on = plus(&decided_on, 30);
        let r = lodge(&app, &w.editor, &id, &lodged_on).await;
        let r = &r.data()["lodgeObjection"];
        assert_eq!(r["objection"], json!({ "lodgedOn": lodged_on, "dueOn": plus(&lodged_on, 7), "decidedOn": null, "outcome": null }));
        assert_eq!((r["status"].as_str(), r["decidedOn"].as_str()), (Some("REFUSED"), Some(decided_on.as_str())), "the decision stands");
        let lodged = state(&app, &w, &id).await;
        lodge(&app, &w.editor, &id, &lodged_on).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, lodged, "once");

        // A partial disclosure, objected to on the day of the decision; not
        // a day after today.
        let partial = request(&app, &w, 5, Some("PARTIALLY_DISCLOSED"), 2).await;
        lodge(&app, &w.editor, &partial, &plus(&t, 1)).await.assert_error("BAD_USER_INPUT", Some("lodgedOn"));
        let r = lodge(&app, &w.hanbat.owner, &partial, &plus(&t, -2)).await;
        assert_eq!(r.data()["lodgeObjection"]["objection"]["dueOn"], plus(&t, 5));

        // Nothing else is objected to.
        for status in [None, Some("EXTENDED"), Some("DISCLOSED"), Some("NO_INFORMATION"), Some("TRANSFERRED"), Some("WITHDRAWN")] {
            let other = request(&app, &w, 5, status, 1).await;
            let before = state(&app, &w, &other).await;
            lodge(&app, &w.editor, &other, &t).await.assert_error("BAD_USER_INPUT", Some("id"));
            assert_eq!(state(&app, &w, &other).await, before, "{status:?}");
        }
    }
}

db_test! {
    async fn an_objection_is_decided_once_and_the_request_keeps_its_status(app) {
        let w = world(&app).await;
        let t = today(&app);
        let id = request(&app, &w, 20, Some("REFUSED"), 15).await;
        rule_on_objection(&app, &w.editor, &id, "UPHELD", &t).await.assert_error("BAD_USER_INPUT", Some("id"));
        let lodged_on = plus(&t, -10);
        lodge(&app, &w.editor, &id, &lodged_on).await.data();

        let before = state(&app, &w, &id).await;
        rule_on_objection(&app, &w.editor, &id, "UPHELD", &plus(&lodged_on, -1)).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        rule_on_objection(&app, &w.editor, &id, "UPHELD", &plus(&t, 1)).await.assert_error("BAD_USER_INPUT", Some("decidedOn"));
        rule_on_objection(&app, &w.member, &id, "UPHELD", &t).await.assert_error("FORBIDDEN", None);
        rule_on_objection(&app, &w.gap_editor, &id, "UPHELD", &t).await.assert_error("FORBIDDEN", None);
        rule_on_objection(&app, &w.yu_editor, &id, "UPHELD", &t).await.assert_error("NOT_FOUND", None);
        assert_eq!(state(&app, &w, &id).await, before, "every refusal left it as it was");

        // Decided on the day it was lodged.
        let r = rule_on_objection(&app, &w.editor, &id, "PARTLY_UPHELD", &lodged_on).await;
        let r = &r.data()["recordObjectionDecision"];
        assert_eq!(r["objection"], json!({ "lodgedOn": lodged_on, "dueOn": plus(&lodged_on, 7), "decidedOn": lodged_on, "outcome": "PARTLY_UPHELD" }));
        assert_eq!((r["status"].as_str(), r["decidedOn"].as_str()), (Some("REFUSED"), Some(plus(&t, -15).as_str())), "the request's status stays");
        let decided = state(&app, &w, &id).await;
        rule_on_objection(&app, &w.editor, &id, "DISMISSED", &t).await.assert_error("BAD_USER_INPUT", Some("id"));
        lodge(&app, &w.editor, &id, &t).await.assert_error("BAD_USER_INPUT", Some("id"));
        assert_eq!(state(&app, &w, &id).await, decided, "decided once");

        // Each outcome, on a partial disclosure too.
        for outcome in ["UPHELD", "DISMISSED"] {
            let other = request(&app, &w, 6, Some("PARTIALLY_DISCLOSED"), 4).await;
            lodge(&app, &w.editor, &other, &plus(&t, -3)).await.data();
            let r = rule_on_objection(&app, &w.hanbat.owner, &other, outcome, &t).await;
            let r = &r.data()["recordObjectionDecision"];
            assert_eq!((r["objection"]["outcome"].as_str(), r["objection"]["decidedOn"].as_str()), (Some(outcome), Some(t.as_str())));
            assert_eq!(r["status"], "PARTIALLY_DISCLOSED");
        }
    }
}

db_test! {
    async fn an_appeal_is_noted_once_and_not_before_what_it_appeals(app) {
        let w = world(&app).await;
        let t = today(&app);
        for (status, kind) in [("REFUSED", "ADMINISTRATIVE_APPEAL"), ("PARTIALLY_DISCLOSED", "LAWSUIT"), ("NO_INFORMATION", "ADMINISTRATIVE_APPEAL")] {
            let id = request(&app, &w, 10, Some(status), 5).await;
            let before = state(&app, &w, &id).await;
            appeal(&app, &w.editor, &id, kind, &plus(&t, -6)).await.assert_error("BAD_USER_INPUT", Some("notedOn"));
            appeal(&app, &w.editor, &id, kind, &plus(&t, 1)).await.assert_error("BAD_USER_INPUT", Some("notedOn"));
            appeal(&app, &w.member, &id, kind, &t).await.assert_error("FORBIDDEN", None);
            appeal(&app, &w.gap_editor, &id, kind, &t).await.assert_error("FORBIDDEN", None);
            appeal(&app, &w.yu_editor, &id, kind, &t).await.assert_error("NOT_FOUND", None);
            assert_eq!(state(&app, &w, &id).await, before, "{status}: every refusal left it as it was");

            let r = appeal(&app, &w.editor, &id, kind, &plus(&t, -5)).await;
            let r = &r.data()["noteDisclosureAppeal"];
            assert_eq!(r["appeal"], json!({ "kind": kind, "notedOn": plus(&t, -5) }), "{status}: on the day of the decision");
            assert_eq!(r["status"], status);
            let noted = state(&app, &w, &id).await;
            appeal(&app, &w.editor, &id, "LAWSUIT", &t).await.assert_error("BAD_USER_INPUT", Some("id"));
            assert_eq!(state(&app, &w, &id).await, noted, "{status}: once");
        }

        // Not while undecided, nor after a full disclosure, a transfer or a
        // withdrawal.
        for status in [None, Some("EXTENDED"), Some("DISCLOSED"), Some("TRANSFERRED"), Some("WITHDRAWN")] {
            let id = request(&app, &w, 5, status, 1).await;
            let before = state(&app, &w, &id).await;
            appeal(&app, &w.editor, &id, "LAWSUIT", &t).await.assert_error("BAD_USER_INPUT", Some("id"));
            assert_eq!(state(&app, &w, &id).await, before, "{status:?}");
        }

        // After an objection was decided, an appeal is against that
        // decision: not before it, though after the refusal.
        let id = request(&app, &w, 30, Some("REFUSED"), 25).await;
        lodge(&app, &w.editor, &id, &plus(&t, -20)).await.data();
        rule_on_objection(&app, &w.editor, &id, "DISMISSED", &plus(&t, -12)).await.data();
        let before = state(&app, &w, &id).await;
        appeal(&app, &w.editor, &id, "LAWSUIT", &plus(&t, -13)).await.assert_error("BAD_USER_INPUT", Some("notedOn"));
        assert_eq!(state(&app, &w, &id).await, before);
        let r = appeal(&app, &w.editor, &id, "LAWSUIT", &plus(&t, -12)).await;
        let r = &r.data()["noteDisclosureAppeal"];
        assert_eq!(r["appeal"], json!({ "kind": "LAWSUIT", "notedOn": plus(&t, -12) }));
        assert_eq!(r["objection"]["outcome"], "DISMISSED", "the objection stays on record");
    }
}
