//! Solidarity actions and endorsements: the API types and thin resolvers
//! over the action services.

use async_graphql::{Context, Enum, ID, InputObject, Object};

use super::agreement::Agreement;
use super::identity::User;
use super::organization::Organization;
use super::project::VisibilityGql;
use super::{DateTime, Result, core, ids};
use entity::{endorsement, solidarity_action};
use service::action::{NewAction, actions, endorsements};
use service::agreement::reads as agreements;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ActionKind", remote = "entity::ActionKind")]
pub enum ActionKindGql {
    Statement,
    PressConference,
    Rally,
    Petition,
    Campaign,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ActionStatus", remote = "entity::ActionStatus")]
pub enum ActionStatusGql {
    Draft,
    Open,
    Closed,
}

/// A solidarity action (연대활동): joint statement, press conference, rally, petition...
#[derive(Clone)]
pub struct SolidarityAction(pub solidarity_action::Model);

#[Object]
impl SolidarityAction {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn kind(&self) -> ActionKindGql {
        self.0.kind.into()
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    async fn call_to_action(&self) -> Option<&str> {
        self.0.call_to_action.as_deref()
    }

    /// Derived: an OPEN action whose deadline has passed is CLOSED.
    async fn status(&self, ctx: &Context<'_>) -> Result<ActionStatusGql> {
        Ok(actions::status(core(ctx)?, &self.0).into())
    }

    async fn deadline(&self) -> Option<DateTime> {
        self.0.deadline.map(Into::into)
    }

    /// A DRAFT is seen by its initiator's members only, whatever its visibility.
    async fn visibility(&self) -> VisibilityGql {
        self.0.visibility.into()
    }

    async fn initiator(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.initiator_id).await
    }

    /// The agreement it is called under; null also when the viewer may not see the agreement.
    async fn agreement(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        let found = agreements::under(core(ctx)?, self.0.agreement_id).await?;
        Ok(found.map(Agreement))
    }

    /// Public wherever the action is readable: a joint statement is signed in public.
    async fn endorsement_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let n = endorsements::count(core(ctx)?, self.0.id).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// In the order they were given.
    async fn endorsements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EndorsementConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = endorsements::list(core(ctx)?, self.0.id, args).await?;
        Ok(EndorsementConnection::from_listing(listing, Endorsement))
    }

    async fn opened_at(&self) -> Option<DateTime> {
        self.0.opened_at.map(Into::into)
    }

    /// When it was closed, by hand or by its deadline passing.
    async fn closed_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        Ok(actions::closed_at(core(ctx)?, &self.0).map(Into::into))
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::connection_type!(
    SolidarityActionConnection,
    SolidarityActionEdge,
    SolidarityAction
);

/// An organization's sign-on (연명) to a solidarity action.
#[derive(Clone)]
pub struct Endorsement(pub endorsement::Model);

#[Object]
impl Endorsement {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    /// The ADMIN who signed on for the organization.
    async fn endorsed_by(&self, ctx: &Context<'_>) -> Result<User> {
        User::load(ctx, self.0.endorsed_by).await
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn endorsed_at(&self) -> DateTime {
        self.0.endorsed_at.into()
    }
}

crate::connection_type!(EndorsementConnection, EndorsementEdge, Endorsement);

#[derive(InputObject)]
pub struct CreateSolidarityActionInput {
    initiator_id: ID,
    /// The agreement it is called under: the initiator must be a SIGNED party of it, and it must share ACTIONS.
    agreement_id: Option<ID>,
    title: String,
    kind: ActionKindGql,
    body: String,
    call_to_action: Option<String>,
    /// In the future; endorsements close when it passes.
    deadline: Option<DateTime>,
    visibility: VisibilityGql,
}

#[derive(Default)]
pub struct ActionQuery;

#[Object]
impl ActionQuery {
    /// Actions the viewer may read, oldest first.
    async fn solidarity_actions(
        &self,
        ctx: &Context<'_>,
        status: Option<ActionStatusGql>,
        kind: Option<ActionKindGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SolidarityActionConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let (status, kind) = (status.map(Into::into), kind.map(Into::into));
        let listing = actions::list(core(ctx)?, status, kind, &args).await?;
        Ok(SolidarityActionConnection::from_listing(
            listing,
            SolidarityAction,
        ))
    }

    async fn solidarity_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<SolidarityAction>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(SolidarityAction(actions::find(core(ctx)?, id).await?)))
    }
}

#[derive(Default)]
pub struct ActionMutation;

#[Object]
impl ActionMutation {
    /// EDITOR+ of the initiator; the action starts as a DRAFT.
    async fn create_solidarity_action(
        &self,
        ctx: &Context<'_>,
        input: CreateSolidarityActionInput,
    ) -> Result<SolidarityAction> {
        let input = NewAction {
            initiator_id: ids::parse(&input.initiator_id, "initiatorId")?,
            agreement_id: ids::parse_opt(input.agreement_id.as_ref(), "agreementId")?,
            title: input.title,
            kind: input.kind.into(),
            body: input.body,
            call_to_action: input.call_to_action,
            deadline: input.deadline.map(|d| d.0),
            visibility: input.visibility.into(),
        };
        Ok(SolidarityAction(actions::create(core(ctx)?, input).await?))
    }

    /// ADMIN+ of the initiator: DRAFT → OPEN.
    async fn open_solidarity_action(&self, ctx: &Context<'_>, id: ID) -> Result<SolidarityAction> {
        let id = ids::parse(&id, "id")?;
        Ok(SolidarityAction(
            actions::publish(core(ctx)?, id, true).await?,
        ))
    }

    /// ADMIN+ of the initiator: OPEN → CLOSED (an action also closes by itself at its deadline).
    async fn close_solidarity_action(&self, ctx: &Context<'_>, id: ID) -> Result<SolidarityAction> {
        let id = ids::parse(&id, "id")?;
        Ok(SolidarityAction(
            actions::publish(core(ctx)?, id, false).await?,
        ))
    }

    /// ADMIN+ of the endorsing organization, which must be able to read the action, while it is OPEN and before its deadline; once per organization.
    async fn endorse(
        &self,
        ctx: &Context<'_>,
        action_id: ID,
        organization_id: ID,
        comment: Option<String>,
    ) -> Result<Endorsement> {
        let action = ids::parse(&action_id, "actionId")?;
        let org = ids::parse(&organization_id, "organizationId")?;
        Ok(Endorsement(
            endorsements::endorse(core(ctx)?, action, org, comment).await?,
        ))
    }

    /// ADMIN+ of the organization, while the action is OPEN.
    async fn withdraw_endorsement(
        &self,
        ctx: &Context<'_>,
        action_id: ID,
        organization_id: ID,
    ) -> Result<bool> {
        let action = ids::parse(&action_id, "actionId")?;
        let org = ids::parse(&organization_id, "organizationId")?;
        Ok(endorsements::withdraw(core(ctx)?, action, org).await?)
    }
}
