//! Reading an organization's audit log.

use sea_orm::{ColumnTrait, Condition, Order};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::ApiResult;
use crate::paging::{Listing, PageArgs};
use crate::policy;
use entity::audit_entry;

/// An organization's audit log, newest first: ADMIN+ or platform admins.
pub async fn organization_log(
    ctx: &Ctx,
    organization_id: Uuid,
    args: &PageArgs,
) -> ApiResult<Listing<audit_entry::Model>> {
    let db = ctx.db();
    policy::require_user(&ctx.viewer)?;
    let access = policy::org_access(db, &ctx.viewer, organization_id, policy::Lock::None).await?;
    policy::ensure_can_read_audit_log(&access)?;
    let filter = Condition::all().add(audit_entry::Column::OrganizationId.eq(organization_id));
    crate::paging::list(db, filter, audit_entry::Column::Id, Order::Desc, args).await
}

/// Who made an entry, as far as the viewer may know: an operator's identity
/// stays with the operators ([`policy::can_see_audit_actor`]).
pub fn visible_actor(viewer: &Viewer, entry: &audit_entry::Model) -> Option<Uuid> {
    entry
        .actor_id
        .filter(|_| policy::can_see_audit_actor(viewer, entry.by_operator, entry.actor_id))
}
