//! Lockout with backoff for repeated failed log-ins, kept in the database
//! (so it holds across instances, and unknown e-mails behave exactly like
//! known ones: the lockout reveals nothing).
//!
//! Two counters see every attempt. One is per e-mail *and client*: a
//! client's failures lock that e-mail for that client only, so an attacker
//! cannot keep the owner out of their own account from elsewhere. The other
//! is per client across every e-mail it tries, with more room, so one
//! client cannot spray guesses over many accounts. A client is its network
//! address (see the HTTP layer for proxies).
//!
//! Every attempt is counted *before* the password is checked, inside a write
//! transaction that locks the rows, so a burst of parallel guesses cannot
//! slip past the count. After the free failures, the key is locked for
//! 30 s, doubling with every further failure up to 15 minutes; a key idle
//! for [`RESET_AFTER`] starts over, and rows idle for a day are deleted, so
//! the table stays bounded. A successful log-in clears its e-mail's counter
//! and takes its own attempt back from the client's. During a lockout even the right password is refused
//! with RATE_LIMITED — that is what makes it a lockout.

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set, TryInsertResult, sea_query::LockType,
};

use crate::error::{ApiError, ApiResult};
use entity::login_throttle;

/// Failures of one e-mail from one client before it locks.
pub const FREE_FAILURES: i32 = 5;
/// Failures of one client across all e-mails before it locks.
pub const FREE_CLIENT_FAILURES: i32 = 50;
pub const FIRST_LOCK: TimeDelta = TimeDelta::seconds(30);
pub const MAX_LOCK: TimeDelta = TimeDelta::minutes(15);
/// A key with no attempt for this long starts counting from zero.
pub const RESET_AFTER: TimeDelta = TimeDelta::hours(1);
/// Rows idle (and unlocked) for this long are deleted.
pub const FORGET_AFTER: TimeDelta = TimeDelta::days(1);

/// How long to lock after `failures` consecutive failures when `free` are
/// allowed (None: no lock).
pub fn lock_for(failures: i32, free: i32) -> Option<TimeDelta> {
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(16) as u32;
    let lock = FIRST_LOCK * 2i32.pow(doublings);
    Some(lock.min(MAX_LOCK))
}

/// The counters one log-in attempt touches.
pub struct Attempt {
    pair: String,
    client: String,
}

impl Attempt {
    /// `email` (normalized) tried by `client`; an unknown client is one
    /// client of its own.
    pub fn new(email: &str, client: Option<IpAddr>) -> Self {
        let client = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Attempt {
            pair: format!("login:{email} {client}"),
            client: format!("client:{client}"),
        }
    }
}

/// Count one attempt inside the caller's write transaction (it locks the
/// rows), or — while either counter is locked — count nothing and answer
/// how many seconds the lock still lasts. The attempt counts as a failure
/// until [`clear`] says otherwise.
pub async fn count_attempt(
    tx: &impl ConnectionTrait,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> ApiResult<Option<u64>> {
    let keys = [
        (attempt.pair.as_str(), FREE_FAILURES),
        (attempt.client.as_str(), FREE_CLIENT_FAILURES),
    ];
    let mut rows = Vec::with_capacity(keys.len());
    let mut created = false;
    for (key, free) in keys {
        let (row, new) = locked_row(tx, key, now).await?;
        created |= new;
        if let Some(until) = row.locked_until.filter(|until| *until > now) {
            let secs = ((until - now).num_milliseconds() + 999).max(1000) as u64 / 1000;
            return Ok(Some(secs));
        }
        rows.push((row, free));
    }
    // The table grows only by new counters, so only they pay for pruning
    // it (an attempt on known counters deletes nothing).
    if created {
        forget_idle(tx, attempt, now).await?;
    }
    for (row, free) in rows {
        let failures = if now - row.updated_at > RESET_AFTER {
            1
        } else {
            row.failures.saturating_add(1)
        };
        let mut active = row.into_active_model();
        active.failures = Set(failures);
        active.locked_until = Set(lock_for(failures, free).map(|d| now + d));
        active.updated_at = Set(now);
        active.update(tx).await?;
    }
    Ok(None)
}

/// The counter `key`, created if new (then `true`), locked for this
/// transaction.
async fn locked_row(
    tx: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResult<(login_throttle::Model, bool)> {
    let inserted = login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([login_throttle::Column::Key])
    .exec_without_returning(tx)
    .await?;
    let row = login_throttle::Entity::find_by_id(key.to_owned())
        .lock(LockType::Update)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("throttle row vanished")))?;
    Ok((
        row,
        matches!(inserted, TryInsertResult::Inserted(n) if n > 0),
    ))
}

/// Delete counters idle for a day and not locked — every address ever tried
/// would otherwise leave a row forever — except this attempt's own.
async fn forget_idle(
    tx: &impl ConnectionTrait,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    login_throttle::Entity::delete_many()
        .filter(
            login_throttle::Column::Key.is_not_in([attempt.pair.clone(), attempt.client.clone()]),
        )
        .filter(login_throttle::Column::UpdatedAt.lt(now - FORGET_AFTER))
        .filter(
            Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lt(now)),
        )
        .exec(tx)
        .await?;
    Ok(())
}

/// RATE_LIMITED for a key locked for `secs` more seconds.
pub fn locked(secs: u64) -> ApiError {
    ApiError::RateLimited {
        message: format!("too many failed log-ins; try again in {secs} seconds"),
        retry_after_secs: secs,
    }
}

/// After a successful log-in: forget the failures of this e-mail from this
/// client, and take back the attempt counted against the client (so an
/// office of many people behind one address never trips its limit by
/// logging in; a success does not erase its other failures).
pub async fn clear(db: &impl ConnectionTrait, attempt: &Attempt) -> ApiResult<()> {
    login_throttle::Entity::delete_by_id(attempt.pair.clone())
        .exec(db)
        .await?;
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            sea_orm::sea_query::ExprTrait::sub(Expr::col(login_throttle::Column::Failures), 1),
        )
        .filter(login_throttle::Column::Key.eq(attempt.client.clone()))
        .filter(login_throttle::Column::Failures.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(lock_for(4, FREE_FAILURES), None);
        assert_eq!(lock_for(5, FREE_FAILURES), Some(TimeDelta::seconds(30)));
        assert_eq!(lock_for(6, FREE_FAILURES), Some(TimeDelta::seconds(60)));
        assert_eq!(lock_for(7, FREE_FAILURES), Some(TimeDelta::seconds(120)));
        assert_eq!(lock_for(50, FREE_FAILURES), Some(MAX_LOCK));
        assert_eq!(lock_for(49, FREE_CLIENT_FAILURES), None);
    }

    #[test]
    fn keys_separate_clients() {
        let a = Attempt::new("owner@hanbat.example", Some("192.0.2.1".parse().unwrap()));
        let b = Attempt::new("owner@hanbat.example", Some("192.0.2.2".parse().unwrap()));
        assert_ne!(a.pair, b.pair);
        assert_ne!(a.client, b.client);
        assert_eq!(a.client, "client:192.0.2.1");
    }
}
