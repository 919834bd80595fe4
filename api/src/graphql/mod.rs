//! The GraphQL schema: one Query/Mutation type per domain, merged here, plus
//! the per-request context every resolver reads.

pub mod connection;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod scalars;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::agreement::{AgreementMutation, AgreementQuery};
use crate::audit::AuditQuery;
use crate::auth::Viewer;
use crate::error::ApiError;
use crate::identity::{IdentityMutation, IdentityQuery};
use crate::membership::MembershipMutation;
use crate::organization::{OrganizationMutation, OrganizationQuery};
use crate::space::{SpaceMutation, SpaceQuery};
use crate::state::AppState;
pub use loaders::Loaders;
pub use scalars::{Date, DateTime};

#[derive(MergedObject, Default)]
pub struct Query(
    IdentityQuery,
    OrganizationQuery,
    AgreementQuery,
    SpaceQuery,
    AuditQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    OrganizationMutation,
    MembershipMutation,
    AgreementMutation,
    SpaceMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Everything a resolver needs for one request: shared state, the caller,
/// this request's DataLoaders, and its one "now" — read once, so every
/// status and every visibility rule in a response agrees on the time.
pub struct RequestCtx {
    pub state: AppState,
    pub viewer: Viewer,
    pub loaders: Loaders,
    now: chrono::DateTime<Utc>,
}

impl RequestCtx {
    pub fn new(state: AppState, viewer: Viewer) -> Self {
        let now = state.clock.now();
        let loaders = Loaders::new(&state.db, &viewer, now);
        RequestCtx {
            state,
            viewer,
            loaders,
            now,
        }
    }

    /// The pool for reads.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The pool for mutations (see [`crate::state::Inner::writer`]).
    pub fn writer(&self) -> &DatabaseConnection {
        &self.state.writer
    }

    pub fn now(&self) -> chrono::DateTime<Utc> {
        self.now
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

pub fn request_ctx<'a>(ctx: &Context<'a>) -> Result<&'a RequestCtx, ApiError> {
    ctx.data::<RequestCtx>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("request context missing")))
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

/// The executable schema, with the request limits installed.
pub fn build_schema() -> anyhow::Result<AppSchema> {
    let shape = limits::SchemaShape::from_sdl(&sdl())?;
    Ok(builder()
        .extension(limits::QueryLimits::new(shape))
        .finish())
}
