//! An event's and an RSVP's rules as pure functions: when an event can be
//! changed, answered and checked in, and where an answer seats a person.
//! The database keeps GOING within capacity whatever happens here; these
//! decide the status so that it never has to refuse.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::ApiError;
use entity::{EventStatus, RsvpStatus};

/// Check-in opens this long before the start...
pub const CHECK_IN_OPENS: TimeDelta = TimeDelta::hours(1);
/// ...and closes this long after the end (the minutes are typed up later).
pub const CHECK_IN_CLOSES: TimeDelta = TimeDelta::hours(12);

fn cancelled(field: &str) -> ApiError {
    ApiError::bad_input(field, "the event was cancelled")
}

/// A cancelled event is not changed again (a new one is made instead).
pub fn changeable(status: EventStatus) -> Result<(), ApiError> {
    match status {
        EventStatus::Scheduled => Ok(()),
        EventStatus::Cancelled => Err(cancelled("id")),
    }
}

/// People answer a SCHEDULED event until it ends.
pub fn answerable(
    status: EventStatus,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    changeable(status).map_err(|_| cancelled("eventId"))?;
    if now >= ends_at {
        return Err(ApiError::bad_input("eventId", "the event is over"));
    }
    Ok(())
}

/// Check-in runs from [`CHECK_IN_OPENS`] before the start to
/// [`CHECK_IN_CLOSES`] after the end of a SCHEDULED event.
pub fn check_in_open(
    status: EventStatus,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    changeable(status).map_err(|_| cancelled("eventId"))?;
    if now < starts_at - CHECK_IN_OPENS {
        return Err(ApiError::bad_input(
            "eventId",
            "check-in opens one hour before the event starts",
        ));
    }
    if now > ends_at + CHECK_IN_CLOSES {
        return Err(ApiError::bad_input(
            "eventId",
            "check-in closed twelve hours after the event ended",
        ));
    }
    Ok(())
}

/// Whether a seat is free with `going` people GOING.
pub fn has_seat(capacity: Option<i32>, going: i64) -> bool {
    capacity.is_none_or(|c| going < i64::from(c))
}

/// How many waitlisted people a change seats: as many as there are free
/// seats (all of them without a capacity).
pub fn seats_free(capacity: Option<i32>, going: i64) -> u64 {
    match capacity {
        None => u64::MAX,
        Some(c) => u64::try_from(i64::from(c) - going).unwrap_or(0),
    }
}

/// The status an answer gives: GOING takes a free seat, or a place at the
/// end of the waitlist; asking GOING again keeps one's seat or place.
/// WAITLISTED is where the event puts a person, not an answer.
pub fn answer(
    requested: RsvpStatus,
    current: Option<RsvpStatus>,
    going_others: i64,
    capacity: Option<i32>,
) -> Result<RsvpStatus, ApiError> {
    match (requested, current) {
        (RsvpStatus::Waitlisted, _) => Err(ApiError::bad_input(
            "status",
            "answer GOING; the event puts you on the waitlist when it is full",
        )),
        (RsvpStatus::Going, Some(kept @ (RsvpStatus::Going | RsvpStatus::Waitlisted))) => Ok(kept),
        (RsvpStatus::Going, _) if has_seat(capacity, going_others) => Ok(RsvpStatus::Going),
        (RsvpStatus::Going, _) => Ok(RsvpStatus::Waitlisted),
        (other, _) => Ok(other),
    }
}

/// Whether a change of someone's status frees a seat for the waitlist.
pub fn frees_seat(before: Option<RsvpStatus>, after: RsvpStatus) -> bool {
    before == Some(RsvpStatus::Going) && after != RsvpStatus::Going
}

#[cfg(test)]
mod tests {
    use super::*;
    use RsvpStatus::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::hours(1000 + h)
    }

    #[test]
    fn going_takes_a_seat_or_joins_the_waitlist() {
        assert_eq!(answer(Going, None, 9, Some(10)).unwrap(), Going);
        assert_eq!(answer(Going, None, 10, Some(10)).unwrap(), Waitlisted);
        assert_eq!(
            answer(Going, Some(Declined), 10, Some(10)).unwrap(),
            Waitlisted
        );
        assert_eq!(answer(Going, Some(Maybe), 3, None).unwrap(), Going);
    }

    #[test]
    fn asking_again_keeps_a_seat_or_a_place() {
        assert_eq!(answer(Going, Some(Going), 10, Some(10)).unwrap(), Going);
        assert_eq!(
            answer(Going, Some(Waitlisted), 0, Some(10)).unwrap(),
            Waitlisted
        );
    }

    #[test]
    fn other_answers_are_taken_as_given_and_waitlisted_is_not_an_answer() {
        assert_eq!(answer(Maybe, Some(Going), 10, Some(10)).unwrap(), Maybe);
        assert_eq!(
            answer(Declined, Some(Waitlisted), 10, Some(10)).unwrap(),
            Declined
        );
        assert_eq!(
            answer(Waitlisted, None, 0, None).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }

    #[test]
    fn only_leaving_a_seat_frees_it() {
        assert!(frees_seat(Some(Going), Declined));
        assert!(frees_seat(Some(Going), Maybe));
        assert!(!frees_seat(Some(Waitlisted), Declined));
        assert!(!frees_seat(None, Going));
        assert!(!frees_seat(Some(Going), Going));
    }

    #[test]
    fn free_seats() {
        assert_eq!(seats_free(Some(10), 7), 3);
        assert_eq!(seats_free(Some(10), 12), 0);
        assert_eq!(seats_free(None, 12), u64::MAX);
    }

    #[test]
    fn answers_until_the_end_of_a_scheduled_event() {
        assert!(answerable(EventStatus::Scheduled, at(2), at(1)).is_ok());
        assert!(answerable(EventStatus::Scheduled, at(2), at(2)).is_err());
        assert!(answerable(EventStatus::Cancelled, at(2), at(1)).is_err());
    }

    #[test]
    fn check_in_window_runs_from_an_hour_before_to_twelve_after() {
        let (starts, ends) = (at(10), at(12));
        let open = |now| check_in_open(EventStatus::Scheduled, starts, ends, now).is_ok();
        assert!(!open(at(8)));
        assert!(open(at(9)));
        assert!(open(at(11)));
        assert!(open(at(24)));
        assert!(!open(at(25)));
        assert!(check_in_open(EventStatus::Cancelled, starts, ends, at(11)).is_err());
    }

    #[test]
    fn a_cancelled_event_is_not_changed() {
        assert!(changeable(EventStatus::Scheduled).is_ok());
        assert!(changeable(EventStatus::Cancelled).is_err());
    }
}
