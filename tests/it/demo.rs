//! `yeondae serve --demo`: the demo coalition of the demo plan.

use serde_json::json;

use crate::db_test;
use crate::support::fixtures::session_from;

db_test! {
    async fn the_demo_coalition_loads_once(app) {
        use yeondae_api::demo::{self, Outcome};
        assert!(matches!(demo::load(&app.state).await.unwrap(), Outcome::Loaded));
        assert!(matches!(demo::load(&app.state).await.unwrap(), Outcome::AlreadyThere));

        let login = |email: &'static str| {
            let app = &app;
            async move {
                let r = app.log_in(email, demo::PASSWORD).await;
                session_from(&r.data()["logIn"], email)
            }
        };
        let gap = login("owner@gapcheon.example").await;
        let agreements = app.gql(gap.token(), "{ agreements { nodes { title status parties { organization { slug } status } } } }", json!({})).await;
        let nodes = agreements.data()["agreements"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0]["title"], "2023 지역 시민사회 공동사업 업무협약");
        assert_eq!(nodes[0]["status"], "ACTIVE");
        assert_eq!(nodes[1]["title"], "사무실 공동 사용 협약");
        assert_eq!(nodes[1]["status"], "PROPOSED");
        assert_eq!(nodes[1]["parties"][1], json!({ "organization": { "slug": "gapcheon" }, "status": "INVITED" }));

        let hanbat = app.gql(gap.token(), "{ organization(slug: \"hanbat\") { partners { slug } members { totalCount } } }", json!({})).await;
        assert_eq!(hanbat.data()["organization"]["partners"].as_array().unwrap().len(), 3);
        let own = app.gql(gap.token(), "{ organization(slug: \"gapcheon\") { members { totalCount } viewerRole } }", json!({})).await;
        assert_eq!(own.data()["organization"], json!({ "members": { "totalCount": 5 }, "viewerRole": "OWNER" }));

        let q = "query($f: DateTime!, $t: DateTime!) { spaces { name viewerCanBook bookings(from: $f, to: $t) { status organization { slug } } } }";
        let (from, to) = (app.clock.now().to_rfc3339(), (app.clock.now() + chrono::TimeDelta::days(90)).to_rfc3339());
        let offices = app.gql(gap.token(), q, json!({ "f": from, "t": to })).await;
        let spaces = offices.data()["spaces"].as_array().unwrap().clone();
        assert_eq!(spaces.len(), 2);
        assert!(spaces.iter().all(|s| s["viewerCanBook"] == true));
        assert_eq!(spaces[0]["bookings"].as_array().unwrap().len(), 8, "a fortnightly series of six and two meetings");
        assert_eq!(spaces[1]["bookings"][1], json!({ "status": "PENDING", "organization": { "slug": "gapcheon" } }));

        let outsider = login("owner@yuseong.example").await;
        let nothing = app.gql(outsider.token(), "{ agreements { totalCount } spaces { name } }", json!({})).await;
        assert_eq!(nothing.data(), &json!({ "agreements": { "totalCount": 0 }, "spaces": [] }));
    }
}
