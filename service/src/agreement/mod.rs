//! Agreements (MOUs): the lifecycle, the parties and their answers,
//! amendments that need every partner's consent, and the reads. Its status
//! is derived from time ([`status`]); its state machine is pure
//! ([`transitions`]).

pub mod amendments;
pub mod lifecycle;
pub mod parties;
pub mod reads;
pub mod status;
pub mod transitions;

pub use lifecycle::{AgreementPatch, NewAgreement, Scopes};
pub use status::AgreementStatus;
pub use transitions::Answer;
