//! An event's room, booked in the event's transaction; series all or
//! nothing; and the 200-request race for ten seats.

use serde_json::json;

use super::callers;
use crate::db_test;
use crate::support::fixtures::at;
use crate::support::work::text;

const BOOKINGS: &str = "query($id: ID!, $from: DateTime!, $to: DateTime!) { space(id: $id) { bookings(from: $from, to: $to) { status startsAt } } }";

db_test! {
    async fn an_event_holds_its_room_and_cancelling_frees_it(app) {
        let c = callers(&app).await;
        let room = app.space_id(&c.hanbat.owner, &c.hanbat.id, "회의실", false).await;
        let with_room = json!({ "spaceId": room, "visibility": "PRIVATE" });
        let first = app.event_id(&c.editor, &c.hanbat.id, 24, 26, with_room.clone()).await;
        let window = json!({ "id": room, "from": at(&app, 0), "to": at(&app, 96) });
        let r = app.gql(c.editor.token(), BOOKINGS, window.clone()).await;
        assert_eq!(r.data()["space"]["bookings"], json!([{ "status": "CONFIRMED", "startsAt": at(&app, 24) }]));
        let r = app.event(c.member.token(), &first, "space { id }").await;
        assert_eq!(r.data()["event"]["space"]["id"], room);
        // The booking does not carry the event's title: everyone in the host
        // and the room's owner reads a booking's title, not every event.
        let titles = "query($id: ID!, $from: DateTime!, $to: DateTime!) { space(id: $id) { bookings(from: $from, to: $to) { title } } }";
        let r = app.gql(c.member.token(), titles, window.clone()).await;
        assert_eq!(r.data()["space"]["bookings"], json!([{ "title": "행사 (event)" }]));

        // The room is taken: CONFLICT listing the clash, and no event is made.
        let mut clash = json!({ "startsAt": at(&app, 25), "endsAt": at(&app, 27) });
        clash["spaceId"] = json!(room);
        let refused = app.create_event(&c.editor, &c.hanbat.id, clash.clone()).await;
        refused.assert_error("CONFLICT", Some("startsAt"));
        assert_eq!(refused.errors()[0]["extensions"]["conflicts"][0]["clashesWith"], json!([{ "startsAt": at(&app, 24), "endsAt": at(&app, 26) }]));
        let count = app.gql(c.editor.token(), "{ events { totalCount } }", json!({})).await;
        assert_eq!(count.data()["events"]["totalCount"], 1);

        // Moving the event moves its booking.
        let moved = app.gql(c.editor.token(), "mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { startsAt } }", json!({ "id": first, "input": { "startsAt": at(&app, 48), "endsAt": at(&app, 50) } })).await;
        assert_eq!(moved.data()["updateEvent"]["startsAt"], at(&app, 48));
        let r = app.gql(c.editor.token(), BOOKINGS, window.clone()).await;
        assert_eq!(r.data()["space"]["bookings"], json!([{ "status": "CONFIRMED", "startsAt": at(&app, 48) }]));
        text(app.create_event(&c.editor, &c.hanbat.id, clash).await.data(), "createEvent.id");

        // Cancelling frees the room.
        app.gql(c.editor.token(), "mutation($id: ID!) { cancelEvent(id: $id) { id } }", json!({ "id": first })).await.data();
        let r = app.gql(c.editor.token(), BOOKINGS, json!({ "id": room, "from": at(&app, 47), "to": at(&app, 51) })).await;
        assert_eq!(r.data()["space"]["bookings"], json!([]));
        let log = app.audit_actions(&c.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "booking.cancel").count(), 2, "moved once, cancelled once");
        // A room is not booked in the past.
        let past = json!({ "startsAt": at(&app, -3), "endsAt": at(&app, -2), "spaceId": room });
        app.create_event(&c.editor, &c.hanbat.id, past).await.assert_error("BAD_USER_INPUT", Some("startsAt"));
    }
}

db_test! {
    async fn a_series_books_every_occurrence_or_none(app) {
        let c = callers(&app).await;
        let room = app.space_id(&c.hanbat.owner, &c.hanbat.id, "큰 회의실", true).await;
        // One occurrence (the third week) is taken already.
        app.book(c.gap_editor.token(), &room, &c.gapcheon.id, &at(&app, 24 + 14 * 24), &at(&app, 26 + 14 * 24), None).await.data();
        let series = json!({ "startsAt": at(&app, 24), "endsAt": at(&app, 26), "spaceId": room, "recurrence": "FREQ=WEEKLY;COUNT=4" });
        let refused = app.create_event(&c.editor, &c.hanbat.id, series.clone()).await;
        refused.assert_error("CONFLICT", Some("startsAt"));
        let count = app.gql(c.editor.token(), "{ events { totalCount } }", json!({})).await;
        assert_eq!(count.data()["events"]["totalCount"], 0, "nothing of the series was made");

        let mut later = series.clone();
        later["startsAt"] = json!(at(&app, 30));
        later["endsAt"] = json!(at(&app, 32));
        text(app.create_event(&c.editor, &c.hanbat.id, later).await.data(), "createEvent.id");
        let count = app.gql(c.editor.token(), "{ events { totalCount } }", json!({})).await;
        assert_eq!(count.data()["events"]["totalCount"], 4);
        let r = app.gql(c.editor.token(), BOOKINGS, json!({ "id": room, "from": at(&app, 0), "to": at(&app, 30 * 24) })).await;
        assert_eq!(r.data()["space"]["bookings"].as_array().unwrap().len(), 5);

        // A partner's event in a room that needs approval holds it PENDING.
        let partner = app.event_id(&c.gap_editor, &c.gapcheon.id, 100, 101, json!({ "spaceId": room })).await;
        let r = app.gql(c.gap_editor.token(), BOOKINGS, json!({ "id": room, "from": at(&app, 99), "to": at(&app, 102) })).await;
        assert_eq!(r.data()["space"]["bookings"], json!([{ "status": "PENDING", "startsAt": at(&app, 100) }]));
        assert!(!partner.is_empty());
        let rule = json!({ "startsAt": at(&app, 200), "endsAt": at(&app, 201), "recurrence": "FREQ=DAILY;COUNT=101" });
        app.create_event(&c.editor, &c.hanbat.id, rule).await.assert_error("BAD_USER_INPUT", Some("recurrence"));
    }
}

db_test! {
    async fn two_hundred_people_race_for_ten_seats(app) {
        let c = callers(&app).await;
        let id = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "capacity": 10, "visibility": "PUBLIC" })).await;
        let mut sessions = Vec::new();
        for chunk in 0..20 {
            let signing = (0..10).map(|n| app.sign_up_owned(format!("p{}@crowd.example", chunk * 10 + n)));
            sessions.extend(futures::future::join_all(signing).await);
        }
        let mut tasks = Vec::new();
        for token in sessions.iter().map(|s| s.access_token.clone()) {
            let (client, url, id) = (app.client.clone(), app.url.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({ "query": "mutation($e: ID!) { rsvp(eventId: $e, status: GOING) { status } }", "variables": { "e": id } });
                let r: serde_json::Value = client.post(format!("{url}/graphql")).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
                r["data"]["rsvp"]["status"].as_str().map(str::to_owned).unwrap_or_else(|| panic!("{r}"))
            }));
        }
        let mut going = 0;
        for t in tasks {
            if t.await.unwrap() == "GOING" {
                going += 1;
            }
        }
        assert_eq!(going, 10, "exactly the seats");
        let r = app.event(c.editor.token(), &id, "goingCount waitlistCount").await;
        assert_eq!(r.data()["event"], json!({ "goingCount": 10, "waitlistCount": 190 }));
        // The waitlist is served in arrival order: ten declines seat the
        // first ten in line, exactly.
        let line = "query($id: ID!) { event(id: $id) { rsvps(status: WAITLISTED, first: 100) { nodes { user { id } } } } }";
        let before = app.gql(c.editor.token(), line, json!({ "id": id })).await;
        let first_ten: Vec<String> = before.data()["event"]["rsvps"]["nodes"].as_array().unwrap()[..10].iter().map(|n| text(n, "user.id")).collect();
        let seated = "query($id: ID!) { event(id: $id) { rsvps(status: GOING, first: 100) { nodes { user { id } } } } }";
        let seated_now = app.gql(c.editor.token(), seated, json!({ "id": id })).await;
        let leaving: Vec<String> = seated_now.data()["event"]["rsvps"]["nodes"].as_array().unwrap().iter().map(|n| text(n, "user.id")).collect();
        for s in sessions.iter().filter(|s| leaving.contains(&s.user_id)) {
            app.rsvp(s.token(), &id, "DECLINED").await.data();
        }
        let after = app.gql(c.editor.token(), seated, json!({ "id": id })).await;
        let mut now_going: Vec<String> = after.data()["event"]["rsvps"]["nodes"].as_array().unwrap().iter().map(|n| text(n, "user.id")).collect();
        let mut expected = first_ten.clone();
        now_going.sort();
        expected.sort();
        assert_eq!(now_going, expected);
    }
}
