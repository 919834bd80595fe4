use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::action::{ActionStatusGql, SolidarityAction, SolidarityActionConnection};
use super::agreement::{Agreement, AgreementConnection, AgreementStatusGql};
use super::disclosure::{
    CitizenSubmission, DisclosureRequest, DisclosureRequestConnection, DisclosureStatusGql,
};
use super::event::{Event, EventConnection};
use super::groups::MemberGroup;
use super::membership::{Invitation, Membership, MembershipConnection, RoleGql};
use super::project::{Project, ProjectConnection, ProjectStatusGql};
use super::space::Space;
use super::{DateTime, Result, core, ids, patch};
use entity::organization;
use service::ApiError;
use service::organization::service::{self as organizations, NewOrganization, OrganizationPatch};
use service::{action, agreement, event, membership, project, space};
use uuid::Uuid;

#[derive(Clone)]
pub struct Organization(pub organization::Model);

impl Organization {
    /// An organization by id, following a relation (organizations are a
    /// public directory).
    pub async fn load(ctx: &Context<'_>, id: Uuid) -> Result<Organization> {
        let org = core(ctx)?.reads().organization(id).await?;
        Ok(Organization(org.ok_or(ApiError::NotFound("organization"))?))
    }

    pub async fn load_opt(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Organization>> {
        Ok(match id {
            Some(id) => core(ctx)?.reads().organization(id).await?.map(Organization),
            None => None,
        })
    }
}

#[Object]
impl Organization {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// IANA time zone, default Asia/Seoul.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// The viewer's role here; null when the viewer is not a member.
    async fn viewer_role(&self, ctx: &Context<'_>) -> Result<Option<RoleGql>> {
        Ok(membership::members::viewer_role(core(ctx)?, self.0.id)
            .await?
            .map(Into::into))
    }

    /// Members; visible to members of this organization only (empty otherwise).
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<MembershipConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = membership::members::members(core(ctx)?, self.0.id, args).await?;
        Ok(MembershipConnection::from_listing(listing, Membership))
    }

    /// Saved lists of members for inviting them together, by name; for the organization's members (and platform admins), empty for everyone else.
    async fn member_groups(&self, ctx: &Context<'_>) -> Result<Vec<MemberGroup>> {
        let found = membership::groups::of_organization(core(ctx)?, self.0.id).await?;
        Ok(found.into_iter().map(MemberGroup).collect())
    }

    /// ADMIN+ of the organization (and platform admins): invitations not yet accepted, revoked or expired. Empty for everyone else.
    async fn pending_invitations(&self, ctx: &Context<'_>) -> Result<Vec<Invitation>> {
        Ok(
            membership::invitations::pending_invitations(core(ctx)?, self.0.id)
                .await?
                .into_iter()
                .map(Invitation::listed)
                .collect(),
        )
    }

    /// Organizations that share at least one ACTIVE agreement with this one
    /// (as far as the viewer can see those agreements).
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        Ok(agreement::reads::partners(core(ctx)?, self.0.id)
            .await?
            .into_iter()
            .map(Organization)
            .collect())
    }

    /// This organization's spaces that the viewer may see (members see all;
    /// partners for SPACES see them when they may book).
    async fn spaces(&self, ctx: &Context<'_>) -> Result<Vec<Space>> {
        Ok(space::spaces::of_organization(core(ctx)?, self.0.id)
            .await?
            .into_iter()
            .map(Space::full)
            .collect())
    }

    /// Agreements this organization is party to that the viewer may see.
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        status: Option<AgreementStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AgreementConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing =
            agreement::reads::of_organization(core(ctx)?, self.0.id, status.map(Into::into), args)
                .await?;
        Ok(AgreementConnection::from_listing(listing, Agreement))
    }

    /// Projects this organization leads or takes part in that the viewer may see.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        status: Option<ProjectStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ProjectConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let status = status.map(Into::into);
        let listing =
            project::projects::of_organization(core(ctx)?, self.0.id, status, args).await?;
        Ok(ProjectConnection::from_listing(listing, Project))
    }

    /// Events this organization hosts that the viewer may read, ordered by startsAt; `from`/`to` keep those overlapping [from, to).
    async fn events(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime>,
        to: Option<DateTime>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let window = (from.map(|d| d.0), to.map(|d| d.0));
        let listing = event::events::of_organization(core(ctx)?, self.0.id, window, args).await?;
        Ok(EventConnection::from_listing(listing, Event))
    }

    /// EDITOR+: citizen submissions waiting to be accepted, oldest first (empty for anyone else).
    async fn citizen_submissions(&self, ctx: &Context<'_>) -> Result<Vec<CitizenSubmission>> {
        let found = service::disclosure::citizens::pending(core(ctx)?, self.0.id).await?;
        Ok(found.into_iter().map(CitizenSubmission).collect())
    }

    /// Disclosure requests of this organization that the viewer may read, oldest first.
    async fn disclosure_requests(
        &self,
        ctx: &Context<'_>,
        status: Option<DisclosureStatusGql>,
        overdue: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<DisclosureRequestConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let filter = service::disclosure::OrgFilter {
            status: status.map(Into::into),
            overdue,
        };
        let listing =
            service::disclosure::requests::of_organization(core(ctx)?, self.0.id, filter, args)
                .await?;
        Ok(DisclosureRequestConnection::from_listing(
            listing,
            DisclosureRequest,
        ))
    }

    /// Solidarity actions this organization initiated that the viewer may read.
    async fn solidarity_actions(
        &self,
        ctx: &Context<'_>,
        status: Option<ActionStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SolidarityActionConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let status = status.map(Into::into);
        let listing = action::actions::of_organization(core(ctx)?, self.0.id, status, args).await?;
        Ok(SolidarityActionConnection::from_listing(
            listing,
            SolidarityAction,
        ))
    }
}

crate::connection_type!(OrganizationConnection, OrganizationEdge, Organization);

#[derive(InputObject)]
pub struct CreateOrganizationInput {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub region: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
}

/// Omitted fields stay as they are; `null` clears description, region and
/// website (name and timezone cannot be cleared, so `null` leaves them).
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
    pub region: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub timezone: Option<String>,
}

#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    async fn organization(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Organization>> {
        let id = ids::parse_opt(id.as_ref(), "id")?;
        Ok(Some(Organization(
            organizations::find(core(ctx)?, id, slug.as_deref()).await?,
        )))
    }

    async fn organizations(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<OrganizationConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = organizations::list(core(ctx)?, search.as_deref(), &args).await?;
        Ok(OrganizationConnection::from_listing(listing, Organization))
    }
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// The creator becomes OWNER.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> Result<Organization> {
        let input = NewOrganization {
            slug: input.slug,
            name: input.name,
            description: input.description,
            region: input.region,
            website: input.website,
            timezone: input.timezone,
        };
        Ok(Organization(
            organizations::create(core(ctx)?, input).await?,
        ))
    }

    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateOrganizationInput,
    ) -> Result<Organization> {
        let id = ids::parse(&id, "id")?;
        let patch = OrganizationPatch {
            name: input.name,
            description: patch(input.description),
            region: patch(input.region),
            website: patch(input.website),
            timezone: input.timezone,
        };
        Ok(Organization(
            organizations::update(core(ctx)?, id, patch).await?,
        ))
    }
}
