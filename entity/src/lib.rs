//! SeaORM entities: one module per table. Columns are storage, not API —
//! the GraphQL layer wraps these models in its own types.

/// The `Relation` and `ActiveModelBehavior` of an entity. Relations are not
/// modelled: the joins a query needs are written in that query (the policy's
/// SQL conditions, the batched reads).
macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod agreement;
pub mod agreement_consent;
pub mod agreement_party;
pub mod api_token;
pub mod audit_entry;
pub mod booking;
pub mod invitation;
pub mod login_throttle;
pub mod membership;
pub mod organization;
pub mod refresh_token;
pub mod role;
pub mod session;
pub mod space;
pub mod user;

pub use agreement_consent::ConsentStatus;
pub use agreement_party::{PartyRole, PartyStatus};
pub use booking::BookingStatus;
pub use role::Role;
