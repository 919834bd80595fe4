//! Amendments: nobody becomes a partner without every partner's consent,
//! newcomers admitted together still consent to each other, and a new party
//! before ratification means signing again.

use serde_json::{Value, json};

use super::{audit_log, platform_admin};
use crate::db_test;
use crate::support::fixtures::{Org, at};

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
        let id = app.draft_agreement(&convener.owner, &convener.id, &["EVENTS"], "2024-01-01", None).await;
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
