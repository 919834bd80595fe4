//! Shared office spaces and bookings that never double-book.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{BOOKING_FIELDS, Org, Session, at};

struct Office {
    hanbat: Org,
    admin: Session,
    editor: Session,
    member: Session,
    gapcheon: Org,
    gap_editor: Session,
    gap_member: Session,
    actions_only: Org,
    yuseong: Org,
    room: String,
    hall: String,
}

/// hanbat owns a meeting room (no approval) and a hall (approval); gapcheon
/// shares SPACES with it; `actions-only` is a partner without SPACES.
async fn office(app: &TestApp) -> Office {
    let hanbat = app.org_with_owner("hanbat").await;
    let [admin, editor, member] = app
        .staff(
            &hanbat.owner,
            &hanbat.id,
            "hanbat",
            ["ADMIN", "EDITOR", "MEMBER"],
        )
        .await;
    let gapcheon = app.org_with_owner("gapcheon").await;
    let gap_editor = app
        .member(
            &gapcheon.owner,
            &gapcheon.id,
            "editor@gapcheon.example",
            "EDITOR",
        )
        .await;
    let gap_member = app
        .member(
            &gapcheon.owner,
            &gapcheon.id,
            "member@gapcheon.example",
            "MEMBER",
        )
        .await;
    let actions_only = app.org_with_owner("actions-only").await;
    let yuseong = app.org_with_owner("yuseong").await;
    app.ratified_agreement(&[&hanbat, &gapcheon], &["SPACES"], "2024-01-01", None)
        .await;
    app.ratified_agreement(&[&hanbat, &actions_only], &["ACTIONS"], "2024-01-01", None)
        .await;
    let room = app.space_id(&admin, &hanbat.id, "공유 회의실", false).await;
    let hall = app.space_id(&admin, &hanbat.id, "교육장", true).await;
    Office {
        hanbat,
        admin,
        editor,
        member,
        gapcheon,
        gap_editor,
        gap_member,
        actions_only,
        yuseong,
        room,
        hall,
    }
}

const SPACES: &str = "{ spaces { name viewerCanBook } }";

fn names(r: &crate::support::Gql) -> Vec<(String, bool)> {
    r.data()["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["viewerCanBook"].as_bool().unwrap(),
            )
        })
        .collect()
}

db_test! {
    async fn spaces_exist_for_their_owner_and_for_partners_who_may_book(app) {
        let o = office(&app).await;
        app.create_space(&o.editor, &o.hanbat.id, "x", false).await.assert_error("FORBIDDEN", None);
        app.create_space(&o.gapcheon.owner, &o.hanbat.id, "x", false).await.assert_error("FORBIDDEN", None);
        let bad = app
            .gql(o.admin.token(), "mutation { createSpace(input: { organizationId: \"x\", name: \"\", requiresApproval: false }) { id } }", json!({}))
            .await;
        bad.assert_error("BAD_USER_INPUT", None);

        let both = vec![("공유 회의실".to_owned(), true), ("교육장".to_owned(), true)];
        assert_eq!(names(&app.gql(o.editor.token(), SPACES, json!({})).await), both);
        assert_eq!(names(&app.gql(o.gap_editor.token(), SPACES, json!({})).await), both, "a SPACES partner's EDITOR may book");
        let member_view = vec![("공유 회의실".to_owned(), false), ("교육장".to_owned(), false)];
        assert_eq!(names(&app.gql(o.member.token(), SPACES, json!({})).await), member_view, "members of the owner see, cannot book");
        for outsider in [&o.gap_member, &o.actions_only.owner, &o.yuseong.owner] {
            assert!(names(&app.gql(outsider.token(), SPACES, json!({})).await).is_empty());
            let r = app.gql(outsider.token(), "query($id: ID!) { space(id: $id) { id } }", json!({ "id": o.room })).await;
            r.assert_error("NOT_FOUND", None);
        }
        app.gql(None, "query($id: ID!) { space(id: $id) { id } }", json!({ "id": o.room })).await.assert_error("NOT_FOUND", None);
        let via_org = app.gql(o.gap_editor.token(), "query($id: ID!) { organization(id: $id) { spaces { name } } }", json!({ "id": o.hanbat.id })).await;
        assert_eq!(via_org.data()["organization"]["spaces"].as_array().unwrap().len(), 2);
        let hidden = app.gql(o.yuseong.owner.token(), "query($id: ID!) { organization(id: $id) { spaces { name } } }", json!({ "id": o.hanbat.id })).await;
        assert_eq!(hidden.data()["organization"]["spaces"], json!([]));

        let edit = "mutation($id: ID!) { updateSpace(id: $id, input: { capacity: 40, location: \"2층\" }) { capacity } }";
        assert_eq!(app.gql(o.admin.token(), edit, json!({ "id": o.hall })).await.data()["updateSpace"]["capacity"], 40);
        app.gql(o.editor.token(), edit, json!({ "id": o.hall })).await.assert_error("FORBIDDEN", None);
        app.gql(o.gap_editor.token(), edit, json!({ "id": o.hall })).await.assert_error("FORBIDDEN", None);
        assert_eq!(app.audit_actions(&o.hanbat.id).await.iter().filter(|a| a.starts_with("space.")).count(), 3);
    }
}

db_test! {
    async fn bookings_are_half_open_intervals_that_never_overlap(app) {
        let o = office(&app).await;
        let first = app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 24), &at(&app, 26), None).await;
        let b = &first.data()["bookSpace"][0];
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["seriesId"], Value::Null);
        // Back to back on both sides is fine.
        app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 26), &at(&app, 27), None).await.data();
        app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 23), &at(&app, 24), None).await.data();
        // Any overlap is a CONFLICT naming the clash.
        let clash = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 25), &at(&app, 28), None).await;
        clash.assert_error("CONFLICT", Some("startsAt"));
        let conflicts = &clash.errors()[0]["extensions"]["conflicts"];
        assert_eq!(conflicts[0]["startsAt"], at(&app, 25));
        assert_eq!(conflicts[0]["clashesWith"], json!([{ "startsAt": at(&app, 24), "endsAt": at(&app, 26) }, { "startsAt": at(&app, 26), "endsAt": at(&app, 27) }]));
        // Another space is another calendar.
        app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 24), &at(&app, 26), None).await.data();

        let cases = [
            (at(&app, 30), at(&app, 30), "endsAt"),
            (at(&app, 31), at(&app, 30), "endsAt"),
            (at(&app, 30), at(&app, 55), "endsAt"),
            (at(&app, -2), at(&app, -1), "startsAt"),
        ];
        for (s, e, field) in cases {
            app.book(o.editor.token(), &o.room, &o.hanbat.id, &s, &e, None).await.assert_error("BAD_USER_INPUT", Some(field));
        }
        app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 30), &at(&app, 54), None).await.data();

        // Who may book: EDITOR+ of the owner or of a SPACES partner.
        app.book(o.member.token(), &o.room, &o.hanbat.id, &at(&app, 60), &at(&app, 61), None).await.assert_error("FORBIDDEN", None);
        app.book(o.editor.token(), &o.room, &o.gapcheon.id, &at(&app, 60), &at(&app, 61), None).await.assert_error("FORBIDDEN", None);
        let own_not_partner = app.book(o.actions_only.owner.token(), &o.room, &o.actions_only.id, &at(&app, 60), &at(&app, 61), None).await;
        own_not_partner.assert_error("NOT_FOUND", None);
        app.book(None, &o.room, &o.hanbat.id, &at(&app, 60), &at(&app, 61), None).await.assert_error("UNAUTHENTICATED", None);
        let unknown = uuid::Uuid::now_v7().to_string();
        app.book(o.editor.token(), &unknown, &o.hanbat.id, &at(&app, 60), &at(&app, 61), None).await.assert_error("NOT_FOUND", None);
        let actions = app.audit_actions(&o.hanbat.id).await;
        assert_eq!(actions.iter().filter(|a| *a == "booking.create").count(), 4, "{actions:?}");
    }
}

db_test! {
    async fn approvals_hold_the_slot_until_decided(app) {
        let o = office(&app).await;
        let asked = app.book(o.gap_editor.token(), &o.hall, &o.gapcheon.id, &at(&app, 48), &at(&app, 50), None).await;
        let pending = asked.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(asked.data()["bookSpace"][0]["status"], "PENDING");
        // A PENDING booking holds its slot.
        app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 49), &at(&app, 51), None).await.assert_error("CONFLICT", None);
        // The owner's own bookings are CONFIRMED at once.
        let own = app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 50), &at(&app, 51), None).await;
        assert_eq!(own.data()["bookSpace"][0]["status"], "CONFIRMED");

        app.booking_op(&o.editor, "approveBooking", &pending).await.assert_error("FORBIDDEN", None);
        app.booking_op(&o.gapcheon.owner, "approveBooking", &pending).await.assert_error("FORBIDDEN", None);
        let approved = app.booking_op(&o.admin, "approveBooking", &pending).await;
        assert_eq!(approved.data()["approveBooking"]["status"], "CONFIRMED");
        app.booking_op(&o.admin, "approveBooking", &pending).await.assert_error("BAD_USER_INPUT", None);

        // Rejecting frees the slot.
        let second = app.book(o.gap_editor.token(), &o.hall, &o.gapcheon.id, &at(&app, 72), &at(&app, 73), None).await;
        let second = second.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        let r = app
            .gql(o.admin.token(), "mutation($id: ID!) { rejectBooking(id: $id, reason: \"행사 준비\") { status rejectionReason } }", json!({ "id": second }))
            .await;
        assert_eq!(r.data()["rejectBooking"], json!({ "status": "REJECTED", "rejectionReason": "행사 준비" }));
        app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 72), &at(&app, 73), None).await.data();

        // Cancelling: the booking organization's EDITOR+ or the owner's ADMIN+.
        let third = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 80), &at(&app, 81), None).await;
        let third = third.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        app.booking_op(&o.editor, "cancelBooking", &third).await.assert_error("FORBIDDEN", None);
        app.booking_op(&o.gap_member, "cancelBooking", &third).await.assert_error("FORBIDDEN", None);
        app.booking_op(&o.yuseong.owner, "cancelBooking", &third).await.assert_error("NOT_FOUND", None);
        assert_eq!(app.booking_op(&o.gap_editor, "cancelBooking", &third).await.data()["cancelBooking"]["status"], "CANCELLED");
        app.booking_op(&o.gap_editor, "cancelBooking", &third).await.assert_error("BAD_USER_INPUT", None);
        app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 80), &at(&app, 81), None).await.data();
        let fourth = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 90), &at(&app, 91), None).await;
        let fourth = fourth.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(app.booking_op(&o.admin, "cancelBooking", &fourth).await.data()["cancelBooking"]["status"], "CANCELLED");

        let owner_log = app.audit_actions(&o.hanbat.id).await;
        for action in ["booking.approve", "booking.reject", "booking.cancel"] {
            assert!(owner_log.iter().any(|a| a == action), "{action}: {owner_log:?}");
        }
        assert!(app.audit_actions(&o.gapcheon.id).await.iter().any(|a| a == "booking.cancel"));
    }
}

db_test! {
    async fn recurring_bookings_are_all_or_nothing(app) {
        let o = office(&app).await;
        let weekly = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 24), &at(&app, 26), Some("FREQ=WEEKLY;COUNT=10")).await;
        let series = weekly.data()["bookSpace"].as_array().unwrap().clone();
        assert_eq!(series.len(), 10);
        let series_id = series[0]["seriesId"].clone();
        assert!(series_id.is_string());
        assert!(series.iter().all(|b| b["seriesId"] == series_id && b["status"] == "CONFIRMED"));
        assert_eq!(series[3]["startsAt"], at(&app, 24 + 3 * 7 * 24), "weekly, in the owner's time zone (Seoul has no DST)");

        // Two clashes inside another series: nothing is written, both listed.
        let before = app.gql(o.admin.token(), "query($id: ID!, $f: DateTime!, $t: DateTime!) { space(id: $id) { bookings(from: $f, to: $t) { id } } }",
            json!({ "id": o.room, "f": at(&app, 0), "t": at(&app, 24 * 200) })).await;
        let count = before.data()["space"]["bookings"].as_array().unwrap().len();
        let daily = app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 25), &at(&app, 26), Some("FREQ=DAILY;INTERVAL=7;COUNT=5")).await;
        daily.assert_error("CONFLICT", Some("startsAt"));
        let conflicts = daily.errors()[0]["extensions"]["conflicts"].as_array().unwrap().clone();
        assert_eq!(conflicts.len(), 5, "every clashing occurrence is listed");
        let after = app.gql(o.admin.token(), "query($id: ID!, $f: DateTime!, $t: DateTime!) { space(id: $id) { bookings(from: $f, to: $t) { id } } }",
            json!({ "id": o.room, "f": at(&app, 0), "t": at(&app, 24 * 200) })).await;
        assert_eq!(after.data()["space"]["bookings"].as_array().unwrap().len(), count, "nothing half-written");
        // Daily for 20 days from an hour into the first meeting: days 0, 7
        // and 14 clash with the weekly series, the 17 others do not.
        let partial = app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 25), &at(&app, 26), Some("FREQ=DAILY;COUNT=20")).await;
        partial.assert_error("CONFLICT", None);
        let listed: Vec<String> = partial.errors()[0]["extensions"]["conflicts"].as_array().unwrap().iter().map(|c| c["startsAt"].as_str().unwrap().to_owned()).collect();
        assert_eq!(listed, [at(&app, 25), at(&app, 25 + 24 * 7), at(&app, 25 + 24 * 14)]);

        for bad in ["FREQ=DAILY", "FREQ=DAILY;COUNT=101", "FREQ=FORTNIGHTLY;COUNT=2", "DTSTART:20300101T000000Z\nRRULE:FREQ=DAILY;COUNT=2"] {
            let r = app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 500), &at(&app, 501), Some(bad)).await;
            r.assert_error("BAD_USER_INPUT", Some("recurrence"));
        }
        let hundred = app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 24 * 300), &at(&app, 24 * 300 + 1), Some("FREQ=DAILY;COUNT=100")).await;
        assert_eq!(hundred.data()["bookSpace"].as_array().unwrap().len(), 100);
    }
}

db_test! {
    async fn others_see_when_but_not_what(app) {
        let o = office(&app).await;
        app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 24), &at(&app, 25), None).await.data();
        app.book(o.editor.token(), &o.room, &o.hanbat.id, &at(&app, 25), &at(&app, 26), None).await.data();
        app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 27), &at(&app, 28), None).await.data();
        let q = "query($id: ID!, $f: DateTime!, $t: DateTime!) { space(id: $id) { bookings(from: $f, to: $t) { title bookedBy { id } organization { slug } startsAt } busy(from: $f, to: $t) { startsAt endsAt } } }";
        let vars = json!({ "id": o.room, "f": at(&app, 0), "t": at(&app, 48) });

        let partner = app.gql(o.gap_editor.token(), q, vars.clone()).await;
        let seen = &partner.data()["space"]["bookings"];
        assert_eq!(seen[0], json!({ "title": null, "bookedBy": null, "organization": { "slug": "hanbat" }, "startsAt": at(&app, 24) }));
        assert_eq!(seen[2]["title"], "소위원회 회의", "its own booking's title");
        assert_eq!(
            partner.data()["space"]["busy"],
            json!([{ "startsAt": at(&app, 24), "endsAt": at(&app, 26) }, { "startsAt": at(&app, 27), "endsAt": at(&app, 28) }]),
            "adjacent bookings merge"
        );
        let owner = app.gql(o.member.token(), q, vars.clone()).await;
        assert!(owner.data()["space"]["bookings"].as_array().unwrap().iter().all(|b| b["title"] == "소위원회 회의"));
        assert_eq!(owner.data()["space"]["bookings"][2]["bookedBy"]["id"], o.gap_editor.user_id.as_str());

        let clipped = app.gql(o.member.token(), q, json!({ "id": o.room, "f": at(&app, 25), "t": at(&app, 27) })).await;
        assert_eq!(clipped.data()["space"]["busy"], json!([{ "startsAt": at(&app, 25), "endsAt": at(&app, 26) }]));
        let backwards = app.gql(o.member.token(), q, json!({ "id": o.room, "f": at(&app, 27), "t": at(&app, 25) })).await;
        backwards.assert_error("BAD_USER_INPUT", Some("to"));

        // A booking by id: visible with the space, details as above.
        let id = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 40), &at(&app, 41), None).await.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        let bq = format!("query($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} }} }}");
        assert_eq!(app.gql(o.member.token(), &bq, json!({ "id": id })).await.data()["booking"]["title"], "소위원회 회의");
        app.gql(o.yuseong.owner.token(), &bq, json!({ "id": id })).await.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn the_calendar_feed_keeps_the_same_privacy(app) {
        let o = office(&app).await;
        app.book(o.editor.token(), &o.hall, &o.hanbat.id, &at(&app, 24), &at(&app, 25), None).await.data();
        app.book(o.gap_editor.token(), &o.hall, &o.gapcheon.id, &at(&app, 30), &at(&app, 31), None).await.data();
        let gap_token = app.api_token(&o.gap_editor, &["READ"], None).await;
        let url = format!("{}/ical/spaces/{}.ics", app.url, o.hall);

        let by_header = app.client.get(&url).bearer_auth(&gap_token).send().await.unwrap();
        assert_eq!(by_header.status(), 200);
        assert!(by_header.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let ics = by_header.text().await.unwrap();
        assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert!(ics.contains("SUMMARY:소위원회 회의 (gapcheon 모임)"), "its own title: {ics}");
        assert!(ics.contains("SUMMARY:hanbat 모임 예약 (booked)"), "the owner's booking without its title: {ics}");
        assert!(ics.contains("STATUS:TENTATIVE"), "the pending one: {ics}");
        assert!(ics.contains("STATUS:CONFIRMED"));

        let by_query = app.client.get(format!("{url}?token={gap_token}")).send().await.unwrap();
        assert_eq!(by_query.status(), 200);
        assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
        assert_eq!(app.client.get(&url).bearer_auth(&o.gap_editor.access_token).send().await.unwrap().status(), 401, "API tokens only");
        assert_eq!(app.client.get(format!("{url}?token=yd_pat_nope")).send().await.unwrap().status(), 401);
        let stranger = app.api_token(&o.yuseong.owner, &["READ"], None).await;
        assert_eq!(app.client.get(&url).bearer_auth(&stranger).send().await.unwrap().status(), 404);
        assert_eq!(app.client.get(format!("{}/ical/spaces/nope.ics", app.url)).bearer_auth(&gap_token).send().await.unwrap().status(), 404);
        let owner_token = app.api_token(&o.member, &["READ"], None).await;
        let owner_ics = app.client.get(&url).bearer_auth(&owner_token).send().await.unwrap().text().await.unwrap();
        assert_eq!(owner_ics.matches("SUMMARY:소위원회 회의").count(), 2, "the owner sees every title: {owner_ics}");
    }
}

db_test! {
    async fn sharing_ends_with_the_agreement(app) {
        let o = office(&app).await;
        let agreements = app.gql(o.hanbat.owner.token(), "{ agreements(status: ACTIVE) { nodes { id scopes } } }", json!({})).await;
        let spaces_agreement = agreements.data()["agreements"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["scopes"] == json!(["SPACES"]))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let booked = app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 24), &at(&app, 25), None).await;
        let booked = booked.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        app.party_op(&o.gapcheon.owner, "withdrawFromAgreement", &spaces_agreement, &o.gapcheon.id).await.data();
        app.book(o.gap_editor.token(), &o.room, &o.gapcheon.id, &at(&app, 30), &at(&app, 31), None).await.assert_error("NOT_FOUND", None);
        assert!(names(&app.gql(o.gap_editor.token(), SPACES, json!({})).await).is_empty());
        // What it booked stays its own: it can still see and cancel it.
        let bq = format!("query($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} }} }}");
        assert_eq!(app.gql(o.gap_member.token(), &bq, json!({ "id": booked })).await.data()["booking"]["title"], "소위원회 회의");
        assert_eq!(app.booking_op(&o.gap_editor, "cancelBooking", &booked).await.data()["cancelBooking"]["status"], "CANCELLED");
        app.gql(o.yuseong.owner.token(), &bq, json!({ "id": booked })).await.assert_error("NOT_FOUND", None);
    }
}
