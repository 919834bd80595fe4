//! Paging for Relay connections: `first`/`after` with opaque keyset
//! cursors, `totalCount` computed only when asked for, and helpers that load
//! one page for each of many parents in a single query (so a connection
//! nested in a list is not one query per row). The connection types
//! themselves are the GraphQL transport's.

use std::marker::PhantomData;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Order, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

mod nested;
mod sorted;

pub(crate) use nested::ranked_pages;
pub use nested::{count_by_parent, load_pages_by_parent, load_pages_from};
pub use sorted::{list_sorted, pages_sorted};

use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// Position after an item. Lists are ordered by their UUIDv7 ids, i.e. by
/// creation time, so the id alone is a stable keyset cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor(pub Uuid);

const CURSOR_PREFIX: &str = "c1:";

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}", self.0))
    }

    pub fn decode(s: &str) -> ApiResult<Self> {
        let bad = || {
            ApiError::bad_input(
                "after",
                "`after` is not a cursor returned by this connection",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let id = text.strip_prefix(CURSOR_PREFIX).ok_or_else(bad)?;
        Uuid::parse_str(id).map(Cursor).map_err(|_| bad())
    }
}

/// Validated paging arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<Cursor>,
    /// A root list counts its total in the page's query when the client
    /// selected `totalCount` (a nested page always does: its window costs
    /// nothing more).
    pub with_total: bool,
}

impl PageArgs {
    /// The first `n` items (1..=100).
    pub fn first(n: u64) -> Self {
        PageArgs {
            first: n.clamp(1, MAX_PAGE_SIZE),
            after: None,
            with_total: false,
        }
    }

    /// `first` defaults to 20 and must be 1..=100.
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 1 && n as u64 <= MAX_PAGE_SIZE => n as u64,
            Some(_) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("`first` must be between 1 and {MAX_PAGE_SIZE}"),
                ));
            }
        };
        let after = after.as_deref().map(Cursor::decode).transpose()?;
        Ok(PageArgs {
            first,
            after,
            with_total: false,
        })
    }

    /// Count the whole list in the page's query (see [`Self::with_total`]).
    pub fn counting(self, with_total: bool) -> Self {
        PageArgs { with_total, ..self }
    }

    /// Rows to fetch: one more than asked, to learn whether a next page exists.
    pub fn fetch_limit(&self) -> u64 {
        self.first + 1
    }
}

/// One page of items, in order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// The whole list's size, when the page's query counted it.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// From rows fetched with [`PageArgs::fetch_limit`].
    pub fn from_rows(mut rows: Vec<T>, args: &PageArgs) -> Self {
        let has_next_page = rows.len() as u64 > args.first;
        rows.truncate(args.first as usize);
        Page {
            items: rows,
            has_next_page,
            has_previous_page: args.after.is_some(),
            total: None,
        }
    }

    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
            total: None,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total: self.total,
        }
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page::empty()
    }
}

/// How `totalCount` is obtained: known already, or counted on demand (most
/// clients never ask, so it costs nothing unless selected).
#[derive(Clone)]
pub enum TotalCount {
    Known(i64),
    Lazy(Arc<dyn CountSource>),
}

/// A count run only when asked for, with the request's context (and so its
/// batched reads).
#[async_trait::async_trait]
pub trait CountSource: Send + Sync {
    async fn count(&self, ctx: &Ctx) -> ApiResult<i64>;
}

impl TotalCount {
    pub async fn resolve(&self, ctx: &Ctx) -> ApiResult<i32> {
        let n = match self {
            TotalCount::Known(n) => *n,
            TotalCount::Lazy(source) => source.count(ctx).await?,
        };
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    pub fn lazy(source: impl CountSource + 'static) -> Self {
        TotalCount::Lazy(Arc::new(source))
    }
}

/// One page of `E` rows matching `filter`, ordered by `id_col` in `order`;
/// with [`PageArgs::with_total`], the count of every row matching `filter`
/// rides along as one uncorrelated subquery (evaluated once).
pub async fn load_page<E, C>(
    db: &impl ConnectionTrait,
    filter: Condition,
    id_col: C,
    order: Order,
    args: &PageArgs,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    let mut query = E::find().filter(filter.clone());
    if let Some(after) = args.after {
        query = match order {
            Order::Desc => query.filter(id_col.lt(after.0)),
            _ => query.filter(id_col.gt(after.0)),
        };
    }
    let query = query.order_by(id_col, order).limit(args.fetch_limit());
    if !args.with_total {
        return Ok(Page::from_rows(query.all(db).await?, args));
    }
    let mut count = Query::select();
    count
        .expr(Func::count(Expr::col(Asterisk)))
        .from(E::default())
        .cond_where(filter);
    let mut statement = query.into_query();
    statement.expr_as(
        Expr::SubQuery(None, Box::new(count.into())),
        Alias::new("yd_total"),
    );
    let rows = db.query_all(&statement).await?;
    let total = match rows.first() {
        Some(row) => Some(row.try_get::<i64>("", "yd_total")?),
        None if args.after.is_none() => Some(0),
        None => None,
    };
    let models = rows
        .iter()
        .map(|row| E::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        total,
        ..Page::from_rows(models, args)
    })
}

/// The page of `E` rows matching `filter` that `args` asks for, ordered by
/// the time-ordered `id_col`, with a total counted only when selected: a
/// root list in one call.
pub async fn list<C>(
    db: &impl ConnectionTrait,
    filter: Condition,
    id_col: C,
    order: Order,
    args: &PageArgs,
) -> ApiResult<Listing<<C::EntityName as EntityTrait>::Model>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
    <C::EntityName as EntityTrait>::Model: Sync,
{
    let page = load_page::<C::EntityName, C>(db, filter.clone(), id_col, order, args).await?;
    let total = match page.total {
        Some(n) => TotalCount::Known(n),
        None => TotalCount::lazy(CountWhere::<C::EntityName>::new(filter)),
    };
    Ok(Listing { page, total })
}

/// A page plus how to count the whole list: what a service hands to a
/// connection type.
pub struct Listing<T> {
    pub page: Page<T>,
    pub total: TotalCount,
}

/// A count from the request's batched reads: `|r| r.member_count(org)`.
pub type ReadsCount = dyn for<'a> Fn(&'a dyn crate::Reads) -> CountFuture<'a> + Send + Sync;
type CountFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<i64>> + Send + 'a>>;

struct FromReads(Box<ReadsCount>);

#[async_trait::async_trait]
impl CountSource for FromReads {
    async fn count(&self, ctx: &Ctx) -> ApiResult<i64> {
        (self.0)(ctx.reads()).await
    }
}

impl<T> Listing<T> {
    /// A list nested in a parent: its page, from the request's batched
    /// reads, and its total — counted by the page's own query, or (on a
    /// later page) by another batched read (`count`), run only when
    /// `totalCount` is selected.
    pub fn nested(
        page: Page<T>,
        count: impl for<'a> Fn(&'a dyn crate::Reads) -> CountFuture<'a> + Send + Sync + 'static,
    ) -> Self {
        let total = match page.total {
            Some(n) => TotalCount::Known(n),
            None => TotalCount::lazy(FromReads(Box::new(count))),
        };
        Listing { page, total }
    }

    pub fn empty() -> Self {
        Listing {
            page: Page::empty(),
            total: TotalCount::Known(0),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            page: self.page.map(f),
            total: self.total,
        }
    }
}

/// Counts the `E` rows matching a condition, when `totalCount` is selected.
pub struct CountWhere<E> {
    filter: Condition,
    _entity: PhantomData<fn() -> E>,
}

impl<E> CountWhere<E> {
    pub fn new(filter: Condition) -> Self {
        CountWhere {
            filter,
            _entity: PhantomData,
        }
    }
}

#[async_trait::async_trait]
impl<E: EntityTrait> CountSource for CountWhere<E>
where
    E::Model: Sync,
{
    async fn count(&self, ctx: &Ctx) -> ApiResult<i64> {
        let n = E::find()
            .filter(self.filter.clone())
            .count(ctx.db())
            .await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
