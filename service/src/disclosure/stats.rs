//! How agencies answer: per agency, over the requests the viewer may read
//! that were filed in a period — how many, how many decided, the shares
//! disclosed (in full or in part) and refused among the decided, the median
//! days to a decision, and how many are overdue — computed in the database.
//!
//! A transfer is the first agency's answer (decided, neither disclosed nor
//! refused, in the days to the transfer), and the request is also one the
//! receiving agency received on the transfer date: decided once it decided,
//! in the days from the transfer, overdue when it has not decided within
//! 10 days of it. Withdrawn requests count as requests, never as decided.

use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, OverStatement, Query,
    SelectStatement, UnionType, WindowStatement,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::transitions::{AWAITING, DECISIONS, today};
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::policy::sharing;
use entity::{DisclosureStatus as S, agency, disclosure_request};

/// One agency's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyStats {
    pub agency_id: Uuid,
    pub requests: i64,
    pub decided: i64,
    pub disclosed: i64,
    pub refused: i64,
    pub overdue: i64,
    pub median_days: Option<f64>,
}

impl AgencyStats {
    fn share(&self, n: i64) -> Option<f64> {
        (self.decided > 0).then(|| n as f64 / self.decided as f64)
    }

    /// Disclosed in full or in part, of the decided.
    pub fn disclosure_rate(&self) -> Option<f64> {
        self.share(self.disclosed)
    }

    /// Refused, of the decided.
    pub fn refusal_rate(&self) -> Option<f64> {
        self.share(self.refused)
    }
}

/// What statistics cover.
pub struct StatsFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub organization_id: Option<Uuid>,
}

fn quoted(column: disclosure_request::Column) -> String {
    use sea_orm::Iden;
    format!("\"disclosure_requests\".\"{}\"", column.to_string())
}

/// Whole days from `earlier` to `later` (dates), on either database.
fn days_between(
    backend: DbBackend,
    later: disclosure_request::Column,
    earlier: disclosure_request::Column,
) -> Expr {
    let (later, earlier) = (quoted(later), quoted(earlier));
    Expr::cust(match backend {
        DbBackend::Postgres => format!("({later} - {earlier})"),
        _ => format!("CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"),
    })
}

fn texts(statuses: &[S]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

/// One row per (agency, case): the filing agency's answer, and the
/// receiving agency's after a transfer.
fn cases(ctx: &Ctx, filter: &StatsFilter, backend: DbBackend) -> SelectStatement {
    use disclosure_request::Column as C;
    let col = |c: C| Expr::col((disclosure_request::Entity, c));
    let mut scope = Condition::all()
        .add(sharing::disclosure_visible(&ctx.viewer, ctx.now()))
        .add(C::FiledOn.gte(filter.from))
        .add(C::FiledOn.lte(filter.to));
    if let Some(org) = filter.organization_id {
        scope = scope.add(C::OrganizationId.eq(org));
    }
    let transferred = || col(C::TransferredOn).is_not_null();
    let overdue = Expr::case(
        Condition::all()
            .add(col(C::Status).is_in(texts(&AWAITING)))
            .add(col(C::DueOn).lt(today(ctx.now()))),
        1,
    )
    .finally(0);
    let mut filing = Query::select();
    filing
        .expr_as(col(C::AgencyId), Alias::new("yd_agency"))
        .expr_as(
            Expr::case(transferred(), S::Transferred.as_str()).finally(col(C::Status)),
            Alias::new("yd_outcome"),
        )
        .expr_as(
            Expr::case(
                transferred(),
                days_between(backend, C::TransferredOn, C::FiledOn),
            )
            .finally(days_between(backend, C::DecidedOn, C::FiledOn)),
            Alias::new("yd_days"),
        )
        .expr_as(overdue, Alias::new("yd_overdue"))
        .from(disclosure_request::Entity)
        .cond_where(scope.clone());
    let final_decisions = texts(&[
        S::Disclosed,
        S::PartiallyDisclosed,
        S::Refused,
        S::NoInformation,
    ]);
    let mut receiving = Query::select();
    receiving
        .expr_as(col(C::TransferredToAgencyId), Alias::new("yd_agency"))
        .expr_as(
            Expr::case(col(C::Status).eq(S::Transferred.as_str()), "AWAITING")
                .finally(col(C::Status)),
            Alias::new("yd_outcome"),
        )
        .expr_as(
            Expr::case(
                col(C::Status).is_in(final_decisions),
                days_between(backend, C::DecidedOn, C::TransferredOn),
            )
            .finally(Expr::cust("NULL")),
            Alias::new("yd_days"),
        )
        .expr_as(
            Expr::case(
                Condition::all()
                    .add(col(C::Status).eq(S::Transferred.as_str()))
                    .add(col(C::DueOn).lt(today(ctx.now()))),
                1,
            )
            .finally(0),
            Alias::new("yd_overdue"),
        )
        .from(disclosure_request::Entity)
        .cond_where(scope.add(transferred()));
    filing.union(UnionType::All, receiving);
    filing
}

fn count_of(outcomes: Vec<&'static str>) -> Expr {
    Func::sum(Expr::case(Expr::col(Alias::new("yd_outcome")).is_in(outcomes), 1).finally(0)).into()
}

/// Per agency, ordered by requests (most first), then name.
pub async fn agency_stats(ctx: &Ctx, filter: StatsFilter) -> ApiResult<Vec<AgencyStats>> {
    if filter.to < filter.from {
        return Err(ApiError::bad_input("to", "`to` is before `from`"));
    }
    let db = ctx.db();
    let backend = db.get_database_backend();
    let cases = || cases(ctx, &filter, backend);
    let a = Alias::new("yd_agency");
    let mut totals = Query::select();
    totals
        .column(a.clone())
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("yd_n"))
        .expr_as(count_of(texts(&DECISIONS)), Alias::new("yd_decided"))
        .expr_as(
            count_of(texts(&[S::Disclosed, S::PartiallyDisclosed])),
            Alias::new("yd_disclosed"),
        )
        .expr_as(count_of(texts(&[S::Refused])), Alias::new("yd_refused"))
        .expr_as(
            Func::sum(Expr::col(Alias::new("yd_overdue"))),
            Alias::new("yd_overdue_n"),
        )
        .from_subquery(cases(), Alias::new("yd_c"))
        .group_by_col(a.clone());
    // The median: the middle one or two of each agency's ordered days.
    let (mut ordered, mut all) = (WindowStatement::new(), WindowStatement::new());
    ordered
        .partition_by(a.clone())
        .order_by(Alias::new("yd_days"), Order::Asc);
    all.partition_by(a.clone());
    let mut ranked = Query::select();
    ranked
        .column(a.clone())
        .column(Alias::new("yd_days"))
        .expr_window_as(Func::cust("ROW_NUMBER"), ordered, Alias::new("yd_rn"))
        .expr_window_as(Func::count(Expr::col(Asterisk)), all, Alias::new("yd_cnt"))
        .from_subquery(cases(), Alias::new("yd_c"))
        .and_where(Expr::col(Alias::new("yd_days")).is_not_null());
    let mut median = Query::select();
    median
        .column(a.clone())
        .expr_as(
            Expr::cust("CAST(AVG(yd_days) AS DOUBLE PRECISION)"),
            Alias::new("yd_median"),
        )
        .from_subquery(ranked, Alias::new("yd_k"))
        .and_where(Expr::cust("yd_rn IN ((yd_cnt + 1) / 2, (yd_cnt + 2) / 2)"))
        .group_by_col(a.clone());
    let (t, m, g) = (Alias::new("yd_t"), Alias::new("yd_m"), Alias::new("yd_ag"));
    let mut q = Query::select();
    q.column((t.clone(), Asterisk))
        .column((m.clone(), Alias::new("yd_median")))
        .from_subquery(totals, t.clone())
        .join_subquery(
            JoinType::LeftJoin,
            median,
            m.clone(),
            Expr::col((m, a.clone())).equals((t.clone(), a.clone())),
        )
        .join_as(
            JoinType::InnerJoin,
            agency::Entity,
            g.clone(),
            Expr::col((g.clone(), agency::Column::Id)).equals((t.clone(), a)),
        )
        .order_by((t, Alias::new("yd_n")), Order::Desc)
        .order_by((g.clone(), agency::Column::Name), Order::Asc)
        .order_by((g, agency::Column::Id), Order::Asc);
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        out.push(AgencyStats {
            agency_id: row.try_get("", "yd_agency")?,
            requests: row.try_get("", "yd_n")?,
            decided: row.try_get("", "yd_decided")?,
            disclosed: row.try_get("", "yd_disclosed")?,
            refused: row.try_get("", "yd_refused")?,
            overdue: row.try_get("", "yd_overdue_n")?,
            median_days: row.try_get("", "yd_median")?,
        });
    }
    Ok(out)
}
