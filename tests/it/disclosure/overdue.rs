//! Overdue: undecided (FILED or EXTENDED) and today in Seoul is past the due
//! date; derived from the clock, and filtered on in the lists.

use serde_json::json;

use super::{
    decide, file, get, listed, listed_under, plus, sorted, to_next_seoul_midnight, today, try_file,
    world,
};
use crate::db_test;

db_test! {
    async fn a_request_is_overdue_from_the_day_after_its_due_date_in_seoul(app) {
        let w = world(&app).await;
        let t = today(&app);
        let filed = |days_ago: i64| json!({ "agencyId": w.agency, "filedOn": plus(&t, -days_ago) });
        let due_today = file(&app, &w.editor, &w.hanbat.id, filed(10)).await;
        let due_yesterday = file(&app, &w.editor, &w.hanbat.id, filed(11)).await;
        let due_tomorrow = file(&app, &w.editor, &w.hanbat.id, filed(9)).await;
        let r = get(&app, w.editor.token(), &due_today).await;
        assert_eq!((r["dueOn"].as_str(), &r["overdue"]), (Some(t.as_str()), &json!(false)), "not on the due date itself");
        assert_eq!(get(&app, w.editor.token(), &due_yesterday).await["overdue"], true);
        assert_eq!(get(&app, w.editor.token(), &due_tomorrow).await["overdue"], false);
        assert_eq!(listed(&app, w.editor.token(), "overdue: true").await, (1, vec![due_yesterday.clone()]));

        // Five past midnight in Seoul: the UTC date has not turned yet, the
        // Seoul one has, and with it the due date is past.
        to_next_seoul_midnight(&app, 5);
        assert_eq!(today(&app), plus(&t, 1));
        let editor = app.again(&w.editor).await;
        assert_eq!(get(&app, editor.token(), &due_today).await["overdue"], true, "the day after the due date in Seoul");
        assert_eq!(get(&app, editor.token(), &due_tomorrow).await["overdue"], false);
        let (total, ids) = listed(&app, editor.token(), "overdue: true").await;
        assert_eq!((total, sorted(ids)), (2, sorted(vec![due_today.clone(), due_yesterday.clone()])));
        assert_eq!(listed(&app, editor.token(), "overdue: false").await, (1, vec![due_tomorrow.clone()]));

        // Today is the Seoul date for filing too: the UTC date is a day
        // behind, and the next Seoul day is still refused.
        let filed_today = try_file(&app, editor.token(), &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": plus(&t, 1) })).await;
        assert_eq!(filed_today.data()["fileDisclosureRequest"]["dueOn"], plus(&t, 11));
        let late = try_file(&app, editor.token(), &w.hanbat.id, json!({ "agencyId": w.agency, "filedOn": plus(&t, 2) })).await;
        late.assert_error("BAD_USER_INPUT", Some("filedOn"));
    }
}

db_test! {
    async fn an_extension_or_a_decision_ends_overdue(app) {
        let w = world(&app).await;
        let t = today(&app);
        let filed = |days_ago: i64| json!({ "agencyId": w.agency, "filedOn": plus(&t, -days_ago) });
        let late = file(&app, &w.editor, &w.hanbat.id, filed(15)).await;
        let very_late = file(&app, &w.editor, &w.hanbat.id, filed(25)).await;
        let to_decide = file(&app, &w.editor, &w.hanbat.id, filed(30)).await;
        let to_transfer = file(&app, &w.editor, &w.hanbat.id, filed(30)).await;
        let on_time = file(&app, &w.editor, &w.hanbat.id, filed(0)).await;
        let all = sorted(vec![late.clone(), very_late.clone(), to_decide.clone(), to_transfer.clone(), on_time.clone()]);
        let (total, ids) = listed(&app, w.editor.token(), "overdue: true").await;
        assert_eq!((total, sorted(ids)), (4, sorted(vec![late.clone(), very_late.clone(), to_decide.clone(), to_transfer.clone()])));

        // Extended (notified within the first ten days, recorded now),
        // `late` is due in five days; `very_late` even extended was due
        // five days ago.
        const EXTEND: &str = "mutation($id: ID!, $on: Date) { extendDisclosureDeadline(id: $id, extendedOn: $on) { dueOn overdue extendedOn } }";
        let r = app.gql(w.editor.token(), EXTEND, json!({ "id": late, "on": plus(&t, -6) })).await;
        let r = &r.data()["extendDisclosureDeadline"];
        assert_eq!((r["dueOn"].as_str(), &r["overdue"]), (Some(plus(&t, 5).as_str()), &json!(false)));
        assert_eq!(r["extendedOn"], plus(&t, -6));
        let r = app.gql(w.editor.token(), EXTEND, json!({ "id": very_late, "on": plus(&t, -16) })).await;
        let r = &r.data()["extendDisclosureDeadline"];
        assert_eq!((r["dueOn"].as_str(), &r["overdue"]), (Some(plus(&t, -5).as_str()), &json!(true)), "EXTENDED and past its new date");
        // An extension notified after the first due date is no extension:
        // the request stays overdue.
        let missed = file(&app, &w.editor, &w.hanbat.id, filed(12)).await;
        let r = app.gql(w.editor.token(), EXTEND, json!({ "id": missed, "on": null })).await;
        r.assert_error("BAD_USER_INPUT", Some("extendedOn"));
        let r = app.gql(w.editor.token(), EXTEND, json!({ "id": missed, "on": plus(&t, -1) })).await;
        r.assert_error("BAD_USER_INPUT", Some("extendedOn"));
        let gone = "mutation($id: ID!) { deleteDisclosureRequest(id: $id) }";
        app.gql(w.editor.token(), gone, json!({ "id": missed })).await.data();

        // A decision, a transfer included, is not overdue however late.
        let r = decide(&app, &w.editor, &to_decide, "REFUSED", &t, None).await;
        assert_eq!(r.data()["recordDisclosureDecision"]["overdue"], false);
        let r = decide(&app, &w.editor, &to_transfer, "TRANSFERRED", &t, Some(&w.other_agency)).await;
        assert_eq!(r.data()["recordDisclosureDecision"]["overdue"], false, "the receiving agency has ten days");
        assert_eq!(r.data()["recordDisclosureDecision"]["dueOn"], plus(&t, 10));
        // A transfer eleven days ago that the receiving agency has not
        // decided is overdue — until it decides.
        let stale = file(&app, &w.editor, &w.hanbat.id, filed(20)).await;
        let r = decide(&app, &w.editor, &stale, "TRANSFERRED", &plus(&t, -11), Some(&w.other_agency)).await;
        assert_eq!(r.data()["recordDisclosureDecision"]["overdue"], true);
        let r = decide(&app, &w.editor, &stale, "DISCLOSED", &t, None).await;
        assert_eq!(r.data()["recordDisclosureDecision"]["overdue"], false);
        app.gql(w.editor.token(), gone, json!({ "id": stale })).await.data();

        assert_eq!(listed(&app, w.editor.token(), "overdue: true").await, (1, vec![very_late.clone()]));
        let (total, ids) = listed(&app, w.editor.token(), "overdue: false").await;
        assert_eq!((total, sorted(ids)), (4, sorted(vec![late.clone(), to_decide.clone(), to_transfer.clone(), on_time.clone()])));
        let (total, ids) = listed(&app, w.editor.token(), "").await;
        assert_eq!((total, sorted(ids)), (5, all.clone()));

        // Status and overdue together, at the root and under the
        // organization (as a partner reads it).
        assert_eq!(listed(&app, w.editor.token(), "status: EXTENDED, overdue: true").await, (1, vec![very_late.clone()]));
        assert_eq!(listed(&app, w.editor.token(), "status: EXTENDED, overdue: false").await, (1, vec![late.clone()]));
        assert_eq!(listed(&app, w.editor.token(), "status: FILED").await, (1, vec![on_time.clone()]));
        assert_eq!(listed(&app, w.editor.token(), "status: FILED, overdue: true").await, (0, vec![]));
        let gap = w.gapcheon.owner.token();
        assert_eq!(listed_under(&app, gap, &w.hanbat.id, "overdue: true").await, (1, vec![very_late.clone()]));
        let (total, ids) = listed_under(&app, gap, &w.hanbat.id, "overdue: false").await;
        assert_eq!((total, sorted(ids)), (4, sorted(vec![late.clone(), to_decide.clone(), to_transfer.clone(), on_time.clone()])));
        let (total, ids) = listed_under(&app, gap, &w.hanbat.id, "status: EXTENDED").await;
        assert_eq!((total, sorted(ids)), (2, sorted(vec![late.clone(), very_late.clone()])));
        assert_eq!(listed_under(&app, gap, &w.hanbat.id, "status: REFUSED, overdue: false").await, (1, vec![to_decide.clone()]));
        assert_eq!(listed_under(&app, gap, &w.gapcheon.id, "overdue: true").await, (0, vec![]), "gapcheon has none of its own");

        // Five days on, the extended `late` is due today: not yet overdue;
        // six days on, it is.
        app.clock.advance(chrono::TimeDelta::days(5));
        let editor = app.again(&w.editor).await;
        assert_eq!(get(&app, editor.token(), &late).await["overdue"], false);
        app.clock.advance(chrono::TimeDelta::days(1));
        let editor = app.again(&editor).await;
        assert_eq!(get(&app, editor.token(), &late).await["overdue"], true);
        let (total, ids) = listed_under(&app, editor.token(), &w.hanbat.id, "overdue: true").await;
        assert_eq!((total, sorted(ids)), (2, sorted(vec![late.clone(), very_late.clone()])), "on_time is due in four days");
    }
}
