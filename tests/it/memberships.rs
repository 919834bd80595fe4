//! Invitations, roles and the organization's last OWNER.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::Session;

const MY_MEMBERSHIPS: &str = "{ me { memberships { role organization { slug } } } }";

db_test! {
    async fn an_invited_colleague_joins_with_the_invited_role(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let invite = app.invite(&owner, &org, "Editor@Hanbat.example", "EDITOR").await;
        let inv = &invite.data()["inviteMember"];
        assert_eq!(inv["email"], "editor@hanbat.example");
        assert_eq!(inv["role"], "EDITOR");
        assert_eq!(inv["acceptedAt"], Value::Null);
        assert_eq!(inv["organization"]["id"], org.as_str());
        let token = inv["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("yd_inv_"));
        let expires = chrono::DateTime::parse_from_rfc3339(inv["expiresAt"].as_str().unwrap()).unwrap();
        let days = (expires.with_timezone(&chrono::Utc) - app.clock.now()).num_hours();
        assert!((167..=168).contains(&days), "expires after 7 days, got {days} h");

        let editor = app.sign_up("editor@hanbat.example").await;
        let accepted = app.accept(&editor, &token).await;
        assert_eq!(accepted.data()["acceptInvitation"]["role"], "EDITOR");
        let mine = app.gql(editor.token(), MY_MEMBERSHIPS, json!({})).await;
        assert_eq!(mine.data()["me"]["memberships"], json!([{ "role": "EDITOR", "organization": { "slug": "hanbat" } }]));
        assert_eq!(app.viewer_role(editor.token(), &org).await, "EDITOR");

        // Single use.
        app.accept(&editor, &token).await.assert_error("BAD_USER_INPUT", Some("token"));
        // Stored hashed.
        use sea_orm::EntityTrait;
        let stored = entity::invitation::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_ne!(stored.token_hash, token);
        assert_eq!(app.audit_actions(&org).await, ["organization.create", "member.invite", "member.join"]);
    }
}

db_test! {
    async fn invitations_are_for_the_named_person_and_expire(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let token = |g: &crate::support::Gql| g.data()["inviteMember"]["token"].as_str().unwrap().to_owned();

        let for_alice = token(&app.invite(&owner, &org, "alice@hanbat.example", "MEMBER").await);
        let mallory = app.sign_up("mallory@yuseong.example").await;
        app.accept(&mallory, &for_alice).await.assert_error("FORBIDDEN", None);
        app.gql(None, "mutation($t: String!) { acceptInvitation(token: $t) { role } }", json!({ "t": for_alice }))
            .await
            .assert_error("UNAUTHENTICATED", None);
        app.accept(&mallory, "yd_inv_does-not-exist").await.assert_error("NOT_FOUND", None);
        assert_eq!(app.viewer_role(mallory.token(), &org).await, Value::Null);

        // A new invitation replaces the pending one.
        let first = token(&app.invite(&owner, &org, "carol@hanbat.example", "MEMBER").await);
        let second = token(&app.invite(&owner, &org, "carol@hanbat.example", "EDITOR").await);
        let carol = app.sign_up("carol@hanbat.example").await;
        app.accept(&carol, &first).await.assert_error("BAD_USER_INPUT", Some("token"));
        assert_eq!(app.accept(&carol, &second).await.data()["acceptInvitation"]["role"], "EDITOR");

        // Seven days later the invitation is void.
        let for_bob = token(&app.invite(&owner, &org, "bob@hanbat.example", "MEMBER").await);
        app.clock.advance(TimeDelta::days(7) + TimeDelta::seconds(1));
        let bob = app.sign_up("bob@hanbat.example").await;
        app.accept(&bob, &for_bob).await.assert_error("BAD_USER_INPUT", Some("token"));
        assert_eq!(app.viewer_role(bob.token(), &org).await, Value::Null);
    }
}

db_test! {
    async fn who_may_invite_whom(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let [admin, editor] = app.staff(&owner, &org, "hanbat", ["ADMIN", "EDITOR"]).await;
        let outsider = app.sign_up("someone@yuseong.example").await;

        app.invite(&admin, &org, "new-admin@hanbat.example", "ADMIN").await.data();
        app.invite(&admin, &org, "new-owner@hanbat.example", "OWNER").await.assert_error("FORBIDDEN", None);
        app.invite(&owner, &org, "co-owner@hanbat.example", "OWNER").await.data();
        app.invite(&editor, &org, "x@hanbat.example", "MEMBER").await.assert_error("FORBIDDEN", None);
        app.invite(&outsider, &org, "x@hanbat.example", "MEMBER").await.assert_error("FORBIDDEN", None);
        app.invite(&owner, &org, "not an email", "MEMBER").await.assert_error("BAD_USER_INPUT", Some("email"));
        app.invite(&owner, &org, "EDITOR@hanbat.example", "MEMBER").await.assert_error("CONFLICT", Some("email"));
        let unknown = uuid::Uuid::now_v7().to_string();
        app.invite(&owner, &unknown, "x@hanbat.example", "MEMBER").await.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn role_changes_follow_the_hierarchy(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let [admin, editor, member] = app.staff(&owner, &org, "hanbat", ["ADMIN", "EDITOR", "MEMBER"]).await;
        let outsider = app.sign_up("someone@yuseong.example").await;

        let promoted = app.change_role(&admin, &org, &member.user_id, "EDITOR").await;
        assert_eq!(promoted.data()["changeMemberRole"]["role"], "EDITOR");
        app.change_role(&admin, &org, &member.user_id, "OWNER").await.assert_error("FORBIDDEN", None);
        app.change_role(&admin, &org, &owner.user_id, "MEMBER").await.assert_error("FORBIDDEN", None);
        app.change_role(&editor, &org, &member.user_id, "MEMBER").await.assert_error("FORBIDDEN", None);
        // Outsiders cannot even learn who is a member.
        app.change_role(&outsider, &org, &member.user_id, "MEMBER").await.assert_error("NOT_FOUND", None);
        app.change_role(&owner, &org, &outsider.user_id, "MEMBER").await.assert_error("NOT_FOUND", None);
        app.change_role(&owner, &org, "bad-id", "MEMBER").await.assert_error("BAD_USER_INPUT", Some("userId"));

        // The sole OWNER cannot step down...
        let r = app.change_role(&owner, &org, &owner.user_id, "ADMIN").await;
        r.assert_error("BAD_USER_INPUT", Some("role"));
        assert!(r.message().contains("OWNER"));
        // ...until there is another.
        app.change_role(&owner, &org, &admin.user_id, "OWNER").await.data();
        app.change_role(&owner, &org, &owner.user_id, "ADMIN").await.data();
        assert_eq!(app.viewer_role(owner.token(), &org).await, "ADMIN");
        assert_eq!(app.viewer_role(admin.token(), &org).await, "OWNER");

        let actions = app.audit_actions(&org).await;
        assert_eq!(actions.iter().filter(|a| *a == "member.role_change").count(), 3, "{actions:?}");
    }
}

db_test! {
    async fn removing_members_and_leaving(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let admin = app.member(&owner, &org, "admin@hanbat.example", "ADMIN").await;
        let member = app.member(&owner, &org, "member@hanbat.example", "MEMBER").await;
        let leaver = app.member(&owner, &org, "leaver@hanbat.example", "EDITOR").await;

        app.remove_member(&member, &org, &admin.user_id).await.assert_error("FORBIDDEN", None);
        app.remove_member(&admin, &org, &owner.user_id).await.assert_error("FORBIDDEN", None);
        assert_eq!(app.remove_member(&leaver, &org, &leaver.user_id).await.data()["removeMember"], true);
        assert_eq!(app.viewer_role(leaver.token(), &org).await, Value::Null);
        assert_eq!(app.remove_member(&admin, &org, &member.user_id).await.data()["removeMember"], true);
        app.remove_member(&admin, &org, &member.user_id).await.assert_error("NOT_FOUND", None);

        let last = app.remove_member(&owner, &org, &owner.user_id).await;
        last.assert_error("BAD_USER_INPUT", Some("userId"));
        assert_eq!(app.viewer_role(owner.token(), &org).await, "OWNER");
        let actions = app.audit_actions(&org).await;
        assert_eq!(actions.iter().filter(|a| *a == "member.remove").count(), 2, "the refused removal left no entry: {actions:?}");
    }
}

async fn two_owner_org(app: &TestApp, slug: &str) -> (String, Session, Session) {
    let a = app.sign_up(&format!("a@{slug}.example")).await;
    let org = app.create_org(&a, slug).await;
    let b = app
        .member(&a, &org, &format!("b@{slug}.example"), "OWNER")
        .await;
    (org, a, b)
}

async fn owners(app: &TestApp, org: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entity::membership::Entity::find()
        .filter(entity::membership::Column::OrganizationId.eq(uuid::Uuid::parse_str(org).unwrap()))
        .filter(entity::membership::Column::Role.eq(entity::Role::Owner))
        .count(app.db())
        .await
        .unwrap() as usize
}

db_test! {
    async fn concurrent_demotions_never_leave_an_organization_without_owner(app) {
        for round in 0..8 {
            let (org, a, b) = two_owner_org(&app, &format!("race-{round}")).await;
            // Each OWNER demotes the other at the same time; in odd rounds
            // each steps down instead, or one leaves while the other demotes.
            let (ra, rb) = match round % 3 {
                0 => tokio::join!(
                    app.change_role(&a, &org, &b.user_id, "ADMIN"),
                    app.change_role(&b, &org, &a.user_id, "ADMIN")
                ),
                1 => tokio::join!(
                    app.change_role(&a, &org, &a.user_id, "MEMBER"),
                    app.change_role(&b, &org, &b.user_id, "MEMBER")
                ),
                _ => tokio::join!(
                    app.remove_member(&a, &org, &a.user_id),
                    app.change_role(&b, &org, &b.user_id, "EDITOR")
                ),
            };
            let outcomes = [&ra, &rb];
            let ok = outcomes.iter().filter(|r| r.is_ok()).count();
            for r in outcomes.iter().filter(|r| !r.is_ok()) {
                assert!(matches!(r.code(), "BAD_USER_INPUT" | "FORBIDDEN" | "NOT_FOUND"), "round {round}: {}", r.body);
            }
            assert_eq!(ok, 1, "round {round}: one wins, the other is refused: {ra:?} {rb:?}");
            assert_eq!(owners(&app, &org).await, 1, "round {round}: exactly one OWNER remains");
        }
    }
}
