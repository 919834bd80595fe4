//! Joint projects (공동사업), their goals and the progress partners record
//! towards them. Who reads a project is the policy's
//! ([`crate::policy::sharing::project_visible`]); who may change what is
//! [`crate::policy::projects`]; the status rules are [`transitions`].

pub mod amount;
pub mod attendance;
pub mod goals;
pub mod projects;
pub mod reads;
pub mod series;
mod tally;
pub mod transitions;

pub use goals::{NewGoal, NewProgress};
pub use projects::{NewProject, ProjectFilter};
pub use series::{Interval, Series};
