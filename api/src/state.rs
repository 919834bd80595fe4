//! What every request shares: the pool, settings, clock and credential
//! machinery. Cheap to clone.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub clock: Clock,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
}

impl AppState {
    pub async fn new(db: DatabaseConnection, config: Config, clock: Clock) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&config.jwt_secret)?;
        let hasher = PasswordHasher::new(config.hash_concurrency).await?;
        Ok(AppState(Arc::new(Inner {
            db,
            config,
            clock,
            jwt,
            hasher,
        })))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
