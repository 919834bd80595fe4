//! Member groups (saved invitee lists): the API type and thin resolvers
//! over the membership service.

use async_graphql::{Context, ID, Object};

use super::identity::User;
use super::organization::Organization;
use super::{DateTime, Result, core, ids};
use entity::member_group;
use service::membership::groups;

/// A saved list of an organization's members ("executive committee") its ADMIN+ keeps, for inviting them to events together. Seen by the organization's members.
#[derive(Clone)]
pub struct MemberGroup(pub member_group::Model);

#[Object]
impl MemberGroup {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    /// Those of its people who are members of the organization now.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let ids = groups::members(core(ctx)?, &self.0).await?;
        // Together, so the user loader batches them.
        futures::future::try_join_all(ids.into_iter().map(|id| User::load(ctx, id))).await
    }

    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// ADMIN+ of the organization; every user a member of it.
    async fn create_member_group(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
        user_ids: Vec<ID>,
    ) -> Result<MemberGroup> {
        let org = ids::parse(&organization_id, "organizationId")?;
        let users = ids::parse_all(&user_ids, "userIds")?;
        Ok(MemberGroup(
            groups::create(core(ctx)?, org, &name, &users).await?,
        ))
    }

    /// ADMIN+ of its organization: rename it, or replace its members (events already invited keep their invitees).
    async fn update_member_group(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        user_ids: Option<Vec<ID>>,
    ) -> Result<MemberGroup> {
        let id = ids::parse(&id, "id")?;
        let users = user_ids
            .as_deref()
            .map(|l| ids::parse_all(l, "userIds"))
            .transpose()?;
        let group = groups::update(core(ctx)?, id, name.as_deref(), users.as_deref()).await?;
        Ok(MemberGroup(group))
    }

    /// ADMIN+ of its organization.
    async fn delete_member_group(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let id = ids::parse(&id, "id")?;
        Ok(groups::delete(core(ctx)?, id).await?)
    }
}
