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

        // 정보공개 운동: four partners' requests, counted toward 1,000.
        let work = app.gql(gap.token(), "{ projects(search: \"정보공개\") { nodes { title status participants { slug } goals { title measure target achieved status } } } }", json!({})).await;
        let campaign = &work.data()["projects"]["nodes"][0];
        assert_eq!(campaign["title"], "정보공개 운동");
        assert_eq!(campaign["participants"].as_array().unwrap().len(), 4);
        assert_eq!(campaign["goals"][0], json!({ "title": "정보공개 청구", "measure": "DISCLOSURE_REQUESTS", "target": 1000.0, "achieved": 300.0, "status": "NOT_STARTED" }));
        let count = |filter: &'static str| {
            let (app, gap) = (&app, &gap);
            async move {
                let r = app.gql(gap.token(), &format!("{{ disclosureRequests{filter} {{ totalCount }} }}"), json!({})).await;
                r.data()["disclosureRequests"]["totalCount"].as_i64().unwrap()
            }
        };
        assert_eq!(count("").await, 300, "every request is shared with the partners");
        let citizens = count("(filedBy: CITIZEN)").await;
        assert!(citizens > 0);
        assert_eq!(campaign["goals"][1]["achieved"], citizens as f64, "the citizens' goal counts the citizens' requests");
        assert_eq!(campaign["goals"][2]["status"], "IN_PROGRESS");
        assert!(count("(overdue: true)").await > 0, "some agencies are late");
        assert!(count("(status: REFUSED)").await > 0);
        assert_eq!(count("(status: TRANSFERRED)").await, 1);
        let objected = app.gql(gap.token(), "{ disclosureRequests(status: REFUSED, first: 100) { nodes { objection { outcome } appeal { kind } } } }", json!({})).await;
        let objected: Vec<_> = objected.data()["disclosureRequests"]["nodes"].as_array().unwrap().iter().filter(|n| !n["objection"].is_null()).cloned().collect();
        assert!(!objected.is_empty() && objected.iter().any(|n| n["appeal"]["kind"] == "ADMINISTRATIVE_APPEAL"), "under objection, one on appeal");
        let stats = app.gql(gap.token(), "query($f: Date!, $t: Date!) { agencyStats(from: $f, to: $t) { requests } }", json!({ "f": crate::support::fixtures::day(&app, -400), "t": crate::support::fixtures::day(&app, 0) })).await;
        assert_eq!(stats.data()["agencyStats"].as_array().unwrap().len(), 12, "a dozen agencies");
        let editor = login("editor@hanbat.example").await;
        let waiting = app.gql(editor.token(), "{ organization(slug: \"hanbat\") { citizenSubmissions { subject } } }", json!({})).await;
        assert_eq!(waiting.data()["organization"]["citizenSubmissions"].as_array().unwrap().len(), 3, "citizens' reports waiting");
        // The chart climbs to `achieved` from the records, a line per partner.
        let goal = app.gql(gap.token(), "{ projects(search: \"정보공개\") { nodes { goals { id } } } }", json!({})).await;
        let goal = goal.data()["projects"]["nodes"][0]["goals"][0]["id"].clone();
        let today = crate::support::fixtures::day(&app, 0);
        let since = crate::support::fixtures::day(&app, -230);
        let chart = app.gql(gap.token(), "query($g: ID!, $f: Date!, $t: Date!) { goal(id: $g) { series(interval: MONTH, from: $f, to: $t) { achieved } seriesByOrganization(interval: MONTH, from: $f, to: $t) { organization { slug } } } }", json!({ "g": goal, "f": since, "t": today })).await;
        let series = chart.data()["goal"]["series"].as_array().unwrap().clone();
        assert_eq!(series.first().unwrap()["achieved"], 0.0);
        assert_eq!(series.last().unwrap()["achieved"], 300.0);
        assert_eq!(chart.data()["goal"]["seriesByOrganization"].as_array().unwrap().len(), 4);

        // The newsletter counts subscribers as a level: the latest reading.
        let letter = app.gql(None, "{ projects(search: \"뉴스레터\") { nodes { leadOrganization { slug } goals { title measure achieved } } } }", json!({})).await;
        let letter = &letter.data()["projects"]["nodes"][0];
        assert_eq!(letter["leadOrganization"]["slug"], "ddi-media");
        assert_eq!(letter["goals"][1], json!({ "title": "구독자", "measure": "LEVEL", "achieved": 760.0 }));

        // The joint statement on 주민참여예산 gathers the partners' sign-ons.
        let statement = app.gql(gap.token(), "{ solidarityActions(kind: STATEMENT) { nodes { title status endorsementCount endorsements { nodes { organization { slug } } } } } }", json!({})).await;
        let statement = &statement.data()["solidarityActions"]["nodes"][0];
        assert_eq!(statement["title"], "주민참여예산 삭감에 대한 공동 입장");
        assert_eq!(statement["status"], "OPEN");
        assert_eq!(statement["endorsementCount"], 3);

        // The executive committee meets every other month; five meetings
        // are past, 36 of 50 came: 72% against the 70% target.
        let admin = login("admin@hanbat.example").await;
        let committee = app.gql(admin.token(), "{ events(search: \"집행위원회\", first: 1) { nodes { invitedCount series { rule attendanceRate occurrences { totalCount } } } } }", json!({})).await;
        let first = &committee.data()["events"]["nodes"][0];
        assert_eq!(first["invitedCount"], 10);
        assert_eq!(first["series"]["occurrences"]["totalCount"], 7);
        assert!((first["series"]["attendanceRate"].as_f64().unwrap() - 0.72).abs() < 1e-9);
        let goal = app.gql(admin.token(), "{ projects(search: \"조직 운영\") { nodes { goals { title measure target achieved } } } }", json!({})).await;
        assert_eq!(goal.data()["projects"]["nodes"][0]["goals"][0], json!({ "title": "집행위원회 출석율", "measure": "ATTENDANCE", "target": 0.7, "achieved": 0.72 }));
        // The second workshop is full; one seat was given up and went to
        // the first in line.
        let workshop = app.gql(gap.token(), "{ events(search: \"프로그램 2\") { nodes { capacity goingCount waitlistCount coHosts { slug } } } }", json!({})).await;
        assert_eq!(workshop.data()["events"]["nodes"][0], json!({ "capacity": 12, "goingCount": 12, "waitlistCount": 2, "coHosts": [{ "slug": "gapcheon" }] }));
        // A phone subscribes to the events it may read.
        let token = app.api_token(&admin, &["READ"], None).await;
        let ics = app.client.get(format!("{}/ical/events.ics", app.url)).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
        assert!(ics.contains("RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=7") && ics.contains("TZID:Asia/Seoul"), "{ics}");

        let outsider = login("owner@yuseong.example").await;
        let public = app.gql(outsider.token(), "{ events { totalCount nodes { title visibility } } }", json!({})).await;
        let titles: Vec<&str> = public.data()["events"]["nodes"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["마을 정보공개 모임"; 5], "only the public village meetings");
        let nothing = app.gql(outsider.token(), "{ agreements { totalCount } spaces { name } projects { nodes { title } } solidarityActions { nodes { title } } }", json!({})).await;
        assert_eq!(nothing.data(), &json!({
            "agreements": { "totalCount": 0 },
            "spaces": [],
            "projects": { "nodes": [{ "title": "지방의회 감시 뉴스레터" }, { "title": "주민자치 역량강화" }] },
            "solidarityActions": { "nodes": [{ "title": "인권센터 수탁 문제 기자회견" }] },
        }));
    }
}
