//! A filed request's steps — extension, decision, objection, appeal,
//! withdrawal — each a dated, audited transition checked by
//! [`super::transitions`], by EDITOR+ of the request's organization.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::requests::{existing_agency, find_in};
use super::transitions::{self, Decision, today};
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::ApiResult;
use crate::mutate;
use crate::policy::{self, Lock, disclosure as rules};
use crate::write::Write;
use entity::{AppealKind, DisclosureStatus, ObjectionOutcome, disclosure_request};

type Request = disclosure_request::Model;
type Change = disclosure_request::ActiveModel;

/// The request `id`, locked for a change by the caller: NOT_FOUND unless
/// the caller may read it, FORBIDDEN unless EDITOR+ of its organization.
pub(super) async fn locked(w: &mut Write<'_>, id: Uuid) -> ApiResult<Request> {
    let found = find_in(w.tx(), w.viewer(), w.now(), id).await?;
    let org = w.act_for(found.organization_id, Lock::Share).await?;
    rules::ensure_can_change(&org)?;
    w.lock::<disclosure_request::Entity>(id, "disclosure request")
        .await
}

/// Write a step's change of the locked request and its audit entry.
async fn save(
    w: &mut Write<'_>,
    mut change: Change,
    action: &'static str,
    details: Value,
) -> ApiResult<Request> {
    change.updated_at = Set(w.now());
    let updated = change.update(w.tx()).await?;
    w.audit(
        Record::new(action, "disclosure_request", updated.id)
            .in_org(updated.organization_id)
            .details(details),
    );
    Ok(updated)
}

/// The agency extended its deadline (once), notifying it on `extended_on`
/// (today when not given).
pub async fn extend(ctx: &Ctx, id: Uuid, extended_on: Option<NaiveDate>) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        let today = today(w.now());
        let on = extended_on.unwrap_or(today);
        let (status, due) = transitions::extend(&r, on, today)?;
        let mut a = r.into_active_model();
        a.status = Set(status);
        a.due_on = Set(due);
        a.extended_on = Set(Some(on));
        save(
            w,
            a,
            "disclosure.extend",
            json!({ "extendedOn": on, "dueOn": due }),
        )
        .await
    })
}

/// The agency's decision (or, after a transfer, the receiving agency's).
pub async fn decide(ctx: &Ctx, id: Uuid, d: Decision) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        transitions::decide(&r, &d, today(w.now()))?;
        if let Some(to) = d.transferred_to {
            existing_agency(w, to).await?;
        }
        let mut a = r.into_active_model();
        a.status = Set(d.status);
        a.decided_on = Set(Some(d.decided_on));
        if d.status == DisclosureStatus::Transferred {
            a.transferred_to_agency_id = Set(d.transferred_to);
            a.transferred_on = Set(Some(d.decided_on));
            a.due_on = Set(transitions::due_after_transfer(d.decided_on));
        }
        let details = json!({
            "status": d.status.as_str(),
            "decidedOn": d.decided_on,
            "transferredTo": d.transferred_to,
        });
        save(w, a, "disclosure.decide", details).await
    })
}

/// An objection (이의신청) lodged against a refusal or partial disclosure.
pub async fn lodge_objection(ctx: &Ctx, id: Uuid, lodged_on: NaiveDate) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        transitions::lodge_objection(&r, lodged_on, today(w.now()))?;
        let mut a = r.into_active_model();
        a.objection_lodged_on = Set(Some(lodged_on));
        save(w, a, "disclosure.object", json!({ "lodgedOn": lodged_on })).await
    })
}

/// The agency's decision on the objection.
pub async fn decide_objection(
    ctx: &Ctx,
    id: Uuid,
    outcome: ObjectionOutcome,
    decided_on: NaiveDate,
) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        transitions::decide_objection(&r, decided_on, today(w.now()))?;
        let mut a = r.into_active_model();
        a.objection_outcome = Set(Some(outcome));
        a.objection_decided_on = Set(Some(decided_on));
        let details = json!({ "outcome": outcome.as_str(), "decidedOn": decided_on });
        save(w, a, "disclosure.objection_decided", details).await
    })
}

/// An administrative appeal (행정심판) or suit (행정소송) was brought.
pub async fn note_appeal(
    ctx: &Ctx,
    id: Uuid,
    kind: AppealKind,
    noted_on: NaiveDate,
) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        transitions::note_appeal(&r, noted_on, today(w.now()))?;
        let mut a = r.into_active_model();
        a.appeal_kind = Set(Some(kind));
        a.appeal_noted_on = Set(Some(noted_on));
        let details = json!({ "kind": kind.as_str(), "notedOn": noted_on });
        save(w, a, "disclosure.appeal", details).await
    })
}

/// The organization withdrew the request.
pub async fn withdraw(ctx: &Ctx, id: Uuid) -> ApiResult<Request> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let r = locked(w, id).await?;
        transitions::withdraw(&r)?;
        let from = r.status.as_str();
        let mut a = r.into_active_model();
        a.status = Set(DisclosureStatus::Withdrawn);
        save(w, a, "disclosure.withdraw", json!({ "from": from })).await
    })
}
