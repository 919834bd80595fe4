//! Agreements' queries and mutations: thin resolvers over the agreement
//! services.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Agreement, AgreementConnection, AgreementParty, AgreementStatusGql, SharingScopeGql};
use crate::graphql::{Date, Result, core, ids, patch};
use service::agreement::status::AgreementStatus;
use service::agreement::{
    AgreementPatch, Answer, NewAgreement, Scopes, amendments, lifecycle, parties, reads,
};
use service::policy::sharing::Scope;

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
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let status = status.map(AgreementStatus::from);
        let listing = reads::list(core(ctx)?, status, &args).await?;
        Ok(AgreementConnection::from_listing(listing, Agreement))
    }

    async fn agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Agreement>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Agreement(reads::find(core(ctx)?, id).await?)))
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
        let input = NewAgreement {
            convener_id: ids::parse(&input.convener_id, "convenerId")?,
            title: input.title,
            purpose: input.purpose,
            scopes: scopes(&input.scopes),
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
        };
        Ok(Agreement(lifecycle::create(core(ctx)?, input).await?))
    }

    /// Convener ADMIN+; DRAFT only.
    async fn update_agreement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAgreementInput,
    ) -> Result<Agreement> {
        let id = ids::parse(&id, "id")?;
        let patch = AgreementPatch {
            title: input.title,
            purpose: patch(input.purpose),
            scopes: input.scopes.as_deref().map(scopes),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: patch(input.ends_on).map(|d| d.map(|d| d.0)),
        };
        Ok(Agreement(lifecycle::update(core(ctx)?, id, patch).await?))
    }

    /// Convener ADMIN+ or platform admin; allowed in DRAFT, PROPOSED and ACTIVE. Before ratification every signature so far returns to INVITED; after it, this is an amendment: the new party shares once it signs and every sharing party's OWNER consents (consentToParty).
    async fn invite_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        let (a, o) = party_ids(&agreement_id, &organization_id)?;
        Ok(AgreementParty(
            parties::invite_party(core(ctx)?, a, o).await?,
        ))
    }

    /// Convener ADMIN+ or platform admin; sharing with the removed party stops at once.
    async fn remove_party(
        &self,
        ctx: &Context<'_>,
        agreement_id: ID,
        organization_id: ID,
    ) -> Result<AgreementParty> {
        let (a, o) = party_ids(&agreement_id, &organization_id)?;
        Ok(AgreementParty(
            parties::remove_party(core(ctx)?, a, o).await?,
        ))
    }

    /// DRAFT -> PROPOSED; needs at least two parties.
    async fn propose_agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Agreement> {
        let id = ids::parse(&id, "id")?;
        Ok(Agreement(lifecycle::propose(core(ctx)?, id).await?))
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
        let id = ids::parse(&id, "id")?;
        Ok(Agreement(lifecycle::terminate(core(ctx)?, id).await?))
    }
}

async fn answer(
    ctx: &Context<'_>,
    agreement_id: ID,
    organization_id: ID,
    answer: Answer,
) -> Result<AgreementParty> {
    let (a, o) = party_ids(&agreement_id, &organization_id)?;
    Ok(AgreementParty(
        parties::answer(core(ctx)?, a, o, answer).await?,
    ))
}

async fn answer_newcomer(
    ctx: &Context<'_>,
    agreement_id: ID,
    newcomer_id: ID,
    organization_id: ID,
    consent: bool,
) -> Result<AgreementParty> {
    let (a, o) = party_ids(&agreement_id, &organization_id)?;
    let n = ids::parse(&newcomer_id, "newcomerId")?;
    Ok(AgreementParty(
        amendments::answer_newcomer(core(ctx)?, a, n, o, consent).await?,
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
