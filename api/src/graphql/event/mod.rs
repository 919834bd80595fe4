//! Events and RSVPs: the API types over the event services. The queries
//! and mutations are in [`operations`].

pub mod operations;

use async_graphql::{Context, Enum, ID, Object};

use super::identity::User;
use super::organization::Organization;
use super::project::{Project, VisibilityGql};
use super::space::Space;
use super::{DateTime, Result, core, ids};
use entity::{event, event_series, rsvp};
use service::ApiError;
use service::event::{events, rsvps, series};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "EventStatus", remote = "entity::EventStatus")]
pub enum EventStatusGql {
    Scheduled,
    Cancelled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "RsvpStatus", remote = "entity::RsvpStatus")]
pub enum RsvpStatusGql {
    Going,
    Maybe,
    Declined,
    Waitlisted,
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A meeting, workshop or rally date, hosted by an organization.
#[derive(Clone)]
pub struct Event(pub event::Model);

#[Object]
impl Event {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    async fn ends_at(&self) -> DateTime {
        self.0.ends_at.into()
    }

    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// When set, the event holds a booking of this space for its time (PENDING where the owner approves bookings; freed when the event is cancelled). Shown as a reference where the viewer may not see the space itself.
    async fn space(&self, ctx: &Context<'_>) -> Result<Option<Space>> {
        let found = events::space(core(ctx)?, &self.0).await?;
        Ok(found.map(|(model, full)| Space::shown(model, full)))
    }

    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// An invitee-only event is seen by its invitees and the host's ADMIN+ only, whatever its visibility.
    async fn visibility(&self) -> VisibilityGql {
        self.0.visibility.into()
    }

    async fn status(&self) -> EventStatusGql {
        self.0.status.into()
    }

    async fn host(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.host_organization_id).await
    }

    /// The partners co-hosting it now: an organization stops co-hosting when its EVENTS partnership with the host ends.
    async fn co_hosts(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let orgs = events::co_hosts(core(ctx)?, &self.0).await?;
        Ok(orgs.into_iter().map(Organization).collect())
    }

    /// Null also when the viewer may not see the project.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(events::project(core(ctx)?, &self.0).await?.map(Project))
    }

    async fn going_count(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(count(rsvps::counts(core(ctx)?, &self.0).await?.0))
    }

    async fn waitlist_count(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(count(rsvps::counts(core(ctx)?, &self.0).await?.1))
    }

    /// The viewer's own answer.
    async fn viewer_rsvp(&self, ctx: &Context<'_>) -> Result<Option<Rsvp>> {
        Ok(rsvps::viewer_rsvp(core(ctx)?, &self.0).await?.map(Rsvp))
    }

    /// Visible to members of the host and co-host organizations only (empty for everyone else); in the order the answers were given, so WAITLISTED lists the waitlist in turn.
    async fn rsvps(
        &self,
        ctx: &Context<'_>,
        status: Option<RsvpStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RsvpConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = rsvps::list(core(ctx)?, &self.0, status.map(Into::into), args).await?;
        Ok(RsvpConnection::from_listing(listing, Rsvp))
    }

    /// Checked-in / GOING, or checked-in invitees / invitees where there is an invitee list; host and co-host members only, otherwise null (also null while nobody is expected).
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(rsvps::attendance_rate(core(ctx)?, &self.0).await?)
    }

    /// Set when only named people are expected (e.g. an executive committee).
    async fn invited_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(rsvps::invited_count(core(ctx)?, &self.0).await?.map(count))
    }

    /// The series this is an occurrence of.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<EventSeries>> {
        Ok(series::of_event(core(ctx)?, &self.0)
            .await?
            .map(EventSeries))
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(Into::into)
    }
}

crate::connection_type!(EventConnection, EventEdge, Event);

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "SeriesScope", remote = "service::event::SeriesScope")]
/// Which occurrences of a series a change applies to.
pub enum SeriesScopeGql {
    This,
    ThisAndFollowing,
    All,
}

/// A recurring event: its occurrences share a seriesId.
#[derive(Clone)]
pub struct EventSeries(pub event_series::Model);

#[Object]
impl EventSeries {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    /// The RFC 5545 RRULE the occurrences were expanded from, in the host's time zone.
    async fn rule(&self) -> &str {
        &self.0.rule
    }

    async fn host(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.host_organization_id).await
    }

    /// The occurrences the viewer may read, by start (cancelled ones included).
    async fn occurrences(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let listing = series::occurrences(core(ctx)?, self.0.id, args).await?;
        Ok(EventConnection::from_listing(listing, Event))
    }

    /// Over past occurrences (checked-in / expected, summed); host and co-host members only, otherwise null.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(series::attendance_rate(core(ctx)?, &self.0).await?)
    }
}

/// One person's answer to an event.
#[derive(Clone)]
pub struct Rsvp(pub rsvp::Model);

#[Object]
impl Rsvp {
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        User::load(ctx, self.0.user_id).await
    }

    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        let found = core(ctx)?.reads().event(self.0.event_id).await?;
        Ok(Event(found.ok_or(ApiError::NotFound("event"))?))
    }

    async fn status(&self) -> RsvpStatusGql {
        self.0.status.into()
    }

    /// When this answer was last given.
    async fn responded_at(&self) -> DateTime {
        self.0.responded_at.into()
    }

    async fn checked_in_at(&self) -> Option<DateTime> {
        self.0.checked_in_at.map(Into::into)
    }
}

crate::connection_type!(RsvpConnection, RsvpEdge, Rsvp);
