//! The GraphQL transport: one Query/Mutation type per domain (a module
//! each), merged here, plus the per-request context every resolver reads.
//! Resolvers are thin: parse the input, call the service with the request's
//! [`service::Ctx`], wrap the result in an API type (entities are never API
//! types).

pub mod action;
pub mod agreement;
pub mod audit;
pub mod connection;
pub mod disclosure;
pub mod error;
pub mod event;
pub mod groups;
pub mod identity;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod membership;
pub mod organization;
pub mod project;
pub mod scalars;
pub mod space;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::state::AppState;
use action::{ActionMutation, ActionQuery};
use agreement::{AgreementMutation, AgreementQuery};
use audit::AuditQuery;
use disclosure::operations::{DisclosureMutation, DisclosureQuery};
pub use error::{GqlError, Result};
use event::operations::{EventMutation, EventQuery};
use groups::GroupMutation;
use identity::{IdentityMutation, IdentityQuery};
pub use loaders::Loaders;
use membership::MembershipMutation;
use organization::{OrganizationMutation, OrganizationQuery};
use project::operations::{ProjectMutation, ProjectQuery};
pub use scalars::{Date, DateTime};
use service::ApiError;
use space::{SpaceMutation, SpaceQuery};

#[derive(MergedObject, Default)]
pub struct Query(
    IdentityQuery,
    OrganizationQuery,
    AgreementQuery,
    ProjectQuery,
    ActionQuery,
    EventQuery,
    DisclosureQuery,
    SpaceQuery,
    AuditQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    OrganizationMutation,
    MembershipMutation,
    GroupMutation,
    AgreementMutation,
    ProjectMutation,
    ActionMutation,
    EventMutation,
    DisclosureMutation,
    SpaceMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// What a resolver has of its request: the shared state (for the password
/// hasher and token keys) and the service's request context — viewer, one
/// "now", connections and this request's DataLoaders.
pub struct RequestCtx {
    pub state: AppState,
    pub core: service::Ctx,
}

impl RequestCtx {
    pub fn new(
        state: AppState,
        viewer: service::auth::Viewer,
        now: chrono::DateTime<chrono::Utc>,
        client: Option<std::net::IpAddr>,
    ) -> Self {
        let core = state.request_at(viewer, now).from_client(client);
        RequestCtx { state, core }
    }
}

/// An optional input field as a patch: omitted → `None` (leave as is),
/// `null` → `Some(None)` (clear), a value → `Some(Some(value))`.
pub fn patch<T>(v: async_graphql::MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(x) => Some(Some(x)),
    }
}

pub fn request_ctx<'a>(ctx: &Context<'a>) -> std::result::Result<&'a RequestCtx, ApiError> {
    ctx.data::<RequestCtx>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("request context missing")))
}

/// The service's context of this request.
pub fn core<'a>(ctx: &Context<'a>) -> std::result::Result<&'a service::Ctx, ApiError> {
    Ok(&request_ctx(ctx)?.core)
}

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        // No "Did you mean ...?": it maps the schema for attackers.
        .disable_suggestions()
}

/// The SDL, exactly as served (what `yeondae export-schema` prints and
/// `schema.graphql` holds).
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The executable schema, with the request limits installed; without
/// `introspection`, `__schema` and `__type` are unknown fields.
pub fn build_schema(introspection: bool) -> anyhow::Result<AppSchema> {
    let shape = limits::SchemaShape::from_sdl(&sdl())?;
    let builder = builder().extension(limits::QueryLimits::new(shape, introspection));
    Ok(if introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    })
}
