//! Amendments: nobody becomes a partner without every partner's signature.
//! A party invited into a ratified agreement shares nothing until its OWNER
//! has signed *and* every party already sharing has consented through its
//! OWNER (`consentToParty`); one refusal removes it. Newcomers are admitted
//! one at a time, in the order they were invited. Each party's audit log
//! records the proposal and the outcome.

use serde_json::json;
use uuid::Uuid;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::lifecycle::record;
use super::parties::{current_parties, party_of, record_in_parties};
use super::reads::find_visible;
use super::status::{AgreementStatus, status_of};
use super::transitions;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock, agreements as rules};
use crate::write::Write;
use entity::{ConsentStatus, PartyStatus, agreement, agreement_consent, agreement_party};

/// A party invited into an already ratified agreement that does not share
/// yet: its admission is an amendment the sharing parties answer.
pub fn is_pending_newcomer(agreement: &agreement::Model, party: &agreement_party::Model) -> bool {
    agreement.ratified_at.is_some()
        && party.admitted_at.is_none()
        && matches!(party.status, PartyStatus::Invited | PartyStatus::Signed)
}

/// The organizations waiting to be admitted.
pub(super) async fn pending_newcomers(
    tx: &impl ConnectionTrait,
    agreement: &agreement::Model,
) -> ApiResult<Vec<Uuid>> {
    Ok(agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .all(tx)
        .await?
        .iter()
        .filter(|p| is_pending_newcomer(agreement, p))
        .map(|p| p.organization_id)
        .collect())
}

/// A newcomer was invited into the ratified agreement: earlier answers about
/// it no longer count, and every party hears of the proposal.
pub(super) async fn proposed(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
    newcomer: Uuid,
    details: serde_json::Value,
) -> ApiResult<()> {
    agreement_consent::Entity::delete_many()
        .filter(agreement_consent::Column::AgreementId.eq(agreement.id))
        .filter(agreement_consent::Column::NewcomerId.eq(newcomer))
        .exec(w.tx())
        .await?;
    let parties = current_parties(w.tx(), agreement.id).await?;
    record_in_parties(
        w,
        agreement,
        "agreement.amendment_propose",
        details,
        &parties,
    );
    Ok(())
}

/// The admissions of `newcomers` ended without them: every party (and each
/// newcomer) hears how.
pub(super) async fn ended(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
    newcomers: &[Uuid],
    how: &str,
) -> ApiResult<()> {
    if newcomers.is_empty() {
        return Ok(());
    }
    let parties = current_parties(w.tx(), agreement.id).await?;
    for &newcomer in newcomers {
        let mut orgs = parties.clone();
        if !orgs.contains(&newcomer) {
            orgs.push(newcomer);
        }
        record_in_parties(
            w,
            agreement,
            "agreement.amendment_fail",
            json!({ "organizationId": newcomer, "outcome": how }),
            &orgs,
        );
    }
    Ok(())
}

/// A party left (withdrew, was removed or refused): the answers it gave
/// about newcomers no longer count, should it ever come back.
pub(super) async fn forget_answers_of(
    tx: &impl ConnectionTrait,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<()> {
    agreement_consent::Entity::delete_many()
        .filter(agreement_consent::Column::AgreementId.eq(agreement_id))
        .filter(agreement_consent::Column::OrganizationId.eq(organization_id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Admit every newcomer that has signed and to which every party sharing in
/// the agreement now has consented — one at a time, in invitation order,
/// re-reading who shares after each admission: a newcomer admitted now must
/// itself consent to the next one. Called after each answer, consent,
/// withdrawal and removal, under the agreement lock.
pub(super) async fn admit_if_complete(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
) -> ApiResult<()> {
    let agreement = crate::db::find::<agreement::Entity>(w.tx(), agreement.id, "agreement").await?;
    if agreement.ratified_at.is_none() || agreement.terminated_at.is_some() {
        return Ok(());
    }
    let consents = agreement_consent::Entity::find()
        .filter(agreement_consent::Column::AgreementId.eq(agreement.id))
        .filter(agreement_consent::Column::Status.eq(ConsentStatus::Consented))
        .all(w.tx())
        .await?;
    let mut parties = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .order_by_asc(agreement_party::Column::InvitedAt)
        .order_by_asc(agreement_party::Column::Id)
        .all(w.tx())
        .await?;
    loop {
        let sharing: Vec<Uuid> = parties
            .iter()
            .filter(|p| p.status == PartyStatus::Signed && p.admitted_at.is_some())
            .map(|p| p.organization_id)
            .collect();
        let ready = parties.iter().position(|p| {
            p.status == PartyStatus::Signed
                && p.admitted_at.is_none()
                && sharing.iter().all(|org| {
                    consents
                        .iter()
                        .any(|c| c.newcomer_id == p.organization_id && c.organization_id == *org)
                })
        });
        let Some(i) = ready else {
            return Ok(());
        };
        let now = w.now();
        agreement_party::Entity::update_many()
            .col_expr(agreement_party::Column::AdmittedAt, Expr::value(Some(now)))
            .filter(agreement_party::Column::Id.eq(parties[i].id))
            .exec(w.tx())
            .await?;
        parties[i].admitted_at = Some(now);
        let newcomer = parties[i].organization_id;
        // The parties now (invited or signed): the loop changes admissions
        // only, so the rows read above still say who they are.
        let everyone: Vec<Uuid> = parties
            .iter()
            .filter(|p| matches!(p.status, PartyStatus::Invited | PartyStatus::Signed))
            .map(|p| p.organization_id)
            .collect();
        record_in_parties(
            w,
            &agreement,
            "agreement.amendment_adopt",
            json!({ "organizationId": newcomer }),
            &everyone,
        );
    }
}

/// A sharing party's OWNER consents to, or refuses, the admission of
/// `newcomer` into a ratified agreement. One refusal removes the newcomer;
/// the last consent (with the newcomer's signature) admits it. Returns the
/// newcomer's party.
pub async fn answer_newcomer(
    ctx: &Ctx,
    agreement_id: Uuid,
    newcomer_id: Uuid,
    organization_id: Uuid,
    consent: bool,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let now = w.now();
        find_visible(w.tx(), w.viewer(), agreement_id).await?;
        party_of(w.tx(), agreement_id, organization_id)
            .await?
            .filter(|p| p.status != PartyStatus::Removed)
            .ok_or(ApiError::NotFound("agreement party"))?;
        let access = w.act_for(organization_id, Lock::Share).await?;
        rules::ensure_can_answer_for(&access)?;
        let agreement = w
            .lock::<agreement::Entity>(agreement_id, "agreement")
            .await?;
        transitions::require_status(
            status_of(&agreement, now),
            &[AgreementStatus::Proposed, AgreementStatus::Active],
            "answer for a newcomer",
        )?;
        let answering = party_of(w.tx(), agreement_id, organization_id)
            .await?
            .ok_or(ApiError::NotFound("agreement party"))?;
        if answering.status != PartyStatus::Signed || answering.admitted_at.is_none() {
            return Err(ApiError::bad_input(
                "organizationId",
                "only a party that shares in the agreement answers for a newcomer",
            ));
        }
        let newcomer = party_of(w.tx(), agreement_id, newcomer_id)
            .await?
            .filter(|p| is_pending_newcomer(&agreement, p))
            .ok_or_else(|| {
                ApiError::bad_input(
                    "newcomerId",
                    "no admission of this organization to the agreement is pending",
                )
            })?;
        // One answer per party: the unique key refuses a second (CONFLICT).
        w.insert(agreement_consent::ActiveModel::from(
            agreement_consent::Model {
                id: Uuid::now_v7(),
                agreement_id,
                newcomer_id,
                organization_id,
                status: if consent {
                    ConsentStatus::Consented
                } else {
                    ConsentStatus::Refused
                },
                responded_at: now,
                responded_by: w.viewer().user_id(),
            },
        ))
        .await?;
        let action = if consent {
            "agreement.consent"
        } else {
            "agreement.refuse_party"
        };
        w.audit(
            record(action, &agreement, organization_id)
                .details(json!({ "organizationId": newcomer_id })),
        );
        if consent {
            admit_if_complete(w, &agreement).await?;
        } else {
            let mut removed = newcomer.into_active_model();
            removed.status = Set(PartyStatus::Removed);
            removed.responded_at = Set(Some(now));
            removed.responded_by = Set(w.viewer().user_id());
            removed.update(w.tx()).await?;
            ended(w, &agreement, &[newcomer_id], "refused").await?;
        }
        party_of(w.tx(), agreement_id, newcomer_id)
            .await?
            .ok_or(ApiError::NotFound("agreement party"))
    })
}

/// Where a party stands with the parties that must accept it, for
/// `AgreementParty.consents`: for a pending newcomer, one entry per sharing
/// party (`None`: not answered yet); for anyone else, the answers recorded
/// when it joined.
pub fn consents_for(
    agreement: &agreement::Model,
    parties: &[agreement_party::Model],
    party: &agreement_party::Model,
    answers: &[agreement_consent::Model],
) -> Vec<(Uuid, Option<agreement_consent::Model>)> {
    let answer_of = |org: Uuid| {
        answers
            .iter()
            .find(|c| c.newcomer_id == party.organization_id && c.organization_id == org)
            .cloned()
    };
    if is_pending_newcomer(agreement, party) {
        parties
            .iter()
            .filter(|p| p.status == PartyStatus::Signed && p.admitted_at.is_some())
            .map(|p| (p.organization_id, answer_of(p.organization_id)))
            .collect()
    } else {
        answers
            .iter()
            .filter(|c| c.newcomer_id == party.organization_id)
            .map(|c| (c.organization_id, Some(c.clone())))
            .collect()
    }
}

/// `AgreementParty.consents` for one party (through the batched reads).
pub async fn consents_of_party(
    ctx: &Ctx,
    party: &agreement_party::Model,
) -> ApiResult<Vec<(Uuid, Option<agreement_consent::Model>)>> {
    let agreement = ctx
        .reads()
        .agreement(party.agreement_id)
        .await?
        .ok_or(ApiError::NotFound("agreement"))?;
    let parties = ctx.reads().parties(party.agreement_id).await?;
    let answers = ctx.reads().consents(party.agreement_id).await?;
    Ok(consents_for(&agreement, &parties, party, &answers))
}
