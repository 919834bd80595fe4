//! The one definition of how far a goal is: what each organization
//! contributed, summed in the database — for `achieved`, and per bucket for
//! the charts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, OverStatement, Query,
    WindowStatement,
};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use entity::{GoalMeasure, goal, goal_progress};

/// What each organization contributed to each goal: for a TOTAL goal the
/// sum of its amounts, for a LEVEL goal its latest reading, marked when it
/// is the goal's latest of all ([`Tally::counts`]) — the one definition
/// behind `achieved`. With `buckets` (index, end, in order), the same
/// within each bucket: what was recorded from the previous bucket's end (or
/// ever, for the first) to its end, and the running total over the buckets.
/// Each recording joins exactly one bucket, so the rows numbered and summed
/// are the recordings themselves, not recordings × buckets.
pub async fn achieved_by_organization(
    db: &impl ConnectionTrait,
    goals: &[Uuid],
    buckets: Option<&[(i32, DateTime<Utc>)]>,
) -> Result<Vec<Tally>, DbErr> {
    let (gp, g, b) = (Alias::new("gp"), Alias::new("g"), Alias::new("yd_b"));
    let progress = |c: goal_progress::Column| Expr::col((gp.clone(), c));
    // Newest first within each goal and organization, and within each goal.
    let (mut by_org, mut by_goal) = (WindowStatement::new(), WindowStatement::new());
    by_org
        .partition_by((gp.clone(), goal_progress::Column::GoalId))
        .partition_by((gp.clone(), goal_progress::Column::OrganizationId));
    by_goal.partition_by((gp.clone(), goal_progress::Column::GoalId));
    let mut inner = Query::select();
    match buckets {
        Some(buckets) => {
            let mut start = *FIRST_START;
            let spans = buckets.iter().map(|&(i, end)| {
                let span = (i, start, end);
                start = end;
                span
            });
            let recorded = || progress(goal_progress::Column::RecordedAt);
            inner
                .from_values(spans.collect::<Vec<_>>(), b.clone())
                .join_as(
                    JoinType::InnerJoin,
                    goal_progress::Entity,
                    gp.clone(),
                    Condition::all()
                        .add(recorded().gte(Expr::col((b.clone(), Alias::new("column2")))))
                        .add(recorded().lt(Expr::col((b.clone(), Alias::new("column3"))))),
                );
            inner.expr_as(
                Expr::col((b.clone(), Alias::new("column1"))),
                Alias::new("yd_bucket"),
            );
            by_org.partition_by((b.clone(), Alias::new("column1")));
            by_goal.partition_by((b, Alias::new("column1")));
        }
        None => {
            inner.from_as(goal_progress::Entity, gp.clone());
            inner.expr_as(Expr::val(0), Alias::new("yd_bucket"));
        }
    }
    for window in [&mut by_org, &mut by_goal] {
        window
            .order_by((gp.clone(), goal_progress::Column::RecordedAt), Order::Desc)
            .order_by((gp.clone(), goal_progress::Column::Id), Order::Desc);
    }
    inner
        .join_as(
            JoinType::InnerJoin,
            goal::Entity,
            g.clone(),
            Expr::col((g.clone(), goal::Column::Id))
                .equals((gp.clone(), goal_progress::Column::GoalId)),
        )
        .expr_as(
            progress(goal_progress::Column::GoalId),
            Alias::new("yd_goal"),
        )
        .expr_as(
            progress(goal_progress::Column::OrganizationId),
            Alias::new("yd_org"),
        )
        .expr_as(
            progress(goal_progress::Column::AmountE4),
            Alias::new("yd_amount"),
        )
        .expr_as(
            Expr::col((g, goal::Column::Measure)),
            Alias::new("yd_measure"),
        )
        .expr_window_as(Func::cust("ROW_NUMBER"), by_org, Alias::new("yd_rn"))
        .expr_window_as(Func::cust("ROW_NUMBER"), by_goal, Alias::new("yd_rn_goal"))
        .and_where(progress(goal_progress::Column::GoalId).is_in(goals.iter().copied()));
    let mut outer = Query::select();
    outer
        .columns([
            Alias::new("yd_goal"),
            Alias::new("yd_org"),
            Alias::new("yd_bucket"),
            Alias::new("yd_measure"),
        ])
        .expr_as(
            Func::cast_as(
                Func::sum(Expr::col(Alias::new("yd_amount"))),
                Alias::new("BIGINT"),
            ),
            Alias::new("yd_sum"),
        )
        .expr_as(
            Func::min(Expr::col(Alias::new("yd_rn_goal"))),
            Alias::new("yd_first"),
        )
        .from_subquery(inner, Alias::new("yd_t"))
        .cond_where(
            Condition::any()
                .add(Expr::col(Alias::new("yd_measure")).eq(GoalMeasure::Total.as_str()))
                .add(Expr::col(Alias::new("yd_rn")).eq(1)),
        )
        .group_by_col(Alias::new("yd_goal"))
        .group_by_col(Alias::new("yd_org"))
        .group_by_col(Alias::new("yd_bucket"))
        .group_by_col(Alias::new("yd_measure"));
    // Each organization's running total over the buckets, in the database
    // too (cast apart: PostgreSQL sums a BIGINT into a NUMERIC).
    let mut over_buckets = WindowStatement::new();
    over_buckets
        .partition_by(Alias::new("yd_goal"))
        .partition_by(Alias::new("yd_org"))
        .order_by(Alias::new("yd_bucket"), Order::Asc);
    let mut running = Query::select();
    running
        .column(Asterisk)
        .expr_window_as(
            Func::sum(Expr::col(Alias::new("yd_sum"))),
            over_buckets,
            Alias::new("yd_run"),
        )
        .from_subquery(outer, Alias::new("yd_g"));
    let mut tallies = Query::select();
    tallies
        .column(Asterisk)
        .expr_as(
            Func::cast_as(Expr::col(Alias::new("yd_run")), Alias::new("BIGINT")),
            Alias::new("yd_running"),
        )
        .from_subquery(running, Alias::new("yd_r"));
    let mut out = Vec::new();
    for row in db.query_all(&tallies).await? {
        out.push(Tally {
            goal: row.try_get("", "yd_goal")?,
            organization: row.try_get("", "yd_org")?,
            bucket: row.try_get("", "yd_bucket")?,
            amount_e4: row.try_get("", "yd_sum")?,
            running_e4: row.try_get("", "yd_running")?,
            level: row.try_get::<String>("", "yd_measure")? == GoalMeasure::Level.as_str(),
            latest: row.try_get::<i64>("", "yd_first")? == 1,
        });
    }
    Ok(out)
}

/// Before any recording: where the first bucket begins.
static FIRST_START: std::sync::LazyLock<DateTime<Utc>> =
    std::sync::LazyLock::new(|| DateTime::from_timestamp(0, 0).unwrap_or_default());

/// One organization's part of a goal (in one bucket), from
/// [`achieved_by_organization`].
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub goal: Uuid,
    pub organization: Uuid,
    pub bucket: i32,
    /// TOTAL: the sum of its amounts; LEVEL: its latest reading.
    pub amount_e4: i64,
    /// `amount_e4` summed over this and the earlier buckets (TOTAL: the
    /// organization's contribution as of the bucket's end).
    pub running_e4: i64,
    pub level: bool,
    /// Holds the goal's latest recording.
    pub latest: bool,
}

impl Tally {
    /// Whether it counts towards the goal's `achieved`: every part of a
    /// running total; of a level, only the latest reading of all.
    pub fn counts(&self) -> bool {
        !self.level || self.latest
    }
}
