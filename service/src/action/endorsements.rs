//! Endorsements (연명): ADMIN+ of an organization that can read the action
//! signs on for it while the action is OPEN, once — the database's unique
//! index keeps it to one however many requests race — and may withdraw
//! while it is OPEN. Endorsements are public wherever the action is: a joint
//! statement is signed in public.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::actions::find_in;
use super::transitions::{endorsable, status_of};
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::{self, Lock, actions as rules};
use crate::validate;
use entity::{endorsement, solidarity_action};

/// Sign on to an action for an organization.
pub async fn endorse(
    ctx: &Ctx,
    action_id: Uuid,
    organization_id: Uuid,
    comment: Option<String>,
) -> ApiResult<endorsement::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let comment = validate::optional_text("comment", comment.as_deref(), 1000)?;
    mutate!(ctx, |w| {
        find_in(w.tx(), w.viewer(), w.now(), action_id).await?;
        let access = w.act_for(organization_id, Lock::Share).await?;
        rules::ensure_can_endorse_for(&access)?;
        rules::ensure_organization_reads(w.tx(), action_id, organization_id, w.now()).await?;
        // Its status as it is now: a close committing meanwhile waits, or
        // is waited for.
        let action = w
            .lock_shared::<solidarity_action::Entity>(action_id, "solidarity action")
            .await?;
        endorsable(status_of(&action, w.now()))?;
        let model = endorsement::Model {
            id: Uuid::now_v7(),
            action_id,
            organization_id,
            endorsed_by: user,
            comment: comment.clone(),
            endorsed_at: w.now(),
        };
        w.insert(endorsement::ActiveModel::from(model.clone()))
            .await?;
        w.audit(
            Record::new("action.endorse", "solidarity_action", action_id)
                .in_org(organization_id)
                .details(json!({ "title": action.title })),
        );
        Ok(model)
    })
}

/// Take an organization's endorsement back while the action is OPEN (also
/// after losing sight of it: [`rules::ensure_reaches_for_withdrawal`]).
pub async fn withdraw(ctx: &Ctx, action_id: Uuid, organization_id: Uuid) -> ApiResult<bool> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let access = w.act_for(organization_id, Lock::Share).await?;
        rules::ensure_can_endorse_for(&access)?;
        rules::ensure_reaches_for_withdrawal(
            w.tx(),
            w.viewer(),
            w.now(),
            action_id,
            organization_id,
        )
        .await?;
        let action = w
            .lock_shared::<solidarity_action::Entity>(action_id, "solidarity action")
            .await?;
        endorsable(status_of(&action, w.now()))?;
        let deleted = endorsement::Entity::delete_many()
            .filter(endorsement::Column::ActionId.eq(action_id))
            .filter(endorsement::Column::OrganizationId.eq(organization_id))
            .exec(w.tx())
            .await?;
        if deleted.rows_affected == 0 {
            return Err(ApiError::NotFound("endorsement"));
        }
        w.audit(
            Record::new(
                "action.withdraw_endorsement",
                "solidarity_action",
                action_id,
            )
            .in_org(organization_id)
            .details(json!({ "title": action.title })),
        );
        Ok(true)
    })
}

/// How many organizations endorsed the action.
pub async fn count(ctx: &Ctx, action_id: Uuid) -> ApiResult<i64> {
    ctx.reads().endorsement_count(action_id).await
}

/// The endorsements, in the order they were given.
pub async fn list(
    ctx: &Ctx,
    action_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<endorsement::Model>> {
    let page = ctx.reads().endorsement_page(action_id, args).await?;
    Ok(Listing::nested(page, move |r| {
        r.endorsement_count(action_id)
    }))
}
