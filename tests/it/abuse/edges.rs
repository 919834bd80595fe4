//! The HTTP edges: CORS, the `Authorization` header, calendar-feed caching.

use serde_json::json;

use crate::db_test;
use crate::support::fixtures::at;
use crate::support::{Backend, Options, TestApp};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.url))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

fn allowed_origin(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// Only the origins the operator lists may call from a browser; by default none.
async fn cors_allows_the_listed_origins_only(backend: Backend) {
    let Some(closed) = TestApp::spawn_with(backend, Options::default()).await else {
        return;
    };
    assert_eq!(
        allowed_origin(&preflight(&closed, "https://app.example.org").await),
        None
    );

    let mut options = Options::default();
    options.edges.cors_origins = vec!["https://app.example.org".parse().unwrap()];
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let ok = preflight(&app, "https://app.example.org").await;
    assert_eq!(
        allowed_origin(&ok).as_deref(),
        Some("https://app.example.org")
    );
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let headers = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("authorization"), "{headers}");
    assert_eq!(
        allowed_origin(&preflight(&app, "https://evil.example").await),
        None
    );
    assert_eq!(
        allowed_origin(&preflight(&app, "http://app.example.org").await),
        None
    );

    let post = app
        .client
        .post(format!("{}/graphql", app.url))
        .header("Origin", "https://app.example.org")
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed_origin(&post).as_deref(),
        Some("https://app.example.org")
    );
}

db_test! {
    async fn one_authorization_header_with_the_scheme_in_any_case(app) {
        let owner = app.sign_up("owner@hanbat.example").await;
        let me = |header: Vec<String>| {
            let mut req = app
                .client
                .post(format!("{}/graphql", app.url))
                .json(&json!({ "query": "{ me { id } }" }));
            for h in header {
                req = req.header("Authorization", h);
            }
            req.send()
        };
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let resp = me(vec![format!("{scheme} {}", owner.access_token)]).await.unwrap();
            assert_eq!(resp.status(), 200, "{scheme}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["data"]["me"]["id"], owner.user_id.as_str(), "{scheme}");
        }
        // Two headers, even if one is valid, are refused whichever comes first.
        for pair in [
            vec![format!("Bearer {}", owner.access_token), "Bearer yd_pat_forged".to_owned()],
            vec!["Bearer yd_pat_forged".to_owned(), format!("Bearer {}", owner.access_token)],
        ] {
            let resp = me(pair).await.unwrap();
            assert_eq!(resp.status(), 401);
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        }
    }
}

db_test! {
    async fn calendar_feeds_are_private_and_one_line_per_value(app) {
        use sea_orm::sea_query::Expr;
        use sea_orm::{EntityTrait, QueryFilter, ColumnTrait};

        let org = app.org_with_owner("hanbat").await;
        let room = app.space_id(&org.owner, &org.id, "회의실", false).await;
        let booking = app.book(org.owner.token(), &room, &org.id, &at(&app, 24), &at(&app, 25), None).await;
        let booking = booking.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned();
        // Whatever is stored (data from before input checks, or a restore),
        // nothing in a value may become a property or an event.
        let hostile = "Meeting\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:phish\rATTACH:http://evil.example\n;x,y\\";
        entity::booking::Entity::update_many()
            .col_expr(entity::booking::Column::Title, Expr::value(hostile))
            .filter(entity::booking::Column::Id.eq(uuid::Uuid::parse_str(&booking).unwrap()))
            .exec(app.db())
            .await
            .unwrap();
        entity::space::Entity::update_many()
            .col_expr(entity::space::Column::Name, Expr::value("Room\r\nBEGIN:VEVENT"))
            .exec(app.db())
            .await
            .unwrap();

        let token = app.api_token(&org.owner, &["READ"], None).await;
        let url = format!("{}/ical/spaces/{room}.ics", app.url);
        let resp = app.client.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["cache-control"], "private, no-store");
        let ics = resp.text().await.unwrap();
        let calendar: icalendar::Calendar = ics.parse().unwrap_or_else(|e| panic!("{e}: {ics}"));
        let events: Vec<_> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
        assert_eq!(events.len(), 1, "{ics}");
        use icalendar::Component;
        let summary = events[0].get_summary().unwrap();
        assert!(summary.starts_with("Meeting  END:VEVENT"), "{summary}");
        assert!(summary.ends_with(";x,y\\ (hanbat 모임)"), "{summary}");
        assert!(events[0].property_value("ATTACH").is_none(), "{ics}");
        let lines_opening_events = ics.lines().filter(|l| l.starts_with("BEGIN:VEVENT")).count();
        assert_eq!(lines_opening_events, 1, "{ics}");

        // Refusals are not cached either.
        let refused = app.client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        assert_eq!(refused.headers()["cache-control"], "private, no-store");
    }
}

crate::on_each_backend!(cors_allows_the_listed_origins_only);
