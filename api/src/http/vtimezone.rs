//! VTIMEZONE components (RFC 5545 §3.6.5), which the icalendar crate does
//! not write yet: a zone's offsets over the span a feed covers, with one
//! observance per transition found in the tz database (chrono-tz), so a
//! calendar resolves `DTSTART;TZID=...` exactly as the server expanded it.

use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

fn offset(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

fn daylight(tz: Tz, t: DateTime<Utc>) -> bool {
    !tz.offset_from_utc_datetime(&t.naive_utc())
        .dst_offset()
        .is_zero()
}

fn name(tz: Tz, t: DateTime<Utc>) -> Option<String> {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .abbreviation()
        .map(str::to_owned)
}

fn hhmm(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The instants in `[from, to]` at which the zone's offset changes: found
/// day by day, then to the minute.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut found = Vec::new();
    let mut day = from;
    while day < to {
        let next = day + TimeDelta::days(1);
        if offset(tz, day) != offset(tz, next) {
            let (mut lo, mut hi) = (day, next);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset(tz, mid) == offset(tz, lo) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push(hi);
        }
        day = next;
    }
    found
}

fn observance(lines: &mut Vec<String>, tz: Tz, at: DateTime<Utc>, from: i32, to: i32) {
    let kind = if daylight(tz, at) {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    // DTSTART is the local time in the offset in force before it.
    let local = at.naive_utc() + TimeDelta::seconds(i64::from(from));
    lines.push(format!("BEGIN:{kind}"));
    lines.push(format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
    lines.push(format!("TZOFFSETFROM:{}", hhmm(from)));
    lines.push(format!("TZOFFSETTO:{}", hhmm(to)));
    if let Some(name) = name(tz, at) {
        lines.push(format!("TZNAME:{name}"));
    }
    lines.push(format!("END:{kind}"));
}

/// The VTIMEZONE of `tz` for times in `[from, to]`, CRLF-terminated lines.
pub fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let start = from - TimeDelta::days(1);
    let end = to + TimeDelta::days(1);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{}", tz.name())];
    let first = offset(tz, start);
    observance(&mut lines, tz, start, first, first);
    for at in transitions(tz, start, end) {
        let before = offset(tz, at - TimeDelta::minutes(1));
        observance(&mut lines, tz, at, before, offset(tz, at));
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn seoul_has_one_standard_offset() {
        let v = vtimezone(
            chrono_tz::Asia::Seoul,
            utc("2026-01-01T00:00:00Z"),
            utc("2027-01-01T00:00:00Z"),
        );
        assert_eq!(v.matches("BEGIN:STANDARD").count(), 1, "{v}");
        assert!(v.contains("TZOFFSETTO:+0900"));
        assert!(!v.contains("DAYLIGHT"));
    }

    #[test]
    fn berlin_changes_twice_a_year_at_the_right_local_times() {
        let v = vtimezone(
            chrono_tz::Europe::Berlin,
            utc("2026-01-01T00:00:00Z"),
            utc("2026-12-31T00:00:00Z"),
        );
        assert!(v.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"), "{v}");
        assert!(v.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"), "{v}");
    }
}
