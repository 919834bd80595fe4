use async_graphql::{Context, Enum, ID, Object};

use super::identity::User;
use super::organization::Organization;
use super::{DateTime, Result, core, ids};
use entity::{invitation, membership};
use service::membership::{invitations, members};

/// Role of a user inside one organization, strongest first.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Role", remote = "entity::Role")]
pub enum RoleGql {
    Owner,
    Admin,
    Editor,
    Member,
}

#[derive(Clone)]
pub struct Membership(pub membership::Model);

#[Object]
impl Membership {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        User::load(ctx, self.0.user_id).await
    }

    async fn role(&self) -> RoleGql {
        self.0.role.into()
    }

    async fn joined_at(&self) -> DateTime {
        self.0.joined_at.into()
    }
}

crate::connection_type!(MembershipConnection, MembershipEdge, Membership);

pub struct Invitation {
    model: invitation::Model,
    /// The secret, present only in the inviteMember response.
    token: Option<String>,
}

impl Invitation {
    /// An invitation as listed or changed later: without its secret.
    pub fn listed(model: invitation::Model) -> Self {
        Invitation { model, token: None }
    }
}

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        ids::to_id(self.model.id)
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.model.organization_id).await
    }

    async fn email(&self) -> &str {
        &self.model.email
    }

    async fn role(&self) -> RoleGql {
        self.model.role.into()
    }

    /// Returned once, to the inviter, by inviteMember; null on every later read.
    async fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    async fn expires_at(&self) -> DateTime {
        self.model.expires_at.into()
    }

    async fn accepted_at(&self) -> Option<DateTime> {
        self.model.accepted_at.map(Into::into)
    }

    async fn created_at(&self) -> DateTime {
        self.model.created_at.into()
    }

    /// Who sent it. On acceptance they must still be able to grant the role; leaving or losing that right revokes it.
    async fn invited_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        User::load_opt(ctx, self.model.invited_by).await
    }

    /// Set when revoked: by an ADMIN+, by a newer invitation to the same address, or because the inviter lost the right to grant it.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.model.revoked_at.map(Into::into)
    }
}

#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// ADMIN+; an ADMIN cannot invite OWNERs.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        email: String,
        role: RoleGql,
    ) -> Result<Invitation> {
        let org_id = ids::parse(&organization_id, "organizationId")?;
        let (model, token) = invitations::invite(core(ctx)?, org_id, &email, role.into()).await?;
        Ok(Invitation {
            model,
            token: Some(token),
        })
    }

    async fn accept_invitation(&self, ctx: &Context<'_>, token: String) -> Result<Membership> {
        Ok(Membership(invitations::accept(core(ctx)?, &token).await?))
    }

    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
        role: RoleGql,
    ) -> Result<Membership> {
        let org_id = ids::parse(&organization_id, "organizationId")?;
        let user_id = ids::parse(&user_id, "userId")?;
        Ok(Membership(
            members::change_role(core(ctx)?, org_id, user_id, role.into()).await?,
        ))
    }

    /// ADMIN+ of the invitation's organization (OWNER for an OWNER invitation).
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        let id = ids::parse(&id, "id")?;
        Ok(Invitation::listed(
            invitations::revoke_invitation(core(ctx)?, id).await?,
        ))
    }

    /// Platform admins, only for an organization whose every OWNER is suspended: the user becomes its OWNER (recorded in its audit log).
    async fn restore_owner(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
    ) -> Result<Membership> {
        let org_id = ids::parse(&organization_id, "organizationId")?;
        let user_id = ids::parse(&user_id, "userId")?;
        Ok(Membership(
            members::restore_owner(core(ctx)?, org_id, user_id).await?,
        ))
    }

    /// An organization always keeps at least one OWNER.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
    ) -> Result<bool> {
        let org_id = ids::parse(&organization_id, "organizationId")?;
        let user_id = ids::parse(&user_id, "userId")?;
        Ok(members::remove(core(ctx)?, org_id, user_id).await?)
    }
}
