//! Answers, the waitlist, check-in and the attendance rate.

use chrono::TimeDelta;
use serde_json::json;

use super::callers;
use crate::db_test;
use crate::support::work::text;

db_test! {
    async fn going_beyond_capacity_waits_and_a_freed_seat_goes_to_the_first_in_line(app) {
        let c = callers(&app).await;
        let id = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "capacity": 2, "visibility": "PARTNERS" })).await;
        let people = [&c.member, &c.admin, &c.gap_member, &c.gap_editor];
        let mut statuses = Vec::new();
        for p in people {
            statuses.push(text(app.rsvp(p.token(), &id, "GOING").await.data(), "rsvp.status"));
        }
        assert_eq!(statuses, ["GOING", "GOING", "WAITLISTED", "WAITLISTED"]);
        app.rsvp(c.member.token(), &id, "WAITLISTED").await.assert_error("BAD_USER_INPUT", Some("status"));
        // Asking again keeps one's place.
        assert_eq!(text(app.rsvp(c.gap_editor.token(), &id, "GOING").await.data(), "rsvp.status"), "WAITLISTED");
        let waitlist = "query($id: ID!) { event(id: $id) { goingCount waitlistCount rsvps(status: WAITLISTED) { nodes { user { id } } } } }";
        let r = app.gql(c.editor.token(), waitlist, json!({ "id": id })).await;
        assert_eq!(r.data()["event"]["rsvps"]["nodes"], json!([{ "user": { "id": c.gap_member.user_id } }, { "user": { "id": c.gap_editor.user_id } }]));

        // A GOING person declines: the first in line gets the seat.
        app.rsvp(c.member.token(), &id, "DECLINED").await.data();
        let mine = app.event(c.gap_member.token(), &id, "goingCount waitlistCount viewerRsvp { status }").await;
        assert_eq!(mine.data()["event"], json!({ "goingCount": 2, "waitlistCount": 1, "viewerRsvp": { "status": "GOING" } }));
        // Fewer seats than people GOING is refused; more seats seat the waitlist.
        let update = "mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { capacity goingCount waitlistCount } }";
        app.gql(c.editor.token(), update, json!({ "id": id, "input": { "capacity": 1 } })).await.assert_error("CONFLICT", Some("capacity"));
        let grown = app.gql(c.editor.token(), update, json!({ "id": id, "input": { "capacity": 5 } })).await;
        assert_eq!(grown.data()["updateEvent"], json!({ "capacity": 5, "goingCount": 3, "waitlistCount": 0 }));
        let log = app.audit_actions(&c.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "event.rsvp_promoted").count(), 2);
        assert_eq!(log.iter().filter(|a| *a == "event.rsvp").count(), 6);

        // Who answered is for the host's and co-hosts' members only.
        let r = app.gql(c.gap_member.token(), "query($id: ID!) { event(id: $id) { rsvps { totalCount } attendanceRate } }", json!({ "id": id })).await;
        assert_eq!(r.data()["event"], json!({ "rsvps": { "totalCount": 0 }, "attendanceRate": null }));
    }
}

db_test! {
    async fn answers_stop_when_the_event_is_cancelled_or_over(app) {
        let c = callers(&app).await;
        let cancelled = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({})).await;
        app.gql(c.member.token(), "mutation($id: ID!) { cancelEvent(id: $id) { id } }", json!({ "id": cancelled })).await.assert_error("FORBIDDEN", None);
        let r = app.gql(c.editor.token(), "mutation($id: ID!) { cancelEvent(id: $id) { status } }", json!({ "id": cancelled })).await;
        assert_eq!(r.data()["cancelEvent"]["status"], "CANCELLED");
        app.rsvp(c.member.token(), &cancelled, "GOING").await.assert_error("BAD_USER_INPUT", Some("eventId"));
        app.gql(c.editor.token(), "mutation($id: ID!) { updateEvent(id: $id, input: { title: \"다시\" }) { id } }", json!({ "id": cancelled })).await.assert_error("BAD_USER_INPUT", Some("id"));
        let soon = app.event_id(&c.editor, &c.hanbat.id, 1, 2, json!({})).await;
        app.rsvp(c.member.token(), &soon, "MAYBE").await.data();
        app.clock.advance(TimeDelta::hours(3));
        let member = app.again(&c.member).await;
        app.rsvp(member.token(), &soon, "GOING").await.assert_error("BAD_USER_INPUT", Some("eventId"));
        app.rsvp(None, &soon, "GOING").await.assert_error("UNAUTHENTICATED", None);
    }
}

db_test! {
    async fn check_in_runs_from_an_hour_before_to_twelve_hours_after_and_measures_attendance(app) {
        let c = callers(&app).await;
        let id = app.event_id(&c.editor, &c.hanbat.id, 3, 5, json!({ "capacity": 10 })).await;
        for p in [&c.member, &c.admin, &c.gap_member] {
            app.rsvp(p.token(), &id, "GOING").await.data();
        }
        app.check_in(&c.editor, &id, &c.member.user_id).await.assert_error("BAD_USER_INPUT", Some("eventId"));
        app.clock.advance(TimeDelta::hours(2) + TimeDelta::minutes(30));
        let (editor, member) = (app.again(&c.editor).await, app.again(&c.member).await);
        app.check_in(&member, &id, &c.member.user_id).await.assert_error("FORBIDDEN", None);
        app.check_in(&editor, &id, &c.gap_editor.user_id).await.assert_error("BAD_USER_INPUT", Some("userId"));
        let first = app.check_in(&editor, &id, &c.member.user_id).await;
        let again = app.check_in(&editor, &id, &c.member.user_id).await;
        assert_eq!(first.data()["checkIn"]["checkedInAt"], again.data()["checkIn"]["checkedInAt"], "checking in twice changes nothing");
        app.check_in(&editor, &id, &c.admin.user_id).await.data();
        app.rsvp(member.token(), &id, "DECLINED").await.assert_error("BAD_USER_INPUT", Some("status"));
        let rate = app.event(member.token(), &id, "attendanceRate").await;
        let rate = rate.data()["event"]["attendanceRate"].as_f64().unwrap();
        assert!((rate - 2.0 / 3.0).abs() < 1e-9, "checked-in / GOING: {rate}");
        app.clock.advance(TimeDelta::hours(15));
        let editor = app.again(&c.editor).await;
        app.check_in(&editor, &id, &c.gap_member.user_id).await.assert_error("BAD_USER_INPUT", Some("eventId"));
        let log = app.audit_actions(&c.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "event.check_in").count(), 2);
    }
}

db_test! {
    async fn a_meeting_is_recorded_after_the_fact_with_its_invitees_attendance(app) {
        let c = callers(&app).await;
        let invitees = json!([c.member.user_id, c.admin.user_id, c.editor.user_id]);
        let id = app
            .event_id(&c.editor, &c.hanbat.id, -3, -1, json!({ "visibility": "PRIVATE", "inviteeUserIds": invitees }))
            .await;
        // Invitees are checked in without having answered.
        app.check_in(&c.editor, &id, &c.member.user_id).await.data();
        app.check_in(&c.editor, &id, &c.admin.user_id).await.data();
        let r = app.event(c.admin.token(), &id, "invitedCount attendanceRate goingCount").await;
        let event = &r.data()["event"];
        assert_eq!(event["invitedCount"], 3);
        assert_eq!(event["goingCount"], 2);
        assert!((event["attendanceRate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "checked-in invitees / invitees");
        app.rsvp(c.editor.token(), &id, "GOING").await.assert_error("BAD_USER_INPUT", Some("eventId"));
    }
}
