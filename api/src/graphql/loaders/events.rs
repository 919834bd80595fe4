//! The loaders behind [`EventReads`]: events, co-hosts and RSVPs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::{Cached, PagesKey, batch, by_id, flags, maybe, one, per_argument};
use entity::{RsvpStatus, event, event_series, rsvp};
use service::ApiResult;
use service::auth::Viewer;
use service::event::reads::{self as events, Attendance, EventReads, RsvpTally, Window};
use service::paging::{Page, PageArgs};

/// No window: every event.
const ALL: Window = (None, None);

type StatusPagesKey = PagesKey<(Option<RsvpStatus>, PageArgs)>;

pub(super) struct EventLoaders {
    events: Cached<Uuid, event::Model>,
    org_events: Cached<PagesKey<(Window, PageArgs)>, Page<event::Model>>,
    org_event_counts: Cached<PagesKey<Window>, i64>,
    project_events: Cached<PagesKey<PageArgs>, Page<event::Model>>,
    project_event_counts: Cached<Uuid, i64>,
    co_hosts: Cached<Uuid, Vec<Uuid>>,
    tallies: Cached<Uuid, RsvpTally>,
    viewer_rsvps: Cached<Uuid, rsvp::Model>,
    rsvp_pages: Cached<StatusPagesKey, Page<rsvp::Model>>,
    rsvp_counts: Cached<PagesKey<Option<RsvpStatus>>, i64>,
    project_visible: Cached<Uuid, bool>,
    series: Cached<Uuid, event_series::Model>,
    series_occurrences: Cached<PagesKey<PageArgs>, Page<event::Model>>,
    series_occurrence_counts: Cached<Uuid, i64>,
    series_attendance: Cached<Uuid, Attendance>,
    group_members: Cached<Uuid, Vec<Uuid>>,
}

impl EventLoaders {
    pub(super) fn new(
        db: &DatabaseConnection,
        with: &impl Fn() -> (DatabaseConnection, Viewer),
        now: DateTime<Utc>,
    ) -> Self {
        use event::Column::{HostOrganizationId as Host, ProjectId as Project, SeriesId as Series};
        EventLoaders {
            events: by_id::<event::Entity>(db, event::Column::Id, |m| m.id),
            org_events: per_argument(with, move |db, viewer, (window, args), orgs| async move {
                events::event_pages(&db, &viewer, now, Host, &orgs, window, &args).await
            }),
            org_event_counts: per_argument(with, move |db, viewer, window, orgs| async move {
                events::event_counts(&db, &viewer, now, Host, &orgs, window).await
            }),
            project_events: per_argument(with, move |db, viewer, args, ids| async move {
                events::event_pages(&db, &viewer, now, Project, &ids, ALL, &args).await
            }),
            project_event_counts: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                events::event_counts(&db, &viewer, now, Project, &ids, ALL).await
            }),
            co_hosts: loader!(with, |db, _, ids: Vec<Uuid>| {
                events::co_hosts_of(&db, now, &ids).await
            }),
            tallies: loader!(with, |db, _, ids: Vec<Uuid>| {
                events::tallies_of(&db, &ids).await
            }),
            viewer_rsvps: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                match viewer.user_id() {
                    Some(user) => events::rsvps_of_user(&db, user, &ids).await,
                    None => Ok(Default::default()),
                }
            }),
            rsvp_pages: per_argument(with, |db, _, (status, args), ids| async move {
                events::rsvp_pages(&db, status, &ids, &args).await
            }),
            rsvp_counts: per_argument(with, |db, _, status, ids| async move {
                events::rsvp_counts(&db, status, &ids).await
            }),
            project_visible: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                let yes = events::visible_project_ids(&db, &viewer, now, &ids).await?;
                Ok::<_, DbErr>(flags(ids, yes))
            }),
            series: by_id::<event_series::Entity>(db, event_series::Column::Id, |m| m.id),
            series_occurrences: per_argument(with, move |db, viewer, args, ids| async move {
                events::event_pages(&db, &viewer, now, Series, &ids, ALL, &args).await
            }),
            series_occurrence_counts: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                events::event_counts(&db, &viewer, now, Series, &ids, ALL).await
            }),
            series_attendance: loader!(with, |db, _, ids: Vec<Uuid>| {
                events::series_attendance_of(&db, now, &ids).await
            }),
            group_members: loader!(with, |db, _, ids: Vec<Uuid>| {
                service::membership::groups::current_members_of(&db, &ids).await
            }),
        }
    }
}

#[async_trait]
impl EventReads for super::Loaders {
    async fn event(&self, id: Uuid) -> ApiResult<Option<event::Model>> {
        maybe(&self.events.events, id).await
    }

    async fn organization_events(
        &self,
        organization: Uuid,
        window: Window,
        args: PageArgs,
    ) -> ApiResult<Page<event::Model>> {
        one(&self.events.org_events, (organization, (window, args))).await
    }

    async fn organization_event_count(&self, organization: Uuid, window: Window) -> ApiResult<i64> {
        one(&self.events.org_event_counts, (organization, window)).await
    }

    async fn project_events(&self, project: Uuid, args: PageArgs) -> ApiResult<Page<event::Model>> {
        one(&self.events.project_events, (project, args)).await
    }

    async fn project_event_count(&self, project: Uuid) -> ApiResult<i64> {
        one(&self.events.project_event_counts, project).await
    }

    async fn event_co_hosts(&self, event: Uuid) -> ApiResult<Vec<Uuid>> {
        one(&self.events.co_hosts, event).await
    }

    async fn rsvp_tally(&self, event: Uuid) -> ApiResult<RsvpTally> {
        one(&self.events.tallies, event).await
    }

    async fn viewer_rsvp(&self, event: Uuid) -> ApiResult<Option<rsvp::Model>> {
        maybe(&self.events.viewer_rsvps, event).await
    }

    async fn rsvp_page(
        &self,
        event: Uuid,
        status: Option<RsvpStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<rsvp::Model>> {
        one(&self.events.rsvp_pages, (event, (status, args))).await
    }

    async fn rsvp_count(&self, event: Uuid, status: Option<RsvpStatus>) -> ApiResult<i64> {
        one(&self.events.rsvp_counts, (event, status)).await
    }

    async fn project_visible(&self, project: Uuid) -> ApiResult<bool> {
        one(&self.events.project_visible, project).await
    }

    async fn event_series(&self, id: Uuid) -> ApiResult<Option<event_series::Model>> {
        maybe(&self.events.series, id).await
    }

    async fn series_occurrences(
        &self,
        series: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<event::Model>> {
        one(&self.events.series_occurrences, (series, args)).await
    }

    async fn series_occurrence_count(&self, series: Uuid) -> ApiResult<i64> {
        one(&self.events.series_occurrence_counts, series).await
    }

    async fn series_attendance(&self, series: Uuid) -> ApiResult<Attendance> {
        one(&self.events.series_attendance, series).await
    }

    async fn group_members(&self, group: Uuid) -> ApiResult<Vec<Uuid>> {
        one(&self.events.group_members, group).await
    }
}
