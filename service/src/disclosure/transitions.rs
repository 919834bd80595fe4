//! A disclosure request's life, after the Official Information Disclosure
//! Act (공공기관의 정보공개에 관한 법률): the agency decides within 10 days of
//! filing (art. 11), may extend that once by 10 days; a refusal or partial
//! disclosure can be objected to within 30 days (art. 18), and the agency
//! decides an objection within 7 days; an administrative appeal or a suit
//! may follow (arts. 19–20). Days are calendar days in Korea; a date "after
//! today" is one in Seoul's future.
//!
//! A transfer (이송, art. 11(4)) is the first agency's answer: the request
//! then waits for the receiving agency's decision, recorded once, due 10
//! days after the transfer. An extension is notified within the first 10
//! days, and is dated.
//! OVERDUE is derived from the date — no job — here in Rust for display
//! and beside it in SQL for filters.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::error::ApiError;
use entity::{DisclosureStatus as S, disclosure_request};

/// Days the agency has to decide, counted from filing.
pub const DECISION_DAYS: i64 = 10;
/// What one extension adds.
pub const EXTENSION_DAYS: i64 = 10;
/// Days after a decision within which an objection is lodged.
pub const OBJECTION_WINDOW_DAYS: i64 = 30;
/// Days the agency has to decide an objection.
pub const OBJECTION_DECISION_DAYS: i64 = 7;

/// The statuses a decision may set.
pub const DECISIONS: [S; 5] = [
    S::Disclosed,
    S::PartiallyDisclosed,
    S::Refused,
    S::NoInformation,
    S::Transferred,
];

/// Waiting for the (first) agency's decision.
pub const AWAITING: [S; 2] = [S::Filed, S::Extended];

/// Waiting for a decision: the first agency's, or after a transfer the
/// receiving agency's. Past its due date, such a request is OVERDUE.
pub const UNDECIDED: [S; 3] = [S::Filed, S::Extended, S::Transferred];

/// The date in Korea at `now`: deadlines are Korean calendar days.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Asia::Seoul).date_naive()
}

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + TimeDelta::days(days)
}

/// When the decision is due.
pub fn due_on(filed_on: NaiveDate, extended: bool) -> NaiveDate {
    let extra = if extended { EXTENSION_DAYS } else { 0 };
    plus(filed_on, DECISION_DAYS + extra)
}

/// When an objection's decision is due.
pub fn objection_due_on(lodged_on: NaiveDate) -> NaiveDate {
    plus(lodged_on, OBJECTION_DECISION_DAYS)
}

/// No decision (the receiving agency's, after a transfer), and the due
/// date is past (due *on* `due_on`: overdue from the next day).
pub fn is_overdue(status: S, due_on: NaiveDate, today: NaiveDate) -> bool {
    UNDECIDED.contains(&status) && due_on < today
}

/// When the receiving agency's decision is due after a transfer.
pub fn due_after_transfer(transferred_on: NaiveDate) -> NaiveDate {
    plus(transferred_on, DECISION_DAYS)
}

/// [`is_overdue`] (or its negation) as a condition on `disclosure_requests`.
pub fn overdue_condition(overdue: bool, today: NaiveDate) -> Condition {
    use disclosure_request::Column as C;
    let col = |c: C| Expr::col((disclosure_request::Entity, c));
    let cond = Condition::all()
        .add(col(C::Status).is_in(UNDECIDED.map(|s| s.as_str())))
        .add(col(C::DueOn).lt(today));
    if overdue { cond } else { cond.not() }
}

fn refuse(current: S, what: &str) -> ApiError {
    ApiError::bad_input(
        "id",
        format!("{what}; this request is {}", current.as_str()),
    )
}

fn not_after_today(field: &str, date: NaiveDate, today: NaiveDate) -> Result<(), ApiError> {
    if date > today {
        return Err(ApiError::bad_input(field, "the date is in the future"));
    }
    Ok(())
}

/// Filing: not in the future. Returns the due date.
pub fn file(filed_on: NaiveDate, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    not_after_today("filedOn", filed_on, today)?;
    Ok(due_on(filed_on, false))
}

/// The one extension, notified on `extended_on` — within the first 10
/// days, not in the future: FILED → EXTENDED, with its new due date.
pub fn extend(
    r: &disclosure_request::Model,
    extended_on: NaiveDate,
    today: NaiveDate,
) -> Result<(S, NaiveDate), ApiError> {
    match r.status {
        S::Filed => {}
        S::Extended => return Err(refuse(r.status, "the deadline was already extended once")),
        other => {
            return Err(refuse(
                other,
                "only a request awaiting its first decision is extended",
            ));
        }
    }
    let first_due = due_on(r.filed_on, false);
    if extended_on < r.filed_on || extended_on > first_due {
        return Err(ApiError::bad_input(
            "extendedOn",
            format!(
                "an extension is notified between the filing and the first due date ({first_due})"
            ),
        ));
    }
    not_after_today("extendedOn", extended_on, today)?;
    Ok((S::Extended, due_on(r.filed_on, true)))
}

/// A decision as recorded.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub status: S,
    pub decided_on: NaiveDate,
    pub transferred_to: Option<uuid::Uuid>,
}

/// Whether `d` may be recorded: the agency's decision of a request awaiting
/// one, or the receiving agency's of a transferred one (not transferred
/// again), dated from filing (or the transfer) through today.
pub fn decide(
    r: &disclosure_request::Model,
    d: &Decision,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let since = match r.status {
        S::Filed | S::Extended => r.filed_on,
        S::Transferred => r.transferred_on.unwrap_or(r.filed_on),
        other => return Err(refuse(other, "a decision is recorded once")),
    };
    if !DECISIONS.contains(&d.status) {
        return Err(ApiError::bad_input(
            "status",
            "a decision is DISCLOSED, PARTIALLY_DISCLOSED, REFUSED, NO_INFORMATION or TRANSFERRED",
        ));
    }
    if r.status == S::Transferred && d.status == S::Transferred {
        return Err(ApiError::bad_input(
            "status",
            "a transferred request is decided by the receiving agency, not transferred again",
        ));
    }
    match (d.status, d.transferred_to) {
        (S::Transferred, None) => {
            return Err(ApiError::bad_input(
                "transferredToAgencyId",
                "a transfer names the receiving agency",
            ));
        }
        (S::Transferred, Some(to)) if to == r.agency_id => {
            return Err(ApiError::bad_input(
                "transferredToAgencyId",
                "a request is transferred to another agency",
            ));
        }
        (S::Transferred, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(ApiError::bad_input(
                "transferredToAgencyId",
                "only a TRANSFERRED decision names a receiving agency",
            ));
        }
    }
    if d.decided_on < since {
        return Err(ApiError::bad_input(
            "decidedOn",
            "the decision cannot precede the filing (or the transfer)",
        ));
    }
    not_after_today("decidedOn", d.decided_on, today)
}

/// An objection: against a refusal or partial disclosure, once, lodged
/// within 30 days of the decision.
pub fn lodge_objection(
    r: &disclosure_request::Model,
    lodged_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if !matches!(r.status, S::Refused | S::PartiallyDisclosed) {
        return Err(refuse(
            r.status,
            "an objection is lodged against a refusal or a partial disclosure",
        ));
    }
    if r.objection_lodged_on.is_some() {
        return Err(refuse(r.status, "an objection was already lodged"));
    }
    let Some(decided) = r.decided_on else {
        return Err(refuse(r.status, "the request has no decision"));
    };
    if lodged_on < decided || lodged_on > plus(decided, OBJECTION_WINDOW_DAYS) {
        return Err(ApiError::bad_input(
            "lodgedOn",
            format!(
                "an objection is lodged within {OBJECTION_WINDOW_DAYS} days of the decision ({decided})"
            ),
        ));
    }
    not_after_today("lodgedOn", lodged_on, today)
}

/// The agency's decision on a lodged objection, once.
pub fn decide_objection(
    r: &disclosure_request::Model,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let Some(lodged) = r.objection_lodged_on else {
        return Err(refuse(r.status, "no objection was lodged"));
    };
    if r.objection_decided_on.is_some() {
        return Err(refuse(r.status, "the objection was already decided"));
    }
    if decided_on < lodged {
        return Err(ApiError::bad_input(
            "decidedOn",
            "the objection's decision cannot precede its lodging",
        ));
    }
    not_after_today("decidedOn", decided_on, today)
}

/// An administrative appeal or suit: after a refusal, partial disclosure or
/// "no information", once, dated after the decision (and after the
/// objection's decision when there was one).
pub fn note_appeal(
    r: &disclosure_request::Model,
    noted_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if !matches!(
        r.status,
        S::Refused | S::PartiallyDisclosed | S::NoInformation
    ) {
        return Err(refuse(
            r.status,
            "an appeal follows a refusal, a partial disclosure or no information",
        ));
    }
    if r.appeal_kind.is_some() {
        return Err(refuse(r.status, "an appeal was already noted"));
    }
    let since = r.objection_decided_on.or(r.decided_on);
    if since.is_some_and(|since| noted_on < since) {
        return Err(ApiError::bad_input(
            "notedOn",
            "an appeal cannot precede the decision it appeals",
        ));
    }
    not_after_today("notedOn", noted_on, today)
}

/// Withdrawing: while no final decision is in.
pub fn withdraw(r: &disclosure_request::Model) -> Result<(), ApiError> {
    match r.status {
        S::Filed | S::Extended | S::Transferred => Ok(()),
        other => Err(refuse(
            other,
            "only a request awaiting a decision is withdrawn",
        )),
    }
}

#[cfg(test)]
mod tests;
