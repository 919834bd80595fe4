use sea_orm::entity::prelude::*;

/// Failed log-in bookkeeping for one key: an e-mail tried from one client
/// (`login:<e-mail> <client>`), or a client across every e-mail it tried
/// (`client:<client>`). Kept whether or not an account exists, so the
/// lockout itself does not reveal which e-mails are registered; rows idle
/// for a day are deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub failures: i32,
    /// No attempt is evaluated before this instant.
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

no_relations!();
