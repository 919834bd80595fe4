//! A goal's progress over time, and the nested reads of joint work in a
//! constant number of statements.

use chrono::TimeDelta;
use serde_json::{Value, json};

use super::coalition;
use crate::db_test;
use crate::support::fixtures::{Org, Session, day};
use crate::support::work::text;

/// The points of a series as (periodStart, achieved).
fn points(v: &Value) -> Vec<(String, f64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (text(p, "periodStart"), p["achieved"].as_f64().unwrap()))
        .collect()
}

db_test! {
    async fn charts_add_up_to_achieved(app) {
        let c = coalition(&app).await;
        let project = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PUBLIC").await;
        app.add_participant(&c.editor, &project, &c.gapcheon.id).await.data();
        let total = app.goal_id(&c.editor, &project, "TOTAL", 100.0).await;
        let level = app.goal_id(&c.editor, &project, "LEVEL", 1000.0).await;
        let start = day(&app, 0);
        app.record(&c.editor, &total, &c.hanbat.id, 10.0).await.data();
        app.record(&c.editor, &level, &c.hanbat.id, 300.0).await.data();
        app.clock.advance(TimeDelta::days(40));
        let (editor, gap_editor) = (app.again(&c.editor).await, app.again(&c.gap_editor).await);
        app.record(&gap_editor, &total, &c.gapcheon.id, 5.5).await.data();
        app.record(&editor, &level, &c.hanbat.id, 250.0).await.data();
        app.clock.advance(TimeDelta::days(40));
        let editor = app.again(&editor).await;
        app.record(&editor, &total, &c.hanbat.id, 7.0).await.data();
        let end = day(&app, 0);

        let chart = "query($id: ID!, $i: SeriesInterval!, $from: Date!, $to: Date!) { goal(id: $id) { achieved series(interval: $i, from: $from, to: $to) { periodStart achieved } seriesByOrganization(interval: $i, from: $from, to: $to) { organization { id } points { periodStart achieved } } } }";
        for interval in ["MONTH", "WEEK"] {
            let r = app.gql(None, chart, json!({ "id": total, "i": interval, "from": start, "to": end })).await;
            let goal = &r.data()["goal"];
            let series = points(&goal["series"]);
            assert_eq!(series.last().unwrap().1, 22.5, "{interval}: the last point is achieved");
            assert_eq!(goal["achieved"], 22.5);
            assert_eq!(series[0].1, 10.0, "{interval}: only the first recording in the first period");
            assert!(series.windows(2).all(|w| w[0].1 <= w[1].1), "{interval}: cumulative");
            let by_org = goal["seriesByOrganization"].as_array().unwrap();
            assert_eq!(by_org.len(), 2);
            for (i, (period, value)) in series.iter().enumerate() {
                let sum: f64 = by_org.iter().map(|o| points(&o["points"])[i].1).sum();
                assert_eq!(sum, *value, "{interval} {period}: the organizations add up");
            }
        }
        let r = app.gql(None, chart, json!({ "id": level, "i": "MONTH", "from": start, "to": end })).await;
        let series = points(&r.data()["goal"]["series"]);
        assert_eq!(series.first().unwrap().1, 300.0);
        assert_eq!(series.last().unwrap().1, 250.0, "a level is the latest reading, not a sum");

        let bad = app.gql(None, chart, json!({ "id": total, "i": "WEEK", "from": end, "to": start })).await;
        bad.assert_error("BAD_USER_INPUT", Some("to"));
        let bad = app.gql(None, chart, json!({ "id": total, "i": "WEEK", "from": "2000-01-01", "to": end })).await;
        bad.assert_error("BAD_USER_INPUT", Some("from"));
    }
}

db_test! {
    async fn nested_projects_goals_and_actions_load_in_constant_queries(app) {
        let c = coalition(&app).await;
        let q = "{ organizations(first: 50) { nodes { slug projects(first: 20) { totalCount nodes { title agreement { title } leadOrganization { slug } participants { slug } goals { achieved ratio progress(first: 5) { totalCount nodes { amount organization { slug } recordedBy { displayName } } } } } } solidarityActions(first: 20) { totalCount nodes { title endorsementCount endorsements(first: 5) { nodes { organization { slug } endorsedBy { displayName } } } } } } } }";
        let add = |lead: &Org, editor: &Session| {
            let (app, lead, editor, joint) = (&app, lead.clone(), editor.clone(), c.joint.clone());
            async move {
                let project = app.project_id(&editor, &lead.id, Some(&joint), "PARTNERS").await;
                let goal = app.goal_id(&editor, &project, "TOTAL", 100.0).await;
                app.record(&editor, &goal, &lead.id, 3.0).await.data();
                let action = app.open_action(&lead.owner, &lead.id, "PARTNERS", None).await;
                app.endorse(&lead.owner, &action, &lead.id).await.data();
            }
        };
        add(&c.hanbat, &c.editor).await;
        let (few, r) = app.statements_for(c.member.token(), q).await;
        r.data();

        for _ in 0..4 {
            add(&c.hanbat, &c.editor).await;
            add(&c.gapcheon, &c.gap_editor).await;
            add(&c.daedeok, &c.daedeok.owner).await;
        }
        let (many, r) = app.statements_for(c.member.token(), q).await;
        let nodes = r.data()["organizations"]["nodes"].as_array().unwrap().clone();
        let projects: i64 = nodes.iter().map(|o| o["projects"]["totalCount"].as_i64().unwrap()).sum();
        assert!(projects >= 13, "{projects} projects listed");
        // Batches may split across DataLoader windows on a loaded machine,
        // but never grow with the rows: one per row would add dozens here.
        assert!(many <= few + 8, "statements grew with the data: {few} for 1 project, {many} for 13");
    }
}

db_test! {
    async fn buckets_are_the_leads_local_months_and_a_level_follows_the_latest(app) {
        use chrono::{Datelike, Months, TimeZone, Utc};
        let c = coalition(&app).await;
        let project = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PUBLIC").await;
        app.add_participant(&c.editor, &project, &c.gapcheon.id).await.data();
        let total = app.goal_id(&c.editor, &project, "TOTAL", 100.0).await;
        let level = app.goal_id(&c.editor, &project, "LEVEL", 100.0).await;
        app.record(&c.editor, &level, &c.hanbat.id, 100.0).await.data();

        // 00:30 on the first of next month in Seoul (hanbat's time zone) is
        // still this month in UTC: the recording belongs to next month.
        let seoul = chrono_tz::Asia::Seoul;
        let this_month = app.clock.now().with_timezone(&seoul).date_naive().with_day(1).unwrap();
        let next_month = this_month + Months::new(1);
        let local = seoul.from_local_datetime(&next_month.and_hms_opt(0, 30, 0).unwrap()).unwrap();
        let at = local.with_timezone(&Utc);
        assert_ne!(at.date_naive().month(), next_month.month(), "UTC is still in the old month");
        app.clock.advance(at - app.clock.now());
        let (editor, gap_editor) = (app.again(&c.editor).await, app.again(&c.gap_editor).await);
        app.record(&editor, &total, &c.hanbat.id, 5.0).await.data();
        app.record(&gap_editor, &level, &c.gapcheon.id, 80.0).await.data();

        let chart = "query($id: ID!, $from: Date!, $to: Date!) { goal(id: $id) { series(interval: MONTH, from: $from, to: $to) { periodStart achieved } seriesByOrganization(interval: MONTH, from: $from, to: $to) { organization { id } points { achieved } } } }";
        let window = |id: &str| json!({ "id": id, "from": this_month.to_string(), "to": next_month.to_string() });
        let r = app.gql(None, chart, window(&total)).await;
        let months = points(&r.data()["goal"]["series"]);
        assert_eq!(months, vec![(this_month.to_string(), 0.0), (next_month.to_string(), 5.0)]);

        let r = app.gql(None, chart, window(&level)).await;
        let goal = &r.data()["goal"];
        let values: Vec<f64> = points(&goal["series"]).into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, vec![100.0, 80.0], "a level is the latest reading of all");
        let by_org: Vec<(String, Vec<f64>)> = goal["seriesByOrganization"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let values = o["points"].as_array().unwrap().iter().map(|p| p["achieved"].as_f64().unwrap()).collect();
                (text(o, "organization.id"), values)
            })
            .collect();
        assert!(by_org.contains(&(c.hanbat.id.clone(), vec![100.0, 100.0])), "{by_org:?}");
        assert!(by_org.contains(&(c.gapcheon.id.clone(), vec![0.0, 80.0])), "{by_org:?}");
    }
}
