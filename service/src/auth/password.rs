//! Argon2id password hashing (OWASP parameters: m = 19 MiB, t = 2, p = 1 —
//! argon2's defaults), and an unknown account is checked against a dummy
//! hash so it costs the same as a wrong password.
//!
//! Hashing runs on a few dedicated threads, so at most `workers × 19 MiB`
//! of Argon2 memory exists at once, whatever the traffic; a burst queues.
//! (On tokio's blocking pool a burst of sign-ups grew the process by 19 MiB
//! per blocking thread — 870 MB after 2,000 — and it stayed.) Each hash
//! allocates its block and frees it: the server binary's allocator
//! (mimalloc) gives a freed block of that size back to the system, so an
//! idle server holds no hashing memory at all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;
/// A stored hash asking for more memory than this is refused as unreadable,
/// so no row can make a worker allocate without bound.
const MAX_M_COST_KIB: u32 = 64 * 1024;
/// Jobs waiting for a worker before callers wait to hand theirs in.
const QUEUE: usize = 256;

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, ApiError>>,
    },
    Verify {
        password: String,
        stored: String,
        reply: oneshot::Sender<Result<bool, ApiError>>,
    },
}

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    dummy_hash: Arc<String>,
    /// Full Argon2 verifications run so far (observability, and the proof in
    /// tests that unknown e-mails pay for one too).
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// Starts `workers` hashing threads (they end when the last handle is
    /// dropped) and computes the dummy hash once.
    pub async fn new(workers: usize) -> anyhow::Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("yeondae-hash-{n}"))
                .spawn(move || work(&queue))?;
        }
        let mut hasher = Self {
            jobs,
            dummy_hash: Arc::new(String::new()),
            verifications: Arc::new(AtomicU64::new(0)),
        };
        let mut random = [0u8; 32];
        rand::fill(&mut random);
        let dummy = hasher
            .run(|reply| Job::Hash {
                password: hex::encode(random),
                reply,
            })
            .await
            .and_then(|hashed| hashed)
            .map_err(|e| anyhow::anyhow!("hashing the dummy password: {}", e.message()))?;
        hasher.dummy_hash = Arc::new(dummy);
        Ok(hasher)
    }

    /// Hand a job to the workers and wait for its answer.
    async fn run<T>(&self, job: impl FnOnce(oneshot::Sender<T>) -> Job) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let gone = || ApiError::internal(anyhow::anyhow!("the password hashing workers stopped"));
        self.jobs.send(job(reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }

    /// Checks the length rule (8..=256 characters) and hashes.
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        validate(password)?;
        let password = password.to_owned();
        self.run(|reply| Job::Hash { password, reply }).await?
    }

    /// Whether `password` matches `stored`. With `stored = None` (no such
    /// account) the dummy hash is checked instead and the answer is `false`.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let known = stored.is_some();
        let stored = stored
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let password = password.to_owned();
        let matches = self
            .run(|reply| Job::Verify {
                password,
                stored,
                reply,
            })
            .await??;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        Ok(known && matches)
    }

    pub fn verification_count(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// One hashing thread: take jobs until every sender is gone.
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    let memory = || vec![Block::new(); Params::default().block_count()];
    loop {
        let job = match queue.lock() {
            Ok(mut queue) => queue.blocking_recv(),
            Err(_) => None,
        };
        // A request that gave up (timed out, disconnected) is not hashed for.
        match job {
            Some(Job::Hash { reply, .. }) if reply.is_closed() => {}
            Some(Job::Verify { reply, .. }) if reply.is_closed() => {}
            Some(Job::Hash { password, reply }) => {
                let _ = reply.send(hash_with(&mut memory(), password.as_bytes()));
            }
            Some(Job::Verify {
                password,
                stored,
                reply,
            }) => {
                let _ = reply.send(verify_with(&mut memory(), password.as_bytes(), &stored));
            }
            None => return,
        }
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(anyhow::anyhow!("{what}: {e}"))
}

/// A new PHC string for `password` with the default parameters and a
/// random salt.
fn hash_with(memory: &mut [Block], password: &[u8]) -> Result<String, ApiError> {
    let params = Params::default();
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            &mut memory[..params.block_count()],
        )
        .map_err(|e| internal("hashing a password", e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| internal("hash parameters", e))?,
        salt: Some(Salt::new(&salt).map_err(|e| internal("salt", e))?),
        hash: Some(Output::new(&out).map_err(|e| internal("hash output", e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` hashes to `stored` (compared in constant time),
/// computed in `memory` — grown, within [`MAX_M_COST_KIB`], for a stored
/// hash made with more memory than today's default.
fn verify_with(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> Result<bool, ApiError> {
    let unreadable = |e: &dyn std::fmt::Display| internal("stored password hash is unreadable", e);
    let parsed = PasswordHash::new(stored).map_err(|e| unreadable(&e))?;
    let params = Params::try_from(&parsed).map_err(|e| unreadable(&e))?;
    if params.m_cost() > MAX_M_COST_KIB {
        return Err(unreadable(&"it asks for too much memory"));
    }
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(|e| unreadable(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| unreadable(&e))?,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(unreadable(&"no salt or hash"));
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password,
            salt.as_ref(),
            &mut out,
            &mut memory[..params.block_count()],
        )
        .map_err(|e| internal("verifying a password", e))?;
    let computed = Output::new(&out).map_err(|e| internal("hash output", e))?;
    Ok(computed == *expected)
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

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    #[tokio::test]
    async fn hashes_are_standard_argon2id_both_ways() {
        let hasher = PasswordHasher::new(2).await.unwrap();
        let ours = hasher.hash("correct horse battery").await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        // The argon2 crate reads ours, and we read the crate's.
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("correct horse battery", Some(&theirs))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&theirs))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("correct horse battery", None).await.unwrap());
        // A hash from elsewhere with other parameters still verifies.
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("correct horse battery", Some(&other))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_stored_hash_cannot_demand_unbounded_memory() {
        let hasher = PasswordHasher::new(1).await.unwrap();
        let ours = hasher.hash("correct horse battery").await.unwrap();
        let greedy = ours.replace("m=19456", "m=4194304");
        assert!(matches!(
            hasher.verify("correct horse battery", Some(&greedy)).await,
            Err(ApiError::Internal(_))
        ));
        // The worker is still there for the next one.
        assert!(
            hasher
                .verify("correct horse battery", Some(&ours))
                .await
                .unwrap()
        );
    }
}
