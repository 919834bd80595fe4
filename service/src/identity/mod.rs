//! Who people are: accounts, sessions and API tokens, and the lockout that
//! slows down password guessing.

pub mod accounts;
pub mod sessions;
pub mod throttle;
pub mod tokens;

/// The user with this e-mail (already normalized by
/// [`crate::validate::email`]), compared as the database's unique index
/// sees it, `lower(email)`, so the lookup uses that index.
pub fn email_is(email: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Expr::expr(Func::lower(Expr::col((
        entity::user::Entity,
        entity::user::Column::Email,
    ))))
    .eq(email)
}
