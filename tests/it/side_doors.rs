//! The side doors a hostile review found one level below the root rules:
//! nested fields and mutation payloads, invitations that outlive their
//! inviter's right, partners added without the others' signature, agreement
//! windows moved by a time zone change, operators acting as organizations,
//! and tokens that mean more than they say. Each test here failed before the
//! fix it names. (The generic proof for nested reads is `walk.rs`.)

use serde_json::{Value, json};

use crate::db_test;
use crate::support::fixtures::{BOOKING_FIELDS, Org, PASSWORD, Session, at, day};
use crate::support::{Gql, TestApp};

async fn platform_admin(app: &TestApp, email: &str) -> Session {
    let root = app.sign_up(email).await;
    app.promote_admin(email).await;
    root
}

fn slugs(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["organization"]["slug"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

/// An organization's audit log as its OWNER reads it, oldest first:
/// (action, details).
async fn audit_log(app: &TestApp, org: &Org) -> Vec<(String, Value)> {
    let r = app
        .gql(
            org.owner.token(),
            "query($id: ID!) { auditLog(organizationId: $id, first: 100) { nodes { action details } } }",
            json!({ "id": org.id }),
        )
        .await;
    let mut out: Vec<(String, Value)> = r.data()["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["details"].clone(),
            )
        })
        .collect();
    out.reverse();
    out
}

// ---------------------------------------------------------------------------
// Nested reads

const BOOKING_SPACE: &str = "query($id: ID!, $f: DateTime!, $t: DateTime!) { booking(id: $id) { title space { id name description location capacity viewerCanBook bookings(from: $f, to: $t) { id title organization { slug } } busy(from: $f, to: $t) { startsAt endsAt } } } }";

db_test! {
    async fn a_bookings_space_shows_no_more_than_the_space_itself(app) {
        let owner = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        let editor = app.member(&partner.owner, &partner.id, "editor@gapcheon.example", "EDITOR").await;
        let member = app.member(&partner.owner, &partner.id, "member@gapcheon.example", "MEMBER").await;
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

// ---------------------------------------------------------------------------
// Invitations

const PENDING: &str = "query($id: ID!) { organization(id: $id) { pendingInvitations { id email role invitedBy { id } token } } }";

db_test! {
    async fn pending_invitations_are_listed_and_revoked_by_admins(app) {
        let org = app.org_with_owner("hanbat").await;
        let admin = app.member(&org.owner, &org.id, "admin@hanbat.example", "ADMIN").await;
        let editor = app.member(&org.owner, &org.id, "editor@hanbat.example", "EDITOR").await;
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

// ---------------------------------------------------------------------------
// Amendments

db_test! {
    async fn nobody_becomes_a_partner_without_every_partners_signature(app) {
        let convener = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        let mallory = app.member(&convener.owner, &convener.id, "mallory@hanbat.example", "ADMIN").await;
        let agreement = app.ratified_agreement(&[&convener, &partner], &["SPACES", "EVENTS"], "2024-01-01", None).await;
        let room = app.space_id(&partner.owner, &partner.id, "갑천 회의실", false).await;
        // Mallory owns a shell organization, invites it and signs for it.
        let shell_id = app.create_org(&mallory, "shell").await;
        let shell = Org { id: shell_id, slug: "shell".into(), owner: mallory.clone() };
        app.party_op(&mallory, "inviteParty", &agreement, &shell.id).await.data();
        let signed = app.party_op(&mallory, "signAgreement", &agreement, &shell.id).await;
        assert_eq!(signed.data()["signAgreement"]["status"], "SIGNED");

        // Nothing shared: the shell has no partners, and cannot book the
        // partner's room (which Mallory sees as the convener's ADMIN).
        assert!(app.partner_slugs(mallory.token(), &shell.id).await.is_empty());
        app.book(mallory.token(), &room, &shell.id, &at(&app, 24), &at(&app, 25), None).await.assert_error("FORBIDDEN", None);
        let party = app
            .gql(partner.owner.token(), "query($id: ID!) { agreement(id: $id) { parties { organization { slug } status admittedAt consents { organization { slug } status } } } }", json!({ "id": agreement }))
            .await;
        let parties = party.data()["agreement"]["parties"].as_array().unwrap().clone();
        let shell_party = parties.iter().find(|p| p["organization"]["slug"] == "shell").unwrap();
        assert_eq!(shell_party["admittedAt"], Value::Null);
        assert_eq!(slugs(&shell_party["consents"]), ["gapcheon", "hanbat"]);
        assert!(shell_party["consents"].as_array().unwrap().iter().all(|c| c["status"] == "PENDING"));
        // Every party's log records the proposal.
        for org in [&convener, &partner] {
            assert!(audit_log(&app, org).await.iter().any(|(a, d)| a == "agreement.amendment_propose" && d["organizationId"] == shell.id.as_str()), "{} hears of it", org.slug);
        }

        // Consent is the OWNER's: Mallory (ADMIN) cannot give it for the
        // convener, the shell cannot answer for itself, an operator cannot.
        let root = platform_admin(&app, "root@coalition.example").await;
        let consent_q = "mutation($a: ID!, $n: ID!, $o: ID!) { consentToParty(agreementId: $a, newcomerId: $n, organizationId: $o) { admittedAt } }";
        app.gql(mallory.token(), consent_q, json!({ "a": agreement, "n": shell.id, "o": convener.id })).await.assert_error("FORBIDDEN", None);
        app.gql(mallory.token(), consent_q, json!({ "a": agreement, "n": shell.id, "o": shell.id })).await.assert_error("BAD_USER_INPUT", Some("organizationId"));
        app.gql(root.token(), consent_q, json!({ "a": agreement, "n": shell.id, "o": partner.id })).await.assert_error("FORBIDDEN", None);
        // Removed from the convener, she sees the room no more: the shell
        // gives her nothing. The convener's OWNER consents...
        app.remove_member(&convener.owner, &convener.id, &mallory.user_id).await.data();
        app.gql(mallory.token(), "query($id: ID!) { space(id: $id) { id } }", json!({ "id": room })).await.assert_error("NOT_FOUND", None);
        app.book(mallory.token(), &room, &shell.id, &at(&app, 24), &at(&app, 25), None).await.assert_error("NOT_FOUND", None);
        crate::agreements::consent(&app, &convener, &agreement, &shell.id).await.data();
        assert!(app.partner_slugs(shell.owner.token(), &shell.id).await.is_empty(), "one of two consents");
        app.gql(convener.owner.token(), consent_q, json!({ "a": agreement, "n": shell.id, "o": convener.id })).await.assert_error("CONFLICT", None);
        // ...and the partner refuses: the shell is out.
        let refused = app
            .gql(partner.owner.token(), "mutation($a: ID!, $n: ID!, $o: ID!) { refuseParty(agreementId: $a, newcomerId: $n, organizationId: $o) { status } }", json!({ "a": agreement, "n": shell.id, "o": partner.id }))
            .await;
        assert_eq!(refused.data()["refuseParty"]["status"], "REMOVED");
        app.agreement(mallory.token(), &agreement).await.assert_error("NOT_FOUND", None);
        for org in [&convener, &partner] {
            assert!(audit_log(&app, org).await.iter().any(|(a, d)| a == "agreement.amendment_fail" && d["outcome"] == "refused"), "{} hears the outcome", org.slug);
        }

        // A welcome newcomer is admitted with the last consent.
        let friend = app.org_with_owner("friend").await;
        app.party_op(&convener.owner, "inviteParty", &agreement, &friend.id).await.data();
        crate::agreements::consent(&app, &convener, &agreement, &friend.id).await.data();
        crate::agreements::consent(&app, &partner, &agreement, &friend.id).await.data();
        assert!(app.partner_slugs(friend.owner.token(), &friend.id).await.is_empty(), "consented, not yet signed");
        let joined = app.party_op(&friend.owner, "signAgreement", &agreement, &friend.id).await;
        joined.data();
        assert_eq!(app.partner_slugs(friend.owner.token(), &friend.id).await, ["gapcheon", "hanbat"]);
        assert!(audit_log(&app, &partner).await.iter().any(|(a, d)| a == "agreement.amendment_adopt" && d["organizationId"] == friend.id.as_str()));
        app.gql(friend.owner.token(), "query($id: ID!) { space(id: $id) { id } }", json!({ "id": room })).await.data();
    }
}

db_test! {
    async fn a_new_party_before_ratification_means_signing_again(app) {
        let convener = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        let late = app.org_with_owner("late").await;
        let created = app.create_agreement(&convener.owner, &convener.id, &["EVENTS"], "2024-01-01", None).await;
        let id = created.data()["createAgreement"]["id"].as_str().unwrap().to_owned();
        for p in [&partner, &late] {
            app.party_op(&convener.owner, "inviteParty", &id, &p.id).await.data();
        }
        app.agreement_op(&convener.owner, "proposeAgreement", &id).await.data();
        app.party_op(&partner.owner, "signAgreement", &id, &partner.id).await.data();
        app.party_op(&convener.owner, "signAgreement", &id, &convener.id).await.data();
        // A fourth party joins the list: earlier signatures covered a
        // shorter one.
        let fourth = app.org_with_owner("fourth").await;
        app.party_op(&convener.owner, "inviteParty", &id, &fourth.id).await.data();
        let a = app.agreement(convener.owner.token(), &id).await;
        assert!(a.data()["agreement"]["parties"].as_array().unwrap().iter().all(|p| p["status"] == "INVITED"), "{}", a.body);
        assert!(audit_log(&app, &partner).await.iter().any(|(a, _)| a == "agreement.signatures_reset"));
        for p in [&convener, &partner, &late, &fourth] {
            app.party_op(&p.owner, "signAgreement", &id, &p.id).await.data();
        }
        assert_eq!(app.agreement(convener.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");
        assert_eq!(app.partner_slugs(partner.owner.token(), &partner.id).await, ["fourth", "hanbat", "late"]);
    }
}

// ---------------------------------------------------------------------------
// Agreement windows

const SET_TZ: &str = "mutation($id: ID!, $tz: String!) { updateOrganization(id: $id, input: { timezone: $tz }) { timezone } }";

db_test! {
    async fn a_ratified_agreements_window_does_not_move(app) {
        let convener = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        // Ended yesterday (Seoul): moving the convener twelve hours west
        // used to revive it; starting tomorrow, moving it east used to
        // start it early.
        let ended = app.ratified_agreement(&[&convener, &partner], &["EVENTS"], "2024-01-01", Some(&day(&app, -1))).await;
        let draft = app.create_agreement(&convener.owner, &convener.id, &["EVENTS"], &day(&app, 0), None).await;
        let draft = draft.data()["createAgreement"]["id"].as_str().unwrap().to_owned();
        let status = |id: &str| {
            let (app, id, token) = (&app, id.to_owned(), convener.owner.access_token.clone());
            async move { app.agreement(Some(&token), &id).await.data()["agreement"]["status"].as_str().unwrap().to_owned() }
        };
        assert_eq!(status(&ended).await, "EXPIRED");
        let window = |id: &str| {
            let (app, id) = (&app, uuid::Uuid::parse_str(id).unwrap());
            async move {
                use sea_orm::EntityTrait;
                let a = entity::agreement::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
                (a.active_from, a.active_until)
            }
        };
        let (ended_before, draft_before) = (window(&ended).await, window(&draft).await);
        for tz in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            app.gql(convener.owner.token(), SET_TZ, json!({ "id": convener.id, "tz": tz })).await.data();
            assert_eq!(status(&ended).await, "EXPIRED", "still expired after moving to {tz}");
            assert_eq!(window(&ended).await, ended_before, "the ratified window is fixed");
        }
        assert_ne!(window(&draft).await, draft_before, "a draft follows the convener's time zone");
        let log = audit_log(&app, &convener).await;
        let (_, details) = log.iter().rev().find(|(a, _)| a == "organization.update").unwrap();
        assert_eq!(details["agreementsMoved"], json!([draft]), "what moved is recorded");
    }
}

// ---------------------------------------------------------------------------
// Operators

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

// ---------------------------------------------------------------------------
// Tokens

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

db_test! {
    async fn newcomers_admitted_together_still_consent_to_each_other(app) {
        let c = app.org_with_owner("convener").await;
        let a = app.org_with_owner("alpha").await;
        let b = app.org_with_owner("beta").await;
        let agreement = app.ratified_agreement(&[&c, &a, &b], &["EVENTS"], "2024-01-01", None).await;
        let h = app.org_with_owner("hotel").await;
        let s = app.org_with_owner("sierra").await;
        for n in [&h, &s] {
            app.party_op(&c.owner, "inviteParty", &agreement, &n.id).await.data();
            app.party_op(&n.owner, "signAgreement", &agreement, &n.id).await.data();
            for p in [&c, &a] {
                crate::agreements::consent(&app, p, &agreement, &n.id).await.data();
            }
        }
        // Beta never answered; once it is removed, hotel (invited first) is
        // admitted, and sierra now needs hotel's consent too.
        app.party_op(&c.owner, "removeParty", &agreement, &b.id).await.data();
        assert_eq!(app.partner_slugs(h.owner.token(), &h.id).await, ["alpha", "convener"]);
        assert_eq!(app.partner_slugs(s.owner.token(), &s.id).await, Vec::<String>::new());
        crate::agreements::consent(&app, &h, &agreement, &s.id).await.data();
        assert_eq!(app.partner_slugs(s.owner.token(), &s.id).await, ["alpha", "convener", "hotel"]);

        // Answers given by a party that leaves do not count if it returns.
        let x = app.org_with_owner("xray").await;
        app.party_op(&c.owner, "inviteParty", &agreement, &x.id).await.data();
        crate::agreements::consent(&app, &a, &agreement, &x.id).await.data();
        app.party_op(&a.owner, "withdrawFromAgreement", &agreement, &a.id).await.data();
        let answers = app
            .gql(c.owner.token(), "query($id: ID!) { agreement(id: $id) { parties { organization { slug } consents { organization { slug } status } } } }", json!({ "id": agreement }))
            .await;
        let xray = answers.data()["agreement"]["parties"].as_array().unwrap().iter().find(|p| p["organization"]["slug"] == "xray").unwrap().clone();
        assert!(xray["consents"].as_array().unwrap().iter().all(|c| c["organization"]["slug"] != "alpha"), "{xray}");
    }
}
