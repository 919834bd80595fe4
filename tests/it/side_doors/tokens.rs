//! Tokens: one without READ reads nothing (mutations answer with ids), and
//! one bound to an organization ends with its membership and never
//! outranks it.

use serde_json::json;

use crate::db_test;
use crate::support::fixtures::{BOOKING_FIELDS, at};

db_test! {
    async fn a_token_without_read_reads_nothing(app) {
        let org = app.org_with_owner("hanbat").await;
        let room = app.space_id(&org.owner, &org.id, "회의실", false).await;
        let write_only = app.api_token(&org.owner, &["WRITE"], None).await;
        let t = Some(write_only.as_str());
        let me = app.gql(t, "{ me { id email } }", json!({})).await;
        me.assert_error("FORBIDDEN", None);
        assert!(me.message().contains("READ"), "{}", me.body);
        app.gql(t, "{ organizations { totalCount } }", json!({})).await.assert_error("FORBIDDEN", None);
        let book = |fields: &str| {
            let q = format!("mutation($input: BookSpaceInput!) {{ bookSpace(input: $input) {{ {fields} }} }}");
            let vars = json!({ "input": { "spaceId": room, "organizationId": org.id, "title": "회의", "startsAt": at(&app, 24), "endsAt": at(&app, 25) } });
            let app = &app;
            async move { app.gql(t, &q, vars).await }
        };
        // Mutations answer with the changed object's id only: even its own
        // fields could read what the mutation did not write.
        book("id status").await.assert_error("FORBIDDEN", None);
        let booked = book("id __typename").await;
        let id = booked.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        let noop = app
            .gql(t, "mutation($id: ID!) { updateSpace(id: $id, input: {}) { description capacity } }", json!({ "id": room }))
            .await;
        noop.assert_error("FORBIDDEN", None);
        let nested = app
            .gql(t, &format!("mutation($id: ID!) {{ cancelBooking(id: $id) {{ {BOOKING_FIELDS} }} }}"), json!({ "id": id }))
            .await;
        nested.assert_error("FORBIDDEN", None);
        let via_fragment = app
            .gql(t, "mutation($id: ID!) { cancelBooking(id: $id) { ...B } } fragment B on Booking { id space { name } }", json!({ "id": id }))
            .await;
        via_fragment.assert_error("FORBIDDEN", None);
        assert_eq!(app.booking_op(&org.owner, "cancelBooking", &id).await.data()["cancelBooking"]["status"], "CANCELLED", "nothing ran");
        // Feeds too.
        let feed = app.client.get(format!("{}/ical/spaces/{room}.ics", app.url)).bearer_auth(&write_only).send().await.unwrap();
        assert_eq!(feed.status(), 403);
    }
}

db_test! {
    async fn a_bound_token_ends_with_its_membership_and_never_outranks_it(app) {
        let org = app.org_with_owner("hanbat").await;
        let elsewhere = app.org_with_owner("elsewhere").await;
        let editor = app.member(&org.owner, &org.id, "editor@hanbat.example", "EDITOR").await;
        let bound = app.api_token(&editor, &["READ", "WRITE"], Some(&org.id)).await;
        let t = Some(bound.as_str());
        let listed = app.gql(editor.token(), "{ myApiTokens { role organization { slug } } }", json!({})).await;
        assert_eq!(listed.data()["myApiTokens"], json!([{ "role": "EDITOR", "organization": { "slug": "hanbat" } }]));

        // Promoted to ADMIN, the person may invite; the token made as
        // EDITOR may not.
        app.change_role(&org.owner, &org.id, &editor.user_id, "ADMIN").await.data();
        assert_eq!(app.viewer_role(editor.token(), &org.id).await, "ADMIN");
        assert_eq!(app.viewer_role(t, &org.id).await, "EDITOR");
        app.invite(&editor, &org.id, "x@x.example", "MEMBER").await.data();
        let via_token = app
            .gql(t, "mutation($o: ID!) { inviteMember(organizationId: $o, email: \"y@x.example\", role: MEMBER) { id } }", json!({ "o": org.id }))
            .await;
        via_token.assert_error("FORBIDDEN", None);
        // Demoted to MEMBER, the token acts as a MEMBER.
        app.change_role(&org.owner, &org.id, &editor.user_id, "MEMBER").await.data();
        assert_eq!(app.viewer_role(t, &org.id).await, "MEMBER");
        let room = app.space_id(&org.owner, &org.id, "회의실", false).await;
        app.book(t, &room, &org.id, &at(&app, 24), &at(&app, 25), None).await.assert_error("FORBIDDEN", None);

        // Removed: the token stops working, and stays dead when the person
        // is invited back with a higher role.
        app.remove_member(&org.owner, &org.id, &editor.user_id).await.data();
        assert_eq!(app.gql(t, "{ me { id } }", json!({})).await.status, 401);
        let back = app.invite(&org.owner, &org.id, &editor.email, "ADMIN").await;
        let back = back.data()["inviteMember"]["token"].as_str().unwrap().to_owned();
        app.accept(&editor, &back).await.data();
        assert_eq!(app.gql(t, "{ me { id } }", json!({})).await.status, 401);
        assert!(app.audit_actions(&org.id).await.contains(&"api_token.revoke".to_owned()));
        let _ = elsewhere;
    }
}
