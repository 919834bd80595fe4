//! Sign-up, log-in, sessions, access tokens and API tokens.
//!
//! This file holds sign-up, log-in and its lockout, API tokens, the audit of
//! identity mutations and `create_admin`; `sessions.rs` holds access tokens,
//! refresh and log-out.

use chrono::TimeDelta;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::db_test;
use crate::support::fixtures::{PASSWORD, SIGN_UP, session_from};

mod sessions;

use sessions::REFRESH;

const ME: &str =
    "{ me { id email displayName isPlatformAdmin memberships { role organization { slug } } } }";

fn sign_up_vars(email: &str, password: &str, name: &str) -> Value {
    json!({ "input": { "email": email, "password": password, "displayName": name } })
}

db_test! {
    async fn sign_up_signs_in_and_me_answers(app) {
        let r = app.gql(None, SIGN_UP, sign_up_vars("  Owner@Hanbat.Example ", PASSWORD, "한밭 대표")).await;
        let payload = &r.data()["signUp"];
        assert_eq!(payload["user"]["email"], "owner@hanbat.example", "e-mail is normalized and shown to its owner");
        assert!(payload["refreshToken"].as_str().unwrap().starts_with("yd_rt_"));
        let session = session_from(payload, "owner@hanbat.example");

        let me = app.gql(session.token(), ME, json!({})).await;
        assert_eq!(me.data()["me"]["id"], session.user_id.as_str());
        assert_eq!(me.data()["me"]["displayName"], "한밭 대표");
        assert_eq!(me.data()["me"]["isPlatformAdmin"], false);

        let anonymous = app.gql(None, ME, json!({})).await;
        assert_eq!(anonymous.data()["me"], Value::Null);

        // The password is stored as an Argon2id hash with the OWASP parameters.
        let user = entity::user::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert!(user.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", user.password_hash);
        assert!(!user.password_hash.contains(PASSWORD));
    }
}

db_test! {
    async fn sign_up_rejects_bad_input(app) {
        for email in ["", "no-at-sign", "a@b", "two@@at.org", "spa ce@x.org", "@x.org", "x@.org"] {
            let r = app.gql(None, SIGN_UP, sign_up_vars(email, PASSWORD, "x")).await;
            r.assert_error("BAD_USER_INPUT", Some("email"));
        }
        let r = app.gql(None, SIGN_UP, sign_up_vars("a@x.org", "1234567", "x")).await;
        r.assert_error("BAD_USER_INPUT", Some("password"));
        let r = app.gql(None, SIGN_UP, sign_up_vars("a@x.org", &"p".repeat(257), "x")).await;
        r.assert_error("BAD_USER_INPUT", Some("password"));
        let r = app.gql(None, SIGN_UP, sign_up_vars("a@x.org", "   ", "x")).await;
        r.assert_error("BAD_USER_INPUT", Some("password"));
        let r = app.gql(None, SIGN_UP, sign_up_vars("a@x.org", PASSWORD, "  ")).await;
        r.assert_error("BAD_USER_INPUT", Some("displayName"));
        // Boundaries are inclusive: 8 and 256 characters (not bytes) are fine.
        app.gql(None, SIGN_UP, sign_up_vars("eight@x.org", "12345678", "x")).await.data();
        app.gql(None, SIGN_UP, sign_up_vars("long@x.org", &"비".repeat(256), "x")).await.data();
        assert_eq!(entity::user::Entity::find().all(app.db()).await.unwrap().len(), 2, "nothing half-written");
    }
}

db_test! {
    async fn e_mails_are_unique_case_insensitively(app) {
        app.sign_up("staff@gapcheon.example").await;
        let r = app.gql(None, SIGN_UP, sign_up_vars("STAFF@Gapcheon.example", PASSWORD, "x")).await;
        r.assert_error("CONFLICT", Some("email"));
    }
}

db_test! {
    async fn log_in_checks_the_password_without_revealing_accounts(app) {
        app.sign_up("member@hanbat.example").await;
        let ok = app.log_in("MEMBER@hanbat.example", PASSWORD).await;
        assert!(ok.data()["logIn"]["accessToken"].as_str().unwrap().len() > 20);

        let before = app.state.hasher.verification_count();
        let wrong = app.log_in("member@hanbat.example", "wrong password").await;
        let unknown = app.log_in("nobody@hanbat.example", "wrong password").await;
        wrong.assert_error("UNAUTHENTICATED", None);
        unknown.assert_error("UNAUTHENTICATED", None);
        assert_eq!(wrong.message(), unknown.message(), "same error for unknown e-mail and wrong password");
        // Both paths pay for one full Argon2 verification: same cost.
        assert_eq!(app.state.hasher.verification_count() - before, 2);

        app.log_in("not-an-email", PASSWORD).await.assert_error("BAD_USER_INPUT", Some("email"));
    }
}

db_test! {
    async fn repeated_failures_lock_the_e_mail_with_backoff(app) {
        app.sign_up("target@hanbat.example").await;
        for email in ["target@hanbat.example", "ghost@hanbat.example"] {
            for _ in 0..5 {
                app.log_in(email, "guess").await.assert_error("UNAUTHENTICATED", None);
            }
            // Locked: even the right password is refused, and an unknown
            // e-mail is locked exactly the same way.
            let locked = app.log_in(email, PASSWORD).await;
            locked.assert_error("RATE_LIMITED", None);
            assert_eq!(locked.errors()[0]["extensions"]["retryAfterSeconds"], 30);
        }
        app.clock.advance(TimeDelta::seconds(31));
        // The sixth failure doubles the lock to 60 s.
        app.log_in("target@hanbat.example", "guess").await.assert_error("UNAUTHENTICATED", None);
        app.clock.advance(TimeDelta::seconds(31));
        app.log_in("target@hanbat.example", PASSWORD).await.assert_error("RATE_LIMITED", None);
        app.clock.advance(TimeDelta::seconds(30));
        app.log_in("target@hanbat.example", PASSWORD).await.data();
        // Success clears the record: five fresh failures are free again.
        for _ in 0..4 {
            app.log_in("target@hanbat.example", "guess").await.assert_error("UNAUTHENTICATED", None);
        }
        app.log_in("target@hanbat.example", PASSWORD).await.data();
    }
}

db_test! {
    async fn concurrent_guesses_cannot_slip_past_the_lockout(app) {
        app.sign_up("target@hanbat.example").await;
        let attempts = (0..20).map(|_| app.log_in("target@hanbat.example", "guess"));
        let results = futures::future::join_all(attempts).await;
        let evaluated = results.iter().filter(|r| r.code() == "UNAUTHENTICATED").count();
        let refused = results.iter().filter(|r| r.code() == "RATE_LIMITED").count();
        assert_eq!(evaluated, 5, "exactly the five free attempts were checked");
        assert_eq!(refused, 15);
    }
}

const CREATE_TOKEN: &str = "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scopes organization { id } createdAt expiresAt lastUsedAt revokedAt } } }";
const MY_TOKENS: &str = "{ myApiTokens { id name scopes lastUsedAt revokedAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }";
const UPDATE_ORG: &str = "mutation($id: ID!, $name: String) { updateOrganization(id: $id, input: { name: $name }) { name } }";

db_test! {
    async fn api_tokens_are_shown_once_stored_hashed_and_used_as_bearer(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let r = app
            .gql(owner.token(), CREATE_TOKEN, json!({ "input": { "name": "calendar sync", "scopes": ["READ", "WRITE"] } }))
            .await;
        let created = &r.data()["createApiToken"];
        let secret = created["token"].as_str().unwrap().to_owned();
        let id = created["apiToken"]["id"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("yd_pat_") && secret.len() > 40);
        assert_eq!(created["apiToken"]["scopes"], json!(["READ", "WRITE"]));
        assert_eq!(created["apiToken"]["lastUsedAt"], Value::Null);

        let stored = entity::api_token::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_ne!(stored.token_hash, secret);
        assert!(!stored.token_hash.contains("yd_pat_"));

        // The token acts as its user...
        let me = app.gql(Some(&secret), ME, json!({})).await;
        assert_eq!(me.data()["me"]["id"], owner.user_id.as_str());
        let renamed = app.gql(Some(&secret), UPDATE_ORG, json!({ "id": org, "name": "한밭참여자치모임" })).await;
        assert_eq!(renamed.data()["updateOrganization"]["name"], "한밭참여자치모임");
        // ...and its use is recorded.
        let listed = app.gql(owner.token(), MY_TOKENS, json!({})).await;
        let tokens = listed.data()["myApiTokens"].as_array().unwrap();
        assert_eq!(tokens.len(), 1);
        assert!(tokens[0]["lastUsedAt"].is_string());
        assert!(tokens[0].get("token").is_none());

        // API tokens cannot manage API tokens.
        let minted = app.gql(Some(&secret), CREATE_TOKEN, json!({ "input": { "name": "x", "scopes": ["READ"] } })).await;
        minted.assert_error("FORBIDDEN", None);
        app.gql(Some(&secret), MY_TOKENS, json!({})).await.assert_error("FORBIDDEN", None);

        // Revoked: refused at once.
        let revoked = app.gql(owner.token(), REVOKE, json!({ "id": id })).await;
        assert!(revoked.data()["revokeApiToken"]["revokedAt"].is_string());
        let after = app.gql(Some(&secret), ME, json!({})).await;
        assert_eq!(after.status, 401);
        after.assert_error("UNAUTHENTICATED", None);
        app.gql(Some("yd_pat_made-up"), ME, json!({})).await.assert_error("UNAUTHENTICATED", None);

        let actions = app.audit_actions(&org).await;
        assert!(actions.contains(&"organization.update".to_owned()));
    }
}

db_test! {
    async fn read_tokens_cannot_mutate(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let read = app.api_token(&owner, &["READ"], None).await;
        let r = app.gql(Some(&read), UPDATE_ORG, json!({ "id": org, "name": "renamed" })).await;
        r.assert_error("FORBIDDEN", None);
        assert_eq!(r.body["data"], Value::Null, "nothing executed");
        let name = app.gql(Some(&read), "query($id: ID!) { organization(id: $id) { name viewerRole } }", json!({ "id": org })).await;
        assert_eq!(name.data()["organization"]["name"], "hanbat 모임");
        assert_eq!(name.data()["organization"]["viewerRole"], "OWNER");
        // The named operation decides, not the first one in the document.
        let doc = "query Q { me { id } } mutation M { updateOrganization(id: \"x\", input: {}) { name } }";
        let picked = app
            .client
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&read)
            .json(&json!({ "query": doc, "operationName": "Q" }))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert!(picked.get("errors").is_none(), "{picked}");
    }
}

db_test! {
    async fn bound_tokens_act_only_within_their_organization(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let hanbat = app.create_org(&owner, "hanbat").await;
        let gapcheon = app.create_org(&owner, "gapcheon").await;
        let bound = app.api_token(&owner, &["READ", "WRITE"], Some(&hanbat)).await;

        assert_eq!(app.viewer_role(Some(&bound), &hanbat).await, "OWNER");
        assert_eq!(app.viewer_role(Some(&bound), &gapcheon).await, Value::Null);
        app.gql(Some(&bound), UPDATE_ORG, json!({ "id": hanbat, "name": "ok" })).await.data();
        app.gql(Some(&bound), UPDATE_ORG, json!({ "id": gapcheon, "name": "no" })).await.assert_error("FORBIDDEN", None);
        let me = app.gql(Some(&bound), ME, json!({})).await;
        assert_eq!(me.data()["me"]["memberships"], json!([{ "role": "OWNER", "organization": { "slug": "hanbat" } }]));
        let created = app
            .gql(Some(&bound), "mutation { createOrganization(input: { slug: \"elsewhere\", name: \"x\" }) { id } }", json!({}))
            .await;
        created.assert_error("FORBIDDEN", None);
    }
}

db_test! {
    async fn api_token_input_is_validated(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let other = app.sign_up("other@gapcheon.example").await;
        let gapcheon = app.create_org(&other, "gapcheon").await;
        let cases = [
            (json!({ "name": "x", "scopes": [] }), "BAD_USER_INPUT", Some("scopes")),
            (json!({ "name": " ", "scopes": ["READ"] }), "BAD_USER_INPUT", Some("name")),
            (json!({ "name": "x", "scopes": ["READ"], "expiresAt": "2001-01-01T00:00:00Z" }), "BAD_USER_INPUT", Some("expiresAt")),
            (json!({ "name": "x", "scopes": ["READ"], "expiresAt": "yesterday" }), "BAD_USER_INPUT", None),
            (json!({ "name": "x", "scopes": ["READ"], "organizationId": gapcheon }), "FORBIDDEN", None),
            (json!({ "name": "x", "scopes": ["READ"], "organizationId": uuid::Uuid::now_v7().to_string() }), "NOT_FOUND", None),
            (json!({ "name": "x", "scopes": ["READ"], "organizationId": "nope" }), "BAD_USER_INPUT", Some("organizationId")),
        ];
        for (input, code, field) in cases {
            let r = app.gql(owner.token(), CREATE_TOKEN, json!({ "input": input })).await;
            r.assert_error(code, field);
        }
        app.gql(None, CREATE_TOKEN, json!({ "input": { "name": "x", "scopes": ["READ"] } })).await.assert_error("UNAUTHENTICATED", None);
        assert!(entity::api_token::Entity::find().all(app.db()).await.unwrap().is_empty());

        // Someone else's token, an unknown one and a malformed id.
        let theirs = app.gql(other.token(), CREATE_TOKEN, json!({ "input": { "name": "x", "scopes": ["READ"] } })).await;
        let their_id = theirs.data()["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();
        app.gql(owner.token(), REVOKE, json!({ "id": their_id })).await.assert_error("NOT_FOUND", None);
        app.gql(owner.token(), REVOKE, json!({ "id": uuid::Uuid::now_v7().to_string() })).await.assert_error("NOT_FOUND", None);
        app.gql(owner.token(), REVOKE, json!({ "id": "123" })).await.assert_error("BAD_USER_INPUT", Some("id"));
    }
}

db_test! {
    async fn api_tokens_expire(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let expires = (app.clock.now() + TimeDelta::hours(1)).to_rfc3339();
        let r = app
            .gql(owner.token(), CREATE_TOKEN, json!({ "input": { "name": "short", "scopes": ["READ"], "expiresAt": expires } }))
            .await;
        let secret = r.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
        assert!(app.gql(Some(&secret), ME, json!({})).await.is_ok());
        app.clock.advance(TimeDelta::hours(2));
        app.gql(Some(&secret), ME, json!({})).await.assert_error("UNAUTHENTICATED", None);
    }
}

db_test! {
    async fn identity_mutations_are_audited(app) {
        let s = app.sign_up("audited@hanbat.example").await;
        app.log_in("audited@hanbat.example", PASSWORD).await.data();
        app.gql(None, REFRESH, json!({ "t": s.refresh_token })).await.data();
        let user = uuid::Uuid::parse_str(&s.user_id).unwrap();
        let actions: Vec<String> = entity::audit_entry::Entity::find()
            .filter(entity::audit_entry::Column::ActorId.eq(user))
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["user.sign_up", "session.log_in", "session.refresh"]);
    }
}

db_test! {
    async fn create_admin_creates_or_promotes(app) {
        use service::identity::accounts::{AdminOutcome, create_admin};
        let ctx = app.as_nobody();
        let created = create_admin(&ctx, &app.state.hasher, "Admin@Coalition.example", Some(PASSWORD), None).await;
        assert!(matches!(created, Ok(AdminOutcome::Created(_))));
        let admin = app.log_in("admin@coalition.example", PASSWORD).await;
        assert_eq!(admin.data()["logIn"]["user"]["email"], "admin@coalition.example");
        let s = app.sign_up("staff@hanbat.example").await;
        let promoted = create_admin(&ctx, &app.state.hasher, "staff@hanbat.example", None, None).await;
        assert!(matches!(promoted, Ok(AdminOutcome::Promoted(_))));
        let me = app.gql(s.token(), ME, json!({})).await;
        assert_eq!(me.data()["me"]["isPlatformAdmin"], true, "promotion applies to live sessions");
        let again = create_admin(&ctx, &app.state.hasher, "staff@hanbat.example", None, None).await;
        assert!(matches!(again, Ok(AdminOutcome::AlreadyAdmin(_))));
        let missing = create_admin(&ctx, &app.state.hasher, "new@x.example", None, None).await;
        assert!(missing.is_err());
    }
}
