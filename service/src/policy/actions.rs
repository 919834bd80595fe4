//! Who may do what with solidarity actions. Who reads one is the SQL
//! condition [`super::sharing::action_visible`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::OrgAccess;
use super::sharing::{action_readable_by, action_visible, the_organization};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use entity::{Role, endorsement, solidarity_action};

/// Drafting an action for its initiator: EDITOR+ of it.
pub fn ensure_can_draft(initiator: &OrgAccess) -> Result<(), ApiError> {
    initiator.require(Role::Editor, "drafting solidarity actions")
}

/// Opening and closing it: ADMIN+ of the initiator.
pub fn ensure_can_publish(initiator: &OrgAccess) -> Result<(), ApiError> {
    initiator.require(Role::Admin, "opening or closing solidarity actions")
}

/// Signing on (or withdrawing) for an organization: ADMIN+ of it, which
/// commits the organization's name.
pub fn ensure_can_endorse_for(organization: &OrgAccess) -> Result<(), ApiError> {
    organization.require(Role::Admin, "endorsing for this organization")
}

/// The endorsing organization itself must be able to read the action (the
/// caller may see it through another membership); FORBIDDEN otherwise.
pub async fn ensure_organization_reads(
    db: &impl ConnectionTrait,
    action_id: Uuid,
    organization_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let readable = solidarity_action::Entity::find_by_id(action_id)
        .filter(action_readable_by(
            Some(the_organization(organization_id)),
            now,
        ))
        .count(db)
        .await?;
    if readable == 0 {
        return Err(ApiError::forbidden(
            "this organization cannot read the action, so it cannot endorse it",
        ));
    }
    Ok(())
}

/// Withdrawing an endorsement reaches an action the caller may read — or
/// one the organization signed, even after it lost sight of it (it left the
/// agreement that let it read): its name is its own to take back. NOT_FOUND
/// otherwise.
pub async fn ensure_reaches_for_withdrawal(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    action_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<()> {
    let mut signed = Query::select();
    signed
        .column(endorsement::Column::ActionId)
        .from(endorsement::Entity)
        .and_where(endorsement::Column::OrganizationId.eq(organization_id));
    let reached = solidarity_action::Entity::find_by_id(action_id)
        .filter(
            Condition::any().add(action_visible(viewer, now)).add(
                Expr::col((solidarity_action::Entity, solidarity_action::Column::Id))
                    .in_subquery(signed),
            ),
        )
        .count(db)
        .await?;
    if reached == 0 {
        return Err(ApiError::NotFound("solidarity action"));
    }
    Ok(())
}
