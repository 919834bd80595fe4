//! Events: hosted by EDITOR+, read per visibility, co-hosts and invitees;
//! RSVPs with a first-come waitlist; check-in and attendance. The room and
//! the races are in their own files.

mod attendance;
mod feeds;
mod rooms;
mod series;

use serde_json::json;

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{Org, Session, at};
use crate::support::work::text;

/// hanbat hosts; gapcheon shares EVENTS with it; `projects-only` shares
/// only PROJECTS; yuseong is unrelated.
pub(super) struct Callers {
    pub hanbat: Org,
    pub admin: Session,
    pub editor: Session,
    pub member: Session,
    pub gapcheon: Org,
    pub gap_editor: Session,
    pub gap_member: Session,
    pub projects_only: Org,
    pub yuseong: Org,
    /// hanbat and gapcheon's agreement (EVENTS, SPACES).
    pub shared: String,
}

pub(super) async fn callers(app: &TestApp) -> Callers {
    let hanbat = app.org_with_owner("hanbat").await;
    let [admin, editor, member] = app
        .staff(
            &hanbat.owner,
            &hanbat.id,
            "hanbat",
            ["ADMIN", "EDITOR", "MEMBER"],
        )
        .await;
    let gapcheon = app.org_with_owner("gapcheon").await;
    let [gap_editor, gap_member] = app
        .staff(
            &gapcheon.owner,
            &gapcheon.id,
            "gapcheon",
            ["EDITOR", "MEMBER"],
        )
        .await;
    let projects_only = app.org_with_owner("projects-only").await;
    let yuseong = app.org_with_owner("yuseong").await;
    let shared = app
        .ratified_agreement(
            &[&hanbat, &gapcheon],
            &["EVENTS", "SPACES"],
            "2024-01-01",
            None,
        )
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
        member,
        gapcheon,
        gap_editor,
        gap_member,
        projects_only,
        yuseong,
        shared,
    }
}

pub(super) async fn reads(app: &TestApp, token: Option<&str>, id: &str) -> bool {
    let r = app.event(token, id, "id").await;
    if r.is_ok() {
        return true;
    }
    r.assert_error("NOT_FOUND", None);
    false
}

db_test! {
    async fn events_are_hosted_by_editors_and_read_per_visibility(app) {
        let c = callers(&app).await;
        let window = json!({ "startsAt": at(&app, 24), "endsAt": at(&app, 26) });
        app.create_event(&c.member, &c.hanbat.id, window.clone()).await.assert_error("FORBIDDEN", None);
        app.create_event(&c.gap_editor, &c.hanbat.id, window.clone()).await.assert_error("FORBIDDEN", None);
        let backwards = json!({ "startsAt": at(&app, 26), "endsAt": at(&app, 24) });
        app.create_event(&c.editor, &c.hanbat.id, backwards).await.assert_error("BAD_USER_INPUT", Some("endsAt"));
        let zero = json!({ "startsAt": at(&app, 24), "endsAt": at(&app, 26), "capacity": 0 });
        app.create_event(&c.editor, &c.hanbat.id, zero).await.assert_error("BAD_USER_INPUT", Some("capacity"));

        let private = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "visibility": "PRIVATE" })).await;
        let partners = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "visibility": "PARTNERS" })).await;
        let public = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "visibility": "PUBLIC" })).await;
        let expected = [
            (c.member.token(), [true, true, true]),
            (c.gap_member.token(), [false, true, true]),
            (c.projects_only.owner.token(), [false, false, true]),
            (c.yuseong.owner.token(), [false, false, true]),
            (None, [false, false, true]),
        ];
        for (n, (token, sees)) in expected.iter().enumerate() {
            for (id, visible) in [&private, &partners, &public].into_iter().zip(sees) {
                assert_eq!(reads(&app, *token, id).await, *visible, "caller {n}, event {id}");
            }
            let listed = app.gql(*token, "{ events { totalCount } }", json!({})).await;
            let count = sees.iter().filter(|s| **s).count();
            assert_eq!(listed.data()["events"]["totalCount"], count, "caller {n} lists what it reads");
        }
        let log = app.audit_actions(&c.hanbat.id).await;
        assert_eq!(log.iter().filter(|a| *a == "event.create").count(), 3);
    }
}

db_test! {
    async fn lists_are_ordered_by_start_and_filtered_by_time(app) {
        let c = callers(&app).await;
        // Created latest first, so creation order is not start order.
        let third = app.event_id(&c.editor, &c.hanbat.id, 72, 74, json!({ "title": "셋째" })).await;
        let second = app.event_id(&c.editor, &c.hanbat.id, 48, 50, json!({ "title": "둘째" })).await;
        let first = app.event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "title": "첫째 모임" })).await;
        let q = "query($after: String, $from: DateTime, $to: DateTime, $search: String) { events(first: 2, after: $after, from: $from, to: $to, search: $search) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }";
        let page = app.gql(c.member.token(), q, json!({})).await;
        let ids = |r: &crate::support::Gql| r.data()["events"]["nodes"].as_array().unwrap().iter().map(|n| text(n, "id")).collect::<Vec<_>>();
        assert_eq!(ids(&page), vec![first.clone(), second.clone()]);
        assert_eq!(page.data()["events"]["pageInfo"]["hasNextPage"], true);
        let cursor = text(page.data(), "events.pageInfo.endCursor");
        let rest = app.gql(c.member.token(), q, json!({ "after": cursor })).await;
        assert_eq!(ids(&rest), vec![third.clone()]);
        let window = app.gql(c.member.token(), q, json!({ "from": at(&app, 25), "to": at(&app, 49) })).await;
        assert_eq!(ids(&window), vec![first.clone(), second.clone()], "overlapping [from, to)");
        assert_eq!(window.data()["events"]["totalCount"], 2);
        let found = app.gql(c.member.token(), q, json!({ "search": "첫째" })).await;
        assert_eq!(ids(&found), vec![first.clone()]);
        app.gql(c.member.token(), q, json!({ "from": at(&app, 25), "to": at(&app, 25) })).await.assert_error("BAD_USER_INPUT", Some("to"));

        let nested = "query($id: ID!, $from: DateTime) { organization(id: $id) { events(first: 10, from: $from) { totalCount nodes { id } } } }";
        let r = app.gql(c.gap_member.token(), nested, json!({ "id": c.hanbat.id, "from": at(&app, 30) })).await;
        assert_eq!(r.data()["organization"]["events"]["totalCount"], 2);
        assert_eq!(r.data()["organization"]["events"]["nodes"], json!([{ "id": second }, { "id": third }]));
        let r = app.gql(c.yuseong.owner.token(), nested, json!({ "id": c.hanbat.id })).await;
        assert_eq!(r.data()["organization"]["events"]["totalCount"], 0, "PARTNERS events stay with partners");
    }
}

db_test! {
    async fn co_hosts_are_partners_for_events_and_stop_when_the_partnership_ends(app) {
        let c = callers(&app).await;
        let input = |co: &str| json!({ "visibility": "PRIVATE", "coHostIds": [co] });
        app.create_event(&c.editor, &c.hanbat.id, json!({ "startsAt": at(&app, 1), "endsAt": at(&app, 3), "coHostIds": [c.projects_only.id] }))
            .await
            .assert_error("BAD_USER_INPUT", Some("coHostIds"));
        app.create_event(&c.editor, &c.hanbat.id, json!({ "startsAt": at(&app, 1), "endsAt": at(&app, 3), "coHostIds": [c.hanbat.id] }))
            .await
            .assert_error("BAD_USER_INPUT", Some("coHostIds"));
        let id = app.event_id(&c.editor, &c.hanbat.id, 1, 3, input(&c.gapcheon.id)).await;
        let r = app.event(c.gap_member.token(), &id, "coHosts { id } rsvps { totalCount } attendanceRate").await;
        assert_eq!(r.data()["event"]["coHosts"], json!([{ "id": c.gapcheon.id }]), "a co-host's members read a PRIVATE event");
        app.rsvp(c.member.token(), &id, "GOING").await.data();
        let r = app.event(c.gap_member.token(), &id, "rsvps { totalCount } attendanceRate").await;
        assert_eq!(r.data()["event"]["rsvps"]["totalCount"], 1, "co-host members see who answered");
        // A co-host's EDITOR checks people in; its MEMBER does not.
        app.check_in(&c.gap_member, &id, &c.member.user_id).await.assert_error("FORBIDDEN", None);
        let checked = app.check_in(&c.gap_editor, &id, &c.member.user_id).await;
        assert!(checked.data()["checkIn"]["checkedInAt"].is_string());
        assert!(app.audit_actions(&c.gapcheon.id).await.contains(&"event.check_in".to_owned()), "audited where it acted");

        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &c.shared, &c.gapcheon.id).await.data();
        assert!(!reads(&app, c.gap_member.token(), &id).await, "co-hosting ends with the partnership");
        app.check_in(&c.gap_editor, &id, &c.member.user_id).await.assert_error("NOT_FOUND", None);
        let r = app.event(c.member.token(), &id, "coHosts { id }").await;
        assert_eq!(r.data()["event"]["coHosts"], json!([]));
    }
}

db_test! {
    async fn an_invitee_only_event_is_seen_by_its_invitees_and_the_hosts_admins(app) {
        let c = callers(&app).await;
        let stranger = json!({ "inviteeUserIds": [c.gap_member.user_id] });
        let mut input = json!({ "startsAt": at(&app, 24), "endsAt": at(&app, 26), "visibility": "PUBLIC" });
        input["inviteeUserIds"] = stranger["inviteeUserIds"].clone();
        app.create_event(&c.editor, &c.hanbat.id, input).await.assert_error("BAD_USER_INPUT", Some("inviteeUserIds"));
        let id = app
            .event_id(&c.editor, &c.hanbat.id, 24, 26, json!({ "visibility": "PUBLIC", "inviteeUserIds": [c.member.user_id, c.editor.user_id] }))
            .await;
        assert!(reads(&app, c.member.token(), &id).await, "an invitee");
        assert!(reads(&app, c.admin.token(), &id).await, "the host's ADMIN");
        assert!(reads(&app, c.hanbat.owner.token(), &id).await, "the host's OWNER is ADMIN+");
        assert!(!reads(&app, c.gap_member.token(), &id).await, "not invited, whatever the visibility");
        assert!(!reads(&app, None, &id).await);
        let r = app.event(c.member.token(), &id, "invitedCount").await;
        assert_eq!(r.data()["event"]["invitedCount"], 2);
        app.rsvp(c.gap_member.token(), &id, "GOING").await.assert_error("NOT_FOUND", None);
        // An invitee who leaves the host no longer sees it.
        app.remove_member(&c.hanbat.owner, &c.hanbat.id, &c.member.user_id).await.data();
        assert!(!reads(&app, c.member.token(), &id).await);
    }
}

db_test! {
    async fn an_event_belongs_to_a_project_its_host_takes_part_in(app) {
        let c = callers(&app).await;
        let project = app.project_id(&c.editor, &c.hanbat.id, None, "PRIVATE").await;
        let theirs = app.project_id(&c.gapcheon.owner, &c.gapcheon.id, None, "PUBLIC").await;
        app.create_event(&c.editor, &c.hanbat.id, json!({ "startsAt": at(&app, 1), "endsAt": at(&app, 3), "projectId": theirs }))
            .await
            .assert_error("FORBIDDEN", None);
        let id = app.event_id(&c.editor, &c.hanbat.id, 1, 3, json!({ "visibility": "PUBLIC", "projectId": project })).await;
        let r = app.gql(c.member.token(), "query($id: ID!) { project(id: $id) { events { totalCount nodes { id project { id } } } } }", json!({ "id": project })).await;
        assert_eq!(r.data()["project"]["events"]["totalCount"], 1);
        assert_eq!(r.data()["project"]["events"]["nodes"][0]["project"]["id"], project);
        let r = app.event(None, &id, "project { id }").await;
        assert_eq!(r.data()["event"]["project"], json!(null), "a public event does not show its private project");
    }
}

db_test! {
    async fn a_member_group_invites_its_current_members(app) {
        let c = callers(&app).await;
        let committee = [c.member.user_id.as_str(), c.editor.user_id.as_str()];
        let create = "mutation($o: ID!, $u: [ID!]!) { createMemberGroup(organizationId: $o, name: \"집행위원회\", userIds: $u) { id } }";
        app.gql(c.editor.token(), create, json!({ "o": c.hanbat.id, "u": committee })).await.assert_error("FORBIDDEN", None);
        app.gql(c.admin.token(), create, json!({ "o": c.hanbat.id, "u": [c.gap_member.user_id] })).await.assert_error("BAD_USER_INPUT", Some("userIds"));
        let group = app.group_id(&c.admin, &c.hanbat.id, "집행위원회", &committee).await;
        app.gql(c.admin.token(), create, json!({ "o": c.hanbat.id, "u": [] })).await.assert_error("CONFLICT", Some("name"));
        let listed = app.gql(c.member.token(), "query($id: ID!) { organization(id: $id) { memberGroups { name members { id } } } }", json!({ "id": c.hanbat.id })).await;
        assert_eq!(listed.data()["organization"]["memberGroups"][0]["members"].as_array().unwrap().len(), 2);
        let hidden = app.gql(c.gap_member.token(), "query($id: ID!) { organization(id: $id) { memberGroups { id } } }", json!({ "id": c.hanbat.id })).await;
        assert_eq!(hidden.data()["organization"]["memberGroups"], json!([]), "a partner sees no groups");

        let id = app.event_id(&c.admin, &c.hanbat.id, 24, 26, json!({ "visibility": "PRIVATE", "inviteeGroupId": group, "inviteeUserIds": [c.admin.user_id] })).await;
        assert_eq!(app.event(c.admin.token(), &id, "invitedCount").await.data()["event"]["invitedCount"], 3);
        assert!(reads(&app, c.editor.token(), &id).await, "invited through the group");
        let theirs = app.group_id(&c.gapcheon.owner, &c.gapcheon.id, "운영위원회", &[]).await;
        app.create_event(&c.admin, &c.hanbat.id, json!({ "startsAt": at(&app, 30), "endsAt": at(&app, 31), "inviteeGroupId": theirs }))
            .await
            .assert_error("NOT_FOUND", None);
        // Someone who leaves the organization drops out of its groups.
        app.remove_member(&c.hanbat.owner, &c.hanbat.id, &c.editor.user_id).await.data();
        let next = app.event_id(&c.admin, &c.hanbat.id, 48, 50, json!({ "inviteeGroupId": group })).await;
        assert_eq!(app.event(c.admin.token(), &next, "invitedCount").await.data()["event"]["invitedCount"], 1);
        let log = app.audit_actions(&c.hanbat.id).await;
        assert!(log.contains(&"group.create".to_owned()));
    }
}

db_test! {
    async fn nested_events_load_in_constant_queries(app) {
        let c = callers(&app).await;
        let q = "{ organizations(first: 20) { nodes { slug events(first: 20) { totalCount nodes { title goingCount waitlistCount invitedCount attendanceRate coHosts { slug } project { title } space { name } viewerRsvp { status } series { rule attendanceRate } rsvps(first: 5) { totalCount nodes { status user { displayName } } } } } } } }";
        let project = app.project_id(&c.editor, &c.hanbat.id, None, "PARTNERS").await;
        let add = |n: usize| {
            let (app, c, project) = (&app, &c, project.clone());
            async move {
                let id = app.event_id(&c.editor, &c.hanbat.id, 24 + n as i64, 25 + n as i64, json!({ "capacity": 1, "coHostIds": [c.gapcheon.id], "projectId": project })).await;
                app.rsvp(c.member.token(), &id, "GOING").await.data();
                app.rsvp(c.gap_member.token(), &id, "GOING").await.data();
                app.series_ids(&c.gap_editor, &c.gapcheon.id, 30 + n as i64, "FREQ=DAILY;COUNT=2", json!({})).await;
            }
        };
        add(0).await;
        let (few, r) = app.statements_for(c.member.token(), q).await;
        r.data();
        for n in 1..8 {
            add(n).await;
        }
        let (many, r) = app.statements_for(c.member.token(), q).await;
        let nodes = r.data()["organizations"]["nodes"].as_array().unwrap().clone();
        let listed: i64 = nodes.iter().map(|o| o["events"]["totalCount"].as_i64().unwrap()).sum();
        assert_eq!(listed, 8 + 16);
        // Batches may split across DataLoader windows on a loaded machine
        // (a few statements); one per event would add dozens.
        assert!(many <= few + 8, "statements grew with the events: {few} for 3, {many} for 24");
    }
}
