use sea_orm::entity::prelude::*;

/// Failed log-in bookkeeping, keyed by the (lower-cased) e-mail that was
/// tried — whether or not an account exists, so the lockout itself does not
/// reveal which e-mails are registered.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    pub failures: i32,
    /// No attempt is evaluated before this instant.
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

no_relations!();
