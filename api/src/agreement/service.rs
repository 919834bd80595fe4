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
//! A running (PROPOSED or ACTIVE) agreement can be amended: a newly invited
//! party shares once it signs; a removed or withdrawn party stops sharing at
//! once. Every transition locks the agreement row first, so concurrent
//! answers are applied one after another and ratification sees them all.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, Order,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
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
use entity::{PartyRole, PartyStatus, agreement, agreement_party, organization};

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

/// Open a convener-side change: the agreement locked, its status in
/// `allowed`, the caller ADMIN+ of the convener (or platform admin).
async fn open_convener_change<C: Db>(
    db: &C,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    allowed: &[AgreementStatus],
    action: &str,
) -> ApiResult<(C::Transaction, agreement::Model)> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let convener_id = find_visible(&tx, viewer, id).await?.convener_id;
    let access = policy::org_access(&tx, viewer, convener_id, Lock::Share).await?;
    rules::ensure_can_manage(&access)?;
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
    let (tx, current) =
        open_convener_change(db, viewer, now, id, &[AgreementStatus::Draft], "edit it").await?;
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
    let (tx, agreement) =
        open_convener_change(db, viewer, now, agreement_id, &RUNNING, "invite parties").await?;
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
            active.update(&tx).await?
        }
        None => insert_party(&tx, agreement_id, organization_id, PartyRole::Partner, now).await?,
    };
    audit::record(
        &tx,
        viewer,
        None,
        now,
        record("agreement.invite_party", &agreement, agreement.convener_id)
            .details(json!({ "organizationId": organization_id })),
    )
    .await?;
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
    let (tx, agreement) =
        open_convener_change(db, viewer, now, agreement_id, &RUNNING, "remove parties").await?;
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
    ratify_if_complete(&tx, viewer, &agreement, now).await?;
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
    let (tx, agreement) =
        open_convener_change(db, viewer, now, id, &[AgreementStatus::Draft], "propose it").await?;
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
    let mut active = agreement.clone().into_active_model();
    active.ratified_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(tx).await?;
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
    ratify_if_complete(&tx, viewer, &agreement, now).await?;
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
    tx.commit().await?;
    Ok(terminated)
}

/// Recompute the active windows of an organization's agreements after its
/// time zone changed (inside the caller's transaction).
pub async fn reanchor_convened(
    tx: &impl ConnectionTrait,
    convener_id: Uuid,
    tz: chrono_tz::Tz,
) -> ApiResult<()> {
    let convened = agreement::Entity::find()
        .filter(agreement::Column::ConvenerId.eq(convener_id))
        .all(tx)
        .await?;
    for a in convened {
        let (from, until) = active_window(a.starts_on, a.ends_on, tz);
        let mut active = a.into_active_model();
        active.active_from = Set(from);
        active.active_until = Set(until);
        active.update(tx).await?;
    }
    Ok(())
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
