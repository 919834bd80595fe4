use sea_orm::entity::prelude::*;

/// An MOU between organizations. Its status is derived, never stored: see
/// the agreement module of the API. `active_from`/`active_until` are
/// `starts_on`/`ends_on` as instants in the convener's time zone (start of
/// `starts_on`, start of the day after `ends_on`), so "is it active now"
/// is a plain timestamp comparison on both databases.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub convener_id: Uuid,
    pub title: String,
    pub purpose: Option<String>,
    /// The sharing scopes: which of each other's data the parties see.
    pub shares_projects: bool,
    pub shares_events: bool,
    pub shares_actions: bool,
    pub shares_spaces: bool,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// `starts_on` and the day after `ends_on` at midnight in the convener's
    /// time zone: the instants sharing is checked against, fixed at
    /// ratification.
    pub active_from: DateTimeUtc,
    pub active_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
    pub proposed_at: Option<DateTimeUtc>,
    /// When every party had answered with at least two signatures; sharing
    /// needs it.
    pub ratified_at: Option<DateTimeUtc>,
    pub terminated_at: Option<DateTimeUtc>,
    pub terminated_by: Option<Uuid>,
}

no_relations!();
