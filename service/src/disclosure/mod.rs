//! Information-disclosure requests (정보공개청구) and the agencies (기관)
//! they go to. Who reads a request is the policy's
//! ([`crate::policy::sharing::disclosure_visible`]); who may change one is
//! [`crate::policy::disclosure`]; its life under the law is
//! [`transitions`].

pub mod agencies;
pub mod attachments;
pub mod citizens;
pub mod files;
pub mod goals;
pub mod lifecycle;
pub mod reads;
pub mod requests;
pub mod spreadsheet;
pub mod stats;
pub mod transitions;

pub use reads::OrgFilter;
pub use requests::{NewRequest, RequestFilter};
pub use transitions::Decision;
