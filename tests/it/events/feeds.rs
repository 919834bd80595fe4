//! Event calendar feeds, read back with an iCalendar parser and the RRULE
//! expanded as a phone calendar would: the right occurrences, exceptions
//! and time zone, and only what the token's user may read.

use icalendar::parser::{Component, read_calendar, unfold};
use serde_json::json;

use super::callers;
use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::at;
use crate::support::work::text;

fn prop<'a>(c: &'a Component<'_>, name: &str) -> Option<&'a icalendar::parser::Property<'a>> {
    c.properties.iter().find(|p| p.name == name)
}

fn value(c: &Component<'_>, name: &str) -> String {
    prop(c, name).map(|p| p.val.to_string()).unwrap_or_default()
}

fn tzid(c: &Component<'_>, name: &str) -> String {
    prop(c, name)
        .and_then(|p| p.params.iter().find(|x| x.key == "TZID"))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// `at(hours)` as Seoul local time, the way the feed writes it.
fn seoul(app: &TestApp, hours: i64) -> String {
    let t: chrono::DateTime<chrono::Utc> = at(app, hours).parse().unwrap();
    t.with_timezone(&chrono_tz::Asia::Seoul)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

async fn feed(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(format!("{}{path}", app.url));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

db_test! {
    async fn feeds_carry_series_with_exceptions_in_the_hosts_time_zone(app) {
        let c = callers(&app).await;
        let week = 7 * 24;
        let (_, first) = app.series_ids(&c.editor, &c.hanbat.id, 24, "FREQ=WEEKLY;COUNT=4", json!({ "title": "소위원회" })).await;
        let list = app.gql(c.editor.token(), "query($id: ID!) { event(id: $id) { series { occurrences { nodes { id } } } } }", json!({ "id": first })).await;
        let ids: Vec<String> = list.data()["event"]["series"]["occurrences"]["nodes"].as_array().unwrap().iter().map(|n| text(n, "id")).collect();
        app.gql(c.editor.token(), "mutation($id: ID!) { cancelEvent(id: $id) { id } }", json!({ "id": ids[1] })).await.data();
        let moved = json!({ "id": ids[2], "input": { "startsAt": at(&app, 24 + 2 * week + 1), "endsAt": at(&app, 24 + 2 * week + 3) } });
        app.gql(c.editor.token(), "mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }", moved).await.data();
        let single = app.event_id(&c.editor, &c.hanbat.id, 30, 31, json!({ "title": "마을 정보공개 모임", "visibility": "PUBLIC" })).await;
        let dropped = app.event_id(&c.editor, &c.hanbat.id, 40, 41, json!({ "title": "취소된 모임", "visibility": "PUBLIC" })).await;
        app.gql(c.editor.token(), "mutation($id: ID!) { cancelEvent(id: $id) { id } }", json!({ "id": dropped })).await.data();
        app.event_id(&c.editor, &c.hanbat.id, 50, 51, json!({ "title": "내부 회의", "visibility": "PRIVATE" })).await;

        let token = app.api_token(&c.gap_member, &["READ"], None).await;
        let (status, ics) = feed(&app, "/ical/events.ics", Some(&token)).await;
        assert_eq!(status, 200, "{ics}");
        let unfolded = unfold(&ics);
        let calendar = read_calendar(&unfolded).expect("a valid iCalendar");
        let zones: Vec<&Component> = calendar.components.iter().filter(|c| c.name == "VTIMEZONE").collect();
        assert_eq!(zones.len(), 1);
        assert_eq!(value(zones[0], "TZID"), "Asia/Seoul");
        let events: Vec<&Component> = calendar.components.iter().filter(|c| c.name == "VEVENT").collect();
        assert!(!ics.contains("내부 회의"), "a PRIVATE event stays with its host");
        let summary = |s: &str| events.iter().filter(|e| value(e, "SUMMARY") == s).copied().collect::<Vec<_>>();
        let public = summary("마을 정보공개 모임");
        assert_eq!(value(public[0], "UID"), format!("{single}@yeondae"));
        assert_eq!((value(public[0], "DTSTART"), tzid(public[0], "DTSTART")), (seoul(&app, 30), "Asia/Seoul".to_owned()));
        assert_eq!(value(summary("취소된 모임")[0], "STATUS"), "CANCELLED");

        let series = summary("소위원회");
        let master = series.iter().find(|e| prop(e, "RRULE").is_some()).expect("one VEVENT with the rule");
        let moved = series.iter().find(|e| prop(e, "RECURRENCE-ID").is_some()).expect("an override for the moved one");
        assert_eq!(series.len(), 2);
        assert_eq!(value(moved, "RECURRENCE-ID"), seoul(&app, 24 + 2 * week));
        assert_eq!(value(moved, "DTSTART"), seoul(&app, 24 + 2 * week + 1));
        // Expanded as a calendar would: the rule less its exceptions, with
        // the override in place of the occurrence it names.
        let exdates: Vec<String> = master.properties.iter().filter(|p| p.name == "EXDATE").map(|p| p.val.to_string()).collect();
        assert_eq!(exdates, vec![seoul(&app, 24 + week)], "the cancelled one");
        let mut set = format!("DTSTART;TZID=Asia/Seoul:{}\nRRULE:{}", value(master, "DTSTART"), value(master, "RRULE"));
        for ex in &exdates {
            set.push_str(&format!("\nEXDATE;TZID=Asia/Seoul:{ex}"));
        }
        let rules: rrule::RRuleSet = set.parse().unwrap();
        let mut starts: Vec<String> = rules.all(100).dates.iter().map(|d| d.format("%Y%m%dT%H%M%S").to_string()).collect();
        starts.retain(|s| *s != value(moved, "RECURRENCE-ID"));
        starts.push(value(moved, "DTSTART"));
        starts.sort();
        let mut expected = vec![seoul(&app, 24), seoul(&app, 24 + 2 * week + 1), seoul(&app, 24 + 3 * week)];
        expected.sort();
        assert_eq!(starts, expected);

        // One organization's feed; what a stranger reads of it; refusals.
        let hanbat = format!("/ical/organizations/{}/events.ics", c.hanbat.id);
        let stranger = app.api_token(&c.yuseong.owner, &["READ"], None).await;
        let (status, theirs) = feed(&app, &hanbat, Some(&stranger)).await;
        assert_eq!(status, 200);
        assert!(theirs.contains("마을 정보공개 모임") && !theirs.contains("소위원회"), "only PUBLIC events: {theirs}");
        let (status, mine) = feed(&app, &format!("/ical/organizations/{}/events.ics", c.gapcheon.id), Some(&token)).await;
        assert_eq!((status, mine.matches("BEGIN:VEVENT").count()), (200, 0));
        assert_eq!(feed(&app, &hanbat, None).await.0, 401);
        assert_eq!(feed(&app, "/ical/organizations/nope/events.ics", Some(&token)).await.0, 404);
        assert_eq!(feed(&app, &format!("/ical/organizations/{}/events.ics", uuid::Uuid::now_v7()), Some(&token)).await.0, 404);
        assert_eq!(feed(&app, "/ical/events.ics", Some(&c.gap_member.access_token)).await.0, 401, "API tokens only");
    }
}

db_test! {
    async fn a_series_feed_shows_nothing_of_occurrences_the_reader_may_not_read(app) {
        let c = callers(&app).await;
        let (_, first) = app.series_ids(&c.editor, &c.hanbat.id, 24, "FREQ=WEEKLY;COUNT=3", json!({ "title": "소위원회" })).await;
        // Its first occurrence becomes a private meeting under another name.
        let private = json!({ "id": first, "input": { "title": "비공개 인사위원회", "visibility": "PRIVATE" } });
        app.gql(c.editor.token(), "mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }", private).await.data();
        let token = app.api_token(&c.gap_member, &["READ"], None).await;
        let (status, ics) = feed(&app, "/ical/events.ics", Some(&token)).await;
        assert_eq!(status, 200);
        assert!(!ics.contains("비공개 인사위원회"), "{ics}");
        let unfolded = unfold(&ics);
        let calendar = read_calendar(&unfolded).expect("a valid iCalendar");
        let master = calendar.components.iter().find(|c| prop(c, "RRULE").is_some()).expect("the series");
        assert_eq!(value(master, "SUMMARY"), "소위원회");
        assert_eq!(value(master, "DTSTART"), seoul(&app, 24), "the rule still starts where it did");
        let exdates: Vec<String> = master.properties.iter().filter(|p| p.name == "EXDATE").map(|p| p.val.to_string()).collect();
        assert_eq!(exdates, vec![seoul(&app, 24)], "the private one is an exception");
        let member = app.api_token(&c.member, &["READ"], None).await;
        let (_, theirs) = feed(&app, "/ical/events.ics", Some(&member)).await;
        assert!(theirs.contains("비공개 인사위원회"), "the host's members see it, as an override");
    }
}
