use async_graphql::{Context, ID, Object};

use super::identity::User;
use super::organization::Organization;
use super::{DateTime, Result, core, ids};
use entity::audit_entry;
use service::audit::log;

#[derive(Clone)]
pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn at(&self) -> DateTime {
        self.0.at.into()
    }

    /// Who did it; null for the organization's own readers when an operator acted (see `byOperator`).
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let actor = log::visible_actor(&core(ctx)?.viewer, &self.0);
        User::load_opt(ctx, actor).await
    }

    /// The coalition's operators (platform admins, not members of this organization) did this. Which operator is shown to platform admins only.
    async fn by_operator(&self) -> bool {
        self.0.by_operator
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        Organization::load_opt(ctx, self.0.organization_id).await
    }

    /// e.g. agreement.sign, booking.create, member.role_change
    async fn action(&self) -> &str {
        &self.0.action
    }

    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }

    async fn subject_id(&self) -> Option<ID> {
        self.0.subject_id.map(ids::to_id)
    }

    /// What else was recorded, e.g. the invited address and role of `member.invite`, the roles of `member.role_change`, the organization of `agreement.invite_party`. Like the whole log, for the organization's ADMIN+ only.
    async fn details(&self) -> Option<&serde_json::Value> {
        self.0.details.as_ref()
    }
}

crate::connection_type!(AuditEntryConnection, AuditEntryEdge, AuditEntry);

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// ADMIN+ of the organization, or platform admins. Newest first.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let org_id = ids::parse(&organization_id, "organizationId")?;
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = log::organization_log(core(ctx)?, org_id, &args).await?;
        Ok(AuditEntryConnection::from_listing(listing, AuditEntry))
    }
}
