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
    DataLoader::with_cache(Batch(load), tokio::spawn, HashMapCache::default())
}
