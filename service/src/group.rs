//! Grouping batched rows by their parent: what every batched read hands back
//! to a loader.

use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Rows grouped under `key`, keeping their order within each group.
pub fn group_by<K, T>(
    rows: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> HashMap<K, Vec<T>>
where
    K: Eq + Hash,
{
    let mut out: HashMap<K, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

/// The `E` rows whose `parent_col` is one of `parents`, oldest first, per
/// parent: a child list for many parents in one query.
pub async fn children_of<E>(
    db: &impl ConnectionTrait,
    parent_col: E::Column,
    id_col: E::Column,
    parents: &[Uuid],
    parent: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, Vec<E::Model>>, DbErr>
where
    E: EntityTrait,
{
    let rows = E::find()
        .filter(parent_col.is_in(parents.iter().copied()))
        .order_by_asc(id_col)
        .all(db)
        .await?;
    Ok(group_by(rows, parent))
}
