//! Series: created from an RRULE, changed or cancelled one occurrence,
//! this-and-following or all at once (rooms moving with them), and their
//! attendance over past occurrences.

use chrono::TimeDelta;
use serde_json::json;

use super::callers;
use crate::db_test;
use crate::support::fixtures::at;
use crate::support::work::text;

const OCCURRENCES: &str = "query($id: ID!) { eventSeries(id: $id) { rule occurrences(first: 10) { totalCount nodes { id title status startsAt } } } }";
const BOOKINGS: &str = "query($id: ID!, $from: DateTime!, $to: DateTime!) { space(id: $id) { bookings(from: $from, to: $to) { startsAt } } }";

fn week(n: i64) -> i64 {
    24 + n * 7 * 24
}

db_test! {
    async fn occurrences_change_one_by_one_or_from_here_on_or_all_together(app) {
        let c = callers(&app).await;
        let room = app.space_id(&c.hanbat.owner, &c.hanbat.id, "소회의실", false).await;
        let (series, first) = app
            .series_ids(&c.editor, &c.hanbat.id, 24, "FREQ=WEEKLY;COUNT=4", json!({ "spaceId": room, "title": "소위원회" }))
            .await;
        let listed = app.gql(c.member.token(), OCCURRENCES, json!({ "id": series })).await;
        assert_eq!(listed.data()["eventSeries"]["rule"], "FREQ=WEEKLY;COUNT=4");
        let nodes = listed.data()["eventSeries"]["occurrences"]["nodes"].as_array().unwrap().clone();
        let starts: Vec<String> = nodes.iter().map(|n| text(n, "startsAt")).collect();
        assert_eq!(starts, (0..4).map(|n| at(&app, week(n))).collect::<Vec<_>>());
        let ids: Vec<String> = nodes.iter().map(|n| text(n, "id")).collect();
        assert_eq!(ids[0], first);

        // THIS: only the second occurrence moves an hour later, with its room.
        let update = "mutation($id: ID!, $input: UpdateEventInput!, $scope: SeriesScope!) { updateEventOccurrences(id: $id, input: $input, scope: $scope) { id title startsAt } }";
        let moved = app.gql(c.editor.token(), update, json!({ "id": ids[1], "scope": "THIS", "input": { "startsAt": at(&app, week(1) + 1), "endsAt": at(&app, week(1) + 3) } })).await;
        assert_eq!(moved.data()["updateEventOccurrences"].as_array().unwrap().len(), 1);
        // THIS_AND_FOLLOWING: a new title from the third on.
        let renamed = app.gql(c.editor.token(), update, json!({ "id": ids[2], "scope": "THIS_AND_FOLLOWING", "input": { "title": "확대 소위원회" } })).await;
        let renamed: Vec<String> = renamed.data()["updateEventOccurrences"].as_array().unwrap().iter().map(|n| text(n, "id")).collect();
        assert_eq!(renamed, ids[2..].to_vec());
        // ALL: every occurrence an hour earlier, rooms included.
        let all = app.gql(c.editor.token(), update, json!({ "id": ids[0], "scope": "ALL", "input": { "startsAt": at(&app, week(0) - 1), "endsAt": at(&app, week(0) + 1) } })).await;
        let starts: Vec<String> = all.data()["updateEventOccurrences"].as_array().unwrap().iter().map(|n| text(n, "startsAt")).collect();
        assert_eq!(starts, vec![at(&app, week(0) - 1), at(&app, week(1)), at(&app, week(2) - 1), at(&app, week(3) - 1)]);
        let booked = app.gql(c.editor.token(), BOOKINGS, json!({ "id": room, "from": at(&app, 0), "to": at(&app, week(4)) })).await;
        let booked: Vec<String> = booked.data()["space"]["bookings"].as_array().unwrap().iter().map(|b| text(b, "startsAt")).collect();
        assert_eq!(booked, starts, "the rooms moved with the occurrences");

        // A clash anywhere refuses the whole change.
        app.book(c.gap_editor.token(), &room, &c.gapcheon.id, &at(&app, week(3) + 3), &at(&app, week(3) + 4), None).await.data();
        let later = json!({ "id": ids[0], "scope": "ALL", "input": { "startsAt": at(&app, week(0) + 2), "endsAt": at(&app, week(0) + 4) } });
        app.gql(c.editor.token(), update, later).await.assert_error("CONFLICT", Some("startsAt"));
        let r = app.event(c.member.token(), &ids[0], "startsAt").await;
        assert_eq!(r.data()["event"]["startsAt"], at(&app, week(0) - 1), "nothing moved");

        // Cancel from the third on: their rooms are freed, the first two stay.
        let cancel = "mutation($id: ID!, $scope: SeriesScope!) { cancelEventOccurrences(id: $id, scope: $scope) { id status } }";
        let cancelled = app.gql(c.editor.token(), cancel, json!({ "id": ids[2], "scope": "THIS_AND_FOLLOWING" })).await;
        assert_eq!(cancelled.data()["cancelEventOccurrences"], json!([{ "id": ids[2], "status": "CANCELLED" }, { "id": ids[3], "status": "CANCELLED" }]));
        let booked = app.gql(c.editor.token(), BOOKINGS, json!({ "id": room, "from": at(&app, 0), "to": at(&app, week(4)) })).await;
        assert_eq!(booked.data()["space"]["bookings"].as_array().unwrap().len(), 3, "two occurrences and the partner's booking");
        // ALL now reaches only the SCHEDULED ones.
        let rest = app.gql(c.editor.token(), cancel, json!({ "id": ids[0], "scope": "ALL" })).await;
        assert_eq!(rest.data()["cancelEventOccurrences"].as_array().unwrap().len(), 2);
        app.gql(c.member.token(), cancel, json!({ "id": ids[0], "scope": "ALL" })).await.assert_error("FORBIDDEN", None);
        app.gql(c.yuseong.owner.token(), OCCURRENCES, json!({ "id": series })).await.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn a_series_reports_attendance_over_its_past_occurrences(app) {
        let c = callers(&app).await;
        let invitees = json!([c.member.user_id, c.admin.user_id]);
        let (series, first) = app
            .series_ids(&c.editor, &c.hanbat.id, 1, "FREQ=DAILY;COUNT=3", json!({ "visibility": "PRIVATE", "inviteeUserIds": invitees, "coHostIds": [c.gapcheon.id] }))
            .await;
        let rate = "query($id: ID!) { eventSeries(id: $id) { attendanceRate } }";
        // The host's ADMIN checks in (an EDITOR who is not invited does not see it).
        app.check_in(&c.editor, &first, &c.member.user_id).await.assert_error("NOT_FOUND", None);
        app.check_in(&c.admin, &first, &c.member.user_id).await.data();
        app.clock.advance(TimeDelta::hours(24));
        let editor = app.again(&c.admin).await;
        let second = app.gql(editor.token(), OCCURRENCES, json!({ "id": series })).await;
        let second = text(&second.data()["eventSeries"]["occurrences"]["nodes"][1], "id");
        app.check_in(&editor, &second, &c.member.user_id).await.data();
        app.check_in(&editor, &second, &c.admin.user_id).await.data();
        app.clock.advance(TimeDelta::hours(4));
        let admin = app.again(&c.admin).await;
        let r = app.gql(admin.token(), rate, json!({ "id": series })).await;
        let value = r.data()["eventSeries"]["attendanceRate"].as_f64().unwrap();
        assert!((value - 0.75).abs() < 1e-9, "three of four expected, over the two past occurrences: {value}");
        // Invitee-only: the co-host's members see neither series nor rate.
        let gap = app.again(&c.gap_member).await;
        app.gql(gap.token(), rate, json!({ "id": series })).await.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn an_attendance_goal_follows_check_ins(app) {
        let c = callers(&app).await;
        let project = app.project_id(&c.admin, &c.hanbat.id, None, "PARTNERS").await;
        let invitees = json!([c.member.user_id, c.admin.user_id]);
        let (series, first) = app
            .series_ids(&c.admin, &c.hanbat.id, 1, "FREQ=DAILY;COUNT=3", json!({ "visibility": "PRIVATE", "inviteeUserIds": invitees }))
            .await;
        let goal = |series: Option<&str>, target: f64| json!({ "kind": "QUANTITATIVE", "measure": "ATTENDANCE", "title": "집행위원회 출석율", "target": target, "eventSeriesId": series });
        app.add_goal(&c.admin, &project, goal(None, 0.7)).await.assert_error("BAD_USER_INPUT", Some("eventSeriesId"));
        app.add_goal(&c.admin, &project, goal(Some(&series), 1.5)).await.assert_error("BAD_USER_INPUT", Some("target"));
        // An EDITOR who is not invited does not see the series at all.
        app.add_goal(&c.editor, &project, goal(Some(&series), 0.7)).await.assert_error("NOT_FOUND", None);
        // Nor as a platform admin: an operator's reach is for support, not for publishing.
        app.promote_admin(&c.editor.email).await;
        let operator = app.again(&c.editor).await;
        app.add_goal(&operator, &project, goal(Some(&series), 0.7)).await.assert_error("NOT_FOUND", None);
        // A partner's public series: its attendance is not ours to publish.
        let (theirs, _) = app.series_ids(&c.gap_editor, &c.gapcheon.id, 5, "FREQ=DAILY;COUNT=2", json!({ "visibility": "PUBLIC" })).await;
        app.add_goal(&c.admin, &project, goal(Some(&theirs), 0.7)).await.assert_error("FORBIDDEN", None);
        let made = app.add_goal(&c.admin, &project, goal(Some(&series), 0.7)).await;
        assert_eq!(made.data()["addGoal"]["measure"], "ATTENDANCE");
        assert_eq!(made.data()["addGoal"]["achieved"], 0.0);
        let id = text(made.data(), "addGoal.id");
        app.record(&c.admin, &id, &c.hanbat.id, 1.0).await.assert_error("BAD_USER_INPUT", Some("goalId"));

        app.check_in(&c.admin, &first, &c.member.user_id).await.data();
        app.clock.advance(TimeDelta::hours(4));
        let partner = app.again(&c.projects_only.owner).await;
        let r = app.gql(partner.token(), "query($id: ID!) { goal(id: $id) { achieved ratio } }", json!({ "id": id })).await;
        assert_eq!(r.data()["goal"]["achieved"], 0.5, "one of two invitees, over the one past occurrence; a partner reads the rate");
        let ratio = r.data()["goal"]["ratio"].as_f64().unwrap();
        assert!((ratio - 0.5 / 0.7).abs() < 1e-3, "{ratio}");
        // The chart reaching into next week counts no meeting not yet held.
        let chart = "query($id: ID!, $f: Date!, $t: Date!) { goal(id: $id) { series(interval: WEEK, from: $f, to: $t) { achieved } } }";
        let (from, to) = (crate::support::fixtures::day(&app, -7), crate::support::fixtures::day(&app, 14));
        let r = app.gql(partner.token(), chart, json!({ "id": id, "f": from, "t": to })).await;
        let points = r.data()["goal"]["series"].as_array().unwrap().clone();
        assert_eq!(points.last().unwrap()["achieved"], 0.5, "{points:?}");
    }
}
