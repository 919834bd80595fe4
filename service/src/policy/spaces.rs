//! Who may do what with spaces and bookings. Which spaces a viewer sees, and
//! in which the viewer may book, are SQL conditions in [`super::sharing`].

use super::OrgAccess;
use crate::error::ApiError;
use entity::{Role, space};

/// Creating and editing spaces: ADMIN+ of the owner.
pub fn ensure_can_manage_space(owner: &OrgAccess) -> Result<(), ApiError> {
    owner.require(Role::Admin, "managing spaces")
}

/// Booking on behalf of an organization: EDITOR+ of it. (That the
/// organization owns the space or is its SPACES partner is the condition
/// [`super::sharing::may_book_in`], which the service runs.)
pub fn ensure_can_book_for(organization: &OrgAccess) -> Result<(), ApiError> {
    organization.require(Role::Editor, "booking on behalf of this organization")
}

/// Approving or rejecting: ADMIN+ of the space's owner.
pub fn ensure_can_decide(owner: &OrgAccess) -> Result<(), ApiError> {
    owner.require(Role::Admin, "approving or rejecting bookings")
}

/// Cancelling: EDITOR+ of the organization the booking is for, or ADMIN+ of
/// the space's owner (through memberships; platform admins do not act for
/// organizations). Answers the organization the caller acts for (the
/// booking organization when both apply), under which it is audited.
pub fn ensure_can_cancel(
    booking_org: &OrgAccess,
    owner: &OrgAccess,
) -> Result<uuid::Uuid, ApiError> {
    if booking_org.has(Role::Editor) {
        Ok(booking_org.organization_id)
    } else if owner.has(Role::Admin) {
        Ok(owner.organization_id)
    } else {
        Err(ApiError::forbidden(
            "cancelling requires EDITOR or higher in the booking organization, or ADMIN in the space's owner",
        ))
    }
}

/// A booking's title and who booked it: members of the booking organization
/// and of the owner (and platform admins, who read for support). Others see the interval and the
/// booking organization only.
pub fn can_see_booking_details(booking_org: &OrgAccess, owner: &OrgAccess) -> bool {
    booking_org.is_member() || owner.is_member() || owner.platform_admin
}

/// A booking is visible wherever its space is — and, whatever becomes of
/// the partnership, to the members of the organization it was made for, so a
/// former partner can still see and cancel what it booked. Through such a
/// booking they see the space only as a reference: its name and owner, and
/// of its calendar only the bookings they may see anyway (their own).
/// (In SQL, for single reads: [`super::sharing::booking_visible`]; the
/// reference: [`as_reference`].)
pub fn can_see_own_booking(booking_org: &OrgAccess) -> bool {
    booking_org.is_member() || booking_org.platform_admin
}

/// A space reached only through an own booking (see
/// [`can_see_own_booking`]), as a reference: its name, owner and whether it
/// needs approval; description, location and capacity are withheld.
pub fn as_reference(space: space::Model) -> space::Model {
    space::Model {
        description: None,
        location: None,
        capacity: None,
        ..space
    }
}
