//! A DataLoader `Loader` made of a closure: one batched query for the keys
//! of a request, so each loader is a few lines in [`super::Loaders::new`].

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use futures::future::BoxFuture;
use sea_orm::DbErr;

pub type LoadError = Arc<DbErr>;

/// Keys per batched query at most (a PostgreSQL statement takes up to
/// 65,535 parameters; SQLite's limit is 32,766).
const MAX_BATCH: usize = 10_000;

type LoadFn<K, V> =
    Arc<dyn Fn(Vec<K>) -> BoxFuture<'static, Result<HashMap<K, V>, DbErr>> + Send + Sync>;

pub struct Batch<K, V>(LoadFn<K, V>);

impl<K, V> Loader<K> for Batch<K, V>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    type Value = V;
    type Error = LoadError;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, V>, LoadError> {
        (self.0)(keys.to_vec()).await.map_err(Arc::new)
    }
}

/// A per-request, caching DataLoader running `load` for each batch of keys.
pub fn batch<K, V, F, Fut>(load: F) -> DataLoader<Batch<K, V>, HashMapCache>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HashMap<K, V>, DbErr>> + Send + 'static,
{
    let load: LoadFn<K, V> = Arc::new(move |keys| Box::pin(load(keys)));
    // The default batch of 1,000 keys splits a page of 50 organizations ×
    // 20 members into two queries; a response's keys are bounded by the
    // query limits, so one batch holds them all.
    // No timer window: `passes::spawn` starts a batch when it is whole.
    DataLoader::with_cache(Batch(load), super::passes::spawn, HashMapCache::default())
        .max_batch_size(MAX_BATCH)
        .delay(std::time::Duration::ZERO)
}
