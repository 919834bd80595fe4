//! Batched reads of events and RSVPs, for the transports' loaders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::paging::{Page, PageArgs, count_by_parent, pages_sorted};
use crate::policy::sharing;
use entity::{RsvpStatus, event, event_co_host, event_invitee, event_series, project, rsvp};

/// Events overlapping `[from, to)`, either end open.
pub type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// [`Window`] as a condition on `events`.
pub fn overlapping(window: Window) -> Condition {
    let mut cond = Condition::all();
    if let Some(from) = window.0 {
        cond = cond.add(event::Column::EndsAt.gt(from));
    }
    if let Some(to) = window.1 {
        cond = cond.add(event::Column::StartsAt.lt(to));
    }
    cond
}

/// The counts behind an event's `goingCount`, `waitlistCount`,
/// `invitedCount` and `attendanceRate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RsvpTally {
    pub going: i64,
    pub waitlisted: i64,
    pub checked_in: i64,
    pub invited: i64,
    pub checked_in_invitees: i64,
}

impl RsvpTally {
    /// Who came and who was expected: checked-in invitees and invitees for
    /// an invitee-only event, else checked-in and GOING.
    pub fn attendance(&self, invitees_only: bool) -> Attendance {
        if invitees_only {
            Attendance {
                came: self.checked_in_invitees,
                expected: self.invited,
            }
        } else {
            Attendance {
                came: self.checked_in,
                expected: self.going,
            }
        }
    }

    /// [`RsvpTally::attendance`] as a rate; `None` when nobody is expected.
    pub fn rate(&self, invitees_only: bool) -> Option<f64> {
        self.attendance(invitees_only).rate()
    }
}

/// The reads events need, batched per request: the event domain's part of
/// [`crate::Reads`].
#[async_trait::async_trait]
pub trait EventReads: Send + Sync {
    /// An event by id, regardless of visibility.
    async fn event(&self, id: Uuid) -> ApiResult<Option<event::Model>>;
    /// The events an organization hosts that the viewer may read, by start.
    async fn organization_events(
        &self,
        organization: Uuid,
        window: Window,
        args: PageArgs,
    ) -> ApiResult<Page<event::Model>>;
    async fn organization_event_count(&self, organization: Uuid, window: Window) -> ApiResult<i64>;
    async fn project_events(&self, project: Uuid, args: PageArgs) -> ApiResult<Page<event::Model>>;
    async fn project_event_count(&self, project: Uuid) -> ApiResult<i64>;
    /// The organizations co-hosting an event now.
    async fn event_co_hosts(&self, event: Uuid) -> ApiResult<Vec<Uuid>>;
    async fn rsvp_tally(&self, event: Uuid) -> ApiResult<RsvpTally>;
    /// The viewer's own answer to an event.
    async fn viewer_rsvp(&self, event: Uuid) -> ApiResult<Option<rsvp::Model>>;
    async fn rsvp_page(
        &self,
        event: Uuid,
        status: Option<RsvpStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<rsvp::Model>>;
    async fn rsvp_count(&self, event: Uuid, status: Option<RsvpStatus>) -> ApiResult<i64>;
    /// Whether the viewer may see a project (an event's `project`).
    async fn project_visible(&self, project: Uuid) -> ApiResult<bool>;
    /// A series by id, regardless of visibility.
    async fn event_series(&self, id: Uuid) -> ApiResult<Option<event_series::Model>>;
    /// The occurrences of a series the viewer may read, by start.
    async fn series_occurrences(
        &self,
        series: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<event::Model>>;
    async fn series_occurrence_count(&self, series: Uuid) -> ApiResult<i64>;
    /// People who came and people expected over a series' past occurrences.
    async fn series_attendance(&self, series: Uuid) -> ApiResult<Attendance>;
    /// A member group's current members (the invitee lists events draw on).
    async fn group_members(&self, group: Uuid) -> ApiResult<Vec<Uuid>>;
}

/// Who came and who was expected, summed over occurrences.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    pub came: i64,
    pub expected: i64,
}

impl Attendance {
    pub fn add(&mut self, other: Attendance) {
        self.came += other.came;
        self.expected += other.expected;
    }

    pub fn rate(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.came as f64 / self.expected as f64)
    }
}

/// The attendance of each series over its past occurrences: those
/// SCHEDULED that ended by `now` — checked-in invitees over invitees where
/// an occurrence names them, else checked-in over GOING, summed.
pub async fn series_attendance_of(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    series: &[Uuid],
) -> Result<HashMap<Uuid, Attendance>, DbErr> {
    let mut out: HashMap<Uuid, Attendance> =
        series.iter().map(|s| (*s, Attendance::default())).collect();
    for (e, a) in past_attendance(db, series, now).await? {
        if let Some(series) = e.series_id {
            out.entry(series).or_default().add(a);
        }
    }
    Ok(out)
}

/// Each SCHEDULED occurrence of the series that ended by `until`, with who
/// came and who was expected.
pub async fn past_attendance(
    db: &impl ConnectionTrait,
    series: &[Uuid],
    until: DateTime<Utc>,
) -> Result<Vec<(event::Model, Attendance)>, DbErr> {
    let past: Vec<event::Model> = event::Entity::find()
        .filter(event::Column::SeriesId.is_in(series.iter().copied()))
        .filter(event::Column::Status.eq(entity::EventStatus::Scheduled))
        .filter(event::Column::EndsAt.lte(until))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = past.iter().map(|e| e.id).collect();
    let tallies = tallies_of(db, &ids).await?;
    Ok(past
        .into_iter()
        .map(|e| {
            let a = tallies
                .get(&e.id)
                .copied()
                .unwrap_or_default()
                .attendance(e.invitees_only);
            (e, a)
        })
        .collect())
}

/// A page of the events of each parent (`parent` is the host or the
/// project column) that the viewer may read, by start.
pub async fn event_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    parent: event::Column,
    parents: &[Uuid],
    window: Window,
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<event::Model>>, DbErr> {
    pages_sorted::<event::Entity, DateTime<Utc>>(
        db,
        parent,
        event::Column::StartsAt,
        event::Column::Id,
        parents,
        Condition::all()
            .add(sharing::event_visible(viewer, now))
            .add(overlapping(window)),
        args,
    )
    .await
}

pub async fn event_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    parent: event::Column,
    parents: &[Uuid],
    window: Window,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let cond = Condition::all()
        .add(sharing::event_visible(viewer, now))
        .add(overlapping(window));
    count_by_parent::<event::Entity, _>(db, parent, parents, cond).await
}

/// The organizations co-hosting each event now.
pub async fn co_hosts_of(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    events: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let ch = Alias::new("ch");
    let mut q = sharing::current_co_hosts(None, now);
    q.and_where(
        Expr::col((ch.clone(), event_co_host::Column::EventId)).is_in(events.iter().copied()),
    )
    .order_by((ch, event_co_host::Column::Id), sea_orm::Order::Asc);
    let mut out: HashMap<Uuid, Vec<Uuid>> = events.iter().map(|e| (*e, Vec::new())).collect();
    for row in db.query_all(&q).await? {
        let event: Uuid = row.try_get_by_index(0)?;
        let organization: Uuid = row.try_get_by_index(1)?;
        out.entry(event).or_default().push(organization);
    }
    Ok(out)
}

fn count_when(condition: &str, alias: &str) -> (Expr, Alias) {
    (
        Expr::cust(format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")),
        Alias::new(alias),
    )
}

/// The tallies of each event: two grouped queries, one over the answers
/// and one over the invitees.
pub async fn tallies_of(
    db: &impl ConnectionTrait,
    events: &[Uuid],
) -> Result<HashMap<Uuid, RsvpTally>, DbErr> {
    let mut q = Query::select();
    q.column(rsvp::Column::EventId);
    for (expr, alias) in [
        count_when("status = 'GOING'", "going"),
        count_when("status = 'WAITLISTED'", "waitlisted"),
        count_when("checked_in_at IS NOT NULL", "checked_in"),
    ] {
        q.expr_as(expr, alias);
    }
    q.from(rsvp::Entity)
        .and_where(rsvp::Column::EventId.is_in(events.iter().copied()))
        .group_by_col(rsvp::Column::EventId);
    let mut out: HashMap<Uuid, RsvpTally> =
        events.iter().map(|e| (*e, RsvpTally::default())).collect();
    for row in db.query_all(&q).await? {
        let tally = out.entry(row.try_get("", "event_id")?).or_default();
        tally.going = row.try_get("", "going")?;
        tally.waitlisted = row.try_get("", "waitlisted")?;
        tally.checked_in = row.try_get("", "checked_in")?;
    }
    let (i, r) = (Alias::new("i"), Alias::new("r"));
    let mut q = Query::select();
    q.column((i.clone(), event_invitee::Column::EventId))
        .expr_as(
            Func::count(Expr::col(sea_orm::sea_query::Asterisk)),
            Alias::new("invited"),
        )
        .expr_as(
            Func::count(Expr::col((r.clone(), rsvp::Column::CheckedInAt))),
            Alias::new("came"),
        )
        .from_as(event_invitee::Entity, i.clone())
        .join_as(
            JoinType::LeftJoin,
            rsvp::Entity,
            r.clone(),
            Condition::all()
                .add(
                    Expr::col((r.clone(), rsvp::Column::EventId))
                        .equals((i.clone(), event_invitee::Column::EventId)),
                )
                .add(
                    Expr::col((r, rsvp::Column::UserId))
                        .equals((i.clone(), event_invitee::Column::UserId)),
                ),
        )
        .and_where(
            Expr::col((i.clone(), event_invitee::Column::EventId)).is_in(events.iter().copied()),
        )
        .group_by_col((i, event_invitee::Column::EventId));
    for row in db.query_all(&q).await? {
        let tally = out.entry(row.try_get("", "event_id")?).or_default();
        tally.invited = row.try_get("", "invited")?;
        tally.checked_in_invitees = row.try_get("", "came")?;
    }
    Ok(out)
}

/// One user's answers to each event.
pub async fn rsvps_of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
    events: &[Uuid],
) -> Result<HashMap<Uuid, rsvp::Model>, DbErr> {
    let rows = rsvp::Entity::find()
        .filter(rsvp::Column::UserId.eq(user))
        .filter(rsvp::Column::EventId.is_in(events.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.event_id, r)).collect())
}

fn status_filter(status: Option<RsvpStatus>) -> Condition {
    match status {
        Some(status) => Condition::all().add(rsvp::Column::Status.eq(status)),
        None => Condition::all(),
    }
}

/// A page of each event's answers, in the order they were last given
/// (the waitlist's order). Reached from an event whose attendance the
/// viewer may see.
pub async fn rsvp_pages(
    db: &impl ConnectionTrait,
    status: Option<RsvpStatus>,
    events: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<rsvp::Model>>, DbErr> {
    pages_sorted::<rsvp::Entity, i64>(
        db,
        rsvp::Column::EventId,
        rsvp::Column::Position,
        rsvp::Column::Id,
        events,
        status_filter(status),
        args,
    )
    .await
}

pub async fn rsvp_counts(
    db: &impl ConnectionTrait,
    status: Option<RsvpStatus>,
    events: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<rsvp::Entity, _>(db, rsvp::Column::EventId, events, status_filter(status))
        .await
}

/// Which of the projects the viewer may see.
pub async fn visible_project_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .filter(project::Column::Id.is_in(ids.iter().copied()))
        .filter(sharing::project_visible(viewer, now))
        .into_tuple()
        .all(db)
        .await
}
