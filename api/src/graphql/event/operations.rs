//! Events' queries and mutations: thin resolvers over the event services.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Event, EventConnection, EventSeries, Rsvp, RsvpStatusGql, SeriesScopeGql};
use crate::graphql::project::VisibilityGql;
use crate::graphql::{DateTime, Result, core, ids, patch};
use service::event::{
    EventFilter, EventPatch, NewEvent, SeriesScope, changes, events, rsvps, series,
};

#[derive(InputObject)]
pub struct CreateEventInput {
    /// EDITOR+ of it hosts the event.
    host_organization_id: ID,
    title: String,
    description: Option<String>,
    starts_at: DateTime,
    /// After `startsAt`; an event lasts at most 31 days (a day where it holds a space).
    ends_at: DateTime,
    location: Option<String>,
    /// Books the space for the event's time in the same transaction, under the spaces rules (CONFLICT listing every clash; PENDING where the owner approves bookings). Not for times in the past.
    space_id: Option<ID>,
    /// GOING beyond it becomes WAITLISTED; none: no limit.
    capacity: Option<i32>,
    visibility: VisibilityGql,
    /// A project the host takes part in.
    project_id: Option<ID>,
    /// Partners of the host for EVENTS; their members read the event, their EDITOR+ check people in.
    co_host_ids: Option<Vec<ID>>,
    /// An RFC 5545 RRULE in the host's time zone, with COUNT or UNTIL; at most 100 occurrences. With a space, every occurrence is booked or none.
    recurrence: Option<String>,
    /// Only these users (members of the host) are expected; the event is visible to them and the host's ADMIN+.
    invitee_user_ids: Option<Vec<ID>>,
    /// A member group of the host: its current members are invited (with any inviteeUserIds); a later change of the group leaves the event's invitees as they are.
    invitee_group_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateEventInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
    /// Moving an event that holds a space moves its booking (the old time is freed).
    starts_at: Option<DateTime>,
    ends_at: Option<DateTime>,
    location: MaybeUndefined<String>,
    /// More seats promote the waitlist in order; null removes the limit; fewer seats than people GOING is CONFLICT.
    capacity: MaybeUndefined<i32>,
    visibility: Option<VisibilityGql>,
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events visible to the viewer, ordered by startsAt; `from`/`to` keep those overlapping [from, to); `search` matches part of the title, case-insensitively.
    async fn events(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime>,
        to: Option<DateTime>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection> {
        let args = crate::graphql::connection::args(ctx, first, after)?;
        let filter = EventFilter {
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            search,
        };
        let listing = events::list(core(ctx)?, filter, &args).await?;
        Ok(EventConnection::from_listing(listing, Event))
    }

    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Event>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Event(events::find(core(ctx)?, id).await?)))
    }

    /// A series one of whose occurrences the viewer may read.
    async fn event_series(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EventSeries>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(EventSeries(series::find(core(ctx)?, id).await?)))
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// EDITOR+ of the host. With spaceId, the space is booked for the event in the same transaction (CONFLICT if taken); with recurrence, a series is created and the first occurrence returned.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> Result<Event> {
        let input = NewEvent {
            host_organization_id: ids::parse(&input.host_organization_id, "hostOrganizationId")?,
            title: input.title,
            description: input.description,
            starts_at: input.starts_at.0,
            ends_at: input.ends_at.0,
            location: input.location,
            space_id: ids::parse_opt(input.space_id.as_ref(), "spaceId")?,
            capacity: input.capacity,
            visibility: input.visibility.into(),
            project_id: ids::parse_opt(input.project_id.as_ref(), "projectId")?,
            co_host_ids: ids::parse_all(
                input.co_host_ids.as_deref().unwrap_or_default(),
                "coHostIds",
            )?,
            recurrence: input.recurrence,
            invitee_user_ids: input
                .invitee_user_ids
                .as_deref()
                .map(|l| ids::parse_all(l, "inviteeUserIds"))
                .transpose()?,
            invitee_group_id: ids::parse_opt(input.invitee_group_id.as_ref(), "inviteeGroupId")?,
        };
        Ok(Event(events::create(core(ctx)?, input).await?))
    }

    /// EDITOR+ of the host, while the event is SCHEDULED.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEventInput,
    ) -> Result<Event> {
        let id = ids::parse(&id, "id")?;
        let changed =
            changes::update(core(ctx)?, id, input.into_patch(), SeriesScope::This).await?;
        one(changed)
    }

    /// EDITOR+ of the host; frees the event's space.
    async fn cancel_event(&self, ctx: &Context<'_>, id: ID) -> Result<Event> {
        let id = ids::parse(&id, "id")?;
        one(changes::cancel(core(ctx)?, id, SeriesScope::This).await?)
    }

    /// updateEvent for occurrences of the event's series (SCHEDULED ones): a new startsAt/endsAt moves each by the same shift, keeping the new length; rooms move with them, all or nothing.
    async fn update_event_occurrences(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEventInput,
        scope: SeriesScopeGql,
    ) -> Result<Vec<Event>> {
        let id = ids::parse(&id, "id")?;
        let changed = changes::update(core(ctx)?, id, input.into_patch(), scope.into()).await?;
        Ok(changed.into_iter().map(Event).collect())
    }

    /// cancelEvent for occurrences of the event's series (SCHEDULED ones); frees their rooms.
    async fn cancel_event_occurrences(
        &self,
        ctx: &Context<'_>,
        id: ID,
        scope: SeriesScopeGql,
    ) -> Result<Vec<Event>> {
        let id = ids::parse(&id, "id")?;
        let cancelled = changes::cancel(core(ctx)?, id, scope.into()).await?;
        Ok(cancelled.into_iter().map(Event).collect())
    }

    /// Any signed-in user who can read the event, until it ends. GOING beyond capacity becomes WAITLISTED; a freed seat promotes the earliest waitlisted RSVP.
    async fn rsvp(&self, ctx: &Context<'_>, event_id: ID, status: RsvpStatusGql) -> Result<Rsvp> {
        let event = ids::parse(&event_id, "eventId")?;
        Ok(Rsvp(
            rsvps::respond(core(ctx)?, event, status.into()).await?,
        ))
    }

    /// EDITOR+ of the host or a co-host, from one hour before the start to twelve hours after the end, for someone who answered or is invited; they become GOING.
    async fn check_in(&self, ctx: &Context<'_>, event_id: ID, user_id: ID) -> Result<Rsvp> {
        let event = ids::parse(&event_id, "eventId")?;
        let user = ids::parse(&user_id, "userId")?;
        Ok(Rsvp(rsvps::check_in(core(ctx)?, event, user).await?))
    }
}

impl UpdateEventInput {
    fn into_patch(self) -> EventPatch {
        EventPatch {
            title: self.title,
            description: patch(self.description),
            starts_at: self.starts_at.map(|d| d.0),
            ends_at: self.ends_at.map(|d| d.0),
            location: patch(self.location),
            capacity: patch(self.capacity),
            visibility: self.visibility.map(Into::into),
        }
    }
}

/// The one event a change of THIS occurrence returns.
fn one(events: Vec<entity::event::Model>) -> Result<Event> {
    events.into_iter().next().map(Event).ok_or_else(|| {
        service::ApiError::internal(anyhow::anyhow!("a change reached no event")).into()
    })
}
