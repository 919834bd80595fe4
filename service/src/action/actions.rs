//! Solidarity actions (연대활동): drafted by EDITOR+ of the initiator,
//! opened and closed by its ADMIN+. Who reads one is
//! [`sharing::action_visible`]: a draft only the initiator.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, Order,
    QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::transitions::{self, status_condition, status_of};
use crate::agreement::{parties::party_of, reads::find_visible as find_agreement};
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs};
use crate::policy::sharing::{self, Scope};
use crate::policy::{self, Lock, actions as rules, agreements};
use crate::validate;
use entity::{ActionKind, ActionStatus, Visibility, solidarity_action};

pub struct NewAction {
    pub initiator_id: Uuid,
    pub agreement_id: Option<Uuid>,
    pub title: String,
    pub kind: ActionKind,
    pub body: String,
    pub call_to_action: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub visibility: Visibility,
}

/// Draft an action.
pub async fn create(ctx: &Ctx, input: NewAction) -> ApiResult<solidarity_action::Model> {
    policy::require_user(&ctx.viewer)?;
    if input.deadline.is_some_and(|d| d <= ctx.now()) {
        return Err(ApiError::bad_input("deadline", "the deadline has passed"));
    }
    let model = solidarity_action::Model {
        id: Uuid::now_v7(),
        initiator_id: input.initiator_id,
        agreement_id: input.agreement_id,
        title: validate::line("title", &input.title, 200)?,
        kind: input.kind,
        body: validate::required_text("body", &input.body, 20_000)?,
        call_to_action: validate::optional_text(
            "callToAction",
            input.call_to_action.as_deref(),
            2000,
        )?,
        status: ActionStatus::Draft,
        deadline: input.deadline,
        visibility: input.visibility,
        opened_at: None,
        closed_at: None,
        created_at: ctx.now(),
        updated_at: ctx.now(),
    };
    mutate!(ctx, |w| {
        let initiator = w.act_for(model.initiator_id, Lock::Share).await?;
        rules::ensure_can_draft(&initiator)?;
        if let Some(agreement_id) = model.agreement_id {
            let agreement = find_agreement(w.tx(), w.viewer(), agreement_id).await?;
            let party = party_of(w.tx(), agreement_id, model.initiator_id).await?;
            agreements::ensure_works_under(
                &agreement,
                Scope::Actions,
                party.as_ref(),
                "initiatorId",
                w.now(),
            )?;
        }
        w.insert(solidarity_action::ActiveModel::from(model.clone()))
            .await?;
        w.audit(
            Record::new("action.create", "solidarity_action", model.id)
                .in_org(model.initiator_id)
                .details(json!({ "title": model.title })),
        );
        Ok(model.clone())
    })
}

/// Open a draft for endorsements, or close an open action: ADMIN+ of the
/// initiator.
pub async fn publish(ctx: &Ctx, id: Uuid, open: bool) -> ApiResult<solidarity_action::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let initiator = find_in(w.tx(), w.viewer(), w.now(), id).await?.initiator_id;
        let access = w.act_for(initiator, Lock::Share).await?;
        rules::ensure_can_publish(&access)?;
        let current = w
            .lock::<solidarity_action::Entity>(id, "solidarity action")
            .await?;
        let now = w.now();
        let status = status_of(&current, now);
        let mut active = current.clone().into_active_model();
        if open {
            active.status = Set(transitions::open(status, current.deadline, now)?);
            active.opened_at = Set(Some(now));
        } else {
            active.status = Set(transitions::close(status)?);
            active.closed_at = Set(Some(now));
        }
        active.updated_at = Set(now);
        let updated = active.update(w.tx()).await?;
        let action = if open { "action.open" } else { "action.close" };
        w.audit(Record::new(action, "solidarity_action", id).in_org(initiator));
        Ok(updated)
    })
}

/// An action the viewer may read; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<solidarity_action::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

pub(super) async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<solidarity_action::Model> {
    solidarity_action::Entity::find_by_id(id)
        .filter(sharing::action_visible(viewer, now))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("solidarity action"))
}

/// The condition of an action list: readable, optionally of one status and
/// kind.
pub fn list_condition(
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<ActionStatus>,
    kind: Option<ActionKind>,
) -> Condition {
    let mut cond = Condition::all().add(sharing::action_visible(viewer, now));
    if let Some(status) = status {
        cond = cond.add(status_condition(status, now));
    }
    if let Some(kind) = kind {
        cond = cond.add(solidarity_action::Column::Kind.eq(kind));
    }
    cond
}

/// The actions the viewer may read, oldest first.
pub async fn list(
    ctx: &Ctx,
    status: Option<ActionStatus>,
    kind: Option<ActionKind>,
    args: &PageArgs,
) -> ApiResult<Listing<solidarity_action::Model>> {
    let cond = list_condition(&ctx.viewer, ctx.now(), status, kind);
    crate::paging::list(
        ctx.db(),
        cond,
        solidarity_action::Column::Id,
        Order::Asc,
        args,
    )
    .await
}

/// The actions an organization initiated, as far as the viewer may read.
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
    status: Option<ActionStatus>,
    args: PageArgs,
) -> ApiResult<Listing<solidarity_action::Model>> {
    let page = ctx
        .reads()
        .organization_actions(organization_id, status, args)
        .await?;
    Ok(Listing::nested(page, move |r| {
        r.organization_action_count(organization_id, status)
    }))
}

/// When it closed: by hand, or when its deadline passed.
pub fn closed_at(ctx: &Ctx, action: &solidarity_action::Model) -> Option<DateTime<Utc>> {
    match status_of(action, ctx.now()) {
        ActionStatus::Closed => action.closed_at.or(action.deadline),
        _ => None,
    }
}

/// The status as of this request.
pub fn status(ctx: &Ctx, action: &solidarity_action::Model) -> ActionStatus {
    status_of(action, ctx.now())
}
