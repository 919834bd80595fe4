//! Every input is checked before it reaches the database: what used to
//! answer INTERNAL (or be stored as given) is BAD_USER_INPUT naming the field.

use serde_json::json;

use crate::db_test;
use crate::support::fixtures::at;

db_test! {
    async fn search_and_slug_lookups_are_checked(app) {
        let q = "query($s: String) { organizations(search: $s) { totalCount } }";
        for bad in ["a\u{0}b", &"가".repeat(60_000), "a\nb"] {
            app.gql(None, q, json!({ "s": bad })).await.assert_error("BAD_USER_INPUT", Some("search"));
        }
        assert_eq!(app.gql(None, q, json!({ "s": "  " })).await.data()["organizations"]["totalCount"], 0);
        let by_slug = "query($s: String) { organization(slug: $s) { id } }";
        app.gql(None, by_slug, json!({ "s": "a\u{0}b" })).await.assert_error("BAD_USER_INPUT", Some("slug"));
        app.gql(None, by_slug, json!({ "s": "nobody-here" })).await.assert_error("NOT_FOUND", None);
    }
}

db_test! {
    async fn dates_and_instants_are_sane_and_one_precision(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let org = app.create_org(&owner, "hanbat").await;
        let create = "mutation($input: CreateAgreementInput!) { createAgreement(input: $input) { id startsOn } }";
        for bad in ["+10000-01-01", "-0001-01-01", "2026-1-1", "20260101"] {
            let r = app.gql(owner.token(), create, json!({ "input": { "convenerId": org, "title": "MOU", "scopes": ["SPACES"], "startsOn": bad } })).await;
            r.assert_error("BAD_USER_INPUT", Some("startsOn"));
        }

        let room = app.space_id(&owner, &org, "회의실", false).await;
        let book = |starts: String, ends: String| {
            app.gql(
                owner.token(),
                "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { startsAt endsAt } }",
                json!({ "input": { "spaceId": room, "organizationId": org, "title": "회의", "startsAt": starts, "endsAt": ends } }),
            )
        };
        let start = at(&app, 24);
        let sliver = start.replace(":00:00Z", ":00:00.0000004Z");
        book(start.clone(), sliver).await.assert_error("BAD_USER_INPUT", Some("endsAt"));
        let minute = start.replace(":00:00Z", ":01:00Z");
        let r = book(start.clone(), minute).await;
        r.assert_error("BAD_USER_INPUT", Some("endsAt"));
        assert!(r.message().contains("at least 5 minutes"), "{}", r.body);
        let leap = start.replace(":00:00Z", ":59:60Z");
        book(leap, at(&app, 26)).await.assert_error("BAD_USER_INPUT", Some("startsAt"));
        // Finer than microseconds is dropped, the same on both databases.
        let fine = start.replace(":00:00Z", ":00:00.1234567Z");
        let r = book(fine, at(&app, 25)).await;
        assert_eq!(r.data()["bookSpace"][0]["startsAt"], start.replace(":00:00Z", ":00:00.123456Z"));
    }
}

db_test! {
    async fn single_line_text_refuses_what_makes_look_alikes(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }";
        for (field, value) in [
            ("name", "Hanbat\r\nBEGIN:VEVENT"),
            ("name", "Hanbat\u{202E}tabnaH"),
            ("name", "Han\u{200B}bat"),
            ("name", "Han\tbat"),
            ("region", "Daejeon\nSeoul"),
            ("website", "https://x.example/\u{0}"),
        ] {
            let mut input = json!({ "slug": "hanbat", "name": "Hanbat" });
            input[field] = json!(value);
            app.gql(owner.token(), create, json!({ "input": input })).await.assert_error("BAD_USER_INPUT", Some(field));
        }
        // A description may span lines, but not hide its direction.
        let ok = app.gql(owner.token(), create, json!({ "input": { "slug": "hanbat", "name": "한밭 시민모임", "description": "첫째 줄\n둘째 줄" } })).await;
        ok.data();
        let bidi = app.gql(owner.token(), create, json!({ "input": { "slug": "other", "name": "Other", "description": "x\u{202E}y" } })).await;
        bidi.assert_error("BAD_USER_INPUT", Some("description"));
    }
}

db_test! {
    async fn emails_are_one_unicode_form_and_unique_in_any_case(app) {
        let sign_up = "mutation($input: SignUpInput!) { signUp(input: $input) { user { id email } } }";
        let decomposed = "jose\u{301}@hanbat.example";
        let r = app.gql(None, sign_up, json!({ "input": { "email": decomposed, "password": "correct horse battery", "displayName": "José" } })).await;
        assert_eq!(r.data()["signUp"]["user"]["email"], "jos\u{e9}@hanbat.example");
        for again in ["JOS\u{c9}@hanbat.example", "jos\u{e9}@hanbat.example"] {
            let r = app.gql(None, sign_up, json!({ "input": { "email": again, "password": "correct horse battery", "displayName": "José" } })).await;
            r.assert_error("CONFLICT", Some("email"));
        }
        app.log_in("Jose\u{301}@Hanbat.example", "correct horse battery").await.data();
    }
}
