//! Operators: they read for support but never act as an organization,
//! restore an owner only where every owner is gone, and sessions end
//! everywhere at once.

use serde_json::json;

use super::platform_admin;
use crate::db_test;
use crate::support::fixtures::{PASSWORD, at};

db_test! {
    async fn operators_read_but_never_act_as_an_organization(app) {
        let org = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        let agreement = app.ratified_agreement(&[&partner, &org], &["SPACES"], "2024-01-01", None).await;
        let room = app.space_id(&partner.owner, &partner.id, "회의실", false).await;
        let root = platform_admin(&app, "root@coalition.example").await;
        let t = root.token();

        // The takeover of the review: demote the owner, invite oneself as
        // OWNER, remove the real owner, sign for it, book for it.
        app.change_role(&root, &org.id, &org.owner.user_id, "MEMBER").await.assert_error("FORBIDDEN", None);
        app.invite(&root, &org.id, &root.email, "OWNER").await.assert_error("FORBIDDEN", None);
        app.remove_member(&root, &org.id, &org.owner.user_id).await.assert_error("FORBIDDEN", None);
        app.party_op(&root, "withdrawFromAgreement", &agreement, &org.id).await.assert_error("FORBIDDEN", None);
        app.book(t, &room, &org.id, &at(&app, 24), &at(&app, 25), None).await.assert_error("FORBIDDEN", None);
        app.gql(t, "mutation($id: ID!) { updateOrganization(id: $id, input: { region: \"x\" }) { id } }", json!({ "id": org.id })).await.assert_error("FORBIDDEN", None);
        let space = app.gql(t, "query($id: ID!) { space(id: $id) { name viewerCanBook } }", json!({ "id": room })).await;
        assert_eq!(space.data()["space"], json!({ "name": "회의실", "viewerCanBook": false }), "reads for support, books nothing");
        // Their own powers: reading members, managing parties, terminating.
        let members = app.gql(t, "query($id: ID!) { organization(id: $id) { members { totalCount } } }", json!({ "id": org.id })).await;
        assert_eq!(members.data()["organization"]["members"]["totalCount"], 1);
        app.agreement_op(&root, "terminateAgreement", &agreement).await.data();
        // The convener's log says an operator did it, and only operators
        // see which one.
        let log = "query($id: ID!) { auditLog(organizationId: $id, first: 1) { nodes { action byOperator actor { id } } } }";
        let seen = app.gql(partner.owner.token(), log, json!({ "id": partner.id })).await;
        assert_eq!(seen.data()["auditLog"]["nodes"][0], json!({ "action": "agreement.terminate", "byOperator": true, "actor": null }));
        let seen = app.gql(t, log, json!({ "id": partner.id })).await;
        assert_eq!(seen.data()["auditLog"]["nodes"][0]["actor"]["id"], root.user_id.as_str());

        // Who is an operator is the operator's and the user's business.
        let members = "query($id: ID!) { organization(id: $id) { members { nodes { user { id isPlatformAdmin } } } } }";
        let invited = app.invite(&org.owner, &org.id, &root.email, "EDITOR").await;
        app.accept(&root, invited.data()["inviteMember"]["token"].as_str().unwrap()).await.data();
        let seen = app.gql(org.owner.token(), members, json!({ "id": org.id })).await;
        let nodes = seen.data()["organization"]["members"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), 2);
        assert!(nodes.iter().all(|n| n["user"]["isPlatformAdmin"] == false), "{}", seen.body);
        assert_eq!(app.gql(t, "{ me { isPlatformAdmin } }", json!({})).await.data()["me"]["isPlatformAdmin"], true);
        // A membership of their own lets them act like anyone with it: as
        // EDITOR, book for the organization but not edit its profile.
        app.gql(t, "mutation($id: ID!) { updateOrganization(id: $id, input: { region: \"x\" }) { id } }", json!({ "id": org.id })).await.assert_error("FORBIDDEN", None);
        let own_room = app.space_id(&org.owner, &org.id, "사무실", false).await;
        app.book(t, &own_room, &org.id, &at(&app, 24), &at(&app, 25), None).await.data();
    }
}

db_test! {
    async fn an_owner_is_restored_only_where_every_owner_is_gone(app) {
        let org = app.org_with_owner("hanbat").await;
        let staff = app.member(&org.owner, &org.id, "staff@hanbat.example", "EDITOR").await;
        let root = platform_admin(&app, "root@coalition.example").await;
        let restore = "mutation($o: ID!, $u: ID!) { restoreOwner(organizationId: $o, userId: $u) { role user { id } } }";
        let vars = json!({ "o": org.id, "u": staff.user_id });
        app.gql(root.token(), restore, vars.clone()).await.assert_error("FORBIDDEN", None);
        app.gql(org.owner.token(), restore, vars.clone()).await.assert_error("FORBIDDEN", None);

        // The only owner's account is compromised: suspended, it signs in
        // no more and its sessions and tokens end at once.
        let token = app.api_token(&org.owner, &["READ"], None).await;
        app.gql(staff.token(), "mutation($u: ID!) { suspendUser(userId: $u, reason: \"x\") { id } }", json!({ "u": org.owner.user_id }))
            .await
            .assert_error("FORBIDDEN", None);
        let suspended = app
            .gql(root.token(), "mutation($u: ID!) { suspendUser(userId: $u, reason: \"account compromised\") { suspendedAt } }", json!({ "u": org.owner.user_id }))
            .await;
        assert!(suspended.data()["suspendUser"]["suspendedAt"].is_string());
        assert_eq!(app.gql(org.owner.token(), "{ me { id } }", json!({})).await.status, 401);
        assert_eq!(app.gql(Some(&token), "{ me { id } }", json!({})).await.status, 401);
        app.log_in(&org.owner.email, PASSWORD).await.assert_error("UNAUTHENTICATED", None);
        app.log_in(&org.owner.email, "wrong password!").await.assert_error("UNAUTHENTICATED", None);

        // It takes a second operator: whoever suspended an owner does not
        // restore one.
        app.gql(root.token(), restore, vars.clone()).await.assert_error("FORBIDDEN", None);
        let second = platform_admin(&app, "second@coalition.example").await;
        let second_token = app.api_token(&second, &["READ", "WRITE"], None).await;
        app.gql(Some(&second_token), restore, vars.clone()).await.assert_error("FORBIDDEN", None);
        // Not to an operator (suspend the owner, crown oneself or a
        // colleague), not to a stranger: to a member.
        app.gql(second.token(), restore, json!({ "o": org.id, "u": second.user_id })).await.assert_error("BAD_USER_INPUT", Some("userId"));
        let stranger = app.sign_up("stranger@x.example").await;
        app.gql(second.token(), restore, json!({ "o": org.id, "u": stranger.user_id })).await.assert_error("BAD_USER_INPUT", Some("userId"));
        let restored = app.gql(second.token(), restore, vars.clone()).await;
        assert_eq!(restored.data()["restoreOwner"]["role"], "OWNER");
        assert_eq!(app.viewer_role(staff.token(), &org.id).await, "OWNER");
        let actions = app.audit_actions(&org.id).await;
        assert!(actions.contains(&"user.suspend".to_owned()), "the organization hears of its owner's suspension");
        assert!(actions.contains(&"member.restore_owner".to_owned()));
        app.gql(second.token(), restore, vars.clone()).await.assert_error("FORBIDDEN", None);
        // Operators do not suspend each other.
        app.gql(second.token(), "mutation($u: ID!) { suspendUser(userId: $u, reason: \"x\") { id } }", json!({ "u": root.user_id }))
            .await
            .assert_error("FORBIDDEN", None);

        // Reinstated, the old owner signs in again (with new tokens).
        app.gql(root.token(), "mutation($u: ID!) { reinstateUser(userId: $u) { suspendedAt } }", json!({ "u": org.owner.user_id })).await.data();
        app.log_in(&org.owner.email, PASSWORD).await.data();
        assert_eq!(app.gql(Some(&token), "{ me { id } }", json!({})).await.status, 401, "revoked tokens stay revoked");
    }
}

db_test! {
    async fn logging_out_everywhere_ends_every_session(app) {
        let someone = app.sign_up("someone@hanbat.example").await;
        let other = app.log_in(&someone.email, PASSWORD).await;
        let other = other.data()["logIn"]["accessToken"].as_str().unwrap().to_owned();
        let stranger = app.sign_up("stranger@x.example").await;
        let q = "mutation($u: ID!) { revokeSessions(userId: $u) }";
        app.gql(stranger.token(), q, json!({ "u": someone.user_id })).await.assert_error("NOT_FOUND", None);
        assert_eq!(app.gql(someone.token(), q, json!({ "u": someone.user_id })).await.data()["revokeSessions"], 2);
        assert_eq!(app.gql(Some(&other), "{ me { id } }", json!({})).await.status, 401);
        assert_eq!(app.gql(someone.token(), "{ me { id } }", json!({})).await.status, 401);
    }
}
