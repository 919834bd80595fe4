//! Organizations: creation, the public directory, profile edits, members.

use serde_json::{Value, json};

use crate::db_test;

const CREATE: &str = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id slug name description region website timezone createdAt viewerRole members { totalCount nodes { role user { id } } } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) { name description region website timezone } }";
const BY_ID: &str = "query($id: ID, $slug: String) { organization(id: $id, slug: $slug) { id slug name viewerRole } }";
const LIST: &str = "query($search: String, $first: Int, $after: String) { organizations(search: $search, first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { slug } } nodes { slug } } }";

db_test! {
    async fn the_creator_becomes_owner(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let r = app
            .gql(
                owner.token(),
                CREATE,
                json!({ "input": { "slug": "hanbat", "name": "한밭참여자치모임", "region": "대전", "website": "https://hanbat.example" } }),
            )
            .await;
        let org = &r.data()["createOrganization"];
        assert_eq!(org["slug"], "hanbat");
        assert_eq!(org["timezone"], "Asia/Seoul", "default time zone");
        assert_eq!(org["viewerRole"], "OWNER");
        assert_eq!(org["members"]["totalCount"], 1);
        assert_eq!(org["members"]["nodes"][0], json!({ "role": "OWNER", "user": { "id": owner.user_id } }));
        assert!(org["createdAt"].as_str().unwrap().ends_with('Z'), "DateTime is rendered in UTC");
        let id = org["id"].as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7, "new ids are UUIDv7");
        assert_eq!(app.audit_actions(id).await, ["organization.create"]);
    }
}

db_test! {
    async fn creating_requires_sign_in_and_valid_input(app) {
        let anon = app.gql(None, CREATE, json!({ "input": { "slug": "anon", "name": "x" } })).await;
        anon.assert_error("UNAUTHENTICATED", None);
        let owner = app.sign_up("owner@hanbat.example").await;
        let cases = [
            (json!({ "slug": "A", "name": "x" }), "slug"),
            (json!({ "slug": "has space", "name": "x" }), "slug"),
            (json!({ "slug": "-edge", "name": "x" }), "slug"),
            (json!({ "slug": "ok-slug", "name": "  " }), "name"),
            (json!({ "slug": "ok-slug", "name": "x".repeat(201) }), "name"),
            (json!({ "slug": "ok-slug", "name": "x", "timezone": "Seoul" }), "timezone"),
            (json!({ "slug": "ok-slug", "name": "x", "website": "javascript:alert(1)" }), "website"),
            (json!({ "slug": "ok-slug", "name": "x", "website": "not a url" }), "website"),
        ];
        for (input, field) in cases {
            let r = app.gql(owner.token(), CREATE, json!({ "input": input })).await;
            r.assert_error("BAD_USER_INPUT", Some(field));
        }
        app.create_org(&owner, "hanbat").await;
        let dup = app.gql(owner.token(), CREATE, json!({ "input": { "slug": "hanbat", "name": "again" } })).await;
        dup.assert_error("CONFLICT", Some("slug"));
        let count = app.gql(None, LIST, json!({})).await;
        assert_eq!(count.data()["organizations"]["totalCount"], 1, "nothing half-written");
    }
}

db_test! {
    async fn organizations_are_a_public_directory(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let id = app.create_org(&owner, "hanbat").await;
        for vars in [json!({ "id": id }), json!({ "slug": "hanbat" }), json!({ "slug": " HANBAT " })] {
            let r = app.gql(None, BY_ID, vars).await;
            assert_eq!(r.data()["organization"]["id"], id.as_str());
            assert_eq!(r.data()["organization"]["viewerRole"], Value::Null);
        }
        let unknown = app.gql(None, BY_ID, json!({ "id": uuid::Uuid::now_v7().to_string() })).await;
        unknown.assert_error("NOT_FOUND", None);
        assert_eq!(unknown.body["data"]["organization"], Value::Null);
        app.gql(None, BY_ID, json!({ "slug": "nope" })).await.assert_error("NOT_FOUND", None);
        app.gql(None, BY_ID, json!({ "id": "not-a-uuid" })).await.assert_error("BAD_USER_INPUT", Some("id"));
        app.gql(None, BY_ID, json!({})).await.assert_error("BAD_USER_INPUT", None);
    }
}

db_test! {
    async fn the_directory_pages_and_searches(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        for slug in ["hanbat", "gapcheon", "dj-rights", "ddi-media", "yuseong"] {
            app.create_org(&owner, slug).await;
        }
        let page1 = app.gql(None, LIST, json!({ "first": 2 })).await;
        let c1 = &page1.data()["organizations"];
        assert_eq!(c1["totalCount"], 5);
        assert_eq!(c1["nodes"], json!([{ "slug": "hanbat" }, { "slug": "gapcheon" }]));
        assert_eq!(c1["pageInfo"]["hasNextPage"], true);
        assert_eq!(c1["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(c1["edges"][1]["cursor"], c1["pageInfo"]["endCursor"]);

        let page2 = app.gql(None, LIST, json!({ "first": 2, "after": c1["pageInfo"]["endCursor"] })).await;
        let c2 = &page2.data()["organizations"];
        assert_eq!(c2["nodes"], json!([{ "slug": "dj-rights" }, { "slug": "ddi-media" }]));
        assert_eq!(c2["pageInfo"]["hasPreviousPage"], true);
        let page3 = app.gql(None, LIST, json!({ "first": 2, "after": c2["pageInfo"]["endCursor"] })).await;
        let c3 = &page3.data()["organizations"];
        assert_eq!(c3["nodes"], json!([{ "slug": "yuseong" }]));
        assert_eq!(c3["pageInfo"]["hasNextPage"], false);

        let default = app.gql(None, LIST, json!({})).await;
        assert_eq!(default.data()["organizations"]["nodes"].as_array().unwrap().len(), 5, "default page size 20");

        let search = app.gql(None, LIST, json!({ "search": "MEDIA" })).await;
        assert_eq!(search.data()["organizations"]["nodes"], json!([{ "slug": "ddi-media" }]));
        assert_eq!(search.data()["organizations"]["totalCount"], 1);
        let korean = app.gql(None, LIST, json!({ "search": "yuseong 모임" })).await;
        assert_eq!(korean.data()["organizations"]["totalCount"], 1);
        let wildcard = app.gql(None, LIST, json!({ "search": "%" })).await;
        assert_eq!(wildcard.data()["organizations"]["totalCount"], 0, "LIKE wildcards are escaped");

        for first in [0, -1, 101] {
            app.gql(None, LIST, json!({ "first": first })).await.assert_error("BAD_USER_INPUT", Some("first"));
        }
        app.gql(None, LIST, json!({ "first": 100 })).await.data();
        app.gql(None, LIST, json!({ "after": "garbage" })).await.assert_error("BAD_USER_INPUT", Some("after"));
    }
}

db_test! {
    async fn only_admins_edit_the_profile(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let [admin, editor, member] = app.staff(&owner, &org, "hanbat", ["ADMIN", "EDITOR", "MEMBER"]).await;
        let outsider = app.sign_up("someone@yuseong.example").await;

        let r = app
            .gql(
                admin.token(),
                UPDATE,
                json!({ "id": org, "input": { "name": "한밭참여자치모임", "description": "대전 시민단체", "timezone": "Asia/Tokyo" } }),
            )
            .await;
        assert_eq!(
            r.data()["updateOrganization"],
            json!({ "name": "한밭참여자치모임", "description": "대전 시민단체", "region": null, "website": null, "timezone": "Asia/Tokyo" })
        );
        // Omitted fields stay; null clears.
        let cleared = app.gql(owner.token(), UPDATE, json!({ "id": org, "input": { "description": null } })).await;
        assert_eq!(cleared.data()["updateOrganization"]["description"], Value::Null);
        assert_eq!(cleared.data()["updateOrganization"]["name"], "한밭참여자치모임");

        for who in [&editor, &member, &outsider] {
            let r = app.gql(who.token(), UPDATE, json!({ "id": org, "input": { "name": "hijacked" } })).await;
            r.assert_error("FORBIDDEN", None);
        }
        app.gql(None, UPDATE, json!({ "id": org, "input": { "name": "x" } })).await.assert_error("UNAUTHENTICATED", None);
        let bad = app.gql(owner.token(), UPDATE, json!({ "id": org, "input": { "timezone": "Nowhere/City" } })).await;
        bad.assert_error("BAD_USER_INPUT", Some("timezone"));
        let unknown = app.gql(owner.token(), UPDATE, json!({ "id": uuid::Uuid::now_v7().to_string(), "input": {} })).await;
        unknown.assert_error("NOT_FOUND", None);

        let actions = app.audit_actions(&org).await;
        assert_eq!(actions.iter().filter(|a| *a == "organization.update").count(), 2, "refusals write nothing: {actions:?}");
    }
}

db_test! {
    async fn members_are_visible_to_members_only(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let member = app.member(&owner, &org, "member@hanbat.example", "MEMBER").await;
        let outsider = app.sign_up("someone@yuseong.example").await;
        let q = "query($id: ID!) { organization(id: $id) { members(first: 10) { totalCount nodes { role joinedAt user { id displayName email } } } } }";

        let seen = app.gql(member.token(), q, json!({ "id": org })).await;
        let members = &seen.data()["organization"]["members"];
        assert_eq!(members["totalCount"], 2);
        assert_eq!(members["nodes"][0]["role"], "OWNER");
        assert_eq!(members["nodes"][0]["user"]["email"], Value::Null, "other people's e-mails stay private");
        assert_eq!(members["nodes"][1]["user"]["email"], "member@hanbat.example", "one's own is shown");

        for token in [outsider.token(), None] {
            let hidden = app.gql(token, q, json!({ "id": org })).await;
            assert_eq!(hidden.data()["organization"]["members"], json!({ "totalCount": 0, "nodes": [] }));
        }
    }
}

db_test! {
    async fn nested_members_load_without_a_query_per_organization(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let q = "{ organizations(first: 50) { nodes { slug viewerRole members(first: 3) { totalCount nodes { role user { displayName } } } } } }";
        let mut counts = Vec::new();
        for n in [2usize, 12] {
            while app.gql(None, "{ organizations { totalCount } }", json!({})).await.data()["organizations"]["totalCount"]
                .as_u64()
                .unwrap() < n as u64
            {
                let slug = format!("org-{}", uuid::Uuid::now_v7().simple());
                app.create_org(&owner, &slug).await;
            }
            let (count, r) = app.statements_for(owner.token(), q).await;
            let nodes = r.data()["organizations"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), n);
            assert!(nodes.iter().all(|o| o["members"]["totalCount"] == 1 && o["viewerRole"] == "OWNER"));
            counts.push(count);
        }
        // Batches may split across DataLoader windows, but one query per
        // organization would add ten.
        assert!(counts[1] <= counts[0] + 2, "statements grew with the number of organizations: {counts:?}");
    }
}

const AUDIT_LOG: &str = "query($org: ID!, $first: Int, $after: String) { auditLog(organizationId: $org, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { action subjectType subjectId at actor { id } organization { id } } } }";

db_test! {
    async fn admins_read_the_audit_log_newest_first(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let [admin, editor] = app.staff(&owner, &org, "hanbat", ["ADMIN", "EDITOR"]).await;
        let outsider = app.sign_up("someone@yuseong.example").await;

        let r = app.gql(admin.token(), AUDIT_LOG, json!({ "org": org, "first": 2 })).await;
        let log = &r.data()["auditLog"];
        // create, invite, join, invite, join
        assert_eq!(log["totalCount"], 5);
        assert_eq!(log["nodes"][0]["action"], "member.join");
        assert_eq!(log["nodes"][0]["actor"]["id"], editor.user_id.as_str());
        assert_eq!(log["nodes"][0]["organization"]["id"], org.as_str());
        assert_eq!(log["nodes"][1]["action"], "member.invite");
        assert_eq!(log["nodes"][1]["subjectType"], "invitation");
        assert_eq!(log["pageInfo"]["hasNextPage"], true);
        let rest = app.gql(admin.token(), AUDIT_LOG, json!({ "org": org, "after": log["pageInfo"]["endCursor"] })).await;
        let actions: Vec<&str> =
            rest.data()["auditLog"]["nodes"].as_array().unwrap().iter().map(|n| n["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["member.join", "member.invite", "organization.create"]);

        app.gql(editor.token(), AUDIT_LOG, json!({ "org": org })).await.assert_error("FORBIDDEN", None);
        app.gql(outsider.token(), AUDIT_LOG, json!({ "org": org })).await.assert_error("FORBIDDEN", None);
        app.gql(None, AUDIT_LOG, json!({ "org": org })).await.assert_error("UNAUTHENTICATED", None);
        let unknown = uuid::Uuid::now_v7().to_string();
        app.gql(admin.token(), AUDIT_LOG, json!({ "org": unknown })).await.assert_error("NOT_FOUND", None);
    }
}
