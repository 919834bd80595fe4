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

/// An enum stored as text (`'PLANNED'`, ...) that the migration guards with
/// a CHECK constraint; `as_str` gives the stored text and `ALL` every value.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum,
            serde::Serialize, serde::Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }
    };
}

pub mod agency;
pub mod agreement;
pub mod agreement_consent;
pub mod agreement_party;
pub mod api_token;
pub mod audit_entry;
pub mod booking;
pub mod citizen_submission;
pub mod disclosure_attachment;
pub mod disclosure_request;
pub mod endorsement;
pub mod event;
pub mod event_co_host;
pub mod event_invitee;
pub mod event_series;
pub mod goal;
pub mod goal_progress;
pub mod invitation;
pub mod login_throttle;
pub mod member_group;
pub mod member_group_member;
pub mod membership;
pub mod organization;
pub mod project;
pub mod project_participant;
pub mod refresh_token;
pub mod role;
pub mod rsvp;
pub mod session;
pub mod solidarity_action;
pub mod space;
pub mod user;
pub mod visibility;

pub use agency::AgencyKind;
pub use agreement_consent::ConsentStatus;
pub use agreement_party::{PartyRole, PartyStatus};
pub use booking::BookingStatus;
pub use disclosure_request::{
    AppealKind, DisclosureChannel, DisclosureStatus, FiledBy, ObjectionOutcome,
};
pub use event::EventStatus;
pub use goal::{GoalKind, GoalMeasure, GoalSource, GoalStatus};
pub use project::ProjectStatus;
pub use role::Role;
pub use rsvp::RsvpStatus;
pub use solidarity_action::{ActionKind, ActionStatus};
pub use visibility::Visibility;
