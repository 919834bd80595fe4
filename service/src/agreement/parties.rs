//! The parties of an agreement: invited and removed by the convener's
//! ADMIN+ (or an operator), answering through their own OWNER.
//!
//! A signature covers the parties listed when it was given: inviting a party
//! into a PROPOSED agreement before it is ratified returns every signature
//! to INVITED (everyone signs the new list). Once ratified, an invitation is
//! an amendment ([`super::amendments`]). A removed or withdrawn party stops
//! sharing at once. Every transition locks the acting organization and then
//! the agreement row, so concurrent answers apply one after another and
//! ratification and admission see them all.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::amendments;
use super::lifecycle::{INVITE_PARTY, REMOVE_PARTY, convener_change, ratify_if_complete, record};
use super::reads::find_visible;
use super::status::status_of;
use super::transitions::{self, Answer};
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock, agreements as rules};
use crate::write::Write;
use entity::{PartyRole, PartyStatus, agreement, agreement_party, organization};

pub(super) async fn insert_party(
    tx: &impl ConnectionTrait,
    agreement_id: Uuid,
    organization_id: Uuid,
    role: PartyRole,
    now: DateTime<Utc>,
) -> ApiResult<agreement_party::Model> {
    let party = agreement_party::Model {
        id: Uuid::now_v7(),
        agreement_id,
        organization_id,
        role,
        status: PartyStatus::Invited,
        invited_at: now,
        responded_at: None,
        responded_by: None,
        admitted_at: None,
    };
    agreement_party::Entity::insert(agreement_party::ActiveModel::from(party.clone()))
        .exec_without_returning(tx)
        .await?;
    Ok(party)
}

pub(crate) async fn party_of(
    tx: &impl ConnectionTrait,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<Option<agreement_party::Model>> {
    Ok(agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(agreement_id))
        .filter(agreement_party::Column::OrganizationId.eq(organization_id))
        .one(tx)
        .await?)
}

/// The organizations that are parties now (invited or signed).
pub(super) async fn current_parties(
    tx: &impl ConnectionTrait,
    agreement_id: Uuid,
) -> ApiResult<Vec<Uuid>> {
    Ok(agreement_party::Entity::find()
        .select_only()
        .column(agreement_party::Column::OrganizationId)
        .filter(agreement_party::Column::AgreementId.eq(agreement_id))
        .filter(agreement_party::Column::Status.is_in([PartyStatus::Invited, PartyStatus::Signed]))
        .into_tuple()
        .all(tx)
        .await?)
}

/// The same entry in the audit log of each of `organizations`.
pub(super) fn record_in_parties(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
    action: &'static str,
    details: serde_json::Value,
    organizations: &[Uuid],
) {
    w.audit_all(
        organizations
            .iter()
            .map(|org| record(action, agreement, *org).details(details.clone())),
    );
}

/// Invite an organization (see the module's rules on signatures and
/// amendments). A party that declined, withdrew or was removed can be
/// invited again: its one row goes back to INVITED.
pub async fn invite_party(
    ctx: &Ctx,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let now = w.now();
        let agreement = convener_change(w, agreement_id, INVITE_PARTY).await?;
        crate::db::find::<organization::Entity>(w.tx(), organization_id, "organization").await?;
        let party = match party_of(w.tx(), agreement_id, organization_id).await? {
            Some(p) => {
                let status = transitions::reinvite(p.status)?;
                let mut active = p.into_active_model();
                active.status = Set(status);
                active.invited_at = Set(now);
                active.responded_at = Set(None);
                active.responded_by = Set(None);
                active.admitted_at = Set(None);
                active.update(w.tx()).await?
            }
            None => {
                insert_party(
                    w.tx(),
                    agreement_id,
                    organization_id,
                    PartyRole::Partner,
                    now,
                )
                .await?
            }
        };
        let details = json!({ "organizationId": organization_id });
        w.audit(
            record("agreement.invite_party", &agreement, agreement.convener_id)
                .details(details.clone()),
        );
        if agreement.ratified_at.is_some() {
            amendments::proposed(w, &agreement, organization_id, details).await?;
        } else if agreement.proposed_at.is_some() {
            reset_signatures(w, &agreement, organization_id).await?;
        }
        Ok(party)
    })
}

/// Before ratification, signatures so far were given to a shorter list of
/// parties: they go back to INVITED.
async fn reset_signatures(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
    new_party: Uuid,
) -> ApiResult<()> {
    let signed: Vec<Uuid> = agreement_party::Entity::find()
        .select_only()
        .column(agreement_party::Column::OrganizationId)
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .filter(agreement_party::Column::Status.eq(PartyStatus::Signed))
        .into_tuple()
        .all(w.tx())
        .await?;
    if signed.is_empty() {
        return Ok(());
    }
    agreement_party::Entity::update_many()
        .col_expr(
            agreement_party::Column::Status,
            Expr::value(PartyStatus::Invited.as_str()),
        )
        .col_expr(
            agreement_party::Column::RespondedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            agreement_party::Column::RespondedBy,
            Expr::value(None::<Uuid>),
        )
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .filter(agreement_party::Column::OrganizationId.is_in(signed.iter().copied()))
        .exec(w.tx())
        .await?;
    record_in_parties(
        w,
        agreement,
        "agreement.signatures_reset",
        json!({ "newParty": new_party }),
        &signed,
    );
    Ok(())
}

/// Remove a party (not the convener). Sharing with it stops at once.
pub async fn remove_party(
    ctx: &Ctx,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let agreement = convener_change(w, agreement_id, REMOVE_PARTY).await?;
        let party = party_of(w.tx(), agreement_id, organization_id)
            .await?
            .filter(|p| p.status != PartyStatus::Removed)
            .ok_or(ApiError::NotFound("agreement party"))?;
        let status = transitions::remove(party.role)?;
        let was_pending = amendments::is_pending_newcomer(&agreement, &party);
        let mut active = party.into_active_model();
        active.status = Set(status);
        active.responded_at = Set(Some(w.now()));
        active.responded_by = Set(w.viewer().user_id());
        let party = active.update(w.tx()).await?;
        w.audit(
            record("agreement.remove_party", &agreement, agreement.convener_id)
                .details(json!({ "organizationId": organization_id })),
        );
        if was_pending {
            amendments::ended(w, &agreement, &[organization_id], "removed").await?;
        }
        amendments::forget_answers_of(w.tx(), agreement_id, organization_id).await?;
        ratify_if_complete(w, &agreement).await?;
        amendments::admit_if_complete(w, &agreement).await?;
        Ok(party)
    })
}

/// A party's OWNER signs, declines or withdraws.
pub async fn answer(
    ctx: &Ctx,
    agreement_id: Uuid,
    organization_id: Uuid,
    answer: Answer,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        find_visible(w.tx(), w.viewer(), agreement_id).await?;
        let not_a_party = || ApiError::NotFound("agreement party");
        party_of(w.tx(), agreement_id, organization_id)
            .await?
            .filter(|p| p.status != PartyStatus::Removed)
            .ok_or_else(not_a_party)?;
        let access = w.act_for(organization_id, Lock::Share).await?;
        rules::ensure_can_answer_for(&access)?;
        let agreement = w
            .lock::<agreement::Entity>(agreement_id, "agreement")
            .await?;
        // Read again under the agreement lock: answers are applied one by one.
        let party = party_of(w.tx(), agreement_id, organization_id)
            .await?
            .filter(|p| p.status != PartyStatus::Removed)
            .ok_or_else(not_a_party)?;
        let next = transitions::answer(
            status_of(&agreement, w.now()),
            party.role,
            party.status,
            answer,
        )?;
        let leaves_pending =
            next != PartyStatus::Signed && amendments::is_pending_newcomer(&agreement, &party);
        let mut active = party.into_active_model();
        active.status = Set(next);
        active.responded_at = Set(Some(w.now()));
        active.responded_by = Set(w.viewer().user_id());
        let party = active.update(w.tx()).await?;
        w.audit(record(answer.action(), &agreement, organization_id));
        if leaves_pending {
            let how = if next == PartyStatus::Declined {
                "declined"
            } else {
                "withdrew"
            };
            amendments::ended(w, &agreement, &[organization_id], how).await?;
        }
        if next != PartyStatus::Signed {
            amendments::forget_answers_of(w.tx(), agreement_id, organization_id).await?;
        }
        ratify_if_complete(w, &agreement).await?;
        amendments::admit_if_complete(w, &agreement).await?;
        Ok(party_of(w.tx(), agreement_id, organization_id)
            .await?
            .unwrap_or(party))
    })
}
