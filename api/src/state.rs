//! What every request shares: the pool, settings, clock and credential
//! machinery. Cheap to clone.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbBackend};

use crate::config::Config;
use crate::graphql::Loaders;
use service::auth::Viewer;
use service::auth::jwt::JwtKeys;
use service::auth::password::PasswordHasher;
use service::clock::Clock;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// The pool for reads (and everything on PostgreSQL).
    pub db: DatabaseConnection,
    /// The pool mutations write through. On an SQLite file this is a second,
    /// one-connection pool: writers then queue in order for that connection
    /// instead of polling SQLite's busy lock (which makes for long, unfair
    /// waits under load), while readers keep their own connections (WAL lets
    /// them read during a write). Elsewhere it is the same pool as `db`.
    /// Code holding a write transaction must not use the pool besides it.
    pub writer: DatabaseConnection,
    pub config: Config,
    pub clock: Clock,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    pub limits: Arc<crate::http::clients::RateLimits>,
}

impl AppState {
    /// `writer` is [`writer_for`]`(&db, &config)` unless a caller (the
    /// tests, counting statements) made it itself.
    pub async fn new(
        db: DatabaseConnection,
        writer: DatabaseConnection,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&config.jwt_secret)?;
        let hasher = PasswordHasher::new(config.hash_concurrency).await?;
        let limits = crate::http::clients::RateLimits::new(
            config.edges.auth_per_minute,
            config.edges.requests_per_minute,
            config.edges.citizen_submissions_per_hour,
        );
        Ok(AppState(Arc::new(Inner {
            limits,
            db,
            writer,
            config,
            clock,
            jwt,
            hasher,
        })))
    }
}

/// The pool mutations write through (see [`Inner::writer`]): on an SQLite
/// file a second, one-connection pool; elsewhere `db` itself.
pub async fn writer_for(
    db: &DatabaseConnection,
    config: &Config,
) -> anyhow::Result<DatabaseConnection> {
    Ok(match crate::db::sqlite_path(&config.database_url) {
        Some(_) if db.get_database_backend() == DbBackend::Sqlite => {
            let one = crate::db::PoolSettings {
                max_connections: 1,
                ..config.pool
            };
            crate::db::connect_with(&config.database_url, one).await?
        }
        _ => db.clone(),
    })
}

impl AppState {
    /// The service's context of one request by `viewer`: its one "now",
    /// the connections, and DataLoaders of its own.
    pub fn request(&self, viewer: Viewer) -> service::Ctx {
        self.request_at(viewer, self.clock.now())
    }

    /// [`Self::request`] at the "now" the viewer was authenticated at.
    pub fn request_at(&self, viewer: Viewer, now: chrono::DateTime<chrono::Utc>) -> service::Ctx {
        let reads = Loaders::new(&self.db, &viewer, now).shared();
        service::Ctx::new(viewer, now, self.db.clone(), self.writer.clone(), reads)
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
