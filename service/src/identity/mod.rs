//! Who people are: accounts, sessions and API tokens, and the lockout that
//! slows down password guessing.

pub mod accounts;
pub mod sessions;
pub mod throttle;
pub mod tokens;
