//! Goals measured by disclosure requests ("1,000 requests in 2023"): the
//! count of requests of the organizations taking part in the project now,
//! filed from the project's start (or the goal's creation) through the
//! goal's due date, not withdrawn, and — as the goal says — filed by
//! citizens or members only, or decided only. It follows the records:
//! nobody types the number. Every such request counts, whatever its
//! visibility: a goal shows how many, never which.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::transitions::DECISIONS;
use crate::policy::sharing::current_participations;
use entity::{DisclosureStatus, disclosure_request, goal, project, project_participant};

fn g() -> Alias {
    Alias::new("yd_g")
}
fn r() -> Alias {
    Alias::new("yd_r")
}
fn cp() -> Alias {
    Alias::new("yd_cp")
}

/// Goals (`yd_g`) joined to the requests (`yd_r`) that count towards them.
fn counted(now: DateTime<Utc>) -> SelectStatement {
    let (g, r, p, cp) = (g(), r(), Alias::new("yd_p"), cp());
    let goal = |c: goal::Column| Expr::col((g.clone(), c));
    let req = |c: disclosure_request::Column| Expr::col((r.clone(), c));
    let since = Func::coalesce([
        Expr::col((p.clone(), project::Column::StartsOn)),
        goal(goal::Column::CountsSince),
    ]);
    let mut q = Query::select();
    q.from_as(goal::Entity, g.clone())
        .join_as(
            JoinType::InnerJoin,
            project::Entity,
            p.clone(),
            Expr::col((p, project::Column::Id)).equals((g.clone(), goal::Column::ProjectId)),
        )
        .join_subquery(
            JoinType::InnerJoin,
            current_participations(None, now),
            cp.clone(),
            Expr::col((cp.clone(), project_participant::Column::ProjectId))
                .equals((g.clone(), goal::Column::ProjectId)),
        )
        .join_as(
            JoinType::InnerJoin,
            disclosure_request::Entity,
            r.clone(),
            Condition::all()
                .add(
                    req(disclosure_request::Column::OrganizationId)
                        .equals((cp, project_participant::Column::OrganizationId)),
                )
                .add(req(disclosure_request::Column::FiledOn).gte(since))
                .add(
                    Condition::any()
                        .add(goal(goal::Column::DueOn).is_null())
                        .add(
                            req(disclosure_request::Column::FiledOn).lte(goal(goal::Column::DueOn)),
                        ),
                )
                .add(
                    req(disclosure_request::Column::Status)
                        .ne(DisclosureStatus::Withdrawn.as_str()),
                )
                .add(
                    Condition::any()
                        .add(goal(goal::Column::DisclosureFiledBy).is_null())
                        .add(
                            req(disclosure_request::Column::FiledBy)
                                .equals((g.clone(), goal::Column::DisclosureFiledBy)),
                        ),
                )
                .add(
                    Condition::any()
                        .add(goal(goal::Column::DisclosureDecidedOnly).eq(false))
                        .add(
                            req(disclosure_request::Column::Status)
                                .is_in(DECISIONS.map(|s| s.as_str())),
                        ),
                ),
        )
        .and_where(goal(goal::Column::Source).eq(entity::GoalSource::DisclosureRequests.as_str()));
    q
}

/// How many requests count towards each goal now.
pub async fn counts(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    goals: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut q = counted(now);
    q.expr_as(Expr::col((g(), goal::Column::Id)), Alias::new("yd_goal"))
        .expr_as(
            Func::count(Expr::col((r(), disclosure_request::Column::Id))),
            Alias::new("yd_n"),
        )
        .and_where(Expr::col((g(), goal::Column::Id)).is_in(goals.iter().copied()))
        .group_by_col((g(), goal::Column::Id));
    let mut out: HashMap<Uuid, i64> = goals.iter().map(|g| (*g, 0)).collect();
    for row in db.query_all(&q).await? {
        out.insert(row.try_get("", "yd_goal")?, row.try_get("", "yd_n")?);
    }
    Ok(out)
}

/// One organization's count as of a bucket's end.
#[derive(Debug, Clone, Copy)]
pub struct BucketCount {
    pub bucket: i32,
    pub organization: Uuid,
    pub count: i64,
}

/// For each bucket (index, the first day after it), how many requests of
/// each organization counted towards the goal by the bucket's end:
/// cumulative, computed in the database.
pub async fn counts_by_bucket(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    goal_id: Uuid,
    ends: &[(i32, NaiveDate)],
) -> Result<Vec<BucketCount>, DbErr> {
    if ends.is_empty() {
        return Ok(Vec::new());
    }
    let b = Alias::new("yd_b");
    let org = (cp(), project_participant::Column::OrganizationId);
    let mut q = counted(now);
    q.join_subquery(
        JoinType::InnerJoin,
        Query::select()
            .column(Asterisk)
            .from_values(ends.to_vec(), Alias::new("yd_v"))
            .to_owned(),
        b.clone(),
        Expr::col((r(), disclosure_request::Column::FiledOn))
            .lt(Expr::col((b.clone(), Alias::new("column2")))),
    );
    q.expr_as(
        Expr::col((b.clone(), Alias::new("column1"))),
        Alias::new("yd_bucket"),
    )
    .expr_as(Expr::col(org.clone()), Alias::new("yd_org"))
    .expr_as(
        Func::count(Expr::col((r(), disclosure_request::Column::Id))),
        Alias::new("yd_n"),
    )
    .and_where(Expr::col((g(), goal::Column::Id)).eq(goal_id))
    .group_by_col((b, Alias::new("column1")))
    .group_by_col(org);
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        out.push(BucketCount {
            bucket: row.try_get("", "yd_bucket")?,
            organization: row.try_get("", "yd_org")?,
            count: row.try_get("", "yd_n")?,
        });
    }
    Ok(out)
}
