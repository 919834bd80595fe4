//! Who reads a request: PRIVATE, its organization's members (and
//! operators); PARTNERS, also partners for PROJECTS and the organizations
//! taking part in its project now; PUBLIC, anyone. What one cannot read is
//! NOT_FOUND, absent from every list and from every count; what one reads
//! but does not run is FORBIDDEN to change.

use chrono::TimeDelta;
use serde_json::json;

use super::{
    every_mutation, file, get, listed, listed_under, operator, read, sorted, state,
    to_next_seoul_midnight, today, world,
};
use crate::db_test;
use crate::support::fixtures::{Org, day};

db_test! {
    async fn each_visibility_is_read_by_its_own(app) {
        let w = world(&app).await;
        let root = operator(&app, "root@coalition.example").await;
        let filed = |visibility: &str| json!({ "agencyId": w.agency, "visibility": visibility });
        let private = file(&app, &w.editor, &w.hanbat.id, filed("PRIVATE")).await;
        let partners = file(&app, &w.editor, &w.hanbat.id, filed("PARTNERS")).await;
        let public = file(&app, &w.editor, &w.hanbat.id, filed("PUBLIC")).await;
        let all = [&private, &partners, &public];
        let table: [(&str, Option<&str>, [bool; 3]); 9] = [
            ("hanbat owner", w.hanbat.owner.token(), [true, true, true]),
            ("hanbat editor", w.editor.token(), [true, true, true]),
            ("hanbat member", w.member.token(), [true, true, true]),
            ("operator", root.token(), [true, true, true]),
            ("gapcheon (PROJECTS partner)", w.gapcheon.owner.token(), [false, true, true]),
            ("gapcheon editor", w.gap_editor.token(), [false, true, true]),
            ("actions-only partner", w.actions_only.owner.token(), [false, false, true]),
            ("unrelated", w.yuseong.owner.token(), [false, false, true]),
            ("anonymous", None, [false, false, true]),
        ];
        for (who, token, expected) in table {
            let mut visible = Vec::new();
            for (id, want) in all.iter().zip(expected) {
                let seen = read(&app, token, id).await;
                assert_eq!(seen.is_some(), want, "{who} / {id}");
                if let Some(r) = seen {
                    assert_eq!(r["id"], id.as_str());
                    visible.push(id.to_string());
                }
            }
            let visible = sorted(visible);
            let (total, ids) = listed(&app, token, "").await;
            assert_eq!((total, sorted(ids)), (visible.len() as i64, visible.clone()), "{who}: disclosureRequests");
            let (total, ids) = listed(&app, token, &format!("organizationId: \"{}\"", w.hanbat.id)).await;
            assert_eq!((total, sorted(ids)), (visible.len() as i64, visible.clone()), "{who}: disclosureRequests(organizationId)");
            let (total, ids) = listed_under(&app, token, &w.hanbat.id, "").await;
            assert_eq!((total, sorted(ids)), (visible.len() as i64, visible.clone()), "{who}: Organization.disclosureRequests");
            let (total, _) = listed_under(&app, token, &w.hanbat.id, "status: FILED, overdue: false").await;
            assert_eq!(total, visible.len() as i64, "{who}: filtered counts agree");
        }
    }
}

db_test! {
    async fn organizations_taking_part_in_its_project_read_a_partners_request(app) {
        let w = world(&app).await;
        // yuseong leads a project under `three` (with actions-only and
        // daedeok); actions-only takes part and files for it.
        let daedeok = app.org_with_owner("daedeok").await;
        let filer: &Org = &w.actions_only;
        let three = app.ratified_agreement(&[&w.yuseong, filer, &daedeok], &["PROJECTS"], "2024-01-01", None).await;
        let project = app.project_id(&w.yu_editor, &w.yuseong.id, Some(&three), "PARTNERS").await;
        app.add_participant(&w.yu_editor, &project, &filer.id).await.data();
        let vars = |visibility: &str, project: Option<&str>| json!({ "agencyId": w.agency, "visibility": visibility, "projectId": project });
        let for_project = file(&app, &filer.owner, &filer.id, vars("PARTNERS", Some(project.as_str()))).await;
        let no_project = file(&app, &filer.owner, &filer.id, vars("PARTNERS", None)).await;
        let private = file(&app, &filer.owner, &filer.id, vars("PRIVATE", Some(project.as_str()))).await;
        let p = app.gql(w.yu_editor.token(), "query($id: ID!) { disclosureRequest(id: $id) { project { id } } }", json!({ "id": for_project })).await;
        assert_eq!(p.data()["disclosureRequest"]["project"]["id"], project.as_str());

        let sees = |token: Option<&str>| {
            let (app, token) = (&app, token.map(str::to_owned));
            let ids = [for_project.clone(), no_project.clone(), private.clone()];
            async move {
                let mut out = Vec::new();
                for id in &ids {
                    out.push(read(app, token.as_deref(), id).await.is_some());
                }
                out
            }
        };
        assert_eq!(sees(w.yuseong.owner.token()).await, [true, true, false], "the lead: a partner taking part");
        assert_eq!(sees(daedeok.owner.token()).await, [true, true, false], "daedeok: a partner");
        assert_eq!(sees(w.hanbat.owner.token()).await, [false, false, false], "hanbat shares only ACTIONS with the filer");
        assert_eq!(sees(filer.owner.token()).await, [true, true, true]);

        // The filer leaves `three`: no longer anyone's partner there, nor
        // taking part in the project. The sharing through the project ends
        // with its part in it: yuseong, though still taking part, reads
        // none of its requests any more; nor does daedeok.
        app.party_op(&filer.owner, "withdrawFromAgreement", &three, &filer.id).await.data();
        assert_eq!(sees(w.yuseong.owner.token()).await, [false, false, false]);
        assert_eq!(sees(daedeok.owner.token()).await, [false, false, false]);
        assert_eq!(listed(&app, w.yu_editor.token(), "").await, (0, vec![]));
        assert_eq!(listed_under(&app, w.yu_editor.token(), &filer.id, "").await, (0, vec![]));
        assert_eq!(listed(&app, w.yu_editor.token(), &format!("projectId: \"{project}\"")).await, (0, vec![]));
        assert_eq!(listed(&app, daedeok.owner.token(), "").await, (0, vec![]));
    }
}

db_test! {
    async fn a_partner_stops_reading_the_moment_the_agreement_ends(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        let gap = w.gapcheon.owner.token();
        assert!(read(&app, gap, &id).await.is_some());
        assert_eq!(listed(&app, gap, "").await, (1, vec![id.clone()]));

        // Terminated: gone at once, by id, in lists and in counts.
        app.agreement_op(&w.hanbat.owner, "terminateAgreement", &w.joint).await.data();
        assert!(read(&app, gap, &id).await.is_none());
        assert_eq!(listed(&app, gap, "").await, (0, vec![]));
        assert_eq!(listed_under(&app, gap, &w.hanbat.id, "").await, (0, vec![]));
        let r = app.gql(w.gap_editor.token(), "mutation($id: ID!) { withdrawDisclosureRequest(id: $id) { id } }", json!({ "id": id })).await;
        r.assert_error("NOT_FOUND", None);

        // Expired: a PROJECTS agreement with yuseong ending tomorrow.
        app.ratified_agreement(&[&w.hanbat, &w.yuseong], &["PROJECTS"], "2024-01-01", Some(&day(&app, 1))).await;
        assert!(read(&app, w.yu_editor.token(), &id).await.is_some());
        assert_eq!(listed_under(&app, w.yu_editor.token(), &w.hanbat.id, "").await.0, 1);
        app.clock.advance(TimeDelta::days(1));
        let yu = app.again(&w.yu_editor).await;
        assert!(read(&app, yu.token(), &id).await.is_some(), "through its last day");
        to_next_seoul_midnight(&app, 1);
        let yu = app.again(&yu).await;
        assert!(read(&app, yu.token(), &id).await.is_none(), "a minute into the day after its end");
        assert_eq!(listed(&app, yu.token(), "").await, (0, vec![]));
        assert_eq!(listed_under(&app, yu.token(), &w.hanbat.id, "").await, (0, vec![]));
        let member = app.again(&w.member).await;
        assert_eq!(get(&app, member.token(), &id).await["id"], id.as_str(), "hanbat keeps it");
    }
}

db_test! {
    async fn only_editors_of_its_organization_change_a_request(app) {
        let w = world(&app).await;
        let root = operator(&app, "root@coalition.example").await;
        let t = today(&app);
        let partners = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        let public = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PUBLIC" })).await;
        let private = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PRIVATE" })).await;
        let before = [state(&app, &w, &partners).await, state(&app, &w, &public).await, state(&app, &w, &private).await];

        // (who, token, expected code for [PARTNERS, PUBLIC, PRIVATE])
        let cases: [(&str, Option<&str>, [&str; 3]); 6] = [
            ("hanbat member", w.member.token(), ["FORBIDDEN"; 3]),
            ("operator", root.token(), ["FORBIDDEN"; 3]),
            ("gapcheon editor (partner)", w.gap_editor.token(), ["FORBIDDEN", "FORBIDDEN", "NOT_FOUND"]),
            ("gapcheon owner (partner)", w.gapcheon.owner.token(), ["FORBIDDEN", "FORBIDDEN", "NOT_FOUND"]),
            ("actions-only owner", w.actions_only.owner.token(), ["NOT_FOUND", "FORBIDDEN", "NOT_FOUND"]),
            ("yuseong editor", w.yu_editor.token(), ["NOT_FOUND", "FORBIDDEN", "NOT_FOUND"]),
        ];
        for (who, token, codes) in cases {
            for (id, code) in [&partners, &public, &private].into_iter().zip(codes) {
                for (name, query, vars) in every_mutation(id, &w.other_agency, &t) {
                    let r = app.gql(token, &query, vars).await;
                    assert_eq!(r.code(), code, "{who}: {name} on {id}: {}", r.body);
                }
            }
        }
        let after = [state(&app, &w, &partners).await, state(&app, &w, &public).await, state(&app, &w, &private).await];
        assert_eq!(after, before, "nothing changed, nothing was logged");

        // An unknown id is NOT_FOUND to anyone signed in.
        let unknown = uuid::Uuid::now_v7().to_string();
        for (name, query, vars) in every_mutation(&unknown, &w.other_agency, &t) {
            let r = app.gql(w.editor.token(), &query, vars).await;
            assert_eq!(r.code(), "NOT_FOUND", "{name}: {}", r.body);
        }
        // The organization's EDITOR may.
        let r = app.gql(w.editor.token(), "mutation($id: ID!) { withdrawDisclosureRequest(id: $id) { status } }", json!({ "id": private })).await;
        assert_eq!(r.data()["withdrawDisclosureRequest"]["status"], "WITHDRAWN");
    }
}
