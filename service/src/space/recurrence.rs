//! Expanding a booking's RFC 5545 RRULE into occurrences, with the `rrule`
//! crate, in the owner organization's time zone: a weekly 19:00 meeting stays
//! at 19:00 local time across daylight-saving changes, and every occurrence
//! lasts as long as the first.

use chrono::{DateTime, Utc};
use rrule::{RRule, Unvalidated};

use crate::error::{ApiError, ApiResult};

/// At most this many occurrences per request.
pub const MAX_OCCURRENCES: usize = 100;

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
    let dt_start = starts_at.with_timezone(&rrule::Tz::from(tz));
    let set = parsed
        .build(dt_start)
        .map_err(|e| bad(format!("not a valid RFC 5545 RRULE: {e}")))?;
    let result = set.all((MAX_OCCURRENCES + 1) as u16);
    if result.dates.len() > MAX_OCCURRENCES || result.limited {
        // More dates than allowed — or so sparse a rule that the crate's own
        // iteration limit cut it short.
        return Err(bad(format!(
            "the rule yields more than {MAX_OCCURRENCES} occurrences; limit it with COUNT or UNTIL"
        )));
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
            "FREQ=SOMETIMES",
            "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;COUNT=2",
        ] {
            let err = occurrences(s, e, Some(bad), seoul).unwrap_err();
            assert!(
                matches!(err, ApiError::BadUserInput { ref field, .. } if field == "recurrence"),
                "{bad}"
            );
        }
    }
}
