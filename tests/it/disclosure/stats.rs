//! `agencyStats`: how each agency answered, over the requests the viewer
//! may read filed in a window — counted by hand here. A transfer counts for
//! the agency it left (decided, "transferred") and for the one receiving it
//! (from the transfer date, undecided until it decides, overdue once 10
//! days have passed since the transfer);
//! a withdrawn request is counted but not decided.
//!
//! The fixture (t = today; A 유성구, B 대전광역시, C 교육청):
//!
//! | id  | by       | to | filed | visibility | what happened                 | days |
//! |-----|----------|----|-------|------------|-------------------------------|------|
//! | h1  | hanbat   | A  | t-40  | PARTNERS   | DISCLOSED t-33                | 7    |
//! | h2  | hanbat   | A  | t-40  | PRIVATE    | REFUSED t-30                  | 10   |
//! | h3  | hanbat   | A  | t-30  | PUBLIC     | PARTIALLY_DISCLOSED t-26      | 4    |
//! | h4  | hanbat   | A  | t-30  | PUBLIC     | TRANSFERRED to B t-28 (A)     | 2    |
//! |     |          |    |       |            | then DISCLOSED by B t-20 (B)  | 8    |
//! | h5  | hanbat   | A  | t-20  | PARTNERS   | undecided, due t-10: overdue  |      |
//! | h6  | hanbat   | A  | t-5   | PUBLIC     | WITHDRAWN                     |      |
//! | h7  | hanbat   | B  | t-50  | PUBLIC     | NO_INFORMATION t-45           | 5    |
//! | h8  | hanbat   | B  | t-12  | PRIVATE    | undecided, due t-2: overdue   |      |
//! | h9  | hanbat   | B  | t-25  | PARTNERS   | TRANSFERRED to C t-22 (B)     | 3    |
//! |     |          |    |       |            | undecided by C, due t-12: overdue |   |
//! | h10 | hanbat   | C  | t-10  | PUBLIC     | REFUSED t-1                   | 9    |
//! | h11 | hanbat   | A  | t-70  | PUBLIC     | DISCLOSED t-65                | 5    |
//! | g1  | gapcheon | C  | t-8   | PUBLIC     | DISCLOSED t-6                 | 2    |
//! | g2  | gapcheon | A  | t-3   | PRIVATE    | undecided, due t+7            |      |
//!
//! Ties in `requests` are only ever between B and C, whose names order the
//! same however spaces are collated (B's is a prefix of C's).

use serde_json::{Value, json};

use super::{
    World, agency_id, decide, delete, file, op, plus, to_next_seoul_midnight, today, world,
};
use crate::db_test;
use crate::support::work::text;
use crate::support::{Gql, TestApp};

const STATS: &str = "query($f: Date!, $t: Date!, $o: ID) { agencyStats(from: $f, to: $t, organizationId: $o) { agency { id name } requests decided disclosureRate refusalRate medianDaysToDecide overdue } }";

async fn stats(app: &TestApp, token: Option<&str>, from: &str, to: &str, org: Option<&str>) -> Gql {
    app.gql(token, STATS, json!({ "f": from, "t": to, "o": org }))
        .await
}

/// One expected entry: (agency id, requests, decided, disclosureRate,
/// refusalRate, medianDaysToDecide, overdue).
type Row<'a> = (
    &'a str,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    i64,
);

fn close(got: &Value, want: Option<f64>, what: &str) {
    match want {
        None => assert!(got.is_null(), "{what}: expected null, got {got}"),
        Some(want) => {
            let got = got
                .as_f64()
                .unwrap_or_else(|| panic!("{what}: expected {want}, got {got}"));
            assert!(
                (got - want).abs() < 1e-9,
                "{what}: expected {want}, got {got}"
            );
        }
    }
}

/// Every field of every entry, in order.
fn expect(r: &Gql, want: &[Row], who: &str) {
    let got = r.data()["agencyStats"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: {}", r.body))
        .clone();
    let ids: Vec<&str> = got
        .iter()
        .map(|s| s["agency"]["id"].as_str().unwrap_or("?"))
        .collect();
    let want_ids: Vec<&str> = want.iter().map(|w| w.0).collect();
    assert_eq!(ids, want_ids, "{who}: the agencies in order: {}", r.body);
    for (s, &(agency, requests, decided, disclosure, refusal, median, overdue)) in
        got.iter().zip(want)
    {
        let what = format!("{who} / {agency}");
        let counts = (
            s["requests"].as_i64(),
            s["decided"].as_i64(),
            s["overdue"].as_i64(),
        );
        assert_eq!(
            counts,
            (Some(requests), Some(decided), Some(overdue)),
            "{what}: requests, decided, overdue: {s}"
        );
        close(
            &s["disclosureRate"],
            disclosure,
            &format!("{what}: disclosureRate"),
        );
        close(&s["refusalRate"], refusal, &format!("{what}: refusalRate"));
        close(
            &s["medianDaysToDecide"],
            median,
            &format!("{what}: medianDaysToDecide"),
        );
    }
}

struct Fixture {
    w: World,
    t: String,
    /// C: 대전광역시교육청.
    third: String,
    /// Transferred from B to C, undecided by C.
    h9: String,
}

/// The requests of the table in the module's documentation.
async fn fixture(app: &TestApp) -> Fixture {
    let w = world(app).await;
    let t = today(app);
    let third = agency_id(app, &w.editor, "대전광역시교육청", "EDUCATION_OFFICE").await;
    let (a, b, c) = (w.agency.clone(), w.other_agency.clone(), third.clone());
    let on = |days_ago: i64| plus(&t, -days_ago);
    let req = |agency: &str, days_ago: i64, visibility: &str| json!({ "agencyId": agency, "filedOn": on(days_ago), "visibility": visibility });
    let (ed, hanbat) = (&w.editor, w.hanbat.id.as_str());

    let h1 = file(app, ed, hanbat, req(&a, 40, "PARTNERS")).await;
    decide(app, ed, &h1, "DISCLOSED", &on(33), None)
        .await
        .data();
    let h2 = file(app, ed, hanbat, req(&a, 40, "PRIVATE")).await;
    decide(app, ed, &h2, "REFUSED", &on(30), None).await.data();
    let h3 = file(app, ed, hanbat, req(&a, 30, "PUBLIC")).await;
    decide(app, ed, &h3, "PARTIALLY_DISCLOSED", &on(26), None)
        .await
        .data();
    let h4 = file(app, ed, hanbat, req(&a, 30, "PUBLIC")).await;
    decide(app, ed, &h4, "TRANSFERRED", &on(28), Some(&b))
        .await
        .data();
    decide(app, ed, &h4, "DISCLOSED", &on(20), None)
        .await
        .data();
    file(app, ed, hanbat, req(&a, 20, "PARTNERS")).await;
    let h6 = file(app, ed, hanbat, req(&a, 5, "PUBLIC")).await;
    op(app, ed, "withdrawDisclosureRequest", &h6).await.data();
    let h7 = file(app, ed, hanbat, req(&b, 50, "PUBLIC")).await;
    decide(app, ed, &h7, "NO_INFORMATION", &on(45), None)
        .await
        .data();
    file(app, ed, hanbat, req(&b, 12, "PRIVATE")).await;
    let h9 = file(app, ed, hanbat, req(&b, 25, "PARTNERS")).await;
    decide(app, ed, &h9, "TRANSFERRED", &on(22), Some(&c))
        .await
        .data();
    let h10 = file(app, ed, hanbat, req(&c, 10, "PUBLIC")).await;
    decide(app, ed, &h10, "REFUSED", &on(1), None).await.data();
    let h11 = file(app, ed, hanbat, req(&a, 70, "PUBLIC")).await;
    decide(app, ed, &h11, "DISCLOSED", &on(65), None)
        .await
        .data();

    let (gap, gapcheon) = (&w.gap_editor, w.gapcheon.id.as_str());
    let g1 = file(app, gap, gapcheon, req(&c, 8, "PUBLIC")).await;
    decide(app, gap, &g1, "DISCLOSED", &on(6), None)
        .await
        .data();
    file(app, gap, gapcheon, req(&a, 3, "PRIVATE")).await;
    Fixture { w, t, third, h9 }
}

db_test! {
    async fn agency_stats_count_by_hand_over_what_each_viewer_reads(app) {
        let f = fixture(&app).await;
        let (a, b, c) = (f.w.agency.as_str(), f.w.other_agency.as_str(), f.third.as_str());
        let from = plus(&f.t, -60);

        // hanbat reads all of its own (not h11, filed before the window)
        // and gapcheon's g1, not its PRIVATE g2.
        let r = stats(&app, f.w.member.token(), &from, &f.t, None).await;
        let names: Vec<String> = r.data()["agencyStats"].as_array().unwrap().iter().map(|s| text(s, "agency.name")).collect();
        assert_eq!(names, ["대전광역시 유성구", "대전광역시", "대전광역시교육청"]);
        let hanbat_view: [Row; 3] = [
            (a, 6, 4, Some(0.5), Some(0.25), Some(5.5), 1),
            (b, 4, 3, Some(1.0 / 3.0), Some(0.0), Some(5.0), 1),
            (c, 3, 2, Some(0.5), Some(0.5), Some(5.5), 1),
        ];
        expect(&r, &hanbat_view, "hanbat member");
        expect(&stats(&app, f.w.hanbat.owner.token(), &from, &f.t, None).await, &hanbat_view, "hanbat owner");

        // gapcheon, hanbat's partner: not h2 nor h8 (PRIVATE); its own g2.
        let r = stats(&app, f.w.gap_editor.token(), &from, &f.t, None).await;
        expect(&r, &[
            (a, 6, 3, Some(2.0 / 3.0), Some(0.0), Some(4.0), 1),
            (b, 3, 3, Some(1.0 / 3.0), Some(0.0), Some(5.0), 0),
            (c, 3, 2, Some(0.5), Some(0.5), Some(5.5), 1),
        ], "gapcheon editor");

        // Outsiders and anonymous callers: PUBLIC requests only.
        let public: [Row; 3] = [
            (a, 3, 2, Some(0.5), Some(0.0), Some(3.0), 0),
            (b, 2, 2, Some(0.5), Some(0.0), Some(6.5), 0),
            (c, 2, 2, Some(0.5), Some(0.5), Some(5.5), 0),
        ];
        for (who, token) in [
            ("yuseong editor (unrelated)", f.w.yu_editor.token()),
            ("actions-only owner", f.w.actions_only.owner.token()),
            ("anonymous", None),
        ] {
            expect(&stats(&app, token, &from, &f.t, None).await, &public, who);
        }

        // C decides the request B transferred to it, 22 days after the
        // transfer: C's numbers move, B's do not.
        decide(&app, &f.w.editor, &f.h9, "DISCLOSED", &f.t, None).await.data();
        let r = stats(&app, f.w.member.token(), &from, &f.t, None).await;
        expect(&r, &[
            hanbat_view[0],
            hanbat_view[1],
            (c, 3, 3, Some(2.0 / 3.0), Some(1.0 / 3.0), Some(9.0), 0),
        ], "hanbat member, after C's decision");
    }
}

db_test! {
    async fn agency_stats_windows_are_inclusive_and_filter_by_organization(app) {
        let f = fixture(&app).await;
        let (a, b, c) = (f.w.agency.as_str(), f.w.other_agency.as_str(), f.third.as_str());
        let (member, t) = (f.w.member.token(), f.t.as_str());
        let on = |days_ago: i64| plus(t, -days_ago);

        // Both ends count: h7 filed t-50, h1 and h2 filed t-40.
        let window = stats(&app, member, &on(50), &on(40), None).await;
        expect(&window, &[
            (a, 2, 2, Some(0.5), Some(0.5), Some(8.5), 0),
            (b, 1, 1, Some(0.0), Some(0.0), Some(5.0), 0),
        ], "[t-50, t-40]");
        expect(&stats(&app, member, &on(49), &on(41), None).await, &[], "[t-49, t-41]");
        expect(&stats(&app, member, &on(40), &on(40), None).await, &[(a, 2, 2, Some(0.5), Some(0.5), Some(8.5), 0)], "one day");
        expect(&stats(&app, member, &on(70), &on(60), None).await, &[(a, 1, 1, Some(1.0), Some(0.0), Some(5.0), 0)], "h11 alone");

        // Nothing decided: the rates and the median are null.
        expect(&stats(&app, member, &on(5), t, None).await, &[(a, 1, 0, None, None, None, 0)], "h6, withdrawn");
        let gapcheon = Some(f.w.gapcheon.id.as_str());
        let r = stats(&app, f.w.gap_editor.token(), &on(5), t, gapcheon).await;
        expect(&r, &[(a, 1, 0, None, None, None, 0)], "g2, as gapcheon reads it");

        // One organization's requests.
        let hanbat = Some(f.w.hanbat.id.as_str());
        expect(&stats(&app, member, &on(60), t, hanbat).await, &[
            (a, 6, 4, Some(0.5), Some(0.25), Some(5.5), 1),
            (b, 4, 3, Some(1.0 / 3.0), Some(0.0), Some(5.0), 1),
            (c, 2, 1, Some(0.0), Some(1.0), Some(9.0), 1),
        ], "hanbat's own");
        let r = stats(&app, member, &on(60), t, gapcheon).await;
        expect(&r, &[(c, 1, 1, Some(1.0), Some(0.0), Some(2.0), 0)], "gapcheon's, as hanbat reads them");
        let r = stats(&app, None, &on(60), t, hanbat).await;
        expect(&r, &[
            (a, 3, 2, Some(0.5), Some(0.0), Some(3.0), 0),
            (b, 2, 2, Some(0.5), Some(0.0), Some(6.5), 0),
            (c, 1, 1, Some(0.0), Some(1.0), Some(9.0), 0),
        ], "hanbat's PUBLIC ones, anonymously");
        let yuseong = Some(f.w.yuseong.id.as_str());
        expect(&stats(&app, member, &on(60), t, yuseong).await, &[], "yuseong filed none");

        stats(&app, member, t, &on(1), None).await.assert_error("BAD_USER_INPUT", Some("to"));
        stats(&app, None, t, &on(1), None).await.assert_error("BAD_USER_INPUT", Some("to"));
    }
}

db_test! {
    async fn agency_stats_follow_the_records_and_the_seoul_clock(app) {
        let w = world(&app).await;
        let t = today(&app);
        let (a, b) = (w.agency.as_str(), w.other_agency.as_str());
        let from = plus(&t, -30);
        let filed = json!({ "agencyId": a, "filedOn": plus(&t, -10) });
        let due_today = file(&app, &w.editor, &w.hanbat.id, filed.clone()).await;
        let moved = file(&app, &w.editor, &w.hanbat.id, filed).await;
        let r = stats(&app, w.editor.token(), &from, &t, None).await;
        expect(&r, &[(a, 2, 0, None, None, None, 0)], "due today: not overdue yet");

        decide(&app, &w.editor, &moved, "TRANSFERRED", &plus(&t, -4), Some(&w.other_agency)).await.data();
        let r = stats(&app, w.editor.token(), &from, &t, None).await;
        expect(&r, &[
            (a, 2, 1, Some(0.0), Some(0.0), Some(6.0), 0),
            (b, 1, 0, None, None, None, 0),
        ], "transferred: decided where it left, awaiting where it arrived");

        decide(&app, &w.editor, &moved, "REFUSED", &t, None).await.data();
        let r = stats(&app, w.editor.token(), &from, &t, None).await;
        let after: [Row; 2] = [
            (a, 2, 1, Some(0.0), Some(0.0), Some(6.0), 0),
            (b, 1, 1, Some(0.0), Some(1.0), Some(4.0), 0),
        ];
        expect(&r, &after, "refused by the receiving agency, four days after the transfer");

        // Five past midnight in Seoul (the UTC date has not turned): the
        // request due yesterday is overdue.
        to_next_seoul_midnight(&app, 5);
        let t1 = today(&app);
        assert_eq!(t1, plus(&t, 1));
        let editor = app.again(&w.editor).await;
        let r = stats(&app, editor.token(), &from, &t1, None).await;
        expect(&r, &[(a, 2, 1, Some(0.0), Some(0.0), Some(6.0), 1), after[1]], "the day after the due date");

        op(&app, &editor, "withdrawDisclosureRequest", &due_today).await.data();
        let r = stats(&app, editor.token(), &from, &t1, None).await;
        expect(&r, &after, "withdrawn: still counted, neither decided nor overdue");

        delete(&app, &editor, &moved).await.data();
        let r = stats(&app, editor.token(), &from, &t1, None).await;
        expect(&r, &[(a, 1, 0, None, None, None, 0)], "deleted: gone from both agencies");
    }
}
