//! Request lists: filtered by organization, agency, status, who filed and
//! a search of the subject, paged, and counted over what the viewer reads.

use serde_json::{Value, json};

use super::{connection, decide, file, listed, sorted, world};
use crate::db_test;
use crate::support::work::text;

/// Owned and sorted, to compare with a list.
fn ids(v: &[&String]) -> Vec<String> {
    sorted(v.iter().map(|s| s.to_string()).collect())
}

db_test! {
    async fn request_lists_filter_and_search_over_what_the_viewer_reads(app) {
        let w = world(&app).await;
        let filed = |subject: &str, agency: &str, visibility: &str, filed_by: &str| {
            json!({ "agencyId": agency, "subject": subject, "visibility": visibility, "filedBy": filed_by })
        };
        let cctv = file(&app, &w.editor, &w.hanbat.id, filed("CCTV 설치 및 운영 현황", w.agency.as_str(), "PUBLIC", "MEMBER")).await;
        let budget = file(&app, &w.editor, &w.hanbat.id, filed("구청장 업무추진비 집행내역", w.other_agency.as_str(), "PARTNERS", "CITIZEN")).await;
        let hidden = file(&app, &w.editor, &w.hanbat.id, filed("cctv 내부 검토 자료", w.agency.as_str(), "PRIVATE", "MEMBER")).await;
        let theirs = file(&app, &w.gap_editor, &w.gapcheon.id, filed("Cctv 예산 편성 내역", w.agency.as_str(), "PARTNERS", "MEMBER")).await;
        let list = |token: Option<&str>, args: String| {
            let (app, token) = (&app, token.map(str::to_owned));
            async move {
                let (total, found) = listed(app, token.as_deref(), &args).await;
                assert_eq!(total, found.len() as i64, "one page holds them all: {args}");
                sorted(found)
            }
        };

        // gapcheon reads cctv, budget and its own; never `hidden`.
        let gap = w.gapcheon.owner.token();
        assert_eq!(list(gap, String::new()).await, ids(&[&cctv, &budget, &theirs]));
        assert_eq!(list(gap, "search: \"cctv\"".into()).await, ids(&[&cctv, &theirs]), "case-insensitive; the PRIVATE match is not counted");
        assert_eq!(list(gap, "search: \"CCTV\"".into()).await, ids(&[&cctv, &theirs]));
        assert_eq!(list(gap, "search: \"추진비\"".into()).await, ids(&[&budget]));
        assert_eq!(list(gap, "search: \"운영 현황\"".into()).await, ids(&[&cctv]));
        assert_eq!(list(gap, "search: \"정보공개\"".into()).await, ids(&[]));
        assert_eq!(list(gap, format!("organizationId: \"{}\"", w.hanbat.id)).await, ids(&[&cctv, &budget]));
        assert_eq!(list(gap, format!("organizationId: \"{}\"", w.gapcheon.id)).await, ids(&[&theirs]));
        assert_eq!(list(gap, format!("agencyId: \"{}\"", w.other_agency)).await, ids(&[&budget]));
        assert_eq!(list(gap, format!("agencyId: \"{}\"", w.agency)).await, ids(&[&cctv, &theirs]));
        assert_eq!(list(gap, "filedBy: CITIZEN".into()).await, ids(&[&budget]));
        assert_eq!(list(gap, "filedBy: MEMBER".into()).await, ids(&[&cctv, &theirs]));
        assert_eq!(list(gap, format!("organizationId: \"{}\", search: \"CcTv\"", w.hanbat.id)).await, ids(&[&cctv]));
        assert_eq!(list(gap, format!("agencyId: \"{}\", filedBy: CITIZEN", w.agency)).await, ids(&[]));

        // hanbat reads its PRIVATE one too, and gapcheon's as its partner.
        let mine = w.editor.token();
        assert_eq!(list(mine, "search: \"cctv\"".into()).await, ids(&[&cctv, &hidden, &theirs]));
        assert_eq!(list(None, "search: \"cctv\"".into()).await, ids(&[&cctv]), "anonymous: the PUBLIC one");
        assert_eq!(list(w.yu_editor.token(), String::new()).await, ids(&[&cctv]));

        // Status follows decisions.
        assert_eq!(list(gap, "status: FILED".into()).await, ids(&[&cctv, &budget, &theirs]));
        decide(&app, &w.editor, &budget, "DISCLOSED", &crate::disclosure::today(&app), None).await.data();
        decide(&app, &w.editor, &hidden, "DISCLOSED", &crate::disclosure::today(&app), None).await.data();
        assert_eq!(list(gap, "status: FILED".into()).await, ids(&[&cctv, &theirs]));
        assert_eq!(list(gap, "status: DISCLOSED".into()).await, ids(&[&budget]));
        assert_eq!(list(mine, "status: DISCLOSED".into()).await, ids(&[&budget, &hidden]));
        assert_eq!(list(gap, "status: DISCLOSED, filedBy: CITIZEN".into()).await, ids(&[&budget]));
        assert_eq!(list(gap, "status: REFUSED".into()).await, ids(&[]));
    }
}

/// Walks a connection page by page with `query` (taking `$after`), `first`
/// at a time: (totalCount of each page, hasNextPage of each page, ids).
async fn walk(
    app: &crate::support::TestApp,
    token: Option<&str>,
    query: &str,
    path: &[&str],
) -> (Vec<i64>, Vec<bool>, Vec<String>) {
    let (mut totals, mut more, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut after = Value::Null;
    for _ in 0..10 {
        let r = app
            .gql(token, query, json!({ "after": after.clone() }))
            .await;
        let c = path.iter().fold(r.data(), |v, k| &v[*k]);
        let (total, page) = connection(c);
        totals.push(total);
        ids.extend(page);
        let next = c["pageInfo"]["hasNextPage"].as_bool().unwrap();
        more.push(next);
        if !next {
            return (totals, more, ids);
        }
        after = json!(text(c, "pageInfo.endCursor"));
    }
    panic!("more than ten pages");
}

db_test! {
    async fn request_lists_page_without_gaps_or_repeats(app) {
        let w = world(&app).await;
        let mut visible = Vec::new();
        for (i, visibility) in ["PUBLIC", "PARTNERS", "PRIVATE", "PARTNERS", "PUBLIC", "PRIVATE", "PARTNERS"].into_iter().enumerate() {
            let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": visibility, "subject": format!("청구 {i}") })).await;
            if visibility != "PRIVATE" {
                visible.push(id);
            }
        }
        let visible = sorted(visible);
        assert_eq!(visible.len(), 5);

        let root = "query($after: String) { disclosureRequests(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
        let (totals, more, ids) = walk(&app, w.gapcheon.owner.token(), root, &["disclosureRequests"]).await;
        assert!(totals.iter().all(|t| *t == 5), "every page counts all five: {totals:?}");
        assert_eq!(more, [true, true, false]);
        assert_eq!(ids.len(), 5, "no repeats: {ids:?}");
        assert_eq!(sorted(ids), visible, "no gaps");

        let nested = format!("query($after: String) {{ organization(id: \"{}\") {{ disclosureRequests(first: 3, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }} }}", w.hanbat.id);
        let (totals, more, ids) = walk(&app, w.gapcheon.owner.token(), &nested, &["organization", "disclosureRequests"]).await;
        assert_eq!((totals, more), (vec![5, 5], vec![true, false]));
        assert_eq!(sorted(ids), visible);

        let (totals, _, ids) = walk(&app, w.editor.token(), root, &["disclosureRequests"]).await;
        assert_eq!((totals[0], ids.len()), (7, 7), "hanbat pages through all seven");
        let anon = "query($after: String) { disclosureRequests(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
        let (totals, more, ids) = walk(&app, None, anon, &["disclosureRequests"]).await;
        assert_eq!((totals, more, ids.len()), (vec![2, 2], vec![true, false], 2));
    }
}
