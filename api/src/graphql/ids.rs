//! IDs are UUIDs in canonical text form. A malformed ID is the caller's
//! mistake (BAD_USER_INPUT naming the argument); a well-formed one that the
//! caller cannot see is NOT_FOUND, decided by the services.

use async_graphql::ID;
use uuid::Uuid;

use service::ApiError;

pub fn parse(id: &ID, field: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| ApiError::bad_input(field, format!("`{field}` is not a valid ID")))
}

/// An optional ID argument or input field.
pub fn parse_opt(id: Option<&ID>, field: &str) -> Result<Option<Uuid>, ApiError> {
    id.map(|id| parse(id, field)).transpose()
}

/// A list of IDs, each parsed as [`parse`] would.
pub fn parse_all(ids: &[ID], field: &str) -> Result<Vec<Uuid>, ApiError> {
    ids.iter().map(|id| parse(id, field)).collect()
}

pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}
