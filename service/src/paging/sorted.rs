//! Lists ordered by something other than creation — events by when they
//! start, RSVPs by the order of answers: the keyset is (sort value, id), and
//! the cursor is still the item's id, its sort value read back from the row
//! it names (one indexed look-up, only when `after` is given).

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, IntoColumnRef, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryGetableMany, Value,
};
use uuid::Uuid;

use super::{CountWhere, Listing, Page, PageArgs, TotalCount, ranked_pages};
use crate::error::ApiResult;

/// The rows after the cursor in (sort, id) order. A cursor whose row is gone
/// has nothing after it.
async fn after<E, V>(
    db: &impl ConnectionTrait,
    sort: E::Column,
    id: E::Column,
    args: &PageArgs,
) -> Result<Condition, DbErr>
where
    E: EntityTrait,
    V: TryGetableMany + Into<Value>,
{
    let Some(cursor) = args.after else {
        return Ok(Condition::all());
    };
    let pivot: Option<V> = E::find()
        .select_only()
        .column(sort)
        .filter(id.eq(cursor.0))
        .into_tuple()
        .one(db)
        .await?;
    let Some(pivot) = pivot else {
        return Ok(Condition::all().add(Expr::cust("1 = 0")));
    };
    let pivot: Value = pivot.into();
    let col = |c: E::Column| Expr::col((E::default(), c));
    Ok(Condition::any().add(col(sort).gt(pivot.clone())).add(
        Condition::all()
            .add(col(sort).eq(pivot))
            .add(col(id).gt(cursor.0)),
    ))
}

/// A root list ordered by `sort` then `id` (`V` is the sort column's type).
pub async fn list_sorted<E, V>(
    db: &impl ConnectionTrait,
    filter: Condition,
    sort: E::Column,
    id: E::Column,
    args: &PageArgs,
) -> ApiResult<Listing<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    V: TryGetableMany + Into<Value>,
{
    let rows = E::find()
        .filter(filter.clone())
        .filter(after::<E, V>(db, sort, id, args).await?)
        .order_by_asc(sort)
        .order_by_asc(id)
        .limit(args.fetch_limit())
        .all(db)
        .await?;
    Ok(Listing {
        page: Page::from_rows(rows, args),
        total: TotalCount::lazy(CountWhere::<E>::new(filter)),
    })
}

/// A page for each of many parents, ordered by `sort` then `id`, in one
/// query (plus the cursor's look-up).
pub async fn pages_sorted<E, V>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    sort: E::Column,
    id: E::Column,
    parents: &[Uuid],
    filter: Condition,
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<E::Model>>, DbErr>
where
    E: EntityTrait,
    V: TryGetableMany + Into<Value>,
{
    let mut inner = Query::select();
    inner
        .column(Asterisk)
        .expr_as(Expr::col(parent), Alias::new("yd_parent"))
        .from(E::default())
        .cond_where(
            Condition::all()
                .add(parent.is_in(parents.iter().copied()))
                .add(filter)
                .add(after::<E, V>(db, sort, id, args).await?),
        );
    let order = [
        (E::default(), sort).into_column_ref(),
        (E::default(), id).into_column_ref(),
    ];
    ranked_pages::<E::Model>(db, inner, parent, &order, parents, args).await
}
