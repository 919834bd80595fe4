//! Nested reads: a booking's space shows no more than the space itself,
//! read directly or in a mutation's answer.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::fixtures::at;

const BOOKING_SPACE: &str = "query($id: ID!, $f: DateTime!, $t: DateTime!) { booking(id: $id) { title space { id name description location capacity viewerCanBook bookings(from: $f, to: $t) { id title organization { slug } } busy(from: $f, to: $t) { startsAt endsAt } } } }";

db_test! {
    async fn a_bookings_space_shows_no_more_than_the_space_itself(app) {
        let owner = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        let [editor, member] = app.staff(&partner.owner, &partner.id, "gapcheon", ["EDITOR", "MEMBER"]).await;
        let agreement = app.ratified_agreement(&[&owner, &partner], &["SPACES"], "2024-01-01", None).await;
        let room = app.space_id(&owner.owner, &owner.id, "공유 회의실", false).await;
        let theirs = app.book(owner.owner.token(), &room, &owner.id, &at(&app, 24), &at(&app, 25), None).await;
        let theirs = theirs.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        let ours = app.book(editor.token(), &room, &partner.id, &at(&app, 30), &at(&app, 31), None).await;
        let ours = ours.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        let vars = json!({ "id": ours, "f": at(&app, 0), "t": at(&app, 48) });

        // The partner's MEMBER cannot see the room (only those who may book
        // it do), but sees the booking its organization made.
        app.gql(member.token(), "query($id: ID!) { space(id: $id) { id } }", json!({ "id": room }))
            .await
            .assert_error("NOT_FOUND", None);
        let seen = app.gql(member.token(), BOOKING_SPACE, vars.clone()).await;
        let space = &seen.data()["booking"]["space"];
        assert_eq!(space["name"], "공유 회의실", "the room's name stays");
        assert_eq!(space["capacity"], Value::Null);
        assert_eq!(space["viewerCanBook"], false);
        assert_eq!(space["bookings"], json!([{ "id": ours, "title": "소위원회 회의", "organization": { "slug": "gapcheon" } }]), "only its own booking, not the owner's calendar");
        assert_eq!(space["busy"], json!([{ "startsAt": at(&app, 30), "endsAt": at(&app, 31) }]), "busy tells no more than bookings");
        // The editor, who may book there, sees the whole calendar.
        let editor_view = app.gql(editor.token(), BOOKING_SPACE, vars.clone()).await;
        assert_eq!(editor_view.data()["booking"]["space"]["bookings"].as_array().unwrap().len(), 2);
        assert_eq!(editor_view.data()["booking"]["space"]["capacity"], 12);

        // The same through a mutation's answer, after the partnership ended.
        app.party_op(&partner.owner, "withdrawFromAgreement", &agreement, &partner.id).await.data();
        let cancelled = app
            .gql(
                editor.token(),
                "mutation($id: ID!, $f: DateTime!, $t: DateTime!) { cancelBooking(id: $id) { status space { name bookings(from: $f, to: $t) { id } busy(from: $f, to: $t) { startsAt } } } }",
                vars.clone(),
            )
            .await;
        let c = &cancelled.data()["cancelBooking"];
        assert_eq!(c["status"], "CANCELLED");
        assert_eq!(c["space"]["name"], "공유 회의실");
        assert_eq!(c["space"]["bookings"], json!([]), "the owner's booking {theirs} stays hidden");
        assert_eq!(c["space"]["busy"], json!([]));
    }
}
