use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::membership::{Membership, RoleGql};
use super::organization::Organization;
use super::{DateTime, Result, core, ids, request_ctx};
use entity::{api_token, user};
use service::ApiError;
use service::identity::accounts::{self, SignUp};
use service::identity::sessions::{self, SessionTokens};
use service::identity::tokens::{self, NewApiToken};
use service::membership;
use service::policy::{self, Audience};
use uuid::Uuid;

/// A user as someone sees them. The user in the answer to signUp, logIn
/// and refreshSession is delivered to that user themself
/// ([`Audience::Subject`]), although the request was made signed out.
#[derive(Clone)]
pub struct User {
    model: user::Model,
    audience: Audience,
}

impl User {
    pub fn new(model: user::Model) -> Self {
        User {
            model,
            audience: Audience::Viewer,
        }
    }

    /// A user by id, following a relation (a member, who booked, who acted).
    pub async fn load(ctx: &Context<'_>, id: Uuid) -> Result<User> {
        let user = core(ctx)?.reads().user(id).await?;
        Ok(User::new(user.ok_or(ApiError::NotFound("user"))?))
    }

    pub async fn load_opt(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<User>> {
        Ok(match id {
            Some(id) => core(ctx)?.reads().user(id).await?.map(User::new),
            None => None,
        })
    }
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ids::to_id(self.model.id)
    }

    async fn display_name(&self) -> &str {
        &self.model.display_name
    }

    /// Only the user themself and platform admins see the e-mail; others get null.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let viewer = &core(ctx)?.viewer;
        let visible = policy::can_see_email(viewer, self.audience, self.model.id);
        Ok(visible.then_some(self.model.email.as_str()))
    }

    /// True only to the user themself and to platform admins (others are told false).
    async fn is_platform_admin(&self, ctx: &Context<'_>) -> Result<bool> {
        let viewer = &core(ctx)?.viewer;
        Ok(self.model.is_platform_admin
            && policy::can_see_platform_admin(viewer, self.audience, self.model.id))
    }

    /// When a platform admin suspended the account; shown to the user themself and platform admins.
    async fn suspended_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        let viewer = &core(ctx)?.viewer;
        Ok(self
            .model
            .suspended_at
            .filter(|_| policy::can_see_suspension(viewer, self.audience, self.model.id))
            .map(Into::into))
    }

    /// Only for the viewer themself; empty for anyone else.
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let rows =
            membership::members::memberships_of_user(core(ctx)?, self.audience, self.model.id)
                .await?;
        Ok(rows.into_iter().map(Membership).collect())
    }

    async fn created_at(&self) -> DateTime {
        self.model.created_at.into()
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    access_token: String,
    access_token_expires_at: DateTime,
    refresh_token: String,
    user: User,
}

impl From<SessionTokens> for AuthPayload {
    fn from(t: SessionTokens) -> Self {
        AuthPayload {
            access_token: t.access_token,
            access_token_expires_at: t.access_token_expires_at.into(),
            refresh_token: t.refresh_token,
            user: User {
                model: t.user,
                audience: Audience::Subject,
            },
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TokenScope {
    Read,
    Write,
}

#[derive(Clone)]
pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn scopes(&self) -> Vec<TokenScope> {
        let read = self.0.can_read().then_some(TokenScope::Read);
        let write = self.0.can_write().then_some(TokenScope::Write);
        read.into_iter().chain(write).collect()
    }

    /// For a token bound to an organization: the role its creator held there when it was made. It acts with the lesser of this and the creator's current role, and stops working when the creator leaves.
    async fn role(&self) -> Option<RoleGql> {
        self.0.role.map(Into::into)
    }

    /// When set, the token acts only within this organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        Organization::load_opt(ctx, self.0.organization_id).await
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(Into::into)
    }

    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(Into::into)
    }

    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }
}

#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The secret, shown once; only a hash is stored.
    token: String,
    api_token: ApiToken,
}

#[derive(InputObject)]
pub struct SignUpInput {
    email: String,
    password: String,
    display_name: String,
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    name: String,
    scopes: Vec<TokenScope>,
    organization_id: Option<ID>,
    expires_at: Option<DateTime>,
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user; null for anonymous callers.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let core = core(ctx)?;
        Ok(match core.viewer.user_id() {
            Some(id) => core.reads().user(id).await?.map(User::new),
            None => None,
        })
    }

    async fn my_api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        Ok(tokens::api_tokens_of_viewer(core(ctx)?)
            .await?
            .into_iter()
            .map(ApiToken)
            .collect())
    }
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let rc = request_ctx(ctx)?;
        rc.state.limits.check_auth(rc.core.client())?;
        let input = SignUp {
            email: input.email,
            password: input.password,
            display_name: input.display_name,
        };
        let st = &rc.state;
        Ok(accounts::sign_up(&rc.core, &st.hasher, &st.jwt, input)
            .await?
            .into())
    }

    async fn log_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let rc = request_ctx(ctx)?;
        rc.state.limits.check_auth(rc.core.client())?;
        let st = &rc.state;
        Ok(
            sessions::log_in(&rc.core, &st.hasher, &st.jwt, &email, &password)
                .await?
                .into(),
        )
    }

    /// Rotates: the old refresh token stops working; reusing it revokes the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> Result<AuthPayload> {
        let rc = request_ctx(ctx)?;
        rc.state.limits.check_auth(rc.core.client())?;
        Ok(sessions::refresh(&rc.core, &rc.state.jwt, &refresh_token)
            .await?
            .into())
    }

    async fn log_out(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        Ok(sessions::log_out(core(ctx)?, &refresh_token).await?)
    }

    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> Result<CreatedApiToken> {
        let organization_id = ids::parse_opt(input.organization_id.as_ref(), "organizationId")?;
        let input = NewApiToken {
            name: input.name,
            can_read: input.scopes.contains(&TokenScope::Read),
            can_write: input.scopes.contains(&TokenScope::Write),
            organization_id,
            expires_at: input.expires_at.map(|t| t.0),
        };
        let (model, token) = tokens::create_api_token(core(ctx)?, input).await?;
        Ok(CreatedApiToken {
            token,
            api_token: ApiToken(model),
        })
    }

    /// End every session of a user ("log out everywhere"): the user themself or a platform admin. Returns how many ended.
    async fn revoke_sessions(&self, ctx: &Context<'_>, user_id: ID) -> Result<i32> {
        let user_id = ids::parse(&user_id, "userId")?;
        let n = sessions::end_sessions(core(ctx)?, user_id).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Platform admins: the account can no longer sign in; its sessions and API tokens end at once.
    async fn suspend_user(&self, ctx: &Context<'_>, user_id: ID, reason: String) -> Result<User> {
        let user_id = ids::parse(&user_id, "userId")?;
        Ok(User::new(
            accounts::suspend(core(ctx)?, user_id, &reason).await?,
        ))
    }

    /// Platform admins: lift a suspension (revoked API tokens stay revoked).
    async fn reinstate_user(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let user_id = ids::parse(&user_id, "userId")?;
        Ok(User::new(accounts::reinstate(core(ctx)?, user_id).await?))
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<ApiToken> {
        let id = ids::parse(&id, "id")?;
        Ok(ApiToken(tokens::revoke_api_token(core(ctx)?, id).await?))
    }
}
