//! The agreement lifecycle:
//!
//! DRAFT — the convener (ADMIN+) edits it, invites and removes parties; the
//! convener is itself a party that must sign.
//! → PROPOSED (`proposeAgreement`, at least two parties) — parties' OWNERs
//! sign or decline.
//! → ratified once every invited party has answered and at least two have
//! signed; from then on its status follows the calendar: PROPOSED until
//! startsOn, ACTIVE through endsOn, EXPIRED after — unless TERMINATED.
//!
//! The window (`active_from`/`active_until`) is fixed at ratification: a
//! later time zone change of the convener moves only agreements not yet
//! ratified. Parties and amendments are in [`super::parties`] and
//! [`super::amendments`]; the state machine in [`super::transitions`].

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::amendments;
use super::parties::insert_party;
use super::reads::find_visible;
use super::status::{AgreementStatus, active_window, status_of};
use super::transitions;
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::sharing::Scope;
use crate::policy::{self, Lock, OrgAccess, agreements as rules};
use crate::validate;
use crate::write::Write;
use entity::{PartyRole, PartyStatus, agreement, agreement_party};

/// Which scopes an agreement shares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes {
    pub projects: bool,
    pub events: bool,
    pub actions: bool,
    pub spaces: bool,
}

impl Scopes {
    pub fn from_list(list: &[Scope]) -> Self {
        Scopes {
            projects: list.contains(&Scope::Projects),
            events: list.contains(&Scope::Events),
            actions: list.contains(&Scope::Actions),
            spaces: list.contains(&Scope::Spaces),
        }
    }

    pub fn of(a: &agreement::Model) -> Self {
        Scopes {
            projects: a.shares_projects,
            events: a.shares_events,
            actions: a.shares_actions,
            spaces: a.shares_spaces,
        }
    }

    pub fn list(self) -> Vec<Scope> {
        let flags = [self.projects, self.events, self.actions, self.spaces];
        Scope::ALL
            .into_iter()
            .zip(flags)
            .filter(|(_, on)| *on)
            .map(|(s, _)| s)
            .collect()
    }

    fn validated(self) -> ApiResult<Self> {
        if self.list().is_empty() {
            Err(ApiError::bad_input(
                "scopes",
                "an agreement shares at least one scope",
            ))
        } else {
            Ok(self)
        }
    }
}

pub struct NewAgreement {
    pub convener_id: Uuid,
    pub title: String,
    pub purpose: Option<String>,
    pub scopes: Scopes,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// `None`: unchanged; for `purpose` and `ends_on`, `Some(None)` clears.
#[derive(Default)]
pub struct AgreementPatch {
    pub title: Option<String>,
    pub purpose: Option<Option<String>>,
    pub scopes: Option<Scopes>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<Option<NaiveDate>>,
}

fn check_dates(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> ApiResult<()> {
    if ends_on.is_some_and(|end| end < starts_on) {
        return Err(ApiError::bad_input(
            "endsOn",
            "`endsOn` must not be before `startsOn`",
        ));
    }
    Ok(())
}

/// An audit record about agreement `a`, in organization `org`'s log.
pub(super) fn record(action: &'static str, a: &agreement::Model, org: Uuid) -> Record {
    Record::new(action, "agreement", a.id).in_org(org)
}

/// A change the convener makes: in which statuses, named how in the
/// refusal, and who in the convener may make it.
pub(super) struct ConvenerChange {
    allowed: &'static [AgreementStatus],
    action: &'static str,
    rule: fn(&OrgAccess) -> ApiResult<()>,
}

const EDIT: ConvenerChange = ConvenerChange {
    allowed: &[AgreementStatus::Draft],
    action: "edit it",
    rule: rules::ensure_can_manage,
};

const PROPOSE: ConvenerChange = ConvenerChange {
    allowed: &[AgreementStatus::Draft],
    action: "propose it",
    rule: rules::ensure_can_manage,
};

pub(super) const INVITE_PARTY: ConvenerChange = ConvenerChange {
    allowed: &transitions::RUNNING,
    action: "invite parties",
    rule: rules::ensure_can_manage_parties,
};

const TERMINATE: ConvenerChange = ConvenerChange {
    allowed: &transitions::RUNNING,
    action: transitions::TERMINATE_ACTION,
    rule: rules::ensure_can_terminate,
};

pub(super) const REMOVE_PARTY: ConvenerChange = ConvenerChange {
    allowed: &transitions::RUNNING,
    action: "remove parties",
    rule: rules::ensure_can_manage_parties,
};

/// The first part of a convener-side change: the agreement visible, the
/// caller allowed by the change's rule for its convener (whose row is
/// locked), then the agreement locked and in an allowed status.
pub(super) async fn convener_change(
    w: &mut Write<'_>,
    id: Uuid,
    change: ConvenerChange,
) -> ApiResult<agreement::Model> {
    let convener_id = find_visible(w.tx(), w.viewer(), id).await?.convener_id;
    let access = w.act_for(convener_id, Lock::Share).await?;
    (change.rule)(&access)?;
    let agreement = w.lock::<agreement::Entity>(id, "agreement").await?;
    let status = status_of(&agreement, w.now());
    transitions::require_status(status, change.allowed, change.action)?;
    Ok(agreement)
}

/// Draft a new agreement; the convener becomes its first (INVITED) party.
pub async fn create(ctx: &Ctx, input: NewAgreement) -> ApiResult<agreement::Model> {
    policy::require_user(&ctx.viewer)?;
    let title = validate::line("title", &input.title, 200)?;
    let purpose = validate::optional_text("purpose", input.purpose.as_deref(), 5000)?;
    let scopes = input.scopes.validated()?;
    check_dates(input.starts_on, input.ends_on)?;
    mutate!(ctx, |w| {
        let now = w.now();
        let access = w.act_for(input.convener_id, Lock::Share).await?;
        rules::ensure_can_manage(&access)?;
        let (active_from, active_until) = active_window(
            input.starts_on,
            input.ends_on,
            crate::organization::time_zone(w.tx(), input.convener_id).await?,
        );
        let model = agreement::Model {
            id: Uuid::now_v7(),
            convener_id: input.convener_id,
            title: title.clone(),
            purpose: purpose.clone(),
            shares_projects: scopes.projects,
            shares_events: scopes.events,
            shares_actions: scopes.actions,
            shares_spaces: scopes.spaces,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            active_from,
            active_until,
            created_at: now,
            created_by: w.viewer().user_id(),
            updated_at: now,
            proposed_at: None,
            ratified_at: None,
            terminated_at: None,
            terminated_by: None,
        };
        w.insert(agreement::ActiveModel::from(model.clone()))
            .await?;
        insert_party(
            w.tx(),
            model.id,
            model.convener_id,
            PartyRole::Convener,
            now,
        )
        .await?;
        w.audit(record("agreement.create", &model, model.convener_id));
        Ok(model)
    })
}

/// Edit a draft.
pub async fn update(ctx: &Ctx, id: Uuid, patch: AgreementPatch) -> ApiResult<agreement::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let current = convener_change(w, id, EDIT).await?;
        let title = match &patch.title {
            Some(t) => validate::line("title", t, 200)?,
            None => current.title.clone(),
        };
        let purpose = match &patch.purpose {
            Some(p) => validate::optional_text("purpose", p.as_deref(), 5000)?,
            None => current.purpose.clone(),
        };
        let scopes = patch
            .scopes
            .unwrap_or_else(|| Scopes::of(&current))
            .validated()?;
        let starts_on = patch.starts_on.unwrap_or(current.starts_on);
        let ends_on = patch.ends_on.unwrap_or(current.ends_on);
        check_dates(starts_on, ends_on)?;
        let (active_from, active_until) = active_window(
            starts_on,
            ends_on,
            crate::organization::time_zone(w.tx(), current.convener_id).await?,
        );
        let mut active = current.clone().into_active_model();
        active.title = Set(title);
        active.purpose = Set(purpose);
        active.shares_projects = Set(scopes.projects);
        active.shares_events = Set(scopes.events);
        active.shares_actions = Set(scopes.actions);
        active.shares_spaces = Set(scopes.spaces);
        active.starts_on = Set(starts_on);
        active.ends_on = Set(ends_on);
        active.active_from = Set(active_from);
        active.active_until = Set(active_until);
        active.updated_at = Set(w.now());
        let updated = active.update(w.tx()).await?;
        w.audit(record("agreement.update", &updated, updated.convener_id));
        Ok(updated)
    })
}

/// DRAFT → PROPOSED; needs at least two parties.
pub async fn propose(ctx: &Ctx, id: Uuid) -> ApiResult<agreement::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let agreement = convener_change(w, id, PROPOSE).await?;
        let parties = agreement_party::Entity::find()
            .filter(agreement_party::Column::AgreementId.eq(id))
            .filter(
                agreement_party::Column::Status.is_in([PartyStatus::Invited, PartyStatus::Signed]),
            )
            .count(w.tx())
            .await?;
        transitions::propose(parties)?;
        let mut active = agreement.into_active_model();
        active.proposed_at = Set(Some(w.now()));
        active.updated_at = Set(w.now());
        let proposed = active.update(w.tx()).await?;
        w.audit(record("agreement.propose", &proposed, proposed.convener_id));
        Ok(proposed)
    })
}

/// Ratify a proposed agreement once nobody is left to answer and at least
/// two parties signed: fix its window, and admit everyone who signed.
pub(super) async fn ratify_if_complete(
    w: &mut Write<'_>,
    agreement: &agreement::Model,
) -> ApiResult<()> {
    if agreement.proposed_at.is_none()
        || agreement.ratified_at.is_some()
        || agreement.terminated_at.is_some()
    {
        return Ok(());
    }
    let count = |status: PartyStatus| {
        agreement_party::Entity::find()
            .filter(agreement_party::Column::AgreementId.eq(agreement.id))
            .filter(agreement_party::Column::Status.eq(status))
            .count(w.tx())
    };
    if !transitions::ratifies(
        count(PartyStatus::Invited).await?,
        count(PartyStatus::Signed).await?,
    ) {
        return Ok(());
    }
    let now = w.now();
    // From here on the window no longer follows the convener's time zone.
    let (active_from, active_until) = active_window(
        agreement.starts_on,
        agreement.ends_on,
        crate::organization::time_zone(w.tx(), agreement.convener_id).await?,
    );
    let mut active = agreement.clone().into_active_model();
    active.ratified_at = Set(Some(now));
    active.active_from = Set(active_from);
    active.active_until = Set(active_until);
    active.updated_at = Set(now);
    active.update(w.tx()).await?;
    // Everyone who signed the ratified text shares from now on.
    agreement_party::Entity::update_many()
        .col_expr(agreement_party::Column::AdmittedAt, Expr::value(Some(now)))
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .filter(agreement_party::Column::Status.eq(PartyStatus::Signed))
        .exec(w.tx())
        .await?;
    w.audit(record("agreement.ratify", agreement, agreement.convener_id));
    Ok(())
}

/// End an agreement for good: the convener's OWNER or a platform admin.
/// Pending admissions end with it.
pub async fn terminate(ctx: &Ctx, id: Uuid) -> ApiResult<agreement::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let agreement = convener_change(w, id, TERMINATE).await?;
        let pending = amendments::pending_newcomers(w.tx(), &agreement).await?;
        let mut active = agreement.into_active_model();
        active.terminated_at = Set(Some(w.now()));
        active.terminated_by = Set(w.viewer().user_id());
        active.updated_at = Set(w.now());
        let terminated = active.update(w.tx()).await?;
        w.audit(record(
            "agreement.terminate",
            &terminated,
            terminated.convener_id,
        ));
        amendments::ended(w, &terminated, &pending, "terminated").await?;
        Ok(terminated)
    })
}

/// Recompute the windows of the agreements an organization convenes that
/// are not ratified yet, after its time zone changed (inside the caller's
/// transaction). A ratified agreement's window is fixed: a time zone change
/// must not end, start or revive it. Returns the agreements moved.
pub async fn reanchor_convened(
    tx: &impl ConnectionTrait,
    convener_id: Uuid,
    tz: chrono_tz::Tz,
) -> ApiResult<Vec<Uuid>> {
    let unratified = agreement::Entity::find()
        .filter(agreement::Column::ConvenerId.eq(convener_id))
        .filter(agreement::Column::RatifiedAt.is_null())
        .filter(agreement::Column::TerminatedAt.is_null())
        .all(tx)
        .await?;
    let mut moved = Vec::new();
    for a in unratified {
        let (from, until) = active_window(a.starts_on, a.ends_on, tz);
        // Re-checked in the UPDATE: a ratification that committed meanwhile
        // keeps the window it fixed.
        let updated = agreement::Entity::update_many()
            .col_expr(agreement::Column::ActiveFrom, Expr::value(from))
            .col_expr(agreement::Column::ActiveUntil, Expr::value(until))
            .filter(agreement::Column::Id.eq(a.id))
            .filter(agreement::Column::RatifiedAt.is_null())
            .exec(tx)
            .await?;
        if updated.rows_affected == 1 {
            moved.push(a.id);
        }
    }
    Ok(moved)
}
