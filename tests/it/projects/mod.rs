//! Joint projects, goals and progress: who sees a project (and stops seeing
//! it), who may change it, exact sums, levels, and charts that add up.

use chrono::TimeDelta;
use serde_json::json;

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::{Org, Session, day};
use crate::support::work::text;

mod charts;

/// hanbat leads; gapcheon and daedeok signed `joint` (PROJECTS, ACTIONS)
/// with it; `actions-only` shares only ACTIONS with hanbat; yuseong is
/// unrelated.
struct Coalition {
    hanbat: Org,
    editor: Session,
    member: Session,
    gapcheon: Org,
    gap_editor: Session,
    daedeok: Org,
    actions_only: Org,
    yuseong: Org,
    yu_editor: Session,
    joint: String,
    actions_agreement: String,
}

async fn coalition(app: &TestApp) -> Coalition {
    let hanbat = app.org_with_owner("hanbat").await;
    let [editor, member] = app
        .staff(&hanbat.owner, &hanbat.id, "hanbat", ["EDITOR", "MEMBER"])
        .await;
    let gapcheon = app.org_with_owner("gapcheon").await;
    let [gap_editor] = app
        .staff(&gapcheon.owner, &gapcheon.id, "gapcheon", ["EDITOR"])
        .await;
    let daedeok = app.org_with_owner("daedeok").await;
    let actions_only = app.org_with_owner("actions-only").await;
    let yuseong = app.org_with_owner("yuseong").await;
    let [yu_editor] = app
        .staff(&yuseong.owner, &yuseong.id, "yuseong", ["EDITOR"])
        .await;
    let joint = app
        .ratified_agreement(
            &[&hanbat, &gapcheon, &daedeok],
            &["PROJECTS", "ACTIONS"],
            "2024-01-01",
            None,
        )
        .await;
    let actions_agreement = app
        .ratified_agreement(&[&hanbat, &actions_only], &["ACTIONS"], "2024-01-01", None)
        .await;
    Coalition {
        hanbat,
        editor,
        member,
        gapcheon,
        gap_editor,
        daedeok,
        actions_only,
        yuseong,
        yu_editor,
        joint,
        actions_agreement,
    }
}

/// Whether `token` may read the project; anything else than NOT_FOUND is a
/// failure.
async fn sees(app: &TestApp, token: Option<&str>, id: &str) -> bool {
    let r = app
        .gql(
            token,
            "query($id: ID!) { project(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    if r.is_ok() {
        return true;
    }
    r.assert_error("NOT_FOUND", None);
    false
}

async fn project_count(app: &TestApp, token: Option<&str>) -> i64 {
    let r = app
        .gql(token, "{ projects { totalCount } }", json!({}))
        .await;
    r.data()["projects"]["totalCount"].as_i64().unwrap()
}

db_test! {
    async fn projects_are_seen_per_visibility_and_stop_being_seen_when_sharing_ends(app) {
        let c = coalition(&app).await;
        let private = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PRIVATE").await;
        let partners = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PARTNERS").await;
        let public = app.project_id(&c.editor, &c.hanbat.id, None, "PUBLIC").await;
        let all = [&private, &partners, &public];
        // A joint project belongs to the MOU's signed parties, PRIVATE or not.
        let table: [(&str, Option<&str>, [bool; 3]); 6] = [
            ("hanbat member", c.member.token(), [true, true, true]),
            ("gapcheon (party)", c.gapcheon.owner.token(), [true, true, true]),
            ("daedeok (party)", c.daedeok.owner.token(), [true, true, true]),
            ("actions-only partner", c.actions_only.owner.token(), [false, false, true]),
            ("unrelated", c.yuseong.owner.token(), [false, false, true]),
            ("anonymous", None, [false, false, true]),
        ];
        for (who, token, expected) in table {
            for (id, want) in all.iter().zip(expected) {
                assert_eq!(sees(&app, token, id).await, want, "{who} / {id}");
            }
            let visible = expected.iter().filter(|v| **v).count() as i64;
            assert_eq!(project_count(&app, token).await, visible, "{who}: totalCount");
        }

        // A PRIVATE project without an agreement is the lead's alone.
        let own = app.project_id(&c.editor, &c.hanbat.id, None, "PRIVATE").await;
        assert!(!sees(&app, c.gapcheon.owner.token(), &own).await);
        assert!(sees(&app, c.member.token(), &own).await);
        app.add_participant(&c.editor, &private, &c.gapcheon.id).await.data();

        // The moment gapcheon withdraws, the PARTNERS project and its
        // participation are gone for it — at the root and nested.
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &c.joint, &c.gapcheon.id).await.data();
        let gap = c.gapcheon.owner.token();
        assert!(!sees(&app, gap, &private).await);
        assert!(!sees(&app, gap, &partners).await);
        assert!(sees(&app, gap, &public).await);
        let nested = app
            .gql(gap, "query($id: ID!) { organization(id: $id) { projects { totalCount nodes { id } } } }", json!({ "id": c.hanbat.id }))
            .await;
        assert_eq!(nested.data()["organization"]["projects"]["totalCount"], 1);
        assert_eq!(nested.data()["organization"]["projects"]["nodes"], json!([{ "id": public }]));
        assert!(sees(&app, c.daedeok.owner.token(), &partners).await, "daedeok still shares");
        let left = app.gql(c.member.token(), "query($id: ID!) { project(id: $id) { participants { id } } }", json!({ "id": private })).await;
        assert_eq!(left.data()["project"]["participants"], json!([{ "id": c.hanbat.id }]), "a participant that left is no longer listed");
    }
}

db_test! {
    async fn a_partners_project_disappears_when_the_agreement_expires(app) {
        let c = coalition(&app).await;
        let ending = app
            .ratified_agreement(&[&c.hanbat, &c.yuseong], &["PROJECTS"], "2024-01-01", Some(&day(&app, 1)))
            .await;
        let project = app.project_id(&c.editor, &c.hanbat.id, Some(&ending), "PARTNERS").await;
        assert!(sees(&app, c.yuseong.owner.token(), &project).await);
        app.clock.advance(TimeDelta::days(3));
        let yuseong = app.again(&c.yuseong.owner).await;
        assert!(!sees(&app, yuseong.token(), &project).await);
        let member = app.again(&c.member).await;
        assert!(sees(&app, member.token(), &project).await, "the lead keeps it");
    }
}

db_test! {
    async fn who_creates_and_runs_projects(app) {
        let c = coalition(&app).await;
        let made = app.create_project(&c.member, &c.hanbat.id, None, "PUBLIC", "소식지").await;
        made.assert_error("FORBIDDEN", None);
        let made = app.create_project(&c.editor, &c.hanbat.id, Some(&c.actions_agreement), "PUBLIC", "소식지").await;
        made.assert_error("BAD_USER_INPUT", Some("agreementId"));
        let made = app.create_project(&c.yu_editor, &c.yuseong.id, Some(&c.joint), "PUBLIC", "소식지").await;
        made.assert_error("NOT_FOUND", None);
        let input = json!({ "leadOrganizationId": c.hanbat.id, "title": "x", "visibility": "PUBLIC", "startsOn": "2026-05-01", "endsOn": "2026-04-01" });
        app.gql(c.editor.token(), "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }", json!({ "input": input }))
            .await
            .assert_error("BAD_USER_INPUT", Some("endsOn"));

        // A partner leads a project of its own under the same agreement.
        let theirs = app.create_project(&c.gapcheon.owner, &c.gapcheon.id, Some(&c.joint), "PARTNERS", "의정감시").await;
        assert_eq!(theirs.data()["createProject"]["agreement"]["id"], c.joint.as_str());


        let made = app.create_project(&c.editor, &c.hanbat.id, Some(&c.joint), "PARTNERS", "정보공개 운동").await;
        let p = made.data()["createProject"].clone();
        let id = text(&p, "id");
        assert_eq!(p["status"], "PLANNED");
        assert_eq!(p["participants"], json!([{ "id": c.hanbat.id }]), "the lead takes part");

        app.add_participant(&c.editor, &id, &c.actions_only.id).await.assert_error("BAD_USER_INPUT", Some("organizationId"));
        app.add_participant(&c.gap_editor, &id, &c.gapcheon.id).await.assert_error("FORBIDDEN", None);
        let added = app.add_participant(&c.editor, &id, &c.gapcheon.id).await;
        assert_eq!(added.data()["addProjectParticipant"]["participants"], json!([{ "id": c.hanbat.id }, { "id": c.gapcheon.id }]));
        app.add_participant(&c.editor, &id, &c.gapcheon.id).await.assert_error("CONFLICT", Some("organizationId"));
        let alone = app.project_id(&c.editor, &c.hanbat.id, None, "PUBLIC").await;
        app.add_participant(&c.editor, &alone, &c.gapcheon.id).await.assert_error("BAD_USER_INPUT", Some("projectId"));

        let set = |status: &'static str, who: &Session| {
            let (app, id, token) = (&app, id.clone(), who.access_token.clone());
            async move {
                app.gql(Some(&token), "mutation($id: ID!, $s: ProjectStatus!) { setProjectStatus(id: $id, status: $s) { status } }", json!({ "id": id, "s": status })).await
            }
        };
        set("COMPLETED", &c.editor).await.assert_error("BAD_USER_INPUT", Some("status"));
        set("ACTIVE", &c.gap_editor).await.assert_error("FORBIDDEN", None);
        for status in ["ACTIVE", "COMPLETED", "ACTIVE", "CANCELLED"] {
            assert_eq!(set(status, &c.editor).await.data()["setProjectStatus"]["status"], status);
        }
        set("ACTIVE", &c.editor).await.assert_error("BAD_USER_INPUT", Some("status"));
        let goal = json!({ "kind": "QUALITATIVE", "title": "보고서" });
        app.add_goal(&c.editor, &id, goal).await.assert_error("BAD_USER_INPUT", Some("projectId"));

        // Nothing new runs under an agreement that has ended, nor is added
        // by a lead that left it.
        let ended = app.ratified_agreement(&[&c.hanbat, &c.yuseong], &["PROJECTS"], "2024-01-01", None).await;
        app.agreement_op(&c.hanbat.owner, "terminateAgreement", &ended).await.data();
        let made = app.create_project(&c.editor, &c.hanbat.id, Some(&ended), "PUBLIC", "소식지").await;
        made.assert_error("BAD_USER_INPUT", Some("agreementId"));
        let theirs = text(theirs.data(), "createProject.id");
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &c.joint, &c.gapcheon.id).await.data();
        app.add_participant(&c.gapcheon.owner, &theirs, &c.daedeok.id).await.assert_error("BAD_USER_INPUT", Some("projectId"));
        let log = app.audit_actions(&c.hanbat.id).await;
        for action in ["project.create", "project.add_participant", "project.status"] {
            assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
        }
    }
}

db_test! {
    async fn goals_measure_exactly_and_only_participants_record(app) {
        let c = coalition(&app).await;
        let project = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PARTNERS").await;
        app.add_participant(&c.editor, &project, &c.gapcheon.id).await.data();

        for (input, field) in [
            (json!({ "kind": "QUALITATIVE", "title": "보고서", "target": 1 }), "target"),
            (json!({ "kind": "QUALITATIVE", "title": "보고서", "measure": "LEVEL" }), "measure"),
            (json!({ "kind": "QUANTITATIVE", "title": "청구" }), "target"),
            (json!({ "kind": "QUANTITATIVE", "title": "청구", "target": 0 }), "target"),
            (json!({ "kind": "QUANTITATIVE", "title": "청구", "target": 1.23456 }), "target"),
        ] {
            app.add_goal(&c.editor, &project, input).await.assert_error("BAD_USER_INPUT", Some(field));
        }
        let input = json!({ "kind": "QUANTITATIVE", "title": "청구", "target": 10 });
        app.add_goal(&c.member, &project, input.clone()).await.assert_error("FORBIDDEN", None);
        app.add_goal(&c.gap_editor, &project, input).await.assert_error("FORBIDDEN", None);

        // A running total: a hundred 0.1s are exactly 10.
        let total = app.goal_id(&c.editor, &project, "TOTAL", 1000.0).await;
        for _ in 0..100 {
            app.record(&c.editor, &total, &c.hanbat.id, 0.1).await.data();
        }
        assert_eq!(app.achieved(c.member.token(), &total).await, 10.0);
        app.record(&c.gap_editor, &total, &c.gapcheon.id, 5.0).await.data();
        app.record(&c.editor, &total, &c.hanbat.id, -2.0).await.data();
        let g = app.gql(c.member.token(), "query($id: ID!) { goal(id: $id) { achieved ratio measure status progress { totalCount } } }", json!({ "id": total })).await;
        assert_eq!(g.data()["goal"], json!({ "achieved": 13.0, "ratio": 0.013, "measure": "TOTAL", "status": "NOT_STARTED", "progress": { "totalCount": 102 } }));
        app.record(&c.editor, &total, &c.hanbat.id, 0.0).await.assert_error("BAD_USER_INPUT", Some("amount"));
        app.record(&c.editor, &total, &c.hanbat.id, 0.12345).await.assert_error("BAD_USER_INPUT", Some("amount"));

        // A level: the latest reading, whoever recorded it.
        let level = app.goal_id(&c.editor, &project, "LEVEL", 400.0).await;
        app.record(&c.gap_editor, &level, &c.gapcheon.id, 120.0).await.data();
        app.record(&c.editor, &level, &c.hanbat.id, 300.0).await.data();
        assert_eq!(app.achieved(c.member.token(), &level).await, 300.0);
        app.record(&c.gap_editor, &level, &c.gapcheon.id, 410.0).await.data();
        assert_eq!(app.achieved(c.member.token(), &level).await, 410.0);
        let reached = app.gql(c.member.token(), "query($id: ID!) { goal(id: $id) { status ratio } }", json!({ "id": level })).await;
        assert_eq!(reached.data()["goal"], json!({ "status": "NOT_STARTED", "ratio": 1.025 }), "reaching the target sets no status");
        app.record(&c.editor, &level, &c.hanbat.id, -1.0).await.assert_error("BAD_USER_INPUT", Some("amount"));
        app.record(&c.editor, &level, &c.hanbat.id, 0.0).await.data();
        assert_eq!(app.achieved(c.member.token(), &level).await, 0.0);

        // Reaching the target changes no status; the lead sets it.
        let status = |who: &Session, s: &'static str| {
            let (app, level, token) = (&app, level.clone(), who.access_token.clone());
            async move {
                app.gql(Some(&token), "mutation($g: ID!, $s: GoalStatus!) { setGoalStatus(goalId: $g, status: $s) { status } }", json!({ "g": level, "s": s })).await
            }
        };
        status(&c.gap_editor, "ACHIEVED").await.assert_error("FORBIDDEN", None);
        assert_eq!(status(&c.editor, "ACHIEVED").await.data()["setGoalStatus"]["status"], "ACHIEVED");
        status(&c.editor, "ACHIEVED").await.assert_error("BAD_USER_INPUT", Some("status"));

        let qualitative = app.add_goal(&c.editor, &project, json!({ "kind": "QUALITATIVE", "title": "지방의원 윤리 보고서" })).await;
        let qualitative = text(qualitative.data(), "addGoal.id");
        app.record(&c.editor, &qualitative, &c.hanbat.id, 1.0).await.assert_error("BAD_USER_INPUT", Some("goalId"));
        let q = app.gql(c.member.token(), "query($id: ID!) { goal(id: $id) { achieved ratio target measure } }", json!({ "id": qualitative })).await;
        assert_eq!(q.data()["goal"], json!({ "achieved": 0.0, "ratio": null, "target": null, "measure": null }));

        // Who may record: EDITOR+ of an organization taking part, for it.
        app.record(&c.member, &total, &c.hanbat.id, 1.0).await.assert_error("FORBIDDEN", None);
        app.record(&c.gap_editor, &total, &c.hanbat.id, 1.0).await.assert_error("FORBIDDEN", None);
        app.record(&c.daedeok.owner, &total, &c.daedeok.id, 1.0).await.assert_error("FORBIDDEN", None);
        app.record(&c.yu_editor, &total, &c.yuseong.id, 1.0).await.assert_error("NOT_FOUND", None);
        let public = app.project_id(&c.editor, &c.hanbat.id, None, "PUBLIC").await;
        let open_goal = app.goal_id(&c.editor, &public, "TOTAL", 5.0).await;
        app.record(&c.yu_editor, &open_goal, &c.yuseong.id, 1.0).await.assert_error("FORBIDDEN", None);
        assert_eq!(app.achieved(None, &open_goal).await, 0.0, "nothing was written");

        // Partners see amounts, not who recorded them.
        let who = "query($id: ID!) { goal(id: $id) { progress(first: 1) { nodes { recordedBy { id } } } } }";
        let lead_view = app.gql(c.member.token(), who, json!({ "id": total })).await;
        assert_eq!(lead_view.data()["goal"]["progress"]["nodes"][0]["recordedBy"]["id"], c.editor.user_id.as_str());
        let partner_view = app.gql(c.daedeok.owner.token(), who, json!({ "id": total })).await;
        assert!(partner_view.data()["goal"]["progress"]["nodes"][0]["recordedBy"].is_null());

        // A goal's recordings are bounded, so no sum of them overflows.
        let big = app.goal_id(&c.editor, &project, "TOTAL", 1.0).await;
        let near_full = entity::goal_progress::Model {
            id: uuid::Uuid::now_v7(),
            goal_id: uuid::Uuid::parse_str(&big).unwrap(),
            organization_id: uuid::Uuid::parse_str(&c.hanbat.id).unwrap(),
            amount_e4: service::project::amount::MAX_VOLUME_E4 - 10_000,
            note: None,
            recorded_at: app.clock.now(),
            recorded_by: None,
        };
        {
            use sea_orm::{ActiveModelTrait, IntoActiveModel};
            near_full.into_active_model().reset_all().insert(app.db()).await.unwrap();
        }
        app.record(&c.editor, &big, &c.hanbat.id, -1.0).await.data();
        app.record(&c.editor, &big, &c.hanbat.id, 1.0).await.assert_error("BAD_USER_INPUT", Some("amount"));
        let full = (service::project::amount::MAX_VOLUME_E4 - 20_000) as f64 / 10_000.0;
        assert_eq!(app.achieved(c.member.token(), &big).await, full);

        // A participant that leaves the agreement no longer takes part: it
        // cannot record even where it still sees the project, and it is no
        // longer listed with it.
        let open_joint = app.project_id(&c.editor, &c.hanbat.id, Some(&c.joint), "PUBLIC").await;
        app.add_participant(&c.editor, &open_joint, &c.gapcheon.id).await.data();
        let shared_goal = app.goal_id(&c.editor, &open_joint, "TOTAL", 10.0).await;
        app.record(&c.gap_editor, &shared_goal, &c.gapcheon.id, 1.0).await.data();
        app.party_op(&c.gapcheon.owner, "withdrawFromAgreement", &c.joint, &c.gapcheon.id).await.data();
        app.record(&c.gap_editor, &total, &c.gapcheon.id, 1.0).await.assert_error("NOT_FOUND", None);
        app.record(&c.gap_editor, &shared_goal, &c.gapcheon.id, 1.0).await.assert_error("FORBIDDEN", None);
        let lists = app.gql(c.member.token(), "query($o: ID!) { organization(id: $o) { projects { totalCount } } }", json!({ "o": c.gapcheon.id })).await;
        assert_eq!(lists.data()["organization"]["projects"]["totalCount"], 0);
        let theirs = app.gql(c.gap_editor.token(), "query($a: ID!) { agreement(id: $a) { projects { nodes { id } } } }", json!({ "a": c.joint })).await;
        let listed: Vec<String> = theirs.data()["agreement"]["projects"]["nodes"].as_array().unwrap().iter().map(|n| text(n, "id")).collect();
        assert!(listed.contains(&open_joint) && !listed.contains(&project), "only the PUBLIC project: {listed:?}");
        let log = app.audit_actions(&c.gapcheon.id).await;
        assert_eq!(log.iter().filter(|a| *a == "goal.progress").count(), 4);
        let log = app.audit_actions(&c.hanbat.id).await;
        for action in ["goal.create", "goal.status", "goal.progress"] {
            assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
        }
    }
}

db_test! {
    async fn project_lists_filter_search_and_page_in_the_database(app) {
        let c = coalition(&app).await;
        let disclosure = app.create_project(&c.editor, &c.hanbat.id, Some(&c.joint), "PARTNERS", "정보공개 운동").await;
        let disclosure = text(disclosure.data(), "createProject.id");
        let letter = app.create_project(&c.editor, &c.hanbat.id, None, "PUBLIC", "Newsletter 소식지").await;
        let letter = text(letter.data(), "createProject.id");
        let hidden = app.create_project(&c.editor, &c.hanbat.id, None, "PRIVATE", "정보공개 내부 회의").await;
        text(hidden.data(), "createProject.id");
        app.add_participant(&c.editor, &disclosure, &c.gapcheon.id).await.data();
        app.gql(c.editor.token(), "mutation($id: ID!) { setProjectStatus(id: $id, status: ACTIVE) { id } }", json!({ "id": letter })).await.data();

        let ids = |r: &crate::support::Gql, root: &str| -> Vec<String> {
            let nodes = r.data()[root]["nodes"].as_array().unwrap().clone();
            nodes.iter().map(|n| text(n, "id")).collect()
        };
        let gap = c.gapcheon.owner.token();
        let q = |args: &str| format!("{{ projects{args} {{ totalCount nodes {{ id }} }} }}");
        let r = app.gql(gap, &q("(search: \"정보공개\")"), json!({})).await;
        assert_eq!(ids(&r, "projects"), vec![disclosure.clone()], "the PRIVATE match is not counted");
        assert_eq!(r.data()["projects"]["totalCount"], 1);
        let r = app.gql(gap, &q("(search: \"NEWSLETTER\")"), json!({})).await;
        assert_eq!(ids(&r, "projects"), vec![letter.clone()]);
        let r = app.gql(gap, &q("(status: ACTIVE)"), json!({})).await;
        assert_eq!(ids(&r, "projects"), vec![letter.clone()]);
        let r = app.gql(gap, &format!("{{ projects(agreementId: \"{}\") {{ totalCount nodes {{ id }} }} }}", c.joint), json!({})).await;
        assert_eq!(ids(&r, "projects"), vec![disclosure.clone()]);

        let page = app.gql(gap, "{ projects(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }", json!({})).await;
        assert_eq!(page.data()["projects"]["totalCount"], 2);
        assert_eq!(page.data()["projects"]["pageInfo"]["hasNextPage"], true);
        let cursor = text(page.data(), "projects.pageInfo.endCursor");
        let next = app.gql(gap, "query($a: String!) { projects(first: 1, after: $a) { pageInfo { hasNextPage } nodes { id } } }", json!({ "a": cursor })).await;
        assert_eq!(ids(&next, "projects"), vec![letter.clone()]);
        assert_eq!(next.data()["projects"]["pageInfo"]["hasNextPage"], false);

        // Nested: a participant lists the project under itself; an
        // agreement lists the projects run under it.
        let nested = app.gql(gap, "query($o: ID!, $a: ID!) { organization(id: $o) { projects { totalCount nodes { id } } } agreement(id: $a) { projects { totalCount nodes { id } } } }", json!({ "o": c.gapcheon.id, "a": c.joint })).await;
        assert_eq!(nested.data()["organization"]["projects"]["nodes"], json!([{ "id": disclosure }]));
        assert_eq!(nested.data()["agreement"]["projects"]["totalCount"], 1);
        let mine = app.gql(c.member.token(), "query($o: ID!) { organization(id: $o) { projects(status: PLANNED) { totalCount } } }", json!({ "o": c.hanbat.id })).await;
        assert_eq!(mine.data()["organization"]["projects"]["totalCount"], 2);
    }
}
