use sea_orm::entity::prelude::*;

/// A recurring event: the rule its occurrences (`events.series_id`) were
/// expanded from, in the host's time zone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_organization_id: Uuid,
    pub rule: String,
    /// How long each occurrence lasts as the rule made it.
    pub length_secs: i64,
    pub created_at: DateTimeUtc,
}

no_relations!();
