use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};

use super::connection::Node;
use super::identity::User;
use super::organization::Organization;
use super::{Date, DateTime, Result, core, ids, patch, request_ctx};
use entity::{agreement, agreement_consent, agreement_party};
use service::agreement::status::{AgreementStatus, status_of};
use service::agreement::{
    AgreementPatch, Answer, NewAgreement, Scopes, amendments, lifecycle, parties, reads,
};
use service::paging::Cursor;
use service::paging::PageArgs;
use service::policy::sharing::Scope;

/// What an agreement (MOU) shares between its signed parties.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "SharingScope", remote = "service::policy::sharing::Scope")]
pub enum SharingScopeGql {
    Projects,
    Events,
    Actions,
    Spaces,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    name = "AgreementStatus",
    remote = "service::agreement::status::AgreementStatus"
)]
pub enum AgreementStatusGql {
    Draft,
    Proposed,
    Active,
    Expired,
    Terminated,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "PartyRole", remote = "entity::PartyRole")]
pub enum PartyRoleGql {
    Convener,
    Partner,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "PartyStatus", remote = "entity::PartyStatus")]
pub enum PartyStatusGql {
    Invited,
    Signed,
    Declined,
    Withdrawn,
    Removed,
}

/// An MOU (업무협약) between organizations.
#[derive(Clone)]
pub struct Agreement(pub agreement::Model);

impl Node for Agreement {
    fn cursor(&self) -> Cursor {
        Cursor(self.0.id)
    }
}

#[Object]
impl Agreement {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }

    /// Derived: ACTIVE only while ratified and today is within startsOn..endsOn.
    /// A ratified agreement whose startsOn has not come yet is PROPOSED (with
    /// `ratifiedAt` set).
    async fn status(&self, ctx: &Context<'_>) -> Result<AgreementStatusGql> {
        Ok(status_of(&self.0, core(ctx)?.now()).into())
    }

    async fn scopes(&self) -> Vec<SharingScopeGql> {
        Scopes::of(&self.0)
            .list()
            .into_iter()
            .map(Into::into)
            .collect()
    }

    async fn starts_on(&self) -> Date {
        self.0.starts_on.into()
    }

    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Into::into)
    }

    async fn convener(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = core(ctx)?.reads().organization(self.0.convener_id).await?;
        Ok(Organization(
            org.ok_or(service::ApiError::NotFound("organization"))?,
        ))
    }

    /// Every organization invited so far, with its answer.
    async fn parties(&self, ctx: &Context<'_>) -> Result<Vec<AgreementParty>> {
        let rows = core(ctx)?.reads().parties(self.0.id).await?;
        Ok(rows.into_iter().map(AgreementParty).collect())
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was proposed to the parties.
    async fn proposed_at(&self) -> Option<DateTime> {
        self.0.proposed_at.map(Into::into)
    }

    /// When every invited party had answered with at least two signatures.
    async fn ratified_at(&self) -> Option<DateTime> {
        self.0.ratified_at.map(Into::into)
    }

    async fn terminated_at(&self) -> Option<DateTime> {
        self.0.terminated_at.map(Into::into)
    }
}

crate::connection_type!(AgreementConnection, AgreementEdge, Agreement);

/// A sharing party's answer to a newcomer's admission.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ConsentStatus {
    /// Not answered yet.
    Pending,
    Consented,
    Refused,
}

/// One party's answer (through its OWNER) to the admission of an organization invited after ratification.
pub struct PartyConsent {
    organization_id: uuid::Uuid,
    answer: Option<agreement_consent::Model>,
}

#[Object]
impl PartyConsent {
    /// The party answering.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = core(ctx)?
            .reads()
            .organization(self.organization_id)
            .await?;
        Ok(Organization(
            org.ok_or(service::ApiError::NotFound("organization"))?,
        ))
    }

    async fn status(&self) -> ConsentStatus {
        match self.answer.as_ref().map(|a| a.status) {
            None => ConsentStatus::Pending,
            Some(entity::ConsentStatus::Consented) => ConsentStatus::Consented,
            Some(entity::ConsentStatus::Refused) => ConsentStatus::Refused,
        }
    }

    async fn responded_at(&self) -> Option<DateTime> {
        self.answer.as_ref().map(|a| a.responded_at.into())
    }

    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(match self.answer.as_ref().and_then(|a| a.responded_by) {
            Some(id) => core(ctx)?.reads().user(id).await?.map(User::new),
            None => None,
        })
    }
}

#[derive(Clone)]
pub struct AgreementParty(pub agreement_party::Model);

#[Object]
impl AgreementParty {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = core(ctx)?
            .reads()
            .organization(self.0.organization_id)
            .await?;
        Ok(Organization(
            org.ok_or(service::ApiError::NotFound("organization"))?,
        ))
    }

    async fn role(&self) -> PartyRoleGql {
        self.0.role.into()
    }

    async fn status(&self) -> PartyStatusGql {
        self.0.status.into()
    }

    async fn invited_at(&self) -> DateTime {
        self.0.invited_at.into()
    }

    async fn responded_at(&self) -> Option<DateTime> {
        self.0.responded_at.map(Into::into)
    }

    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(match self.0.responded_by {
            Some(id) => core(ctx)?.reads().user(id).await?.map(User::new),
            None => None,
        })
    }

    /// When it began sharing with the other parties: at ratification, or — invited later — once it signed and every sharing party consented. Null while it shares nothing.
    async fn admitted_at(&self) -> Option<DateTime> {
        self.0.admitted_at.map(Into::into)
    }

    /// For a party invited after ratification: each sharing party's answer to its admission (PENDING until that party's OWNER answers). Empty for the original parties.
    async fn consents(&self, ctx: &Context<'_>) -> Result<Vec<PartyConsent>> {
        let rows = amendments::consents_of_party(core(ctx)?, &self.0).await?;
        Ok(rows
            .into_iter()
            .map(|(organization_id, answer)| PartyConsent {
                organization_id,
                answer,
            })
            .collect())
    }
}

#[derive(InputObject)]
pub struct CreateAgreementInput {
    convener_id: ID,
    title: String,
    purpose: Option<String>,
    scopes: Vec<SharingScopeGql>,
    starts_on: Date,
    ends_on: Option<Date>,
}

/// Omitted fields stay; `null` clears `purpose` and `endsOn`.
#[derive(InputObject)]
pub struct UpdateAgreementInput {
    title: Option<String>,
    purpose: MaybeUndefined<String>,
    scopes: Option<Vec<SharingScopeGql>>,
    starts_on: Option<Date>,
    ends_on: MaybeUndefined<Date>,
}

fn scopes(list: &[SharingScopeGql]) -> Scopes {
    Scopes::from_list(&list.iter().map(|s| Scope::from(*s)).collect::<Vec<_>>())
}

#[derive(Default)]
pub struct AgreementQuery;

#[Object]
impl AgreementQuery {
    /// Agreements the viewer's organizations are party to (platform admins: all).
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        status: Option<AgreementStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AgreementConnection> {
        let rc = request_ctx(ctx)?;
        let args = PageArgs::new(first, after)?;
        let status = status.map(AgreementStatus::from);
        let listing = reads::list(&rc.core, status, &args).await?;
        Ok(AgreementConnection::from_listing(listing, Agreement))
    }

    async fn agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Agreement>> {
        let rc = request_ctx(ctx)?;
        let id = ids::parse(&id, "id")?;
        Ok(Some(Agreement(reads::find(&rc.core, id).await?)))
    }
}

#[derive(Default)]
pub struct AgreementMutation;

#[Object]
impl AgreementMutation {
    /// ADMIN+ of the convener; starts as DRAFT with the convener as an INVITED party.
    async fn create_agreement(
        &self,
        ctx: &Context<'_>,
        input: CreateAgreementInput,
    ) -> Result<Agreement> {
        let rc = request_ctx(ctx)?;
        let input = NewAgreement {
            convener_id: ids::parse(&input.convener_id, "convenerId")?,
            title: input.title,
            purpose: input.purpose,
            scopes: scopes(&input.scopes),
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
        };
        Ok(Agreement(lifecycle::create(&rc.core, input).await?))
    }

    /// Convener ADMIN+; DRAFT only.
    async fn update_agreement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAgreementInput,
    ) -> Result<Agreement> {
        let rc = request_ctx(ctx)?;
        let id = ids::parse(&id, "id")?;
        let patch = AgreementPatch {
            title: input.title,
            purpose: patch(input.purpose),
            scopes: input.scopes.as_deref().map(scopes),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: patch(input.ends_on).map(|d| d.map(|d| d.0)),
        };
        Ok(Agreement(lifecycle::update(&rc.core, id, patch).await?))
    }

    /// Convener ADMIN+ or platform admin; allowed in DRAFT, PROPOSED and ACTIVE. Before ratification every signature so far returns to INVITED; after it, this is an amendment: the new party shares once it signs and every sharing party's OWNER consents (consentToParty).
    async fn invite_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        let rc = request_ctx(ctx)?;
        let (a, o) = party_ids(&agreement_id, &organization_id)?;
        Ok(AgreementParty(parties::invite_party(&rc.core, a, o).await?))
    }

    /// Convener ADMIN+ or platform admin; sharing with the removed party stops at once.
    async fn remove_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        let rc = request_ctx(ctx)?;
        let (a, o) = party_ids(&agreement_id, &organization_id)?;
        Ok(AgreementParty(parties::remove_party(&rc.core, a, o).await?))
    }

    /// DRAFT -> PROPOSED; needs at least two parties.
    async fn propose_agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Agreement> {
        let rc = request_ctx(ctx)?;
        let id = ids::parse(&id, "id")?;
        Ok(Agreement(lifecycle::propose(&rc.core, id).await?))
    }

    /// OWNER of the party organization. Once every invited party has answered and at least two have signed, the agreement is ratified.
    async fn sign_agreement(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        answer(ctx, agreement_id, organization_id, Answer::Sign).await
    }

    /// OWNER of the party organization.
    async fn decline_agreement(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        answer(ctx, agreement_id, organization_id, Answer::Decline).await
    }

    /// OWNER of a signed party organization; sharing with it stops at once.
    async fn withdraw_from_agreement(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        answer(ctx, agreement_id, organization_id, Answer::Withdraw).await
    }

    /// OWNER of a party that shares in the ratified agreement: agree that `newcomerId`, invited after ratification, joins. It shares once it has signed and every sharing party consented. Returns the newcomer's party.
    async fn consent_to_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        newcomer_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        answer_newcomer(ctx, agreement_id, newcomer_id, organization_id, true).await
    }

    /// OWNER of a party that shares in the ratified agreement: refuse `newcomerId`, which is then removed from the agreement.
    async fn refuse_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        newcomer_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        answer_newcomer(ctx, agreement_id, newcomer_id, organization_id, false).await
    }

    /// Convener OWNER or platform admin.
    async fn terminate_agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Agreement> {
        let rc = request_ctx(ctx)?;
        let id = ids::parse(&id, "id")?;
        Ok(Agreement(lifecycle::terminate(&rc.core, id).await?))
    }
}

async fn answer(
    ctx: &Context<'_>,
    agreement_id: ID,
    organization_id: ID,
    answer: Answer,
) -> Result<AgreementParty> {
    let rc = request_ctx(ctx)?;
    let (a, o) = party_ids(&agreement_id, &organization_id)?;
    Ok(AgreementParty(
        parties::answer(&rc.core, a, o, answer).await?,
    ))
}

async fn answer_newcomer(
    ctx: &Context<'_>,
    agreement_id: ID,
    newcomer_id: ID,
    organization_id: ID,
    consent: bool,
) -> Result<AgreementParty> {
    let rc = request_ctx(ctx)?;
    let (a, o) = party_ids(&agreement_id, &organization_id)?;
    let n = ids::parse(&newcomer_id, "newcomerId")?;
    Ok(AgreementParty(
        amendments::answer_newcomer(&rc.core, a, n, o, consent).await?,
    ))
}

/// The `(agreementId, organizationId)` pair the party mutations take.
fn party_ids(
    agreement_id: &ID,
    organization_id: &ID,
) -> std::result::Result<(uuid::Uuid, uuid::Uuid), service::ApiError> {
    Ok((
        ids::parse(agreement_id, "agreementId")?,
        ids::parse(organization_id, "organizationId")?,
    ))
}
