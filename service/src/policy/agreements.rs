//! Who may do what to an agreement (MOU). Visibility is in [`super::sharing`].

use super::OrgAccess;
use super::sharing::Scope;
use crate::error::ApiError;
use entity::{PartyStatus, Role, agreement, agreement_party};

/// Drafting, editing and proposing: ADMIN+ of the convener. This is acting
/// for the convener, so a platform admin needs a membership like anyone.
pub fn ensure_can_manage(convener: &OrgAccess) -> Result<(), ApiError> {
    convener.require(Role::Admin, "managing this agreement")
}

/// Inviting and removing parties: ADMIN+ of the convener, or a platform
/// admin (operators manage who is party to which MOU). An invitation never
/// makes anyone a partner by itself: the newcomer's OWNER signs, and in a
/// ratified agreement every sharing party's OWNER consents.
pub fn ensure_can_manage_parties(convener: &OrgAccess) -> Result<(), ApiError> {
    if convener.platform_admin {
        return Ok(());
    }
    convener.require(Role::Admin, "inviting or removing parties")
}

/// Signing, declining or withdrawing for a party, and consenting to (or
/// refusing) a newcomer for it: its OWNER, and only its OWNER. A platform
/// admin cannot commit an organization (it can remove a party or terminate
/// the agreement instead).
pub fn ensure_can_answer_for(party: &OrgAccess) -> Result<(), ApiError> {
    if party.role == Some(Role::Owner) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only an OWNER of the party organization can answer for it",
        ))
    }
}

/// Termination: the convener's OWNER, or a platform admin.
pub fn ensure_can_terminate(convener: &OrgAccess) -> Result<(), ApiError> {
    if convener.platform_admin {
        return Ok(());
    }
    convener.require(Role::Owner, "terminating this agreement")
}

/// Work run under an agreement (a project, a solidarity action) needs the
/// agreement not to have ended, to share its `scope`, and each organization
/// in it to be a SIGNED party sharing in the agreement (admitted).
/// BAD_USER_INPUT naming `field`, the input the organization came from,
/// otherwise.
pub fn ensure_works_under(
    agreement: &agreement::Model,
    scope: Scope,
    party: Option<&agreement_party::Model>,
    field: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    use crate::agreement::status::{AgreementStatus, status_of};
    if matches!(
        status_of(agreement, now),
        AgreementStatus::Expired | AgreementStatus::Terminated
    ) {
        return Err(ApiError::bad_input(
            "agreementId",
            "this agreement has ended; nothing new runs under it",
        ));
    }
    if !crate::agreement::Scopes::of(agreement)
        .list()
        .contains(&scope)
    {
        return Err(ApiError::bad_input(
            "agreementId",
            format!("this agreement does not share {}", scope.name()),
        ));
    }
    match party {
        Some(p) if p.status == PartyStatus::Signed && p.admitted_at.is_some() => Ok(()),
        _ => Err(ApiError::bad_input(
            field,
            "the organization must be a SIGNED party of the agreement",
        )),
    }
}
