//! Expanding a booking's RFC 5545 RRULE into occurrences, with the `rrule`
//! crate, in the owner organization's time zone: a weekly 19:00 meeting stays
//! at 19:00 local time across daylight-saving changes, and every occurrence
//! lasts as long as the first.
//!
//! The expansion's work is bounded before it starts: a rule must say when
//! it ends (COUNT or UNTIL), may not repeat more often than hourly, may not
//! set the time of day (that is `startsAt`'s), keeps its BY-lists short,
//! and is expanded only within [`MAX_SPAN`] of its start — so a rule that
//! never matches costs a few thousand steps, not the crate's 100,000.

use chrono::{DateTime, TimeDelta, Utc};
use rrule::{Frequency, RRule, Unvalidated};

use crate::error::{ApiError, ApiResult};

/// At most this many occurrences per request.
pub const MAX_OCCURRENCES: usize = 100;
/// How far a series may reach from its first occurrence.
pub const MAX_SPAN: TimeDelta = TimeDelta::days(5 * 366);
/// The longest BY-list (BYDAY, BYMONTHDAY, ...) a meeting pattern needs.
const MAX_BY_VALUES: usize = 31;

/// Refuse what cannot be meant for a room booking or a meeting, before any
/// expansion: the reason, for the client.
fn check_shape(rule: &RRule<Unvalidated>, starts_at: DateTime<Utc>) -> Result<(), String> {
    if matches!(rule.get_freq(), Frequency::Secondly | Frequency::Minutely) {
        return Err("a booking repeats at most hourly".into());
    }
    if !(rule.get_by_hour().is_empty()
        && rule.get_by_minute().is_empty()
        && rule.get_by_second().is_empty())
    {
        return Err(
            "the time of day is `startsAt`'s: leave out BYHOUR, BYMINUTE and BYSECOND".into(),
        );
    }
    let lists = [
        rule.get_by_set_pos().len(),
        rule.get_by_month().len(),
        rule.get_by_month_day().len(),
        rule.get_by_year_day().len(),
        rule.get_by_week_no().len(),
        rule.get_by_weekday().len(),
    ];
    if lists.iter().any(|n| *n > MAX_BY_VALUES) {
        return Err(format!("a BY-list may hold at most {MAX_BY_VALUES} values"));
    }
    match (rule.get_count(), rule.get_until()) {
        (None, None) => Err(format!(
            "limit the rule with COUNT (at most {MAX_OCCURRENCES}) or UNTIL"
        )),
        (Some(count), _) if count as usize > MAX_OCCURRENCES => Err(format!(
            "the rule yields more than {MAX_OCCURRENCES} occurrences; lower COUNT"
        )),
        (_, Some(until)) if until.with_timezone(&Utc) > starts_at + MAX_SPAN => {
            Err("a series may reach at most five years from its start".into())
        }
        _ => Ok(()),
    }
}

/// The occurrences `[start, end)` of a booking: just the one without a rule;
/// with one, the rule's dates from `starts_at` on, each lasting
/// `ends_at - starts_at`.
pub fn occurrences(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    recurrence: Option<&str>,
    tz: chrono_tz::Tz,
) -> ApiResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let Some(rule) = recurrence.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(vec![(starts_at, ends_at)]);
    };
    let bad = |why: String| ApiError::bad_input("recurrence", why);
    // One RRULE, no DTSTART of its own: the start is `startsAt`.
    if rule.contains(['\n', '\r']) {
        return Err(bad(
            "give a single RRULE line (the start is `startsAt`)".into()
        ));
    }
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    let parsed: RRule<Unvalidated> = rule
        .parse()
        .map_err(|e| bad(format!("not a valid RFC 5545 RRULE: {e}")))?;
    check_shape(&parsed, starts_at).map_err(bad)?;
    let wanted = parsed.get_count();
    let horizon = (starts_at + MAX_SPAN).with_timezone(&rrule::Tz::UTC);
    let bounded = match parsed.get_until() {
        Some(_) => parsed,
        None => parsed.until(horizon),
    };
    let dt_start = starts_at.with_timezone(&rrule::Tz::from(tz));
    let set = bounded
        .build(dt_start)
        .map_err(|e| bad(format!("not a valid RFC 5545 RRULE: {e}")))?;
    let result = set.all((MAX_OCCURRENCES + 1) as u16);
    if result.dates.len() > MAX_OCCURRENCES
        || (result.limited && result.dates.len() == MAX_OCCURRENCES + 1)
    {
        return Err(bad(format!(
            "the rule yields more than {MAX_OCCURRENCES} occurrences; limit it with COUNT or UNTIL"
        )));
    }
    if wanted.is_some_and(|n| result.dates.len() < n as usize) {
        // COUNT not reached within the horizon (or the crate's own
        // iteration limit cut the rule short).
        return Err(bad(
            "a series may reach at most five years from its start".into()
        ));
    }
    if result.dates.is_empty() {
        return Err(bad("the rule yields no occurrence".into()));
    }
    let duration = ends_at - starts_at;
    let slots: Vec<(DateTime<Utc>, DateTime<Utc>)> = result
        .dates
        .into_iter()
        .map(|d| {
            let start = d.with_timezone(&Utc);
            (start, start + duration)
        })
        .collect();
    // A series must not overlap itself (an hourly rule for two-hour
    // bookings, or a 24-hour daily booking across a DST change).
    if let Some(w) = slots.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(bad(format!(
            "occurrences overlap each other ({} and {}); shorten the booking or space the rule out",
            w[0].0.to_rfc3339(),
            w[1].0.to_rfc3339()
        )));
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_of_a_rule_is_bounded_before_and_during_expansion() {
        let (s, e) = (at("2026-12-01T01:00:00Z"), at("2026-12-01T02:00:00Z"));
        let seoul = chrono_tz::Asia::Seoul;
        // Allowed patterns that meetings use.
        for (rule, n) in [
            ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", 10),
            ("FREQ=MONTHLY;BYDAY=1TU;COUNT=12", 12),
            ("FREQ=MONTHLY;BYMONTHDAY=1,15;UNTIL=20270601T000000Z", 12),
            ("FREQ=WEEKLY;INTERVAL=2;COUNT=26", 26),
            ("FREQ=HOURLY;INTERVAL=3;COUNT=5", 5),
        ] {
            assert_eq!(
                occurrences(s, e, Some(rule), seoul).unwrap().len(),
                n,
                "{rule}"
            );
        }
        // A rule that never matches stops at the horizon, quickly.
        let started = std::time::Instant::now();
        let never = occurrences(
            s,
            e,
            Some("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3"),
            seoul,
        );
        assert!(never.is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weekly_meetings_keep_local_time_across_dst() {
        // 19:00 in New York, weekly, across the switch to winter time.
        let got = occurrences(
            at("2026-10-22T23:00:00Z"),
            at("2026-10-23T00:30:00Z"),
            Some("FREQ=WEEKLY;COUNT=3"),
            chrono_tz::America::New_York,
        )
        .unwrap();
        let starts: Vec<String> = got.iter().map(|(s, _)| s.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-10-22T23:00:00+00:00",
                "2026-10-29T23:00:00+00:00",
                "2026-11-06T00:00:00+00:00"
            ]
        );
        assert!(
            got.iter()
                .all(|(s, e)| *e - *s == chrono::TimeDelta::minutes(90))
        );
    }

    #[test]
    fn limits_and_bad_rules() {
        let (s, e) = (at("2026-12-01T01:00:00Z"), at("2026-12-01T02:00:00Z"));
        let seoul = chrono_tz::Asia::Seoul;
        assert_eq!(occurrences(s, e, None, seoul).unwrap().len(), 1);
        assert_eq!(
            occurrences(s, e, Some("RRULE:FREQ=DAILY;COUNT=100"), seoul)
                .unwrap()
                .len(),
            100
        );
        for bad in [
            "FREQ=DAILY",
            "FREQ=DAILY;COUNT=101",
            "FREQ=DAILY;UNTIL=20270401T000000Z",
            "FREQ=SOMETIMES",
            "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;COUNT=2",
            "FREQ=MINUTELY;COUNT=10",
            "FREQ=SECONDLY;COUNT=10",
            "FREQ=DAILY;BYHOUR=9,10;COUNT=4",
            "FREQ=DAILY;BYMINUTE=0;COUNT=4",
            "FREQ=YEARLY;COUNT=20",
            "FREQ=MONTHLY;UNTIL=20330101T000000Z",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
            "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2;BYSECOND=0,1;UNTIL=20991231T000000Z",
        ] {
            let err = occurrences(s, e, Some(bad), seoul).unwrap_err();
            assert!(
                matches!(err, ApiError::BadUserInput { ref field, .. } if field == "recurrence"),
                "{bad}"
            );
        }
    }
}
