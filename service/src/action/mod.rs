//! Solidarity actions (연대활동) — joint statements, press conferences,
//! rallies, petitions — and the endorsements (연명) organizations give them.
//! Who reads one is the policy's ([`crate::policy::sharing::action_visible`]);
//! who may change what is [`crate::policy::actions`]; the life cycle is
//! [`transitions`].

pub mod actions;
pub mod endorsements;
pub mod reads;
pub mod transitions;

pub use actions::NewAction;
