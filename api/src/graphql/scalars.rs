//! The contract's `DateTime` and `Date` scalars. DateTime is RFC 3339 with an
//! offset on input and always UTC with a `Z` on output.
//!
//! Both refuse what no coalition means and a database would store
//! differently or not at all: years outside 1900–2999, leap seconds, and
//! dates in any other form than `YYYY-MM-DD`. A DateTime keeps whole
//! microseconds (finer digits are dropped): PostgreSQL stores no more, so
//! SQLite is given no more either and both agree on every overlap.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate, SecondsFormat, SubsecRound, Timelike, Utc};

/// The years a date or an instant may fall in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// The extension carrying the refused text, so that the HTTP layer can name
/// the input field (async-graphql's error names only the input type); it
/// is removed before the answer leaves.
pub const REFUSED_VALUE: &str = "refusedValue";

fn refuse<T: async_graphql::InputType>(text: &str, why: &str) -> InputValueError<T> {
    InputValueError::custom(why).with_extension(REFUSED_VALUE, text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An RFC 3339 date-time with an offset; stored in UTC and rendered in UTC ("Z").
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                let t = chrono::DateTime::parse_from_rfc3339(s).map_err(|_| {
                    refuse(s, "expected an RFC 3339 date-time with an offset, e.g. 2026-03-01T09:00:00+09:00")
                })?;
                if t.nanosecond() >= 1_000_000_000 {
                    return Err(refuse(s, "leap seconds are not accepted; use :59"));
                }
                let t = t.with_timezone(&Utc);
                if !YEARS.contains(&t.year()) {
                    return Err(refuse(s, "the year must be between 1900 and 2999"));
                }
                Ok(DateTime(t.trunc_subsecs(6)))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        DateTime(t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                let bad = || refuse(s, "expected a date as YYYY-MM-DD between 1900 and 2999");
                let shape = s.len() == 10
                    && s.bytes().enumerate().all(|(i, b)| match i {
                        4 | 7 => b == b'-',
                        _ => b.is_ascii_digit(),
                    });
                if !shape {
                    return Err(bad());
                }
                let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
                if !YEARS.contains(&d.year()) {
                    return Err(bad());
                }
                Ok(Date(d))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> InputValueResult<Date> {
        <Date as ScalarType>::parse(Value::String(s.into()))
    }

    fn instant(s: &str) -> InputValueResult<DateTime> {
        <DateTime as ScalarType>::parse(Value::String(s.into()))
    }

    #[test]
    fn dates_are_yyyy_mm_dd_in_a_sane_range() {
        assert!(date("2026-03-01").is_ok());
        for bad in [
            "+10000-01-01",
            "-0001-01-01",
            "0099-01-01",
            "3000-01-01",
            "2026-3-1",
            "2026-02-30",
            " 2026-03-01",
            "２０２６-03-01",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_refuse_leap_seconds_and_keep_microseconds() {
        assert!(instant("2026-06-30T23:59:60Z").is_err());
        assert!(instant("+10000-01-01T00:00:00Z").is_err());
        assert!(instant("0001-01-01T00:00:00Z").is_err());
        let t = instant("2026-03-01T09:00:00.1234567+09:00").unwrap();
        assert_eq!(t.0.nanosecond(), 123_456_000);
        assert_eq!(t.0.to_rfc3339(), "2026-03-01T00:00:00.123456+00:00");
    }
}
