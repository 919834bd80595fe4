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
//! A signature covers the parties listed when it was given: inviting a party
//! into a PROPOSED agreement before it is ratified returns every signature
//! to INVITED (everyone signs the new list). Once ratified, an agreement is
//! amended: a newly invited party shares only after its OWNER signed *and*
//! every party already sharing consented through its OWNER
//! (`consentToParty`); one refusal removes it. Each party's audit log
//! records the proposal and the outcome. A removed or withdrawn party stops
//! sharing at once. The window (`active_from`/`active_until`) is fixed at
//! ratification: a later time zone change of the convener moves only
//! agreements not yet ratified. Every transition locks the acting
//! organization and then the agreement row, so concurrent answers are
//! applied one after another and ratification and admission see them all.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::status::{AgreementStatus, active_window, status_condition, status_of};
use crate::audit::{self, Record};
use crate::auth::Viewer;
use crate::db::{self, Db, TransactionSession};
use crate::error::{ApiError, ApiResult};
use crate::graphql::RequestCtx;
use crate::graphql::connection::{
    CountSource, CountWhere, Listing, PageArgs, TotalCount, load_page,
};
use crate::policy::sharing::{self, Scope};
use crate::policy::{self, Lock, agreements as rules};
use crate::validate;
use entity::{
    ConsentStatus, PartyRole, PartyStatus, agreement, agreement_consent, agreement_party,
    organization,
};

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

async fn convener_tz(db: &impl ConnectionTrait, convener_id: Uuid) -> ApiResult<chrono_tz::Tz> {
    let org = organization::Entity::find_by_id(convener_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    org.timezone.parse().map_err(|_| {
        ApiError::internal(anyhow::anyhow!(
            "organization {} has an invalid time zone",
            org.id
        ))
    })
}

fn record(action: &'static str, a: &agreement::Model, org: Uuid) -> Record {
    Record::new(action, "agreement", a.id).in_org(org)
}

/// Draft a new agreement; the convener becomes its first (INVITED) party.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    input: NewAgreement,
) -> ApiResult<agreement::Model> {
    policy::require_user(viewer)?;
    let title = validate::required_text("title", &input.title, 200)?;
    let purpose = validate::optional_text("purpose", input.purpose.as_deref(), 5000)?;
    let scopes = input.scopes.validated()?;
    check_dates(input.starts_on, input.ends_on)?;
    let tx = db::begin_write(db).await?;
    let access = policy::org_access(&tx, viewer, input.convener_id, Lock::Share).await?;
    rules::ensure_can_manage(&access)?;
    let (active_from, active_until) = active_window(
        input.starts_on,
        input.ends_on,
        convener_tz(&tx, input.convener_id).await?,
    );
    let model = agreement::Model {
        id: Uuid::now_v7(),
        convener_id: input.convener_id,
        title,
        purpose,
        shares_projects: scopes.projects,
        shares_events: scopes.events,
        shares_actions: scopes.actions,
        shares_spaces: scopes.spaces,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        active_from,
        active_until,
        created_at: now,
        created_by: viewer.user_id(),
        updated_at: now,
        proposed_at: None,
        ratified_at: None,
        terminated_at: None,
        terminated_by: None,
    };
    agreement::Entity::insert(agreement::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    insert_party(&tx, model.id, model.convener_id, PartyRole::Convener, now).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.create", &model, model.convener_id),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

async fn insert_party(
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

/// The agreement, if the viewer may see it; NOT_FOUND otherwise.
async fn find_visible(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<agreement::Model> {
    agreement::Entity::find_by_id(id)
        .filter(sharing::agreement_visible(viewer, agreement::Entity))
        .one(tx)
        .await?
        .ok_or(ApiError::NotFound("agreement"))
}

/// Lock the agreement row for the rest of the transaction and read it
/// afresh. Called after the acting organization is locked (organization
/// first, then agreement: the order every writer follows).
async fn lock(tx: &impl ConnectionTrait, id: Uuid) -> ApiResult<agreement::Model> {
    agreement::Entity::find_by_id(id)
        .lock(LockType::Update)
        .one(tx)
        .await?
        .ok_or(ApiError::NotFound("agreement"))
}

async fn party_of(
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

fn refuse(status: AgreementStatus, action: &str) -> ApiError {
    let state = match status {
        AgreementStatus::Draft => "still a draft",
        AgreementStatus::Proposed => "already proposed",
        AgreementStatus::Active => "active",
        AgreementStatus::Expired => "expired",
        AgreementStatus::Terminated => "terminated",
    };
    ApiError::bad_input("id", format!("cannot {action}: the agreement is {state}"))
}

/// Who a convener-side change needs (a rule of [`rules`]).
type ConvenerRule = fn(&policy::OrgAccess) -> ApiResult<()>;

/// Open a convener-side change: the agreement locked, its status in
/// `allowed`, the caller allowed by `rule` for the convener.
async fn open_convener_change<C: Db>(
    db: &C,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    allowed: &[AgreementStatus],
    action: &str,
    rule: ConvenerRule,
) -> ApiResult<(C::Transaction, agreement::Model)> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let convener_id = find_visible(&tx, viewer, id).await?.convener_id;
    let access = policy::org_access(&tx, viewer, convener_id, Lock::Share).await?;
    rule(&access)?;
    let agreement = lock(&tx, id).await?;
    let status = status_of(&agreement, now);
    if !allowed.contains(&status) {
        return Err(refuse(status, action));
    }
    Ok((tx, agreement))
}

/// Edit a draft.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    patch: AgreementPatch,
) -> ApiResult<agreement::Model> {
    let (tx, current) = open_convener_change(
        db,
        viewer,
        now,
        id,
        &[AgreementStatus::Draft],
        "edit it",
        rules::ensure_can_manage,
    )
    .await?;
    let title = match patch.title {
        Some(t) => validate::required_text("title", &t, 200)?,
        None => current.title.clone(),
    };
    let purpose = match patch.purpose {
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
        convener_tz(&tx, current.convener_id).await?,
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
    active.updated_at = Set(now);
    let updated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.update", &updated, updated.convener_id),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

const RUNNING: [AgreementStatus; 3] = [
    AgreementStatus::Draft,
    AgreementStatus::Proposed,
    AgreementStatus::Active,
];

/// Invite an organization. In a PROPOSED or ACTIVE agreement this is an
/// amendment: the newcomer shares once it signs. A party that declined,
/// withdrew or was removed can be invited again (its row goes back to
/// INVITED: one row per organization per agreement).
pub async fn invite_party(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<agreement_party::Model> {
    let (tx, agreement) = open_convener_change(
        db,
        viewer,
        now,
        agreement_id,
        &RUNNING,
        "invite parties",
        rules::ensure_can_manage_parties,
    )
    .await?;
    organization::Entity::find_by_id(organization_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    let party = match party_of(&tx, agreement_id, organization_id).await? {
        Some(p) if matches!(p.status, PartyStatus::Invited | PartyStatus::Signed) => {
            return Err(ApiError::conflict(
                Some("organizationId"),
                "this organization is already a party",
            ));
        }
        Some(p) => {
            let mut active = p.into_active_model();
            active.status = Set(PartyStatus::Invited);
            active.invited_at = Set(now);
            active.responded_at = Set(None);
            active.responded_by = Set(None);
            active.admitted_at = Set(None);
            active.update(&tx).await?
        }
        None => insert_party(&tx, agreement_id, organization_id, PartyRole::Partner, now).await?,
    };
    let details = json!({ "organizationId": organization_id });
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.invite_party", &agreement, agreement.convener_id)
            .details(details.clone()),
    )
    .await?;
    if agreement.ratified_at.is_some() {
        // An amendment: earlier answers about this organization no longer
        // count, and every party hears of the proposal.
        agreement_consent::Entity::delete_many()
            .filter(agreement_consent::Column::AgreementId.eq(agreement_id))
            .filter(agreement_consent::Column::NewcomerId.eq(organization_id))
            .exec(&tx)
            .await?;
        let parties = current_parties(&tx, agreement_id).await?;
        record_in_parties(
            &tx,
            viewer,
            now,
            &agreement,
            "agreement.amendment_propose",
            details,
            &parties,
        )
        .await?;
    } else if agreement.proposed_at.is_some() {
        // Signatures so far were given to a shorter list of parties.
        let signed: Vec<Uuid> = agreement_party::Entity::find()
            .select_only()
            .column(agreement_party::Column::OrganizationId)
            .filter(agreement_party::Column::AgreementId.eq(agreement_id))
            .filter(agreement_party::Column::Status.eq(PartyStatus::Signed))
            .into_tuple()
            .all(&tx)
            .await?;
        if !signed.is_empty() {
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
                .filter(agreement_party::Column::AgreementId.eq(agreement_id))
                .filter(agreement_party::Column::OrganizationId.is_in(signed.iter().copied()))
                .exec(&tx)
                .await?;
            record_in_parties(
                &tx,
                viewer,
                now,
                &agreement,
                "agreement.signatures_reset",
                json!({ "newParty": organization_id }),
                &signed,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(party)
}

/// Remove a party (not the convener). Sharing with it stops at once.
pub async fn remove_party(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<agreement_party::Model> {
    let (tx, agreement) = open_convener_change(
        db,
        viewer,
        now,
        agreement_id,
        &RUNNING,
        "remove parties",
        rules::ensure_can_manage_parties,
    )
    .await?;
    let party = party_of(&tx, agreement_id, organization_id)
        .await?
        .filter(|p| p.status != PartyStatus::Removed)
        .ok_or(ApiError::NotFound("agreement party"))?;
    if party.role == PartyRole::Convener {
        return Err(ApiError::bad_input(
            "organizationId",
            "the convener cannot be removed; terminate the agreement instead",
        ));
    }
    let was_pending = is_pending_newcomer(&agreement, &party);
    let mut active = party.into_active_model();
    active.status = Set(PartyStatus::Removed);
    active.responded_at = Set(Some(now));
    active.responded_by = Set(viewer.user_id());
    let party = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.remove_party", &agreement, agreement.convener_id)
            .details(json!({ "organizationId": organization_id })),
    )
    .await?;
    if was_pending {
        amendment_ended(&tx, viewer, now, &agreement, organization_id, "removed").await?;
    }
    forget_answers_of(&tx, agreement_id, organization_id).await?;
    ratify_if_complete(&tx, viewer, &agreement, now).await?;
    admit_if_complete(&tx, viewer, &agreement, now).await?;
    tx.commit().await?;
    Ok(party)
}

/// DRAFT → PROPOSED; needs at least two parties.
pub async fn propose(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<agreement::Model> {
    let (tx, agreement) = open_convener_change(
        db,
        viewer,
        now,
        id,
        &[AgreementStatus::Draft],
        "propose it",
        rules::ensure_can_manage,
    )
    .await?;
    let parties = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(id))
        .filter(agreement_party::Column::Status.is_in([PartyStatus::Invited, PartyStatus::Signed]))
        .count(&tx)
        .await?;
    if parties < 2 {
        return Err(ApiError::bad_input(
            "id",
            "an agreement needs at least two parties; invite a partner first",
        ));
    }
    let mut active = agreement.into_active_model();
    active.proposed_at = Set(Some(now));
    active.updated_at = Set(now);
    let proposed = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.propose", &proposed, proposed.convener_id),
    )
    .await?;
    tx.commit().await?;
    Ok(proposed)
}

/// Ratify a proposed agreement once nobody is left to answer and at least
/// two parties signed.
async fn ratify_if_complete(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    agreement: &agreement::Model,
    now: DateTime<Utc>,
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
            .count(tx)
    };
    if count(PartyStatus::Invited).await? > 0 || count(PartyStatus::Signed).await? < 2 {
        return Ok(());
    }
    // From here on the window no longer follows the convener's time zone.
    let (active_from, active_until) = active_window(
        agreement.starts_on,
        agreement.ends_on,
        convener_tz(tx, agreement.convener_id).await?,
    );
    let mut active = agreement.clone().into_active_model();
    active.ratified_at = Set(Some(now));
    active.active_from = Set(active_from);
    active.active_until = Set(active_until);
    active.updated_at = Set(now);
    active.update(tx).await?;
    // Everyone who signed the ratified text shares from now on.
    agreement_party::Entity::update_many()
        .col_expr(agreement_party::Column::AdmittedAt, Expr::value(Some(now)))
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .filter(agreement_party::Column::Status.eq(PartyStatus::Signed))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        viewer,
        None,
        now,
        record("agreement.ratify", agreement, agreement.convener_id),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Sign,
    Decline,
    Withdraw,
}

/// A party's OWNER signs, declines or withdraws.
pub async fn answer(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement_id: Uuid,
    organization_id: Uuid,
    answer: Answer,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    find_visible(&tx, viewer, agreement_id).await?;
    let not_a_party = || ApiError::NotFound("agreement party");
    party_of(&tx, agreement_id, organization_id)
        .await?
        .filter(|p| p.status != PartyStatus::Removed)
        .ok_or_else(not_a_party)?;
    let access = policy::org_access(&tx, viewer, organization_id, Lock::Share).await?;
    rules::ensure_can_answer_for(&access)?;
    let agreement = lock(&tx, agreement_id).await?;
    // Read again under the agreement lock: answers are applied one by one.
    let party = party_of(&tx, agreement_id, organization_id)
        .await?
        .filter(|p| p.status != PartyStatus::Removed)
        .ok_or_else(not_a_party)?;

    let status = status_of(&agreement, now);
    let (verb, action) = match answer {
        Answer::Sign => ("sign", "agreement.sign"),
        Answer::Decline => ("decline", "agreement.decline"),
        Answer::Withdraw => ("withdraw", "agreement.withdraw"),
    };
    if !matches!(status, AgreementStatus::Proposed | AgreementStatus::Active) {
        return Err(refuse(status, verb));
    }
    let next = match (answer, party.status) {
        (Answer::Sign, PartyStatus::Invited) => PartyStatus::Signed,
        (Answer::Decline | Answer::Withdraw, _) if party.role == PartyRole::Convener => {
            return Err(ApiError::bad_input(
                "organizationId",
                "the convener cannot decline or withdraw; its OWNER terminates the agreement instead",
            ));
        }
        (Answer::Decline, PartyStatus::Invited) => PartyStatus::Declined,
        (Answer::Withdraw, PartyStatus::Signed) => PartyStatus::Withdrawn,
        (Answer::Withdraw, PartyStatus::Invited) => {
            return Err(ApiError::bad_input(
                "organizationId",
                "this party has not signed; decline instead",
            ));
        }
        (_, current) => {
            return Err(ApiError::bad_input(
                "organizationId",
                format!("cannot {verb}: this party is {}", current.as_str()),
            ));
        }
    };
    let leaves_pending = next != PartyStatus::Signed && is_pending_newcomer(&agreement, &party);
    let mut active = party.into_active_model();
    active.status = Set(next);
    active.responded_at = Set(Some(now));
    active.responded_by = Set(viewer.user_id());
    let party = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record(action, &agreement, organization_id),
    )
    .await?;
    if leaves_pending {
        let how = if next == PartyStatus::Declined {
            "declined"
        } else {
            "withdrew"
        };
        amendment_ended(&tx, viewer, now, &agreement, organization_id, how).await?;
    }
    if next != PartyStatus::Signed {
        forget_answers_of(&tx, agreement_id, organization_id).await?;
    }
    ratify_if_complete(&tx, viewer, &agreement, now).await?;
    admit_if_complete(&tx, viewer, &agreement, now).await?;
    let party = party_of(&tx, agreement_id, organization_id)
        .await?
        .unwrap_or(party);
    tx.commit().await?;
    Ok(party)
}

/// End an agreement for good: the convener's OWNER or a platform admin.
pub async fn terminate(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<agreement::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let convener_id = find_visible(&tx, viewer, id).await?.convener_id;
    let access = policy::org_access(&tx, viewer, convener_id, Lock::Share).await?;
    rules::ensure_can_terminate(&access)?;
    let agreement = lock(&tx, id).await?;
    let status = status_of(&agreement, now);
    if matches!(
        status,
        AgreementStatus::Terminated | AgreementStatus::Expired
    ) {
        return Err(refuse(status, "terminate it"));
    }
    let pending: Vec<Uuid> = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(id))
        .all(&tx)
        .await?
        .iter()
        .filter(|p| is_pending_newcomer(&agreement, p))
        .map(|p| p.organization_id)
        .collect();
    let mut active = agreement.into_active_model();
    active.terminated_at = Set(Some(now));
    active.terminated_by = Set(viewer.user_id());
    active.updated_at = Set(now);
    let terminated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.terminate", &terminated, terminated.convener_id),
    )
    .await?;
    for newcomer in pending {
        amendment_ended(&tx, viewer, now, &terminated, newcomer, "terminated").await?;
    }
    tx.commit().await?;
    Ok(terminated)
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

/// The organizations that are parties now (invited or signed).
async fn current_parties(tx: &impl ConnectionTrait, agreement_id: Uuid) -> ApiResult<Vec<Uuid>> {
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
async fn record_in_parties(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement: &agreement::Model,
    action: &'static str,
    details: serde_json::Value,
    organizations: &[Uuid],
) -> ApiResult<()> {
    let records = organizations
        .iter()
        .map(|org| record(action, agreement, *org).details(details.clone()));
    audit::record_many(tx, viewer, now, records).await
}

/// A party invited into an already ratified agreement that does not share
/// yet: its admission is an amendment the sharing parties answer.
fn is_pending_newcomer(agreement: &agreement::Model, party: &agreement_party::Model) -> bool {
    agreement.ratified_at.is_some()
        && party.admitted_at.is_none()
        && matches!(party.status, PartyStatus::Invited | PartyStatus::Signed)
}

/// The admission of `newcomer` ended without it: every party (and the
/// newcomer) hears how.
async fn amendment_ended(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement: &agreement::Model,
    newcomer: Uuid,
    how: &str,
) -> ApiResult<()> {
    let mut orgs = current_parties(tx, agreement.id).await?;
    if !orgs.contains(&newcomer) {
        orgs.push(newcomer);
    }
    record_in_parties(
        tx,
        viewer,
        now,
        agreement,
        "agreement.amendment_fail",
        json!({ "organizationId": newcomer, "outcome": how }),
        &orgs,
    )
    .await
}

/// Admit every newcomer that has signed and to which every party sharing in
/// the agreement now has consented — one at a time, in invitation order,
/// re-reading who shares after each admission: a newcomer admitted now must
/// itself consent to the next one. Called after each answer, consent,
/// withdrawal and removal, under the agreement lock.
async fn admit_if_complete(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    agreement: &agreement::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let agreement = agreement::Entity::find_by_id(agreement.id)
        .one(tx)
        .await?
        .ok_or(ApiError::NotFound("agreement"))?;
    if agreement.ratified_at.is_none() || agreement.terminated_at.is_some() {
        return Ok(());
    }
    let consents = agreement_consent::Entity::find()
        .filter(agreement_consent::Column::AgreementId.eq(agreement.id))
        .filter(agreement_consent::Column::Status.eq(ConsentStatus::Consented))
        .all(tx)
        .await?;
    let mut parties = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(agreement.id))
        .order_by_asc(agreement_party::Column::InvitedAt)
        .order_by_asc(agreement_party::Column::Id)
        .all(tx)
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
        agreement_party::Entity::update_many()
            .col_expr(agreement_party::Column::AdmittedAt, Expr::value(Some(now)))
            .filter(agreement_party::Column::Id.eq(parties[i].id))
            .exec(tx)
            .await?;
        parties[i].admitted_at = Some(now);
        let newcomer = parties[i].organization_id;
        record_in_parties(
            tx,
            viewer,
            now,
            &agreement,
            "agreement.amendment_adopt",
            json!({ "organizationId": newcomer }),
            &current_parties(tx, agreement.id).await?,
        )
        .await?;
    }
}

/// A party left (withdrew, was removed or refused): the answers it gave
/// about newcomers no longer count, should it ever come back.
async fn forget_answers_of(
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

/// A sharing party's OWNER consents to, or refuses, the admission of
/// `newcomer` into a ratified agreement. One refusal removes the newcomer;
/// the last consent (with the newcomer's signature) admits it. Returns the
/// newcomer's party.
pub async fn answer_newcomer(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    agreement_id: Uuid,
    newcomer_id: Uuid,
    organization_id: Uuid,
    consent: bool,
) -> ApiResult<agreement_party::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    find_visible(&tx, viewer, agreement_id).await?;
    party_of(&tx, agreement_id, organization_id)
        .await?
        .filter(|p| p.status != PartyStatus::Removed)
        .ok_or(ApiError::NotFound("agreement party"))?;
    let access = policy::org_access(&tx, viewer, organization_id, Lock::Share).await?;
    rules::ensure_can_answer_for(&access)?;
    let agreement = lock(&tx, agreement_id).await?;
    let status = status_of(&agreement, now);
    if !matches!(status, AgreementStatus::Proposed | AgreementStatus::Active) {
        return Err(refuse(status, "answer for a newcomer"));
    }
    let answering = party_of(&tx, agreement_id, organization_id)
        .await?
        .ok_or(ApiError::NotFound("agreement party"))?;
    if answering.status != PartyStatus::Signed || answering.admitted_at.is_none() {
        return Err(ApiError::bad_input(
            "organizationId",
            "only a party that shares in the agreement answers for a newcomer",
        ));
    }
    let newcomer = party_of(&tx, agreement_id, newcomer_id)
        .await?
        .filter(|p| is_pending_newcomer(&agreement, p))
        .ok_or_else(|| {
            ApiError::bad_input(
                "newcomerId",
                "no admission of this organization to the agreement is pending",
            )
        })?;
    let answered = agreement_consent::Entity::find()
        .filter(agreement_consent::Column::AgreementId.eq(agreement_id))
        .filter(agreement_consent::Column::NewcomerId.eq(newcomer_id))
        .filter(agreement_consent::Column::OrganizationId.eq(organization_id))
        .one(&tx)
        .await?;
    if answered.is_some() {
        return Err(ApiError::conflict(
            Some("organizationId"),
            "this organization has already answered for the newcomer",
        ));
    }
    let status = if consent {
        ConsentStatus::Consented
    } else {
        ConsentStatus::Refused
    };
    agreement_consent::Entity::insert(agreement_consent::ActiveModel::from(
        agreement_consent::Model {
            id: Uuid::now_v7(),
            agreement_id,
            newcomer_id,
            organization_id,
            status,
            responded_at: now,
            responded_by: viewer.user_id(),
        },
    ))
    .exec_without_returning(&tx)
    .await?;
    let action = if consent {
        "agreement.consent"
    } else {
        "agreement.refuse_party"
    };
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record(action, &agreement, organization_id)
            .details(json!({ "organizationId": newcomer_id })),
    )
    .await?;
    if consent {
        admit_if_complete(&tx, viewer, &agreement, now).await?;
    } else {
        let mut removed = newcomer.into_active_model();
        removed.status = Set(PartyStatus::Removed);
        removed.responded_at = Set(Some(now));
        removed.responded_by = Set(viewer.user_id());
        removed.update(&tx).await?;
        amendment_ended(&tx, viewer, now, &agreement, newcomer_id, "refused").await?;
    }
    let party = party_of(&tx, agreement_id, newcomer_id)
        .await?
        .ok_or(ApiError::NotFound("agreement party"))?;
    tx.commit().await?;
    Ok(party)
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

/// `AgreementParty.consents` for one party (loaded in batches).
pub async fn consents_of_party(
    rc: &RequestCtx,
    party: &agreement_party::Model,
) -> ApiResult<Vec<(Uuid, Option<agreement_consent::Model>)>> {
    let agreement = rc
        .loaders
        .agreement(party.agreement_id)
        .await?
        .ok_or(ApiError::NotFound("agreement"))?;
    let parties = rc.loaders.parties(party.agreement_id).await?;
    let answers = rc.loaders.consents(party.agreement_id).await?;
    Ok(consents_for(&agreement, &parties, party, &answers))
}

/// One agreement, if visible.
pub async fn find(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<agreement::Model> {
    agreement::Entity::find_by_id(id)
        .filter(sharing::agreement_visible(viewer, agreement::Entity))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("agreement"))
}

/// The condition of an agreement list: visible, optionally of one status.
pub fn list_condition(
    viewer: &Viewer,
    status: Option<AgreementStatus>,
    now: DateTime<Utc>,
) -> Condition {
    let mut cond = Condition::all().add(sharing::agreement_visible(viewer, agreement::Entity));
    if let Some(status) = status {
        cond = cond.add(status_condition(status, now));
    }
    cond
}

/// Agreements the viewer's organizations are party to (platform admins:
/// all), oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    status: Option<AgreementStatus>,
    now: DateTime<Utc>,
    args: &PageArgs,
) -> ApiResult<Listing<agreement::Model>> {
    let cond = list_condition(viewer, status, now);
    let page = load_page::<agreement::Entity, _>(
        db,
        cond.clone(),
        agreement::Column::Id,
        Order::Asc,
        args,
    )
    .await?;
    Ok(Listing {
        page,
        total: TotalCount::lazy(CountWhere::<agreement::Entity>::new(cond)),
    })
}

/// Agreements `organization_id` is a party to, as far as the viewer may see
/// (batched across organizations in one response).
pub async fn of_organization(
    rc: &RequestCtx,
    organization_id: Uuid,
    status: Option<AgreementStatus>,
    args: PageArgs,
) -> ApiResult<Listing<agreement::Model>> {
    let page = rc
        .loaders
        .organization_agreements(organization_id, status, args)
        .await?;
    Ok(Listing {
        page,
        total: TotalCount::lazy(OrgAgreementCount(organization_id, status)),
    })
}

struct OrgAgreementCount(Uuid, Option<AgreementStatus>);

#[async_trait::async_trait]
impl CountSource for OrgAgreementCount {
    async fn count(&self, ctx: &async_graphql::Context<'_>) -> ApiResult<i64> {
        crate::graphql::request_ctx(ctx)?
            .loaders
            .organization_agreement_count(self.0, self.1)
            .await
    }
}

/// Organizations sharing at least one ACTIVE agreement with
/// `organization_id`, counting only agreements the viewer may see.
pub async fn partners(
    rc: &RequestCtx,
    organization_id: Uuid,
) -> ApiResult<Vec<organization::Model>> {
    let ids = rc.loaders.partners(organization_id).await?;
    rc.loaders.organizations(&ids).await
}
