//! Who may do what to an agreement (MOU). Visibility is in [`super::sharing`].

use super::OrgAccess;
use crate::error::ApiError;
use entity::Role;

/// Drafting, editing, inviting and removing parties, proposing: ADMIN+ of
/// the convener, or a platform admin.
pub fn ensure_can_manage(convener: &OrgAccess) -> Result<(), ApiError> {
    convener.require(Role::Admin, "managing this agreement")
}

/// Signing, declining or withdrawing for a party: its OWNER, and only its
/// OWNER. A platform admin cannot commit an organization to an MOU (it can
/// remove a party or terminate the agreement instead).
pub fn ensure_can_answer_for(party: &OrgAccess) -> Result<(), ApiError> {
    if party.role == Some(Role::Owner) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only an OWNER of the party organization can sign, decline or withdraw for it",
        ))
    }
}

/// Termination: the convener's OWNER, or a platform admin.
pub fn ensure_can_terminate(convener: &OrgAccess) -> Result<(), ApiError> {
    convener.require(Role::Owner, "terminating this agreement")
}
