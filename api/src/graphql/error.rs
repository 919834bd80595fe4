//! The service's errors as GraphQL errors: the one place a domain error
//! gets its `extensions` (code, field, conflicts...) and an internal error
//! is logged and masked. Resolvers return [`Result`], so `?` on a service
//! call lands here.

use async_graphql::ErrorExtensions;
use service::ApiError;

/// A resolver's error: a service error on its way to the client.
#[derive(Debug)]
pub struct GqlError(pub ApiError);

/// What resolvers return.
pub type Result<T> = std::result::Result<T, GqlError>;

impl From<ApiError> for GqlError {
    fn from(e: ApiError) -> Self {
        GqlError(e)
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(GqlError(e): GqlError) -> Self {
        to_graphql(&e)
    }
}

/// The GraphQL error sent to the client for `e`.
pub fn to_graphql(e: &ApiError) -> async_graphql::Error {
    e.log_internal();
    let extensions = e.extensions();
    async_graphql::Error::new(e.message()).extend_with(|_, ext| {
        for (name, value) in extensions {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                ext.set(name, value);
            }
        }
    })
}
