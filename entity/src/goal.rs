use sea_orm::entity::prelude::*;

/// A project's goal. Quantities (target, progress) are stored as whole
/// ten-thousandths (`*_e4`), so sums are exact on every database.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub kind: GoalKind,
    /// Quantitative goals only.
    pub measure: Option<GoalMeasure>,
    pub title: String,
    pub unit: Option<String>,
    pub target_e4: Option<i64>,
    pub due_on: Option<Date>,
    pub status: GoalStatus,
    /// Where the readings come from when not recorded by hand (`measure`
    /// still says how they add up: an attendance rate is a LEVEL).
    pub source: Option<GoalSource>,
    /// For source ATTENDANCE: the series whose attendance is the reading.
    pub event_series_id: Option<Uuid>,
    /// For source DISCLOSURE_REQUESTS: only requests filed by them.
    pub disclosure_filed_by: Option<super::FiledBy>,
    /// For source DISCLOSURE_REQUESTS: only requests with a decision.
    pub disclosure_decided_only: bool,
    /// For source DISCLOSURE_REQUESTS: counting starts here when the
    /// project has no start (the goal's creation, in Seoul).
    pub counts_since: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

no_relations!();

text_enum! {
    pub enum GoalKind {
        Quantitative = "QUANTITATIVE",
        Qualitative = "QUALITATIVE",
    }
}

text_enum! {
    /// How a quantitative goal's `achieved` is computed.
    pub enum GoalMeasure {
        /// The sum of every recorded amount.
        Total = "TOTAL",
        /// The latest reading.
        Level = "LEVEL",
    }
}

text_enum! {
    /// Readings taken from records instead of recorded progress.
    pub enum GoalSource {
        /// The attendance rate (0..1) of an event series' past occurrences.
        Attendance = "ATTENDANCE",
        /// The count of the participating organizations' disclosure
        /// requests in the goal's period.
        DisclosureRequests = "DISCLOSURE_REQUESTS",
    }
}

text_enum! {
    pub enum GoalStatus {
        NotStarted = "NOT_STARTED",
        InProgress = "IN_PROGRESS",
        Achieved = "ACHIEVED",
        Missed = "MISSED",
        Dropped = "DROPPED",
    }
}
