//! Argon2id password hashing (OWASP parameters: m = 19 MiB, t = 2, p = 1 —
//! argon2's defaults). Hashing runs on the blocking pool, a semaphore bounds
//! how many run at once (each holds 19 MiB), and an unknown account is
//! checked against a dummy hash so it costs the same as a wrong password.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::ApiError;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
    /// Full Argon2 verifications run so far (observability, and the proof in
    /// tests that unknown e-mails pay for one too).
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// Builds the hasher, computing the dummy hash once (on the blocking pool).
    pub async fn new(concurrency: usize) -> anyhow::Result<Self> {
        let dummy = tokio::task::spawn_blocking(|| {
            let mut random = [0u8; 32];
            rand::fill(&mut random);
            Argon2::default()
                .hash_password(&random)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing the dummy password: {e}"))
        })
        .await??;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(dummy),
            verifications: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Checks the length rule (8..=256 characters) and hashes.
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        validate(password)?;
        let password = password.to_owned();
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing a password: {e}")))
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Whether `password` matches `stored`. With `stored = None` (no such
    /// account) the dummy hash is checked instead and the answer is `false`.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let known = stored.is_some();
        let hash = stored
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let password = password.to_owned();
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| {
                ApiError::internal(anyhow::anyhow!("stored password hash is unreadable: {e}"))
            })?;
            Ok::<_, ApiError>(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(ApiError::internal)??;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        Ok(known && matches)
    }
}

impl PasswordHasher {
    pub fn verification_count(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

pub fn validate(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(
            "password",
            format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_input(
            "password",
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}
