//! An agreement's status is derived from its timestamps and the clock, never
//! stored. The Rust function (for display) and the SQL condition (for
//! `status:` filters) are written side by side; a test checks they agree.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::policy::sharing::agreement_active;
use entity::agreement;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementStatus {
    /// Being drafted by the convener.
    Draft,
    /// Proposed, waiting for parties to answer — or ratified but not yet
    /// started (then `ratifiedAt` is set).
    Proposed,
    /// Ratified, not terminated, and today (in the convener's time zone)
    /// is within startsOn..endsOn.
    Active,
    /// Ratified and past endsOn.
    Expired,
    Terminated,
}

pub fn status_of(a: &agreement::Model, now: DateTime<Utc>) -> AgreementStatus {
    if a.terminated_at.is_some() {
        AgreementStatus::Terminated
    } else if a.proposed_at.is_none() {
        AgreementStatus::Draft
    } else if a.ratified_at.is_none() || now < a.active_from {
        AgreementStatus::Proposed
    } else if a.active_until.is_some_and(|until| now >= until) {
        AgreementStatus::Expired
    } else {
        AgreementStatus::Active
    }
}

/// The same rule as a condition on the `agreements` table.
pub fn status_condition(status: AgreementStatus, now: DateTime<Utc>) -> Condition {
    use agreement::Column as C;
    let col = |c: C| Expr::col((agreement::Entity, c));
    let live = || col(C::TerminatedAt).is_null();
    match status {
        AgreementStatus::Terminated => Condition::all().add(col(C::TerminatedAt).is_not_null()),
        AgreementStatus::Draft => Condition::all()
            .add(live())
            .add(col(C::ProposedAt).is_null()),
        AgreementStatus::Proposed => Condition::all()
            .add(live())
            .add(col(C::ProposedAt).is_not_null())
            .add(
                Condition::any()
                    .add(col(C::RatifiedAt).is_null())
                    .add(col(C::ActiveFrom).gt(now)),
            ),
        AgreementStatus::Active => agreement_active(agreement::Entity, now),
        AgreementStatus::Expired => Condition::all()
            .add(live())
            .add(col(C::RatifiedAt).is_not_null())
            .add(col(C::ActiveFrom).lte(now))
            .add(col(C::ActiveUntil).lte(now)),
    }
}

/// The first instant of `date` in `tz` (if midnight falls into a DST gap,
/// the first instant after it).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += TimeDelta::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
}

/// `startsOn..=endsOn` in the convener's time zone as a half-open interval
/// of instants: [start of startsOn, start of the day after endsOn).
pub fn active_window(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    tz: Tz,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let from = start_of_day(starts_on, tz);
    let until = ends_on
        .and_then(|d| d.succ_opt())
        .map(|d| start_of_day(d, tz));
    (from, until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_convener_time_zone() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, until) = active_window(
            d("2026-03-01"),
            Some(d("2026-12-31")),
            chrono_tz::Asia::Seoul,
        );
        assert_eq!(from.to_rfc3339(), "2026-02-28T15:00:00+00:00");
        assert_eq!(until.unwrap().to_rfc3339(), "2026-12-31T15:00:00+00:00");
        // A DST gap at midnight (America/Santiago, 2026-09-06) moves to 01:00.
        let gap = start_of_day(d("2026-09-06"), chrono_tz::America::Santiago);
        assert_eq!(gap.to_rfc3339(), "2026-09-06T04:00:00+00:00");
    }
}
