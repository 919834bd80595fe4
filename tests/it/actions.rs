//! Solidarity actions and endorsements: drafts stay with the initiator, the
//! deadline closes an action by itself, only organizations that can read an
//! action sign it, and once — however many requests race.

use chrono::TimeDelta;
use serde_json::json;

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{Org, Session, at};
use crate::support::work::text;

/// hanbat initiates; gapcheon shares ACTIONS with it; `projects-only`
/// shares only PROJECTS; yuseong is unrelated.
struct Callers {
    hanbat: Org,
    admin: Session,
    editor: Session,
    gapcheon: Org,
    gap_admin: Session,
    gap_editor: Session,
    projects_only: Org,
    yuseong: Org,
    /// hanbat and gapcheon's agreement (ACTIONS).
    shared: String,
}

async fn callers(app: &TestApp) -> Callers {
    let hanbat = app.org_with_owner("hanbat").await;
    let [admin, editor] = app
        .staff(&hanbat.owner, &hanbat.id, "hanbat", ["ADMIN", "EDITOR"])
        .await;
    let gapcheon = app.org_with_owner("gapcheon").await;
    let [gap_admin, gap_editor] = app
        .staff(
            &gapcheon.owner,
            &gapcheon.id,
            "gapcheon",
            ["ADMIN", "EDITOR"],
        )
        .await;
    let projects_only = app.org_with_owner("projects-only").await;
    let yuseong = app.org_with_owner("yuseong").await;
    let shared = app
        .ratified_agreement(&[&hanbat, &gapcheon], &["ACTIONS"], "2024-01-01", None)
        .await;
    app.ratified_agreement(
        &[&hanbat, &projects_only],
        &["PROJECTS"],
        "2024-01-01",
        None,
    )
    .await;
    Callers {
        hanbat,
        admin,
        editor,
        gapcheon,
        gap_admin,
        gap_editor,
        projects_only,
        yuseong,
        shared,
    }
}

async fn reads(app: &TestApp, token: Option<&str>, id: &str) -> bool {
    let r = app
        .gql(
            token,
            "query($id: ID!) { solidarityAction(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    if r.is_ok() {
        return true;
    }
    r.assert_error("NOT_FOUND", None);
    false
}

async fn status(app: &TestApp, token: Option<&str>, id: &str) -> String {
    let r = app
        .gql(
            token,
            "query($id: ID!) { solidarityAction(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    text(r.data(), "solidarityAction.status")
}

db_test! {
    async fn an_action_is_drafted_opened_and_closed_by_its_initiator(app) {
        let c = callers(&app).await;
        app.create_action(&c.gap_editor, &c.hanbat.id, "PUBLIC", None).await.assert_error("FORBIDDEN", None);
        let draft = app.create_action(&c.editor, &c.hanbat.id, "PUBLIC", None).await;
        let id = text(draft.data(), "createSolidarityAction.id");
        assert_eq!(draft.data()["createSolidarityAction"]["status"], "DRAFT");
        app.create_action(&c.editor, &c.hanbat.id, "PUBLIC", Some(&at(&app, -1))).await.assert_error("BAD_USER_INPUT", Some("deadline"));

        // A draft is the initiator's alone, PUBLIC or not.
        assert!(reads(&app, c.editor.token(), &id).await);
        for token in [None, c.gapcheon.owner.token(), c.yuseong.owner.token()] {
            assert!(!reads(&app, token, &id).await);
        }
        app.op_on(&c.editor, "openSolidarityAction", &id, "status").await.assert_error("FORBIDDEN", None);
        app.op_on(&c.gap_admin, "openSolidarityAction", &id, "status").await.assert_error("NOT_FOUND", None);
        let opened = app.op_on(&c.admin, "openSolidarityAction", &id, "status openedAt").await;
        assert_eq!(opened.data()["openSolidarityAction"]["status"], "OPEN");
        assert!(reads(&app, None, &id).await, "published: anyone reads a PUBLIC action");
        app.op_on(&c.admin, "openSolidarityAction", &id, "status").await.assert_error("BAD_USER_INPUT", Some("id"));
        let closed = app.op_on(&c.admin, "closeSolidarityAction", &id, "status closedAt").await;
        assert_eq!(closed.data()["closeSolidarityAction"]["status"], "CLOSED");
        app.op_on(&c.admin, "closeSolidarityAction", &id, "status").await.assert_error("BAD_USER_INPUT", Some("id"));
        app.endorse(&c.gap_admin, &id, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", Some("actionId"));

        let log = app.audit_actions(&c.hanbat.id).await;
        for action in ["action.create", "action.open", "action.close"] {
            assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
        }
    }
}

db_test! {
    async fn the_deadline_closes_an_action_by_itself(app) {
        let c = callers(&app).await;
        let id = app.open_action(&c.admin, &c.hanbat.id, "PARTNERS", Some(&at(&app, 2))).await;
        app.endorse(&c.gap_admin, &id, &c.gapcheon.id).await.data();
        let open = "{ solidarityActions(status: OPEN) { totalCount } closed: solidarityActions(status: CLOSED) { totalCount } }";
        let r = app.gql(c.gapcheon.owner.token(), open, json!({})).await;
        assert_eq!(r.data(), &json!({ "solidarityActions": { "totalCount": 1 }, "closed": { "totalCount": 0 } }));

        app.clock.advance(TimeDelta::hours(3));
        let (owner, gap_admin, admin) = (app.again(&c.gapcheon.owner).await, app.again(&c.gap_admin).await, app.again(&c.admin).await);
        assert_eq!(status(&app, owner.token(), &id).await, "CLOSED");
        let r = app.gql(owner.token(), open, json!({})).await;
        assert_eq!(r.data(), &json!({ "solidarityActions": { "totalCount": 0 }, "closed": { "totalCount": 1 } }));
        app.endorse(&admin, &id, &c.hanbat.id).await.assert_error("BAD_USER_INPUT", Some("actionId"));
        let w = app.gql(gap_admin.token(), "mutation($a: ID!, $o: ID!) { withdrawEndorsement(actionId: $a, organizationId: $o) }", json!({ "a": id, "o": c.gapcheon.id })).await;
        w.assert_error("BAD_USER_INPUT", Some("actionId"));
        app.op_on(&admin, "closeSolidarityAction", &id, "status").await.assert_error("BAD_USER_INPUT", Some("id"));
        let r = app.gql(None, "query($id: ID!) { solidarityAction(id: $id) { id } }", json!({ "id": id })).await;
        r.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn organizations_that_can_read_an_action_sign_it_once(app) {
        let c = callers(&app).await;
        let partners = app.open_action(&c.admin, &c.hanbat.id, "PARTNERS", Some(&at(&app, 48))).await;
        let private = app.open_action(&c.admin, &c.hanbat.id, "PRIVATE", None).await;
        let public = app.open_action(&c.admin, &c.hanbat.id, "PUBLIC", None).await;

        app.endorse(&c.gap_editor, &partners, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        let signed = app.endorse(&c.gap_admin, &partners, &c.gapcheon.id).await;
        assert_eq!(signed.data()["endorse"]["endorsedBy"]["id"], c.gap_admin.user_id.as_str());
        app.endorse(&c.gap_admin, &partners, &c.gapcheon.id).await.assert_error("CONFLICT", Some("organizationId"));
        app.endorse(&c.admin, &partners, &c.hanbat.id).await.data();

        // An unrelated organization cannot learn a PRIVATE action exists.
        app.endorse(&c.yuseong.owner, &private, &c.yuseong.id).await.assert_error("NOT_FOUND", None);
        app.endorse(&c.gapcheon.owner, &private, &c.gapcheon.id).await.assert_error("NOT_FOUND", None);
        assert!(!reads(&app, c.projects_only.owner.token(), &partners).await, "not a partner for ACTIONS");
        // Seeing an action through one membership does not let another
        // organization sign it: hanbat's ADMIN also owns a stranger.
        let stranger = app.create_org(&c.admin, "stranger").await;
        app.endorse(&c.admin, &partners, &stranger).await.assert_error("FORBIDDEN", None);
        app.endorse(&c.admin, &public, &stranger).await.data();

        // Public wherever the action is readable.
        let q = "query($id: ID!) { solidarityAction(id: $id) { endorsementCount endorsements { totalCount nodes { organization { id } comment endorsedBy { displayName } } } } }";
        let r = app.gql(c.gapcheon.owner.token(), q, json!({ "id": partners })).await;
        let a = &r.data()["solidarityAction"];
        assert_eq!(a["endorsementCount"], 2);
        assert_eq!(a["endorsements"]["totalCount"], 2);
        assert_eq!(a["endorsements"]["nodes"][0]["organization"]["id"], c.gapcheon.id.as_str());
        assert_eq!(a["endorsements"]["nodes"][0]["comment"], "연대합니다");
        let anon = app.gql(None, q, json!({ "id": public })).await;
        assert_eq!(anon.data()["solidarityAction"]["endorsementCount"], 1);

        let withdraw = "mutation($a: ID!, $o: ID!) { withdrawEndorsement(actionId: $a, organizationId: $o) }";
        let args = json!({ "a": partners, "o": c.gapcheon.id });
        app.gql(c.gap_editor.token(), withdraw, args.clone()).await.assert_error("FORBIDDEN", None);
        assert_eq!(app.gql(c.gap_admin.token(), withdraw, args.clone()).await.data()["withdrawEndorsement"], true);
        app.gql(c.gap_admin.token(), withdraw, args).await.assert_error("NOT_FOUND", None);
        let r = app.gql(None, "query($id: ID!) { solidarityAction(id: $id) { endorsementCount } }", json!({ "id": public })).await;
        assert_eq!(r.data()["solidarityAction"]["endorsementCount"], 1);
        app.endorse(&c.gap_admin, &partners, &c.gapcheon.id).await.data();
        let log = app.audit_actions(&c.gapcheon.id).await;
        assert_eq!(log.iter().filter(|a| *a == "action.endorse").count(), 2);
        assert_eq!(log.iter().filter(|a| *a == "action.withdraw_endorsement").count(), 1);
    }
}

db_test! {
    async fn two_hundred_racing_endorsements_leave_one(app) {
        let c = callers(&app).await;
        let id = app.open_action(&c.admin, &c.hanbat.id, "PARTNERS", None).await;
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (client, url, token, id, org) = (
                app.client.clone(),
                app.url.clone(),
                c.gap_admin.access_token.clone(),
                id.clone(),
                c.gapcheon.id.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let body = json!({ "query": "mutation($a: ID!, $o: ID!) { endorse(actionId: $a, organizationId: $o) { endorsedAt } }", "variables": { "a": id, "o": org } });
                let r: serde_json::Value = client.post(format!("{url}/graphql")).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
                r["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                None => ok += 1,
                Some(code) => assert_eq!(code, "CONFLICT"),
            }
        }
        assert_eq!(ok, 1, "exactly one endorsement succeeds");
        let r = app.gql(c.gap_admin.token(), "query($id: ID!) { solidarityAction(id: $id) { endorsementCount } }", json!({ "id": id })).await;
        assert_eq!(r.data()["solidarityAction"]["endorsementCount"], 1);
        let log = app.audit_actions(&c.gapcheon.id).await;
        assert_eq!(log.iter().filter(|a| *a == "action.endorse").count(), 1, "one audit entry, with the one endorsement");
    }
}

db_test! {
    async fn action_lists_filter_by_status_and_kind(app) {
        let c = callers(&app).await;
        app.open_action(&c.admin, &c.hanbat.id, "PARTNERS", None).await;
        app.create_action(&c.editor, &c.hanbat.id, "PUBLIC", None).await.data();
        let rally = json!({ "initiatorId": c.gapcheon.id, "title": "집회", "kind": "RALLY", "body": "모입시다", "visibility": "PRIVATE" });
        app.gql(c.gap_editor.token(), "mutation($input: CreateSolidarityActionInput!) { createSolidarityAction(input: $input) { id } }", json!({ "input": rally })).await.data();
        let q = "{ all: solidarityActions { totalCount } drafts: solidarityActions(status: DRAFT) { totalCount } statements: solidarityActions(kind: STATEMENT) { totalCount } rallies: solidarityActions(kind: RALLY) { totalCount } }";
        let hanbat = app.gql(c.editor.token(), q, json!({})).await;
        assert_eq!(hanbat.data(), &json!({ "all": { "totalCount": 2 }, "drafts": { "totalCount": 1 }, "statements": { "totalCount": 2 }, "rallies": { "totalCount": 0 } }));
        let gapcheon = app.gql(c.gap_editor.token(), q, json!({})).await;
        assert_eq!(gapcheon.data(), &json!({ "all": { "totalCount": 2 }, "drafts": { "totalCount": 1 }, "statements": { "totalCount": 1 }, "rallies": { "totalCount": 1 } }));
        let nested = app.gql(c.gapcheon.owner.token(), "query($o: ID!) { organization(id: $o) { solidarityActions { totalCount } open: solidarityActions(status: OPEN) { totalCount } } }", json!({ "o": c.hanbat.id })).await;
        assert_eq!(nested.data()["organization"], json!({ "solidarityActions": { "totalCount": 1 }, "open": { "totalCount": 1 } }));
        let anon = app.gql(None, q, json!({})).await;
        assert_eq!(anon.data()["all"]["totalCount"], 0, "a PUBLIC draft is nobody else's");
    }
}

db_test! {
    async fn an_organization_that_left_can_still_take_its_name_back(app) {
        let c = callers(&app).await;
        let id = app.open_action(&c.admin, &c.hanbat.id, "PARTNERS", None).await;
        app.endorse(&c.gap_admin, &id, &c.gapcheon.id).await.data();
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &c.shared, &c.gapcheon.id).await.data();
        assert!(!reads(&app, c.gap_admin.token(), &id).await, "it no longer reads the action");
        let withdraw = "mutation($a: ID!, $o: ID!) { withdrawEndorsement(actionId: $a, organizationId: $o) }";
        let stranger = app.gql(c.yuseong.owner.token(), withdraw, json!({ "a": id, "o": c.yuseong.id })).await;
        stranger.assert_error("NOT_FOUND", None);
        let back = app.gql(c.gap_admin.token(), withdraw, json!({ "a": id, "o": c.gapcheon.id })).await;
        assert_eq!(back.data()["withdrawEndorsement"], true);
        let r = app.gql(c.admin.token(), "query($id: ID!) { solidarityAction(id: $id) { endorsementCount } }", json!({ "id": id })).await;
        assert_eq!(r.data()["solidarityAction"]["endorsementCount"], 0);
    }
}

db_test! {
    async fn an_action_called_under_an_agreement_needs_a_live_one_that_shares_actions(app) {
        let c = callers(&app).await;
        let q = "mutation($input: CreateSolidarityActionInput!) { createSolidarityAction(input: $input) { id agreement { id } } }";
        let input = |initiator: &str, agreement: &str| json!({ "input": { "initiatorId": initiator, "agreementId": agreement, "title": "공동성명", "kind": "STATEMENT", "body": "함께합니다", "visibility": "PUBLIC" } });
        let made = app.gql(c.editor.token(), q, input(&c.hanbat.id, &c.shared)).await;
        assert_eq!(made.data()["createSolidarityAction"]["agreement"]["id"], c.shared.as_str());
        let id = text(made.data(), "createSolidarityAction.id");
        app.op_on(&c.admin, "openSolidarityAction", &id, "status").await.data();
        let anon = app.gql(None, "query($id: ID!) { solidarityAction(id: $id) { agreement { id } } }", json!({ "id": id })).await;
        assert!(anon.data()["solidarityAction"]["agreement"].is_null(), "the agreement is not the public's");

        let projects_only = app.ratified_agreement(&[&c.hanbat, &c.yuseong], &["PROJECTS"], "2024-01-01", None).await;
        app.gql(c.editor.token(), q, input(&c.hanbat.id, &projects_only)).await.assert_error("BAD_USER_INPUT", Some("agreementId"));
        app.gql(c.projects_only.owner.token(), q, input(&c.projects_only.id, &c.shared)).await.assert_error("NOT_FOUND", None);
        let ended = app.ratified_agreement(&[&c.hanbat, &c.yuseong], &["ACTIONS"], "2024-01-01", None).await;
        app.agreement_op(&c.hanbat.owner, "terminateAgreement", &ended).await.data();
        app.gql(c.editor.token(), q, input(&c.hanbat.id, &ended)).await.assert_error("BAD_USER_INPUT", Some("agreementId"));
        let invited = app.draft_agreement(&c.yuseong.owner, &c.yuseong.id, &["ACTIONS"], "2024-01-01", None).await;
        app.party_op(&c.yuseong.owner, "inviteParty", &invited, &c.hanbat.id).await.data();
        app.gql(c.editor.token(), q, input(&c.hanbat.id, &invited)).await.assert_error("BAD_USER_INPUT", Some("initiatorId"));
    }
}
