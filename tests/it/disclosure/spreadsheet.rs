//! CSV: a filtered list out, a spreadsheet in — all or nothing, with every
//! refused row reported by line and column.

use serde_json::{Value, json};

use super::{file, plus, today, world};
use crate::db_test;
use crate::support::TestApp;

const IMPORT: &str = "mutation($o: ID!, $csv: String!) { importDisclosureRequests(organizationId: $o, csv: $csv) { imported errors { line column message } } }";

async fn export(app: &TestApp, token: Option<&str>, args: &str) -> Vec<Vec<String>> {
    let q = format!("{{ disclosureRequestsCsv{args} }}");
    let r = app.gql(token, &q, json!({})).await;
    let text = r.data()["disclosureRequestsCsv"]
        .as_str()
        .unwrap()
        .to_owned();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn count(app: &TestApp, token: Option<&str>) -> i64 {
    let r = app
        .gql(token, "{ disclosureRequests { totalCount } }", json!({}))
        .await;
    r.data()["disclosureRequests"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn agencies(app: &TestApp) -> i64 {
    let r = app
        .gql(None, "{ agencies { totalCount } }", json!({}))
        .await;
    r.data()["agencies"]["totalCount"].as_i64().unwrap()
}

db_test! {
    async fn a_filtered_list_exports_as_csv_of_what_the_viewer_reads(app) {
        let w = world(&app).await;
        let shared = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "subject": "예산, \"업무추진비\" 내역" })).await;
        let private = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.other_agency, "visibility": "PRIVATE" })).await;
        app.decide_request(&w.editor, &private, "REFUSED", None).await.data();
        let header = "id,organization,agency,agency_kind,subject,channel,receipt_number,filed_on,filed_by,status,due_on,overdue,decided_on,transferred_to,objection_lodged_on,objection_outcome,appeal_kind,visibility";
        let q = app.gql(w.editor.token(), "{ disclosureRequestsCsv }", json!({})).await;
        assert!(q.data()["disclosureRequestsCsv"].as_str().unwrap().starts_with(header));

        let mine = export(&app, w.editor.token(), "").await;
        assert_eq!(mine.len(), 2);
        assert_eq!(mine[0][0], shared);
        assert_eq!(mine[0][1], "hanbat");
        assert_eq!(mine[0][2], "대전광역시 유성구");
        assert_eq!(mine[0][4], "예산, \"업무추진비\" 내역", "quoted and unquoted intact");
        assert_eq!(mine[0][7], today(&app));
        assert_eq!(mine[0][9], "FILED");
        assert_eq!(mine[0][10], plus(&today(&app), 10));
        assert_eq!(mine[0][11], "false");
        assert_eq!(mine[1][9], "REFUSED");
        assert_eq!(mine[1][12], today(&app));
        assert_eq!(mine[1][17], "PRIVATE");
        // Filters as the list's; a partner exports what it reads, an outsider nothing.
        let refused = export(&app, w.editor.token(), "(status: REFUSED)").await;
        assert_eq!(refused.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), vec![private.clone()]);
        let partner = export(&app, w.gap_editor.token(), "").await;
        assert_eq!(partner.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), vec![shared]);
        assert!(export(&app, w.yu_editor.token(), "").await.is_empty());
        assert!(export(&app, None, "").await.is_empty());
    }
}

db_test! {
    async fn a_spreadsheet_imports_all_at_once_and_agencies_add_up(app) {
        let w = world(&app).await;
        let before = agencies(&app).await;
        let d = |n: i64| plus(&today(&app), -n);
        let csv = format!(
            "Agency,agency_kind,subject,filed_on,filed_by,channel,receipt_number,visibility,status,decided_on\n\
             대전광역시유성구,DISTRICT,CCTV 설치 현황,{},MEMBER,portal,1-234,PARTNERS,,\n\
             대전광역시 교육청,EDUCATION_OFFICE,\"급식 단가, 2024\",{},CITIZEN,POST,,PUBLIC,REFUSED,{}\n\
             대전광역시 교육청,education_office,학교 석면,{},,,,,disclosed,{}\n",
            d(30), d(40), d(31), d(20), d(12)
        );
        let r = app.gql(w.editor.token(), IMPORT, json!({ "o": w.hanbat.id, "csv": csv })).await;
        assert_eq!(r.data()["importDisclosureRequests"], json!({ "imported": 3, "errors": [] }));
        assert_eq!(agencies(&app).await, before + 1, "유성구 matched with its space; one office of education added");
        let rows = export(&app, w.editor.token(), "").await;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][2], "대전광역시 유성구", "the existing agency");
        assert_eq!((rows[0][9].as_str(), rows[0][17].as_str(), rows[0][6].as_str()), ("FILED", "PARTNERS", "1-234"));
        assert_eq!(rows[0][11], "true", "filed 30 days ago, undecided: overdue");
        assert_eq!((rows[1][4].as_str(), rows[1][8].as_str(), rows[1][9].as_str(), rows[1][12].as_str()), ("급식 단가, 2024", "CITIZEN", "REFUSED", d(31).as_str()));
        assert_eq!((rows[2][8].as_str(), rows[2][9].as_str(), rows[2][17].as_str()), ("MEMBER", "DISCLOSED", "PRIVATE"));
        assert_eq!(rows[1][2], rows[2][2], "one agency for both rows");
        // The log says so.
        let log = app.gql(w.hanbat.owner.token(), "query($o: ID!) { auditLog(organizationId: $o, first: 100) { nodes { action } } }", json!({ "o": w.hanbat.id })).await;
        assert!(log.data()["auditLog"]["nodes"].as_array().unwrap().iter().any(|n| n["action"] == "disclosure.import"));
        // What was exported imports again (its extra columns ignored).
        let again = app.gql(w.editor.token(), "{ disclosureRequestsCsv }", json!({})).await;
        let text = again.data()["disclosureRequestsCsv"].as_str().unwrap().to_owned();
        let r = app.gql(w.gapcheon.owner.token(), IMPORT, json!({ "o": w.gapcheon.id, "csv": text })).await;
        assert_eq!(r.data()["importDisclosureRequests"]["imported"], 3);
    }
}

db_test! {
    async fn one_bad_row_writes_nothing_and_every_refusal_is_reported(app) {
        let w = world(&app).await;
        let (requests, known) = (count(&app, w.editor.token()).await, agencies(&app).await);
        let csv = format!(
            "agency,subject,filed_on,status,decided_on,agency_kind\n\
             새 기관,괜찮은 줄,{today},,,\n\
             새 기관,미래의 청구,{future},,,\n\
             ,기관 없음,{today},,,\n\
             새 기관,   ,{today},,,\n\
             새 기관,결정일 없음,{today},REFUSED,,\n\
             새 기관,이송,{today},TRANSFERRED,{today},\n\
             새 기관,날짜 아님,2024/01/05,,,\n\
             새 기관,종류 모름,{today},,,MINISTRY\n\
             새 기관,결정이 먼저,{today},DISCLOSED,{before},\n",
            today = today(&app), future = plus(&today(&app), 1), before = plus(&today(&app), -1)
        );
        let r = app.gql(w.editor.token(), IMPORT, json!({ "o": w.hanbat.id, "csv": csv })).await;
        let report = r.data()["importDisclosureRequests"].clone();
        assert_eq!(report["imported"], 0);
        let errors: Vec<(i64, Value)> = report["errors"].as_array().unwrap().iter().map(|e| (e["line"].as_i64().unwrap(), e["column"].clone())).collect();
        assert_eq!(errors, vec![
            (3, json!("filed_on")),
            (4, json!("agency")),
            (5, json!("subject")),
            (6, json!("decided_on")),
            (7, json!("status")),
            (8, json!("filed_on")),
            (9, json!("agency_kind")),
            (10, json!("decided_on")),
        ]);
        assert_eq!(count(&app, w.editor.token()).await, requests, "nothing written");
        assert_eq!(agencies(&app).await, known, "no agency added");
        // A header without a required column is refused as a whole.
        let r = app.gql(w.editor.token(), IMPORT, json!({ "o": w.hanbat.id, "csv": "agency,subject\nx,y\n" })).await;
        assert_eq!(r.data()["importDisclosureRequests"]["errors"][0]["column"], "filed_on");
        // Only EDITOR+ of the organization import.
        let ok = format!("agency,subject,filed_on\n새 기관,청구,{}\n", today(&app));
        app.gql(w.member.token(), IMPORT, json!({ "o": w.hanbat.id, "csv": ok })).await.assert_error("FORBIDDEN", None);
        app.gql(w.gap_editor.token(), IMPORT, json!({ "o": w.hanbat.id, "csv": ok })).await.assert_error("FORBIDDEN", None);
        app.gql(None, IMPORT, json!({ "o": w.hanbat.id, "csv": ok })).await.assert_error("UNAUTHENTICATED", None);
        assert_eq!(count(&app, w.editor.token()).await, requests);
    }
}
