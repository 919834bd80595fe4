//! The agreement's state machines, as pure functions: which transitions of
//! the agreement and of a party are allowed, and what each becomes. The
//! services apply them under the agreement's lock.

use super::status::AgreementStatus;
use crate::error::ApiError;
use entity::{PartyRole, PartyStatus};

/// Statuses in which the convener may still invite and remove parties.
pub const RUNNING: [AgreementStatus; 3] = [
    AgreementStatus::Draft,
    AgreementStatus::Proposed,
    AgreementStatus::Active,
];

/// BAD_USER_INPUT: `action` is not allowed while the agreement is `status`.
pub fn refuse(status: AgreementStatus, action: &str) -> ApiError {
    let state = match status {
        AgreementStatus::Draft => "still a draft",
        AgreementStatus::Proposed => "already proposed",
        AgreementStatus::Active => "active",
        AgreementStatus::Expired => "expired",
        AgreementStatus::Terminated => "terminated",
    };
    ApiError::bad_input("id", format!("cannot {action}: the agreement is {state}"))
}

/// `action` is allowed only in the `allowed` statuses.
pub fn require_status(
    status: AgreementStatus,
    allowed: &[AgreementStatus],
    action: &str,
) -> Result<(), ApiError> {
    if allowed.contains(&status) {
        Ok(())
    } else {
        Err(refuse(status, action))
    }
}

/// Terminating: any time before it is terminated or expired.
pub fn terminate(status: AgreementStatus) -> Result<(), ApiError> {
    require_status(status, &RUNNING, TERMINATE_ACTION)
}

/// How a refused termination names what was tried.
pub const TERMINATE_ACTION: &str = "terminate it";

/// Proposing needs at least two parties (invited or signed).
pub fn propose(parties: u64) -> Result<(), ApiError> {
    if parties < 2 {
        Err(ApiError::bad_input(
            "id",
            "an agreement needs at least two parties; invite a partner first",
        ))
    } else {
        Ok(())
    }
}

/// A proposed agreement is ratified once nobody is left to answer and at
/// least two parties signed.
pub fn ratifies(still_invited: u64, signed: u64) -> bool {
    still_invited == 0 && signed >= 2
}

/// A party's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Sign,
    Decline,
    Withdraw,
}

impl Answer {
    pub fn verb(self) -> &'static str {
        match self {
            Answer::Sign => "sign",
            Answer::Decline => "decline",
            Answer::Withdraw => "withdraw",
        }
    }

    /// Its audit action.
    pub fn action(self) -> &'static str {
        match self {
            Answer::Sign => "agreement.sign",
            Answer::Decline => "agreement.decline",
            Answer::Withdraw => "agreement.withdraw",
        }
    }
}

/// What a party's answer makes of it: only while the agreement is PROPOSED
/// or ACTIVE; an INVITED party signs or declines, a SIGNED one withdraws;
/// the convener neither declines nor withdraws (its OWNER terminates).
pub fn answer(
    agreement: AgreementStatus,
    role: PartyRole,
    party: PartyStatus,
    answer: Answer,
) -> Result<PartyStatus, ApiError> {
    if !matches!(
        agreement,
        AgreementStatus::Proposed | AgreementStatus::Active
    ) {
        return Err(refuse(agreement, answer.verb()));
    }
    let refused = |message: String| ApiError::bad_input("organizationId", message);
    match (answer, party) {
        (Answer::Sign, PartyStatus::Invited) => Ok(PartyStatus::Signed),
        (Answer::Decline | Answer::Withdraw, _) if role == PartyRole::Convener => Err(refused(
            "the convener cannot decline or withdraw; its OWNER terminates the agreement instead"
                .into(),
        )),
        (Answer::Decline, PartyStatus::Invited) => Ok(PartyStatus::Declined),
        (Answer::Withdraw, PartyStatus::Signed) => Ok(PartyStatus::Withdrawn),
        (Answer::Withdraw, PartyStatus::Invited) => {
            Err(refused("this party has not signed; decline instead".into()))
        }
        (_, current) => Err(refused(format!(
            "cannot {}: this party is {}",
            answer.verb(),
            current.as_str()
        ))),
    }
}

/// Inviting an organization that already has a row: a party that declined,
/// withdrew or was removed goes back to INVITED; one that is invited or
/// signed already is a CONFLICT.
pub fn reinvite(current: PartyStatus) -> Result<PartyStatus, ApiError> {
    match current {
        PartyStatus::Invited | PartyStatus::Signed => Err(ApiError::conflict(
            Some("organizationId"),
            "this organization is already a party",
        )),
        PartyStatus::Declined | PartyStatus::Withdrawn | PartyStatus::Removed => {
            Ok(PartyStatus::Invited)
        }
    }
}

/// Removing a party: not the convener (terminate instead).
pub fn remove(role: PartyRole) -> Result<PartyStatus, ApiError> {
    match role {
        PartyRole::Convener => Err(ApiError::bad_input(
            "organizationId",
            "the convener cannot be removed; terminate the agreement instead",
        )),
        PartyRole::Partner => Ok(PartyStatus::Removed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgreementStatus as A;
    use PartyStatus as P;

    const ALL_AGREEMENT: [AgreementStatus; 5] =
        [A::Draft, A::Proposed, A::Active, A::Expired, A::Terminated];
    const ALL_PARTY: [PartyStatus; 5] =
        [P::Invited, P::Signed, P::Declined, P::Withdrawn, P::Removed];

    fn code(r: Result<PartyStatus, ApiError>) -> Result<PartyStatus, &'static str> {
        r.map_err(|e| e.code())
    }

    #[test]
    fn parties_answer_only_while_proposed_or_active() {
        for agreement in ALL_AGREEMENT {
            for party in ALL_PARTY {
                for a in [Answer::Sign, Answer::Decline, Answer::Withdraw] {
                    let got = code(answer(agreement, PartyRole::Partner, party, a));
                    let expected = match (agreement, a, party) {
                        (A::Proposed | A::Active, Answer::Sign, P::Invited) => Ok(P::Signed),
                        (A::Proposed | A::Active, Answer::Decline, P::Invited) => Ok(P::Declined),
                        (A::Proposed | A::Active, Answer::Withdraw, P::Signed) => Ok(P::Withdrawn),
                        _ => Err("BAD_USER_INPUT"),
                    };
                    assert_eq!(got, expected, "{agreement:?} {party:?} {a:?}");
                }
            }
        }
    }

    #[test]
    fn the_convener_signs_but_never_declines_or_withdraws() {
        for party in [P::Invited, P::Signed] {
            for a in [Answer::Decline, Answer::Withdraw] {
                let e = answer(A::Active, PartyRole::Convener, party, a).unwrap_err();
                assert!(e.message().contains("convener"), "{}", e.message());
            }
        }
        assert_eq!(
            code(answer(
                A::Proposed,
                PartyRole::Convener,
                P::Invited,
                Answer::Sign
            )),
            Ok(P::Signed)
        );
    }

    #[test]
    fn invitations_removals_and_the_agreement_itself() {
        for p in [P::Invited, P::Signed] {
            assert_eq!(reinvite(p).unwrap_err().code(), "CONFLICT");
        }
        for p in [P::Declined, P::Withdrawn, P::Removed] {
            assert_eq!(code(reinvite(p)), Ok(P::Invited));
        }
        assert_eq!(code(remove(PartyRole::Partner)), Ok(P::Removed));
        assert!(remove(PartyRole::Convener).is_err());
        for s in ALL_AGREEMENT {
            assert_eq!(
                terminate(s).is_ok(),
                !matches!(s, A::Expired | A::Terminated),
                "{s:?}"
            );
            assert_eq!(
                require_status(s, &RUNNING, "invite parties").is_ok(),
                matches!(s, A::Draft | A::Proposed | A::Active)
            );
        }
        assert!(propose(1).is_err());
        assert!(propose(2).is_ok());
        assert!(!ratifies(1, 3));
        assert!(!ratifies(0, 1));
        assert!(ratifies(0, 2));
    }
}
