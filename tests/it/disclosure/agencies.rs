//! Agencies: reference data anyone reads, any signed-in user adds, one row
//! per name and kind however the name is typed; searched without regard to
//! spaces or case, in Hangul as in Latin script; listed by name.

use serde_json::json;

use super::{agency_id, connection, create_agency};
use crate::db_test;
use crate::support::TestApp;
use crate::support::work::text;

/// `agencies(<args>)` as anonymous: (totalCount, ids in order).
async fn agencies(app: &TestApp, args: &str) -> (i64, Vec<String>) {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    let r = app
        .gql(
            None,
            &format!("{{ agencies{args} {{ totalCount nodes {{ id }} }} }}"),
            json!({}),
        )
        .await;
    connection(&r.data()["agencies"])
}

/// The ids of agencies whose name contains `search`, as anonymous.
async fn found(app: &TestApp, search: &str) -> Vec<String> {
    let r = app
        .gql(
            None,
            "query($s: String) { agencies(search: $s, first: 100) { totalCount nodes { id } } }",
            json!({ "s": search }),
        )
        .await;
    let (total, mut ids) = connection(&r.data()["agencies"]);
    assert_eq!(
        total,
        ids.len() as i64,
        "totalCount agrees with the nodes for {search:?}"
    );
    ids.sort();
    ids
}

fn sorted<S: AsRef<str>>(ids: &[S]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.as_ref().to_owned()).collect();
    v.sort();
    v
}

db_test! {
    async fn any_signed_in_user_adds_an_agency_and_anyone_reads_it(app) {
        let someone = app.sign_up("someone@hanbat.example").await;
        let anon = create_agency(&app, None, "서울특별시 종로구", "DISTRICT").await;
        anon.assert_error("UNAUTHENTICATED", None);
        assert_eq!(agencies(&app, "").await.0, 0, "nothing was written");

        let before = app.clock.now();
        let made = create_agency(&app, someone.token(), "서울특별시 종로구", "DISTRICT").await;
        let a = made.data()["createAgency"].clone();
        assert_eq!(a["name"], "서울특별시 종로구");
        assert_eq!(a["kind"], "DISTRICT");
        let created_at = chrono::DateTime::parse_from_rfc3339(&text(&a, "createdAt"))
            .expect("createdAt is RFC 3339")
            .with_timezone(&chrono::Utc);
        assert!(created_at >= before - chrono::TimeDelta::seconds(1) && created_at <= app.clock.now(), "createdAt is the server's now: {created_at}");
        let id = text(&a, "id");

        // Anonymous callers read the list.
        let r = app.gql(None, "{ agencies { totalCount nodes { id name kind createdAt } } }", json!({})).await;
        assert_eq!(r.data()["agencies"]["totalCount"], 1);
        assert_eq!(r.data()["agencies"]["nodes"][0], a);

        // A user with no organization at all adds one too.
        let loner = app.sign_up("loner@nowhere.example").await;
        let police = agency_id(&app, &loner, "대전유성경찰서", "POLICE").await;
        assert_ne!(police, id);
        assert_eq!(agencies(&app, "").await.0, 2);
    }
}

db_test! {
    async fn the_same_agency_typed_another_way_is_the_same_agency(app) {
        let a = app.sign_up("a@hanbat.example").await;
        let b = app.sign_up("b@gapcheon.example").await;
        let jongno = agency_id(&app, &a, "서울특별시 종로구", "DISTRICT").await;
        // Spacing, case and the Unicode form (decomposed Hangul jamo,
        // full-width Latin letters) do not make another agency.
        let nfd = "\u{1109}\u{1165}\u{110b}\u{116e}\u{11af}\u{1110}\u{1173}\u{11a8}\u{1107}\u{1167}\u{11af}\u{1109}\u{1175} \u{110c}\u{1169}\u{11bc}\u{1105}\u{1169}\u{1100}\u{116e}";
        assert_ne!(nfd, "서울특별시 종로구", "the decomposed form is other bytes");
        for name in ["서울특별시종로구", "  서울특별시   종로구 ", "서울 특별시 종로구", nfd] {
            let again = create_agency(&app, b.token(), name, "DISTRICT").await;
            let again = &again.data()["createAgency"];
            assert_eq!(again["id"], jongno.as_str(), "{name:?} is the existing agency");
            assert_eq!(again["name"], "서울특별시 종로구", "the existing agency keeps its name");
        }
        let metro = agency_id(&app, &a, "Seoul Metro", "PUBLIC_CORPORATION").await;
        for name in ["SEOUL METRO", "seoulmetro", "ＳＥＯＵＬ Ｍｅｔｒｏ"] {
            assert_eq!(agency_id(&app, &b, name, "PUBLIC_CORPORATION").await, metro, "{name:?}");
        }

        // Another kind is another agency (the district and its council).
        let council = agency_id(&app, &b, "서울특별시 종로구", "COUNCIL").await;
        assert_ne!(council, jongno);
        assert_eq!(agency_id(&app, &a, "서울특별시종로구", "COUNCIL").await, council);
        assert_eq!(agencies(&app, "").await.0, 3, "three agencies, however often they were added");
    }
}

db_test! {
    async fn an_agency_needs_a_name_of_at_most_two_hundred_characters(app) {
        let someone = app.sign_up("someone@hanbat.example").await;
        for name in ["", "   ", "\t\n"] {
            create_agency(&app, someone.token(), name, "CITY").await.assert_error("BAD_USER_INPUT", Some("name"));
        }
        // Characters, not bytes: two hundred Hangul syllables are 600 bytes.
        let long = "가".repeat(201);
        create_agency(&app, someone.token(), &long, "CITY").await.assert_error("BAD_USER_INPUT", Some("name"));
        assert_eq!(agencies(&app, "").await.0, 0, "nothing was written");
        let most = "가".repeat(200);
        let made = create_agency(&app, someone.token(), &most, "CITY").await;
        assert_eq!(made.data()["createAgency"]["name"], most.as_str());
        assert_eq!(agencies(&app, "").await.0, 1);
    }
}

db_test! {
    async fn agencies_are_searched_without_regard_to_spaces_or_case(app) {
        let someone = app.sign_up("someone@hanbat.example").await;
        let jongno = agency_id(&app, &someone, "서울특별시 종로구", "DISTRICT").await;
        let council = agency_id(&app, &someone, "서울특별시 종로구의회", "COUNCIL").await;
        let haeundae = agency_id(&app, &someone, "부산광역시 해운대구", "DISTRICT").await;
        let lh = agency_id(&app, &someone, "Korea Land & Housing Corporation", "PUBLIC_CORPORATION").await;
        let both = sorted(&[&jongno, &council]);

        assert_eq!(found(&app, "종로구").await, both);
        assert_eq!(found(&app, "서울특별시종로구").await, both, "the space in the name does not matter");
        assert_eq!(found(&app, "특별시 종로").await, both);
        assert_eq!(found(&app, "서울특별시  종로구 의회").await, sorted(&[&council]), "nor spaces in the search");
        assert_eq!(found(&app, "대구").await, sorted(&[&haeundae]), "a part of the name: 해운대구");
        assert_eq!(found(&app, "korea LAND").await, sorted(&[&lh]));
        assert_eq!(found(&app, "land & housing").await, sorted(&[&lh]), "spaced as in the name");
        assert_eq!(found(&app, "land&housing").await, sorted(&[&lh]), "or not");
        assert_eq!(found(&app, "& h").await, sorted(&[&lh]));
        assert!(found(&app, "인천").await.is_empty());
        assert!(found(&app, "%").await.is_empty(), "a wildcard is a character like any other");
        assert!(found(&app, "_").await.is_empty());
    }
}

db_test! {
    async fn agencies_are_listed_by_name_then_id_and_paged(app) {
        let someone = app.sign_up("someone@hanbat.example").await;
        // Created out of order; two share a name (the city and its council).
        let daejeon = agency_id(&app, &someone, "대전광역시", "CITY").await;
        let gangneung_council = agency_id(&app, &someone, "강릉시", "COUNCIL").await;
        let naju = agency_id(&app, &someone, "나주시", "CITY").await;
        let gangneung = agency_id(&app, &someone, "강릉시", "CITY").await;
        let gapyeong = agency_id(&app, &someone, "가평군", "DISTRICT").await;
        let tie = sorted(&[&gangneung_council, &gangneung]);
        let expected = vec![gapyeong.clone(), tie[0].clone(), tie[1].clone(), naju.clone(), daejeon.clone()];

        let (total, all) = agencies(&app, "").await;
        assert_eq!((total, &all), (5, &expected));
        let names = app.gql(None, "{ agencies { nodes { name } } }", json!({})).await;
        assert_eq!(names.data()["agencies"]["nodes"], json!([{ "name": "가평군" }, { "name": "강릉시" }, { "name": "강릉시" }, { "name": "나주시" }, { "name": "대전광역시" }]));

        // Pages of two walk the same order, the tie included.
        let page = "query($after: String) { agencies(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
        let mut walked = Vec::new();
        let mut after = serde_json::Value::Null;
        for expect_next in [true, true, false] {
            let r = app.gql(None, page, json!({ "after": after.clone() })).await;
            let c = &r.data()["agencies"];
            assert_eq!(c["totalCount"], 5);
            assert_eq!(c["pageInfo"]["hasNextPage"], expect_next);
            walked.extend(connection(c).1);
            after = c["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(walked, expected);

        // A search pages the same way.
        let r = app.gql(None, "{ agencies(search: \"강릉\", first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }", json!({})).await;
        assert_eq!(connection(&r.data()["agencies"]), (2, vec![tie[0].clone()]));
        let cursor = text(r.data(), "agencies.pageInfo.endCursor");
        let r = app.gql(None, "query($a: String!) { agencies(search: \"강릉\", first: 1, after: $a) { pageInfo { hasNextPage } nodes { id } } }", json!({ "a": cursor })).await;
        assert_eq!(r.data()["agencies"]["nodes"], json!([{ "id": tie[1] }]));
        assert_eq!(r.data()["agencies"]["pageInfo"]["hasNextPage"], false);
    }
}
