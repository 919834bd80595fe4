//! Lockout with backoff for repeated failed log-ins, kept per e-mail in the
//! database (so it holds across instances, and unknown e-mails behave exactly
//! like known ones: the lockout reveals nothing).
//!
//! Every attempt is counted *before* the password is checked, inside a write
//! transaction that locks the row, so a burst of parallel guesses cannot
//! slip past the count. The first five failures are free; from the fifth on,
//! the e-mail is locked for 30 s, doubling with every further failure up to
//! 15 minutes. A successful log-in clears the record. During a lockout even
//! the right password is refused with RATE_LIMITED — that is what makes it a
//! lockout.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QuerySelect, Set,
    sea_query::LockType,
};

use crate::error::{ApiError, ApiResult};
use entity::login_throttle;

pub const FREE_FAILURES: i32 = 5;
pub const FIRST_LOCK: TimeDelta = TimeDelta::seconds(30);
pub const MAX_LOCK: TimeDelta = TimeDelta::minutes(15);

/// How long to lock after `failures` consecutive failures (None: no lock).
pub fn lock_for(failures: i32) -> Option<TimeDelta> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(16) as u32;
    let lock = FIRST_LOCK * 2i32.pow(doublings);
    Some(lock.min(MAX_LOCK))
}

/// Count one attempt for `email` inside the caller's write transaction
/// (it locks the e-mail's row), or — while the e-mail is locked — count
/// nothing and answer how many seconds the lock still lasts. The attempt
/// counts as a failure until [`clear`] says otherwise.
pub async fn count_attempt(
    tx: &impl ConnectionTrait,
    email: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<u64>> {
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        email: Set(email.to_owned()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([login_throttle::Column::Email])
    .exec(tx)
    .await?;
    let row = login_throttle::Entity::find_by_id(email.to_owned())
        .lock(LockType::Update)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("throttle row vanished")))?;
    if let Some(until) = row.locked_until.filter(|until| *until > now) {
        let secs = ((until - now).num_milliseconds() + 999).max(1000) as u64 / 1000;
        return Ok(Some(secs));
    }
    let failures = row.failures.saturating_add(1);
    let mut active = row.into_active_model();
    active.failures = Set(failures);
    active.locked_until = Set(lock_for(failures).map(|d| now + d));
    active.updated_at = Set(now);
    active.update(tx).await?;
    Ok(None)
}

/// RATE_LIMITED for an e-mail locked for `secs` more seconds.
pub fn locked(secs: u64) -> ApiError {
    ApiError::RateLimited {
        message: format!("too many failed log-ins; try again in {secs} seconds"),
        retry_after_secs: secs,
    }
}

/// Forget the failures of `email` after a successful log-in.
pub async fn clear(db: &impl ConnectionTrait, email: &str) -> ApiResult<()> {
    login_throttle::Entity::delete_by_id(email.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(lock_for(4), None);
        assert_eq!(lock_for(5), Some(TimeDelta::seconds(30)));
        assert_eq!(lock_for(6), Some(TimeDelta::seconds(60)));
        assert_eq!(lock_for(7), Some(TimeDelta::seconds(120)));
        assert_eq!(lock_for(50), Some(MAX_LOCK));
    }
}
