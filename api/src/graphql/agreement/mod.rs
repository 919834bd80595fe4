//! Agreements (MOUs) as the API shows them: the agreement, its parties
//! and their consents. Queries and mutations are in [`operations`].

use async_graphql::{Context, Enum, ID, Object};

use super::identity::User;
use super::organization::Organization;
use super::project::{Project, ProjectConnection};
use super::{Date, DateTime, Result, core, ids};
use entity::{agreement, agreement_consent, agreement_party};
use service::agreement::status::status_of;
use service::agreement::{Scopes, amendments};

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
        Organization::load(ctx, self.0.convener_id).await
    }

    /// Every organization invited so far, with its answer.
    async fn parties(&self, ctx: &Context<'_>) -> Result<Vec<AgreementParty>> {
        let rows = core(ctx)?.reads().parties(self.0.id).await?;
        Ok(rows.into_iter().map(AgreementParty).collect())
    }

    /// Joint projects run under this agreement that the viewer may see.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ProjectConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = service::project::projects::of_agreement(core(ctx)?, self.0.id, args).await?;
        Ok(ProjectConnection::from_listing(listing, Project))
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
        Organization::load(ctx, self.organization_id).await
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
        User::load_opt(ctx, self.answer.as_ref().and_then(|a| a.responded_by)).await
    }
}

#[derive(Clone)]
pub struct AgreementParty(pub agreement_party::Model);

#[Object]
impl AgreementParty {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
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
        User::load_opt(ctx, self.0.responded_by).await
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

mod operations;

pub use operations::{AgreementMutation, AgreementQuery};
