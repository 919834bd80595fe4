//! A goal's progress over time, for charts: `achieved` as of the end of
//! each week (Monday to Sunday) or calendar month over a window, in the
//! lead organization's time zone — for the coalition and per organization.
//! The sums are the database's ([`super::reads::achieved_by_organization`],
//! the same definition as `achieved`), so the last point that has passed
//! equals `achieved`. For a running total the organizations' series add up
//! to the goal's; for a level each organization's series is its own latest
//! reading, and the goal's is the latest of all.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use uuid::Uuid;

use super::amount::from_e4;
use super::goals::project_of;
use crate::agreement::status::start_of_day;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use entity::{GoalMeasure, GoalSource, goal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    Week,
    Month,
}

/// At most this many periods in one window (five years of weeks).
pub const MAX_PERIODS: usize = 261;

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub period_start: NaiveDate,
    pub achieved: f64,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub total: Vec<Point>,
    /// Per organization that recorded anything before the window's end.
    pub by_organization: Vec<(Uuid, Vec<Point>)>,
}

impl Interval {
    /// The first day of the period containing `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Interval::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Interval::Week => start.checked_add_days(Days::new(7)),
            Interval::Month => start.checked_add_months(Months::new(1)),
        }
    }
}

/// The periods from the one containing `from` to the one containing `to`.
pub fn periods(interval: Interval, from: NaiveDate, to: NaiveDate) -> ApiResult<Vec<NaiveDate>> {
    if to < from {
        return Err(ApiError::bad_input("to", "`to` is before `from`"));
    }
    let mut out = Vec::new();
    let mut start = interval.start(from);
    while start <= to {
        if out.len() == MAX_PERIODS {
            return Err(ApiError::bad_input(
                "from",
                format!("a series covers at most {MAX_PERIODS} periods"),
            ));
        }
        out.push(start);
        start = interval
            .next(start)
            .ok_or_else(|| ApiError::bad_input("to", "`to` is too far ahead"))?;
    }
    Ok(out)
}

/// The goal's series over `[from, to]` (empty for a qualitative goal).
pub async fn series(
    ctx: &Ctx,
    goal: &goal::Model,
    interval: Interval,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Series> {
    let starts = periods(interval, from, to)?;
    if goal.measure.is_none() {
        return Ok(Series {
            total: Vec::new(),
            by_organization: Vec::new(),
        });
    }
    let lead = project_of(ctx, goal).await?.lead_organization_id;
    let tz = ctx
        .reads()
        .organization(lead)
        .await?
        .and_then(|o| o.timezone.parse().ok())
        .unwrap_or(chrono_tz::Asia::Seoul);
    let mut ends = Vec::with_capacity(starts.len());
    let mut next_days = Vec::with_capacity(starts.len());
    for (i, start) in starts.iter().enumerate() {
        let next = interval
            .next(*start)
            .ok_or_else(|| ApiError::bad_input("to", "`to` is too far ahead"))?;
        ends.push((i as i32, start_of_day(next, tz)));
        next_days.push((i as i32, next));
    }
    if goal.source == Some(GoalSource::DisclosureRequests) {
        let counts =
            crate::disclosure::goals::counts_by_bucket(ctx.db(), ctx.now(), goal.id, &next_days)
                .await?;
        return Ok(request_series(&starts, counts));
    }
    if goal.source.is_some() {
        let series = goal.event_series_id.unwrap_or_default();
        let instants: Vec<_> = ends.iter().map(|(_, end)| *end).collect();
        let rates = super::attendance::rates_at(ctx.db(), series, &instants, ctx.now()).await?;
        let total = starts
            .iter()
            .zip(rates)
            .map(|(s, v)| Point {
                period_start: *s,
                achieved: from_e4(v),
            })
            .collect();
        return Ok(Series {
            total,
            by_organization: Vec::new(),
        });
    }
    // The database gives each organization's value as of the end of every
    // bucket it recorded in (its running total, or its latest reading); a
    // bucket without recordings keeps the value before it.
    let n = starts.len();
    let level = goal.measure == Some(GoalMeasure::Level);
    let mut latest_of_all = vec![None; n];
    let mut by_org: BTreeMap<Uuid, Vec<Option<i64>>> = BTreeMap::new();
    for t in ctx.reads().tallies(goal.id, ends).await? {
        let Some(i) = usize::try_from(t.bucket).ok().filter(|i| *i < n) else {
            continue;
        };
        if level && t.latest {
            latest_of_all[i] = Some(t.amount_e4);
        }
        let value = if level { t.amount_e4 } else { t.running_e4 };
        by_org
            .entry(t.organization)
            .or_insert_with(|| vec![None; n])[i] = Some(value);
    }
    let carried = |values: Vec<Option<i64>>| {
        let mut last = 0i64;
        values
            .into_iter()
            .map(|v| {
                last = v.unwrap_or(last);
                last
            })
            .collect::<Vec<_>>()
    };
    let by_org: BTreeMap<Uuid, Vec<i64>> =
        by_org.into_iter().map(|(o, v)| (o, carried(v))).collect();
    let total = if level {
        carried(latest_of_all)
    } else {
        (0..n)
            .map(|i| by_org.values().map(|v| v[i]).sum())
            .collect()
    };
    let points = |values: Vec<i64>| {
        starts
            .iter()
            .zip(values)
            .map(|(s, v)| Point {
                period_start: *s,
                achieved: from_e4(v),
            })
            .collect::<Vec<_>>()
    };
    Ok(Series {
        total: points(total),
        by_organization: by_org.into_iter().map(|(o, v)| (o, points(v))).collect(),
    })
}

/// A requests goal's series from each organization's cumulative count per
/// bucket (an organization absent from a bucket had none counted yet).
fn request_series(
    starts: &[NaiveDate],
    counts: Vec<crate::disclosure::goals::BucketCount>,
) -> Series {
    let n = starts.len();
    let mut by_org: BTreeMap<Uuid, Vec<i64>> = BTreeMap::new();
    for c in counts {
        if let Some(i) = usize::try_from(c.bucket).ok().filter(|i| *i < n) {
            by_org.entry(c.organization).or_insert_with(|| vec![0; n])[i] = c.count;
        }
    }
    let points = |values: Vec<i64>| {
        starts
            .iter()
            .zip(values)
            .map(|(s, v)| Point {
                period_start: *s,
                achieved: v as f64,
            })
            .collect::<Vec<_>>()
    };
    let total = (0..n)
        .map(|i| by_org.values().map(|v| v[i]).sum())
        .collect();
    Series {
        total: points(total),
        by_organization: by_org.into_iter().map(|(o, v)| (o, points(v))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let weeks = periods(Interval::Week, d("2026-12-02"), d("2026-12-14")).unwrap();
        assert_eq!(
            weeks,
            vec![d("2026-11-30"), d("2026-12-07"), d("2026-12-14")]
        );
        let months = periods(Interval::Month, d("2026-11-15"), d("2027-01-01")).unwrap();
        assert_eq!(
            months,
            vec![d("2026-11-01"), d("2026-12-01"), d("2027-01-01")]
        );
    }

    #[test]
    fn windows_are_bounded() {
        assert!(periods(Interval::Month, d("2026-02-01"), d("2026-01-01")).is_err());
        assert!(periods(Interval::Week, d("2020-01-01"), d("2024-06-30")).is_ok());
        assert!(periods(Interval::Week, d("2020-01-01"), d("2026-01-01")).is_err());
    }
}
