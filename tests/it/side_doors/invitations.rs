//! Invitations: listed and revoked by admins, and dead with their
//! inviter's right to grant them.

use serde_json::{Value, json};

use super::{audit_log, platform_admin};
use crate::db_test;
use crate::support::Gql;

const PENDING: &str = "query($id: ID!) { organization(id: $id) { pendingInvitations { id email role invitedBy { id } token } } }";

db_test! {
    async fn pending_invitations_are_listed_and_revoked_by_admins(app) {
        let org = app.org_with_owner("hanbat").await;
        let [admin, editor] = app.staff(&org.owner, &org.id, "hanbat", ["ADMIN", "EDITOR"]).await;
        let root = platform_admin(&app, "root@coalition.example").await;
        let invited = app.invite(&admin, &org.id, "new@hanbat.example", "EDITOR").await;
        let invitation = invited.data()["inviteMember"]["id"].as_str().unwrap().to_owned();
        let token = invited.data()["inviteMember"]["token"].as_str().unwrap().to_owned();
        let owners_invite = app.invite(&org.owner, &org.id, "co-owner@hanbat.example", "OWNER").await;
        let owners_invite = owners_invite.data()["inviteMember"]["id"].as_str().unwrap().to_owned();

        let listed = app.gql(admin.token(), PENDING, json!({ "id": org.id })).await;
        let list = listed.data()["organization"]["pendingInvitations"].as_array().unwrap().clone();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["email"], "new@hanbat.example");
        assert_eq!(list[0]["invitedBy"]["id"], admin.user_id.as_str());
        assert_eq!(list[0]["token"], Value::Null, "the secret is never listed");
        assert_eq!(app.gql(root.token(), PENDING, json!({ "id": org.id })).await.data()["organization"]["pendingInvitations"].as_array().unwrap().len(), 2, "operators read for support");
        for outsider in [Some(&editor), None] {
            let r = app.gql(outsider.and_then(|s| s.token()), PENDING, json!({ "id": org.id })).await;
            assert_eq!(r.data()["organization"]["pendingInvitations"], json!([]));
        }

        // Re-inviting an address replaces its pending invitation — not one
        // the inviter could not revoke.
        app.invite(&admin, &org.id, "co-owner@hanbat.example", "MEMBER").await.assert_error("FORBIDDEN", None);
        let revoke = "mutation($id: ID!) { revokeInvitation(id: $id) { id revokedAt } }";
        app.gql(editor.token(), revoke, json!({ "id": invitation })).await.assert_error("NOT_FOUND", None);
        app.gql(root.token(), revoke, json!({ "id": invitation })).await.assert_error("FORBIDDEN", None);
        app.gql(admin.token(), revoke, json!({ "id": owners_invite })).await.assert_error("FORBIDDEN", None);
        let revoked = app.gql(admin.token(), revoke, json!({ "id": invitation })).await;
        assert!(revoked.data()["revokeInvitation"]["revokedAt"].is_string());
        app.gql(admin.token(), revoke, json!({ "id": invitation })).await.assert_error("BAD_USER_INPUT", Some("id"));
        let newcomer = app.sign_up("new@hanbat.example").await;
        app.accept(&newcomer, &token).await.assert_error("BAD_USER_INPUT", Some("token"));
        assert_eq!(app.gql(admin.token(), PENDING, json!({ "id": org.id })).await.data()["organization"]["pendingInvitations"].as_array().unwrap().len(), 1);

        // The audit log says whom (for ADMIN+, who alone read it).
        let log = audit_log(&app, &org).await;
        let invite = log.iter().find(|(a, d)| a == "member.invite" && d["email"] == "new@hanbat.example").expect("the invitation is logged with its address");
        assert_eq!(invite.1["role"], "EDITOR");
        assert!(log.iter().any(|(a, d)| a == "member.invitation_revoke" && d["email"] == "new@hanbat.example"));
    }
}

db_test! {
    async fn invitations_die_with_the_inviters_right(app) {
        let org = app.org_with_owner("hanbat").await;
        let admin = app.member(&org.owner, &org.id, "admin@hanbat.example", "ADMIN").await;
        let token_of = |g: &Gql| g.data()["inviteMember"]["token"].as_str().unwrap().to_owned();

        // An ADMIN invites an accomplice as ADMIN, and is removed: the
        // invitation does not bring anyone back in.
        let accomplice = token_of(&app.invite(&admin, &org.id, "accomplice@x.example", "ADMIN").await);
        let herself = token_of(&app.invite(&admin, &org.id, "admin-again@x.example", "ADMIN").await);
        app.remove_member(&org.owner, &org.id, &admin.user_id).await.data();
        let a = app.sign_up("accomplice@x.example").await;
        app.accept(&a, &accomplice).await.assert_error("BAD_USER_INPUT", Some("token"));
        let again = app.sign_up("admin-again@x.example").await;
        app.accept(&again, &herself).await.assert_error("BAD_USER_INPUT", Some("token"));
        assert_eq!(app.viewer_role(again.token(), &org.id).await, Value::Null);
        let log = audit_log(&app, &org).await;
        assert_eq!(log.iter().filter(|(a, _)| a == "member.invitation_revoke").count(), 2);

        // A demotion revokes what the new role may not grant.
        let second = app.member(&org.owner, &org.id, "second@hanbat.example", "ADMIN").await;
        let editor_invite = token_of(&app.invite(&second, &org.id, "ed@x.example", "EDITOR").await);
        app.change_role(&org.owner, &org.id, &second.user_id, "EDITOR").await.data();
        let ed = app.sign_up("ed@x.example").await;
        app.accept(&ed, &editor_invite).await.assert_error("BAD_USER_INPUT", Some("token"));

        // Re-checked on acceptance whatever revoked it or not: an inviter
        // whose account was suspended grants nothing.
        let third = app.member(&org.owner, &org.id, "third@hanbat.example", "ADMIN").await;
        let pending = token_of(&app.invite(&third, &org.id, "late@x.example", "MEMBER").await);
        let root = platform_admin(&app, "root@coalition.example").await;
        app.gql(root.token(), "mutation($u: ID!) { suspendUser(userId: $u, reason: \"compromised\") { suspendedAt } }", json!({ "u": third.user_id }))
            .await
            .data();
        let late = app.sign_up("late@x.example").await;
        app.accept(&late, &pending).await.assert_error("BAD_USER_INPUT", Some("token"));
        // An invitation from someone who still may grant it works.
        let fine = token_of(&app.invite(&org.owner, &org.id, "late@x.example", "MEMBER").await);
        assert_eq!(app.accept(&late, &fine).await.data()["acceptInvitation"]["role"], "MEMBER");
    }
}
