//! Pages for many parents at once: a list nested in a list is one query
//! for all its parents (`ROW_NUMBER() OVER (PARTITION BY parent …)`), with
//! each parent's total in the same pass.

use std::collections::HashMap;

use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, IntoColumnRef, Order, Query, SelectStatement,
    WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::{Page, PageArgs};

/// Pages of `E` rows for many parents at once: `ROW_NUMBER() OVER (PARTITION
/// BY parent ORDER BY id)` keeps the first `first + 1` rows of every parent,
/// in one query. Parents without rows get an empty page.
pub async fn load_pages_by_parent<E, C>(
    db: &impl ConnectionTrait,
    parent_col: C,
    id_col: C,
    parents: &[Uuid],
    extra_filter: Condition,
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<E::Model>>, DbErr>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    let mut inner = Query::select();
    inner
        .column(Asterisk)
        .expr_as(Expr::col(parent_col), Alias::new("yd_parent"))
        .from(E::default())
        .cond_where(
            Condition::all()
                .add(parent_col.is_in(parents.iter().copied()))
                .add(extra_filter),
        );
    load_pages_from::<E::Model>(db, inner, parent_col, id_col, parents, args).await
}

/// The general form: `inner` selects the model's columns plus a `yd_parent`
/// column and restricts the rows (a join is fine); rows are partitioned by
/// `partition` and ordered by `order` (the keyset column).
pub async fn load_pages_from<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    mut inner: SelectStatement,
    partition: impl IntoColumnRef + Clone,
    order: impl IntoColumnRef + Clone,
    parents: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<M>>, DbErr> {
    if let Some(after) = args.after {
        inner.and_where(Expr::col(order.clone()).gt(after.0));
    }
    ranked_pages(
        db,
        inner,
        partition,
        &[order.into_column_ref()],
        parents,
        args,
    )
    .await
}

/// Keeps the first `first + 1` rows of each `partition` in the order of
/// `order_by` (`ROW_NUMBER()`), in one query, grouped per parent.
pub(crate) async fn ranked_pages<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    mut inner: SelectStatement,
    partition: impl IntoColumnRef + Clone,
    order_by: &[sea_orm::sea_query::ColumnRef],
    parents: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<M>>, DbErr> {
    let mut window = WindowStatement::partition_by(partition.clone());
    for col in order_by {
        window.order_by(col.clone(), Order::Asc);
    }
    // Without a cursor the partition is the whole list: its size is the
    // parent's totalCount, in the same pass.
    let counted = args.after.is_none();
    if counted {
        inner.expr_window_as(
            Func::count(Expr::col(Asterisk)),
            WindowStatement::partition_by(partition.clone()),
            Alias::new("yd_total"),
        );
    }
    inner.expr_window_as(Func::cust("ROW_NUMBER"), window, Alias::new("yd_rn"));
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(inner, Alias::new("yd_page"))
        .and_where(Expr::col(Alias::new("yd_rn")).lte(args.fetch_limit()))
        .order_by(Alias::new("yd_rn"), Order::Asc);
    let rows = db.query_all(&outer).await?;
    let mut grouped: HashMap<Uuid, (Vec<M>, i64)> =
        parents.iter().map(|p| (*p, (Vec::new(), 0))).collect();
    for row in rows {
        let parent: Uuid = row.try_get("", "yd_parent")?;
        let entry = grouped.entry(parent).or_default();
        if counted {
            entry.1 = row.try_get("", "yd_total")?;
        }
        entry.0.push(M::from_query_result(&row, "")?);
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, (rows, total))| {
            let page = Page::from_rows(rows, args);
            (
                parent,
                Page {
                    total: counted.then_some(total),
                    ..page
                },
            )
        })
        .collect())
}

/// Row counts per parent, in one `GROUP BY` query.
pub async fn count_by_parent<E, C>(
    db: &impl ConnectionTrait,
    parent_col: C,
    parents: &[Uuid],
    extra_filter: Condition,
) -> Result<HashMap<Uuid, i64>, DbErr>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    let rows: Vec<(Uuid, i64)> = E::find()
        .select_only()
        .column(parent_col)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .filter(parent_col.is_in(parents.iter().copied()))
        .filter(extra_filter)
        .group_by(parent_col)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<Uuid, i64> = parents.iter().map(|p| (*p, 0)).collect();
    counts.extend(rows);
    Ok(counts)
}
