//! MOUs: the lifecycle, its refusals, and the sharing it drives.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{Org, day};

fn party_statuses(agreement: &Value) -> Vec<(String, String, String)> {
    agreement["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["organization"]["slug"].as_str().unwrap().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|x| x.to_string()).collect()
}

struct Coalition {
    hanbat: Org,
    gapcheon: Org,
    rights: Org,
    media: Org,
    yuseong: Org,
}

async fn coalition(app: &TestApp) -> Coalition {
    Coalition {
        hanbat: app.org_with_owner("hanbat").await,
        gapcheon: app.org_with_owner("gapcheon").await,
        rights: app.org_with_owner("dj-rights").await,
        media: app.org_with_owner("ddi-media").await,
        yuseong: app.org_with_owner("yuseong").await,
    }
}

db_test! {
    async fn four_organizations_form_a_coalition_and_a_fifth_sees_nothing(app) {
        let c = coalition(&app).await;
        let created = app
            .create_agreement(&c.hanbat.owner, &c.hanbat.id, &["PROJECTS", "EVENTS", "ACTIONS", "SPACES"], "2023-03-01", Some("2099-12-31"))
            .await;
        let a = &created.data()["createAgreement"];
        assert_eq!(a["status"], "DRAFT");
        assert_eq!(a["scopes"], json!(["PROJECTS", "EVENTS", "ACTIONS", "SPACES"]));
        assert_eq!(party_statuses(a), [("hanbat".into(), "CONVENER".into(), "INVITED".into())]);
        let id = a["id"].as_str().unwrap().to_owned();

        for p in [&c.gapcheon, &c.rights, &c.media] {
            let r = app.party_op(&c.hanbat.owner, "inviteParty", &id, &p.id).await;
            assert_eq!(r.data()["inviteParty"]["status"], "INVITED");
            assert_eq!(r.data()["inviteParty"]["role"], "PARTNER");
        }
        // An INVITED party sees the agreement, to decide.
        assert_eq!(app.agreement(c.media.owner.token(), &id).await.data()["agreement"]["status"], "DRAFT");
        let proposed = app.agreement_op(&c.hanbat.owner, "proposeAgreement", &id).await;
        assert_eq!(proposed.data()["proposeAgreement"]["status"], "PROPOSED");

        for (i, p) in [&c.hanbat, &c.gapcheon, &c.rights, &c.media].into_iter().enumerate() {
            let signed = app.party_op(&p.owner, "signAgreement", &id, &p.id).await;
            assert_eq!(signed.data()["signAgreement"]["status"], "SIGNED");
            let status = app.agreement(c.hanbat.owner.token(), &id).await.data()["agreement"]["status"].clone();
            assert_eq!(status, if i < 3 { "PROPOSED" } else { "ACTIVE" }, "ratified only when everyone has answered");
        }
        let a = app.agreement(c.gapcheon.owner.token(), &id).await;
        let a = &a.data()["agreement"];
        assert!(a["ratifiedAt"].is_string());
        assert!(party_statuses(a).iter().all(|(_, _, status)| status == "SIGNED"));
        assert_eq!(a["parties"][1]["respondedBy"]["id"], c.gapcheon.owner.user_id.as_str());

        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["ddi-media", "dj-rights", "gapcheon"]));
        assert_eq!(app.partner_slugs(c.gapcheon.owner.token(), &c.gapcheon.id).await, s(&["ddi-media", "dj-rights", "hanbat"]));

        // The fifth organization: the agreement does not exist for it.
        let outsider = c.yuseong.owner.token();
        app.agreement(outsider, &id).await.assert_error("NOT_FOUND", None);
        let list = app.gql(outsider, "{ agreements { totalCount nodes { id } } }", json!({})).await;
        assert_eq!(list.data()["agreements"], json!({ "totalCount": 0, "nodes": [] }));
        assert!(app.partner_slugs(outsider, &c.hanbat.id).await.is_empty());
        assert!(app.partner_slugs(None, &c.hanbat.id).await.is_empty());
        let via_org = app
            .gql(outsider, "query($id: ID!) { organization(id: $id) { agreements { totalCount nodes { id } } } }", json!({ "id": c.hanbat.id }))
            .await;
        assert_eq!(via_org.data()["organization"]["agreements"], json!({ "totalCount": 0, "nodes": [] }));
        app.party_op(&c.yuseong.owner, "signAgreement", &id, &c.yuseong.id).await.assert_error("NOT_FOUND", None);
        app.agreement_op(&c.yuseong.owner, "terminateAgreement", &id).await.assert_error("NOT_FOUND", None);

        // Members see it through their organization, in both lists.
        let mine = app.gql(c.media.owner.token(), "{ agreements(status: ACTIVE) { totalCount nodes { id } } }", json!({})).await;
        assert_eq!(mine.data()["agreements"]["totalCount"], 1);
        let theirs = app
            .gql(c.media.owner.token(), "query($id: ID!) { organization(id: $id) { agreements { totalCount nodes { id } } } }", json!({ "id": c.hanbat.id }))
            .await;
        assert_eq!(theirs.data()["organization"]["agreements"]["nodes"], json!([{ "id": id }]));

        let actions = app.audit_actions(&c.hanbat.id).await;
        for expected in ["agreement.create", "agreement.invite_party", "agreement.propose", "agreement.sign", "agreement.ratify"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
        }
        assert!(app.audit_actions(&c.gapcheon.id).await.contains(&"agreement.sign".to_owned()), "the signing organization is recorded");
    }
}

db_test! {
    async fn transitions_are_refused_when_not_allowed(app) {
        let c = coalition(&app).await;
        let [admin, editor] = app.staff(&c.hanbat.owner, &c.hanbat.id, "hanbat", ["ADMIN", "EDITOR"]).await;
        let gap_admin = app.member(&c.gapcheon.owner, &c.gapcheon.id, "admin@gapcheon.example", "ADMIN").await;

        app.create_agreement(&editor, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await.assert_error("FORBIDDEN", None);
        app.create_agreement(&c.gapcheon.owner, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await.assert_error("FORBIDDEN", None);
        app.create_agreement(&admin, &c.hanbat.id, &[], "2026-01-01", None).await.assert_error("BAD_USER_INPUT", Some("scopes"));
        app.create_agreement(&admin, &c.hanbat.id, &["EVENTS"], "2026-01-01", Some("2025-12-31"))
            .await
            .assert_error("BAD_USER_INPUT", Some("endsOn"));
        app.create_agreement(&admin, &c.hanbat.id, &["EVENTS"], "not-a-date", None).await.assert_error("BAD_USER_INPUT", None);
        let id = app.draft_agreement(&admin, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await;

        // One party is not enough; signing waits for the proposal.
        app.agreement_op(&admin, "proposeAgreement", &id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&c.hanbat.owner, "signAgreement", &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&editor, "inviteParty", &id, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        app.party_op(&admin, "inviteParty", &id, &c.gapcheon.id).await.data();
        app.party_op(&admin, "inviteParty", &id, &c.gapcheon.id).await.assert_error("CONFLICT", Some("organizationId"));
        let unknown = uuid::Uuid::now_v7().to_string();
        app.party_op(&admin, "inviteParty", &id, &unknown).await.assert_error("NOT_FOUND", None);
        app.party_op(&admin, "removeParty", &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", Some("organizationId"));

        // Drafts can be edited; proposals cannot.
        let edit = "mutation($id: ID!, $input: UpdateAgreementInput!) { updateAgreement(id: $id, input: $input) { title scopes endsOn } }";
        let edited = app.gql(admin.token(), edit, json!({ "id": id, "input": { "title": "사무실 공동 사용 협약", "scopes": ["SPACES"] } })).await;
        assert_eq!(edited.data()["updateAgreement"], json!({ "title": "사무실 공동 사용 협약", "scopes": ["SPACES"], "endsOn": null }));
        app.gql(gap_admin.token(), edit, json!({ "id": id, "input": { "title": "x" } })).await.assert_error("FORBIDDEN", None);
        app.agreement_op(&admin, "proposeAgreement", &id).await.data();
        app.agreement_op(&admin, "proposeAgreement", &id).await.assert_error("BAD_USER_INPUT", None);
        app.gql(admin.token(), edit, json!({ "id": id, "input": { "title": "late" } })).await.assert_error("BAD_USER_INPUT", None);

        // Only an OWNER of the party signs for it — not its ADMIN, not the
        // convener, not a platform admin.
        app.party_op(&gap_admin, "signAgreement", &id, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        app.party_op(&c.hanbat.owner, "signAgreement", &id, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        let root = app.sign_up("root@coalition.example").await;
        app.promote_admin(&root.email).await;
        app.party_op(&root, "signAgreement", &id, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &id, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", None);
        // The convener does not decline its own agreement: it terminates it.
        app.party_op(&c.hanbat.owner, "declineAgreement", &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", Some("organizationId"));
        app.party_op(&c.gapcheon.owner, "signAgreement", &id, &c.gapcheon.id).await.data();
        app.party_op(&c.gapcheon.owner, "signAgreement", &id, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&c.gapcheon.owner, "declineAgreement", &id, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&c.rights.owner, "signAgreement", &id, &c.rights.id).await.assert_error("NOT_FOUND", None);

        // Termination: the convener's OWNER or a platform admin.
        app.agreement_op(&admin, "terminateAgreement", &id).await.assert_error("FORBIDDEN", None);
        app.agreement_op(&c.gapcheon.owner, "terminateAgreement", &id).await.assert_error("FORBIDDEN", None);
        assert_eq!(app.agreement_op(&root, "terminateAgreement", &id).await.data()["terminateAgreement"]["status"], "TERMINATED");
        app.agreement_op(&c.hanbat.owner, "terminateAgreement", &id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&c.hanbat.owner, "signAgreement", &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&admin, "inviteParty", &id, &c.rights.id).await.assert_error("BAD_USER_INPUT", None);
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &id, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", None);

        app.agreement(None, &id).await.assert_error("NOT_FOUND", None);
        app.agreement(c.hanbat.owner.token(), "nope").await.assert_error("BAD_USER_INPUT", Some("id"));
        let actions = app.audit_actions(&c.hanbat.id).await;
        assert_eq!(actions.iter().filter(|a| a.starts_with("agreement.")).count(), 5, "refusals leave no trace: {actions:?}");
    }
}

db_test! {
    async fn ratification_needs_every_answer_and_two_signatures(app) {
        let c = coalition(&app).await;
        let id = app.draft_agreement(&c.hanbat.owner, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await;
        for p in [&c.gapcheon, &c.rights] {
            app.party_op(&c.hanbat.owner, "inviteParty", &id, &p.id).await.data();
        }
        app.agreement_op(&c.hanbat.owner, "proposeAgreement", &id).await.data();
        app.party_op(&c.hanbat.owner, "signAgreement", &id, &c.hanbat.id).await.data();
        app.party_op(&c.rights.owner, "declineAgreement", &id, &c.rights.id).await.data();
        let status = || {
            let app = &app;
            let token = c.hanbat.owner.access_token.clone();
            let id = id.clone();
            async move { app.agreement(Some(&token), &id).await.data()["agreement"]["status"].clone() }
        };
        assert_eq!(status().await, "PROPOSED", "gapcheon has not answered");
        assert!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await.is_empty());
        app.party_op(&c.gapcheon.owner, "signAgreement", &id, &c.gapcheon.id).await.data();
        assert_eq!(status().await, "ACTIVE");
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["gapcheon"]));
        // The party that declined still sees what it declined.
        assert_eq!(app.agreement(c.rights.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");

        // Everyone answered but only one signed: no ratification.
        let lonely = app.draft_agreement(&c.media.owner, &c.media.id, &["EVENTS"], "2026-01-01", None).await;
        app.party_op(&c.media.owner, "inviteParty", &lonely, &c.yuseong.id).await.data();
        app.agreement_op(&c.media.owner, "proposeAgreement", &lonely).await.data();
        app.party_op(&c.media.owner, "signAgreement", &lonely, &c.media.id).await.data();
        app.party_op(&c.yuseong.owner, "declineAgreement", &lonely, &c.yuseong.id).await.data();
        let a = app.agreement(c.media.owner.token(), &lonely).await;
        assert_eq!(a.data()["agreement"]["status"], "PROPOSED");
        assert_eq!(a.data()["agreement"]["ratifiedAt"], Value::Null);
    }
}

db_test! {
    async fn amendments_add_and_remove_sharing_at_once(app) {
        let c = coalition(&app).await;
        let id = app.ratified_agreement(&[&c.hanbat, &c.gapcheon, &c.rights], &["PROJECTS", "EVENTS"], "2026-01-01", None).await;
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["dj-rights", "gapcheon"]));

        // A newcomer to a running agreement shares once it has signed and
        // every sharing party has consented.
        app.party_op(&c.hanbat.owner, "inviteParty", &id, &c.media.id).await.data();
        assert_eq!(app.agreement(c.hanbat.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["dj-rights", "gapcheon"]));
        app.party_op(&c.media.owner, "signAgreement", &id, &c.media.id).await.data();
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["dj-rights", "gapcheon"]), "signed, not yet admitted");
        for p in [&c.hanbat, &c.gapcheon, &c.rights] {
            assert_eq!(app.partner_slugs(c.media.owner.token(), &c.media.id).await, Vec::<String>::new());
            consent(&app, p, &id, &c.media.id).await.data();
        }
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["ddi-media", "dj-rights", "gapcheon"]));

        // Withdrawing stops sharing at once; the party still sees the record.
        app.party_op(&c.rights.owner, "withdrawFromAgreement", &id, &c.rights.id).await.data();
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["ddi-media", "gapcheon"]));
        assert!(app.partner_slugs(c.rights.owner.token(), &c.rights.id).await.is_empty());
        assert_eq!(app.agreement(c.rights.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");
        app.party_op(&c.hanbat.owner, "withdrawFromAgreement", &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", Some("organizationId"));

        // Removal by the convener: sharing stops and the agreement vanishes
        // for the removed party.
        app.party_op(&c.hanbat.owner, "removeParty", &id, &c.media.id).await.data();
        assert_eq!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await, s(&["gapcheon"]));
        app.agreement(c.media.owner.token(), &id).await.assert_error("NOT_FOUND", None);
        app.party_op(&c.hanbat.owner, "removeParty", &id, &c.media.id).await.assert_error("NOT_FOUND", None);
        // ...and can be invited back.
        app.party_op(&c.hanbat.owner, "inviteParty", &id, &c.media.id).await.data();
        assert_eq!(app.agreement(c.media.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");

        app.agreement_op(&c.hanbat.owner, "terminateAgreement", &id).await.data();
        assert!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await.is_empty());
        assert!(app.partner_slugs(c.gapcheon.owner.token(), &c.gapcheon.id).await.is_empty());
    }
}

/// `by`'s OWNER consents, for `by`, to `newcomer` joining `agreement`.
pub(crate) async fn consent(
    app: &TestApp,
    by: &Org,
    agreement: &str,
    newcomer: &str,
) -> crate::support::Gql {
    app.gql(
        by.owner.token(),
        "mutation($a: ID!, $n: ID!, $o: ID!) { consentToParty(agreementId: $a, newcomerId: $n, organizationId: $o) { status admittedAt organization { slug } } }",
        json!({ "a": agreement, "n": newcomer, "o": by.id }),
    )
    .await
}

db_test! {
    async fn sharing_follows_the_calendar(app) {
        let c = coalition(&app).await;
        let ended = app.ratified_agreement(&[&c.hanbat, &c.gapcheon], &["EVENTS"], "2023-03-01", Some(&day(&app, -1))).await;
        let upcoming = app.ratified_agreement(&[&c.hanbat, &c.rights], &["EVENTS"], &day(&app, 1), None).await;
        let status = |id: String| {
            let app = &app;
            let token = c.hanbat.owner.access_token.clone();
            async move { app.agreement(Some(&token), &id).await.data()["agreement"]["status"].as_str().unwrap().to_owned() }
        };
        assert_eq!(status(ended.clone()).await, "EXPIRED", "endsOn was yesterday");
        assert_eq!(status(upcoming.clone()).await, "PROPOSED", "ratified, but starts tomorrow");
        assert!(app.agreement(c.hanbat.owner.token(), &upcoming).await.data()["agreement"]["ratifiedAt"].is_string());
        assert!(app.partner_slugs(c.hanbat.owner.token(), &c.hanbat.id).await.is_empty(), "nothing shared today");

        app.clock.advance(TimeDelta::days(1));
        let hanbat = app.log_in(&c.hanbat.owner.email, crate::support::fixtures::PASSWORD).await;
        let token = hanbat.data()["logIn"]["accessToken"].as_str().unwrap().to_owned();
        let a = app.agreement(Some(&token), &upcoming).await;
        assert_eq!(a.data()["agreement"]["status"], "ACTIVE", "a day later it has started");
        assert_eq!(app.partner_slugs(Some(&token), &c.hanbat.id).await, s(&["dj-rights"]));
        let expired = app.gql(Some(&token), "{ agreements(status: EXPIRED) { nodes { id } } }", json!({})).await;
        assert_eq!(expired.data()["agreements"]["nodes"], json!([{ "id": ended }]));
    }
}

db_test! {
    async fn today_is_the_conveners_today(app) {
        let c = coalition(&app).await;
        // Starts tomorrow in Seoul (the convener's time zone).
        let seoul = chrono_tz::Asia::Seoul;
        let tomorrow = app.clock.now().with_timezone(&seoul).date_naive() + TimeDelta::days(1);
        let id = app
            .ratified_agreement(&[&c.hanbat, &c.gapcheon], &["EVENTS"], &tomorrow.format("%Y-%m-%d").to_string(), None)
            .await;
        // Move the clock to one minute past midnight in Seoul.
        let midnight = service::agreement::status::start_of_day(tomorrow, seoul);
        app.clock.advance(midnight - app.clock.now() + TimeDelta::minutes(1));
        let owner = app.log_in(&c.hanbat.owner.email, crate::support::fixtures::PASSWORD).await;
        let token = owner.data()["logIn"]["accessToken"].as_str().unwrap().to_owned();
        assert_eq!(app.agreement(Some(&token), &id).await.data()["agreement"]["status"], "ACTIVE");
        assert_eq!(app.partner_slugs(Some(&token), &c.hanbat.id).await, s(&["gapcheon"]));
    }
}

db_test! {
    async fn status_filters_agree_with_reported_status(app) {
        let c = coalition(&app).await;
        let draft = app.draft_agreement(&c.hanbat.owner, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await;
        let proposed = app.draft_agreement(&c.hanbat.owner, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await;
        app.party_op(&c.hanbat.owner, "inviteParty", &proposed, &c.gapcheon.id).await.data();
        app.agreement_op(&c.hanbat.owner, "proposeAgreement", &proposed).await.data();
        let upcoming = app.ratified_agreement(&[&c.hanbat, &c.gapcheon], &["EVENTS"], &day(&app, 3), None).await;
        let active = app.ratified_agreement(&[&c.hanbat, &c.rights], &["EVENTS"], "2024-01-01", None).await;
        let expired = app.ratified_agreement(&[&c.hanbat, &c.media], &["EVENTS"], "2024-01-01", Some("2024-12-31")).await;
        let terminated = app.ratified_agreement(&[&c.hanbat, &c.media], &["EVENTS"], "2024-01-01", None).await;
        app.agreement_op(&c.hanbat.owner, "terminateAgreement", &terminated).await.data();

        let expected = [
            ("DRAFT", vec![draft]),
            ("PROPOSED", vec![proposed, upcoming]),
            ("ACTIVE", vec![active]),
            ("EXPIRED", vec![expired]),
            ("TERMINATED", vec![terminated]),
        ];
        let q = "query($s: AgreementStatus) { agreements(status: $s) { totalCount nodes { id status } } }";
        for (status, ids) in expected {
            let r = app.gql(c.hanbat.owner.token(), q, json!({ "s": status })).await;
            let nodes = r.data()["agreements"]["nodes"].as_array().unwrap().clone();
            let got: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
            assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>(), "{status}");
            assert!(nodes.iter().all(|n| n["status"] == status), "{status}: {nodes:?}");
            assert_eq!(r.data()["agreements"]["totalCount"], ids.len());
        }
        let all = app.gql(c.hanbat.owner.token(), q, json!({})).await;
        assert_eq!(all.data()["agreements"]["totalCount"], 6);
    }
}

db_test! {
    async fn concurrent_signatures_ratify_exactly_once(app) {
        let c = coalition(&app).await;
        let id = app.draft_agreement(&c.hanbat.owner, &c.hanbat.id, &["EVENTS"], "2026-01-01", None).await;
        let parties = [&c.hanbat, &c.gapcheon, &c.rights, &c.media, &c.yuseong];
        for p in &parties[1..] {
            app.party_op(&c.hanbat.owner, "inviteParty", &id, &p.id).await.data();
        }
        app.agreement_op(&c.hanbat.owner, "proposeAgreement", &id).await.data();
        let results = futures::future::join_all(parties.iter().map(|p| app.party_op(&p.owner, "signAgreement", &id, &p.id))).await;
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        assert_eq!(app.agreement(c.hanbat.owner.token(), &id).await.data()["agreement"]["status"], "ACTIVE");
        let ratified = app.audit_actions(&c.hanbat.id).await.iter().filter(|a| *a == "agreement.ratify").count();
        assert_eq!(ratified, 1);
    }
}

db_test! {
    async fn nested_agreements_and_parties_load_in_constant_queries(app) {
        let c = coalition(&app).await;
        let q = "{ organizations(first: 50) { nodes { slug partners { slug } agreements(first: 5) { totalCount nodes { title convener { slug } parties { status organization { slug } respondedBy { displayName memberships { role } } } } } } } }";
        app.ratified_agreement(&[&c.hanbat, &c.gapcheon], &["EVENTS"], "2024-01-01", None).await;
        let (few, r) = app.statements_for(c.hanbat.owner.token(), q).await;
        r.data();

        // Ten more organizations, each in two agreements with several parties.
        let mut more = Vec::new();
        for i in 0..10 {
            more.push(app.org_with_owner(&format!("more-{i}")).await);
        }
        for pair in more.chunks(2) {
            app.ratified_agreement(&[&pair[0], &pair[1], &c.media, &c.hanbat], &["EVENTS"], "2024-01-01", None).await;
            app.ratified_agreement(&[&pair[1], &pair[0], &c.gapcheon], &["EVENTS"], "2024-01-01", None).await;
        }
        let (many, r) = app.statements_for(c.media.owner.token(), q).await;
        assert_eq!(r.data()["organizations"]["nodes"].as_array().unwrap().len(), 15);
        // Batches may split across DataLoader windows on a loaded machine (a
        // few statements either way), but never grow with the rows: one per
        // row would add dozens here.
        assert!(many <= few + 4, "statements grew with the data: {few} for 5 organizations, {many} for 15");
    }
}
