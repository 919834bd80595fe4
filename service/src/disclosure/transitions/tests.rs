//! Every allowed and refused transition of a disclosure request.

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use entity::{AppealKind, DisclosureChannel, FiledBy, ObjectionOutcome, Visibility};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const AGENCY: Uuid = Uuid::from_u128(1);
const OTHER: Uuid = Uuid::from_u128(2);

fn request(status: S, filed: &str) -> disclosure_request::Model {
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    disclosure_request::Model {
        id: Uuid::from_u128(9),
        organization_id: Uuid::from_u128(3),
        project_id: None,
        agency_id: AGENCY,
        subject: "s".into(),
        body: None,
        channel: DisclosureChannel::Portal,
        receipt_number: None,
        filed_on: d(filed),
        filed_by: FiledBy::Member,
        status,
        due_on: due_on(d(filed), status == S::Extended),
        extended_on: None,
        decided_on: None,
        transferred_to_agency_id: None,
        transferred_on: None,
        objection_lodged_on: None,
        objection_decided_on: None,
        objection_outcome: None,
        appeal_kind: None,
        appeal_noted_on: None,
        visibility: Visibility::Private,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

fn decided(status: S, filed: &str, on: &str) -> disclosure_request::Model {
    let mut r = request(status, filed);
    r.decided_on = Some(d(on));
    r
}

fn decision(status: S, on: &str, to: Option<Uuid>) -> Decision {
    Decision {
        status,
        decided_on: d(on),
        transferred_to: to,
    }
}

fn field(e: ApiError) -> String {
    match e {
        ApiError::BadUserInput { field, .. } => field,
        other => panic!("not BAD_USER_INPUT: {other:?}"),
    }
}

#[test]
fn today_is_the_date_in_seoul() {
    // 15:00 UTC is midnight in Seoul.
    let before = Utc.with_ymd_and_hms(2027, 1, 31, 14, 59, 59).unwrap();
    let after = Utc.with_ymd_and_hms(2027, 1, 31, 15, 0, 0).unwrap();
    assert_eq!(today(before), d("2027-01-31"));
    assert_eq!(today(after), d("2027-02-01"));
}

#[test]
fn due_dates_cross_month_and_year_ends() {
    assert_eq!(due_on(d("2027-01-25"), false), d("2027-02-04"));
    assert_eq!(due_on(d("2027-01-25"), true), d("2027-02-14"));
    assert_eq!(due_on(d("2028-02-25"), false), d("2028-03-06"));
    assert_eq!(due_on(d("2027-02-25"), false), d("2027-03-07"));
    assert_eq!(due_on(d("2027-12-28"), true), d("2028-01-17"));
    assert_eq!(objection_due_on(d("2027-04-27")), d("2027-05-04"));
}

#[test]
fn overdue_only_awaiting_a_decision_and_from_the_day_after_due() {
    let due = d("2027-02-04");
    assert!(!is_overdue(S::Filed, due, d("2027-02-04")));
    assert!(is_overdue(S::Filed, due, d("2027-02-05")));
    assert!(is_overdue(S::Extended, due, d("2027-02-05")));
    assert!(
        is_overdue(S::Transferred, due, d("2027-02-05")),
        "awaiting the receiving agency"
    );
    for s in [
        S::Disclosed,
        S::PartiallyDisclosed,
        S::Refused,
        S::NoInformation,
        S::Withdrawn,
    ] {
        assert!(!is_overdue(s, due, d("2027-03-01")), "{s:?}");
    }
    assert_eq!(due_after_transfer(d("2027-01-28")), d("2027-02-07"));
}

#[test]
fn filing_is_not_in_the_future() {
    assert_eq!(
        file(d("2027-01-25"), d("2027-01-25")).unwrap(),
        d("2027-02-04")
    );
    assert_eq!(
        field(file(d("2027-01-26"), d("2027-01-25")).unwrap_err()),
        "filedOn"
    );
}

#[test]
fn one_extension_before_the_decision_and_within_the_first_ten_days() {
    let today = d("2027-02-20");
    let r = request(S::Filed, "2027-01-25");
    let (status, due) = extend(&r, d("2027-02-04"), today).unwrap();
    assert_eq!((status, due), (S::Extended, d("2027-02-14")));
    extend(&r, d("2027-01-25"), today).unwrap();
    let late = extend(&r, d("2027-02-05"), today).unwrap_err();
    assert_eq!(field(late), "extendedOn", "after the first due date");
    let early = extend(&r, d("2027-01-24"), today).unwrap_err();
    assert_eq!(field(early), "extendedOn", "before the filing");
    let ahead = extend(&r, d("2027-02-01"), d("2027-01-31")).unwrap_err();
    assert_eq!(field(ahead), "extendedOn", "in the future");
    let twice = request(S::Extended, "2027-01-25");
    assert_eq!(
        field(extend(&twice, d("2027-01-30"), today).unwrap_err()),
        "id"
    );
    for s in DECISIONS.into_iter().chain([S::Withdrawn]) {
        let r = decided(s, "2027-01-25", "2027-01-30");
        assert_eq!(
            field(extend(&r, d("2027-01-30"), today).unwrap_err()),
            "id",
            "{s:?}"
        );
    }
}

#[test]
fn decisions_of_a_request_awaiting_one() {
    let today = d("2027-02-10");
    for from in AWAITING {
        let r = request(from, "2027-01-25");
        for s in DECISIONS {
            let to = (s == S::Transferred).then_some(OTHER);
            decide(&r, &decision(s, "2027-01-25", to), today).unwrap();
        }
        let early = decision(S::Disclosed, "2027-01-24", None);
        assert_eq!(field(decide(&r, &early, today).unwrap_err()), "decidedOn");
        let future = decision(S::Disclosed, "2027-02-11", None);
        assert_eq!(field(decide(&r, &future, today).unwrap_err()), "decidedOn");
        for s in [S::Filed, S::Extended, S::Withdrawn] {
            let bad = decision(s, "2027-01-30", None);
            assert_eq!(field(decide(&r, &bad, today).unwrap_err()), "status");
        }
    }
}

#[test]
fn a_transfer_names_another_agency_and_only_a_transfer_does() {
    let r = request(S::Filed, "2027-01-25");
    let today = d("2027-02-10");
    for to in [None, Some(AGENCY)] {
        let t = decision(S::Transferred, "2027-01-30", to);
        assert_eq!(
            field(decide(&r, &t, today).unwrap_err()),
            "transferredToAgencyId"
        );
    }
    let named = decision(S::Refused, "2027-01-30", Some(OTHER));
    assert_eq!(
        field(decide(&r, &named, today).unwrap_err()),
        "transferredToAgencyId"
    );
}

#[test]
fn the_receiving_agency_decides_a_transferred_request_once() {
    let mut r = decided(S::Transferred, "2027-01-25", "2027-01-28");
    r.transferred_to_agency_id = Some(OTHER);
    r.transferred_on = Some(d("2027-01-28"));
    let today = d("2027-02-20");
    for s in [
        S::Disclosed,
        S::PartiallyDisclosed,
        S::Refused,
        S::NoInformation,
    ] {
        decide(&r, &decision(s, "2027-01-28", None), today).unwrap();
    }
    let again = decision(S::Transferred, "2027-02-01", Some(AGENCY));
    assert_eq!(field(decide(&r, &again, today).unwrap_err()), "status");
    let before = decision(S::Disclosed, "2027-01-27", None);
    assert_eq!(field(decide(&r, &before, today).unwrap_err()), "decidedOn");
    for s in [
        S::Disclosed,
        S::PartiallyDisclosed,
        S::Refused,
        S::NoInformation,
        S::Withdrawn,
    ] {
        let done = decided(s, "2027-01-25", "2027-01-30");
        let next = decision(S::Refused, "2027-02-01", None);
        assert_eq!(
            field(decide(&done, &next, today).unwrap_err()),
            "id",
            "{s:?}"
        );
    }
}

#[test]
fn objections_within_thirty_days_of_a_refusal_or_partial_disclosure() {
    let today = d("2027-12-31");
    for s in [S::Refused, S::PartiallyDisclosed] {
        let r = decided(s, "2027-01-25", "2027-01-31");
        lodge_objection(&r, d("2027-01-31"), today).unwrap();
        lodge_objection(&r, d("2027-03-02"), today).unwrap(); // day 30
        assert_eq!(
            field(lodge_objection(&r, d("2027-03-03"), today).unwrap_err()),
            "lodgedOn"
        );
        assert_eq!(
            field(lodge_objection(&r, d("2027-01-30"), today).unwrap_err()),
            "lodgedOn"
        );
        assert_eq!(
            field(lodge_objection(&r, d("2027-02-01"), d("2027-01-31")).unwrap_err()),
            "lodgedOn"
        );
        let mut once = r.clone();
        once.objection_lodged_on = Some(d("2027-02-01"));
        assert_eq!(
            field(lodge_objection(&once, d("2027-02-02"), today).unwrap_err()),
            "id"
        );
    }
    for s in [
        S::Filed,
        S::Extended,
        S::Disclosed,
        S::NoInformation,
        S::Transferred,
        S::Withdrawn,
    ] {
        let r = decided(s, "2027-01-25", "2027-01-31");
        assert_eq!(
            field(lodge_objection(&r, d("2027-02-01"), today).unwrap_err()),
            "id",
            "{s:?}"
        );
    }
}

#[test]
fn an_objection_is_decided_once_after_it_was_lodged() {
    let today = d("2027-03-01");
    let r = decided(S::Refused, "2027-01-25", "2027-01-31");
    assert_eq!(
        field(decide_objection(&r, d("2027-02-05"), today).unwrap_err()),
        "id"
    );
    let mut lodged = r.clone();
    lodged.objection_lodged_on = Some(d("2027-02-03"));
    decide_objection(&lodged, d("2027-02-03"), today).unwrap();
    assert_eq!(
        field(decide_objection(&lodged, d("2027-02-02"), today).unwrap_err()),
        "decidedOn"
    );
    assert_eq!(
        field(decide_objection(&lodged, d("2027-03-02"), today).unwrap_err()),
        "decidedOn"
    );
    let mut done = lodged.clone();
    done.objection_decided_on = Some(d("2027-02-08"));
    done.objection_outcome = Some(ObjectionOutcome::Dismissed);
    assert_eq!(
        field(decide_objection(&done, d("2027-02-09"), today).unwrap_err()),
        "id"
    );
}

#[test]
fn an_appeal_follows_an_adverse_decision_once() {
    let today = d("2027-06-01");
    for s in [S::Refused, S::PartiallyDisclosed, S::NoInformation] {
        let r = decided(s, "2027-01-25", "2027-01-31");
        note_appeal(&r, d("2027-01-31"), today).unwrap();
        assert_eq!(
            field(note_appeal(&r, d("2027-01-30"), today).unwrap_err()),
            "notedOn"
        );
        assert_eq!(
            field(note_appeal(&r, d("2027-06-02"), today).unwrap_err()),
            "notedOn"
        );
        let mut noted = r.clone();
        noted.appeal_kind = Some(AppealKind::Lawsuit);
        noted.appeal_noted_on = Some(d("2027-02-01"));
        assert_eq!(
            field(note_appeal(&noted, d("2027-02-02"), today).unwrap_err()),
            "id"
        );
    }
    let mut objected = decided(S::Refused, "2027-01-25", "2027-01-31");
    objected.objection_lodged_on = Some(d("2027-02-01"));
    objected.objection_decided_on = Some(d("2027-02-07"));
    objected.objection_outcome = Some(ObjectionOutcome::Dismissed);
    assert_eq!(
        field(note_appeal(&objected, d("2027-02-06"), today).unwrap_err()),
        "notedOn"
    );
    note_appeal(&objected, d("2027-02-07"), today).unwrap();
    for s in [
        S::Filed,
        S::Extended,
        S::Disclosed,
        S::Transferred,
        S::Withdrawn,
    ] {
        let r = decided(s, "2027-01-25", "2027-01-31");
        assert_eq!(
            field(note_appeal(&r, d("2027-02-01"), today).unwrap_err()),
            "id",
            "{s:?}"
        );
    }
}

#[test]
fn withdrawing_while_a_decision_is_awaited() {
    for s in [S::Filed, S::Extended, S::Transferred] {
        withdraw(&request(s, "2027-01-25")).unwrap();
    }
    for s in [
        S::Disclosed,
        S::PartiallyDisclosed,
        S::Refused,
        S::NoInformation,
        S::Withdrawn,
    ] {
        assert_eq!(
            field(withdraw(&request(s, "2027-01-25")).unwrap_err()),
            "id",
            "{s:?}"
        );
    }
}
