//! A booking's state machine, as pure functions.

use crate::error::ApiError;
use entity::BookingStatus;

/// How the owner answers a PENDING booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// Its audit action.
    pub fn action(self) -> &'static str {
        match self {
            Decision::Approve => "booking.approve",
            Decision::Reject => "booking.reject",
        }
    }
}

/// A new booking: the owner's own bookings, and every booking of a space
/// that needs no approval, are CONFIRMED at once; another organization's
/// booking of a space that needs approval is PENDING (it holds the slot).
pub fn initial(by_owner: bool, requires_approval: bool) -> BookingStatus {
    if by_owner || !requires_approval {
        BookingStatus::Confirmed
    } else {
        BookingStatus::Pending
    }
}

/// Only a PENDING booking is decided.
pub fn decide(current: BookingStatus, decision: Decision) -> Result<BookingStatus, ApiError> {
    match (current, decision) {
        (BookingStatus::Pending, Decision::Approve) => Ok(BookingStatus::Confirmed),
        (BookingStatus::Pending, Decision::Reject) => Ok(BookingStatus::Rejected),
        (other, _) => Err(ApiError::bad_input(
            "id",
            format!(
                "only a PENDING booking can be decided; this one is {}",
                other.as_str()
            ),
        )),
    }
}

/// Only a PENDING or CONFIRMED booking is cancelled.
pub fn cancel(current: BookingStatus) -> Result<BookingStatus, ApiError> {
    if current.is_live() {
        Ok(BookingStatus::Cancelled)
    } else {
        Err(ApiError::bad_input(
            "id",
            format!("this booking is already {}", current.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus as B;

    const ALL: [BookingStatus; 4] = [B::Pending, B::Confirmed, B::Rejected, B::Cancelled];

    #[test]
    fn new_bookings_wait_only_for_approval_by_someone_else() {
        assert_eq!(initial(true, true), B::Confirmed);
        assert_eq!(initial(true, false), B::Confirmed);
        assert_eq!(initial(false, false), B::Confirmed);
        assert_eq!(initial(false, true), B::Pending);
    }

    #[test]
    fn every_decision_and_cancellation() {
        for s in ALL {
            let approve = decide(s, Decision::Approve).map_err(|e| e.code());
            let reject = decide(s, Decision::Reject).map_err(|e| e.code());
            let cancelled = cancel(s).map_err(|e| e.code());
            match s {
                B::Pending => {
                    assert_eq!(approve, Ok(B::Confirmed));
                    assert_eq!(reject, Ok(B::Rejected));
                    assert_eq!(cancelled, Ok(B::Cancelled));
                }
                B::Confirmed => {
                    assert_eq!(approve, Err("BAD_USER_INPUT"));
                    assert_eq!(reject, Err("BAD_USER_INPUT"));
                    assert_eq!(cancelled, Ok(B::Cancelled));
                }
                B::Rejected | B::Cancelled => {
                    assert_eq!(approve, Err("BAD_USER_INPUT"));
                    assert_eq!(reject, Err("BAD_USER_INPUT"));
                    assert_eq!(cancelled, Err("BAD_USER_INPUT"));
                }
            }
        }
    }
}
