//! A solidarity action's life: DRAFT → OPEN → CLOSED. An OPEN action whose
//! deadline has passed *is* CLOSED — derived from the clock, no job — so the
//! status is computed (here in Rust for display, beside it in SQL for
//! filters) rather than read.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::error::ApiError;
use entity::{ActionStatus, solidarity_action};

/// The status as of `now`.
pub fn status_of(action: &solidarity_action::Model, now: DateTime<Utc>) -> ActionStatus {
    match action.status {
        ActionStatus::Open if action.deadline.is_some_and(|d| d <= now) => ActionStatus::Closed,
        stored => stored,
    }
}

/// [`status_of`] as a condition on `solidarity_actions`.
pub fn status_condition(status: ActionStatus, now: DateTime<Utc>) -> Condition {
    use solidarity_action::Column as C;
    let col = |c: C| Expr::col((solidarity_action::Entity, c));
    let open = || col(C::Status).eq(ActionStatus::Open.as_str());
    let running = || {
        Condition::any()
            .add(col(C::Deadline).is_null())
            .add(col(C::Deadline).gt(now))
    };
    match status {
        ActionStatus::Draft => {
            Condition::all().add(col(C::Status).eq(ActionStatus::Draft.as_str()))
        }
        ActionStatus::Open => Condition::all().add(open()).add(running()),
        ActionStatus::Closed => Condition::any()
            .add(col(C::Status).eq(ActionStatus::Closed.as_str()))
            .add(Condition::all().add(open()).add(running().not())),
    }
}

fn refuse(current: ActionStatus, what: &str) -> ApiError {
    ApiError::bad_input("id", format!("{what}; this action is {}", current.as_str()))
}

/// Only a DRAFT is opened, and not with its deadline already passed.
pub fn open(
    current: ActionStatus,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<ActionStatus, ApiError> {
    if current != ActionStatus::Draft {
        return Err(refuse(current, "only a DRAFT action can be opened"));
    }
    if deadline.is_some_and(|d| d <= now) {
        return Err(ApiError::bad_input(
            "id",
            "the action's deadline has passed; it cannot open",
        ));
    }
    Ok(ActionStatus::Open)
}

/// Only an OPEN action is closed (one past its deadline is closed already).
pub fn close(current: ActionStatus) -> Result<ActionStatus, ApiError> {
    match current {
        ActionStatus::Open => Ok(ActionStatus::Closed),
        other => Err(refuse(other, "only an OPEN action can be closed")),
    }
}

/// Endorsements are given and withdrawn only while the action is OPEN
/// (and so before its deadline).
pub fn endorsable(current: ActionStatus) -> Result<(), ApiError> {
    match current {
        ActionStatus::Open => Ok(()),
        other => Err(ApiError::bad_input(
            "actionId",
            format!(
                "endorsements change only while the action is OPEN; it is {}",
                other.as_str()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus as S;
    use chrono::TimeDelta;

    fn action(status: S, deadline: Option<DateTime<Utc>>) -> solidarity_action::Model {
        let now = Utc::now();
        solidarity_action::Model {
            id: uuid::Uuid::now_v7(),
            initiator_id: uuid::Uuid::now_v7(),
            agreement_id: None,
            title: "t".into(),
            kind: entity::ActionKind::Statement,
            body: "b".into(),
            call_to_action: None,
            status,
            deadline,
            visibility: entity::Visibility::Public,
            opened_at: None,
            closed_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn an_open_action_closes_at_its_deadline() {
        let now = Utc::now();
        let hour = TimeDelta::hours(1);
        assert_eq!(status_of(&action(S::Open, Some(now + hour)), now), S::Open);
        assert_eq!(status_of(&action(S::Open, Some(now)), now), S::Closed);
        assert_eq!(status_of(&action(S::Open, None), now), S::Open);
        assert_eq!(
            status_of(&action(S::Draft, Some(now - hour)), now),
            S::Draft
        );
        assert_eq!(status_of(&action(S::Closed, None), now), S::Closed);
    }

    #[test]
    fn every_transition() {
        let now = Utc::now();
        let later = Some(now + TimeDelta::days(1));
        let passed = Some(now - TimeDelta::days(1));
        for &s in S::ALL {
            assert_eq!(open(s, later, now).is_ok(), s == S::Draft, "open {s:?}");
            assert!(open(s, passed, now).is_err());
            assert_eq!(close(s).is_ok(), s == S::Open, "close {s:?}");
            assert_eq!(endorsable(s).is_ok(), s == S::Open, "endorse {s:?}");
        }
        assert_eq!(open(S::Draft, None, now).map_err(|e| e.code()), Ok(S::Open));
        assert_eq!(close(S::Open).map_err(|e| e.code()), Ok(S::Closed));
    }
}
