use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::identity::User;
use super::organization::Organization;
use super::{DateTime, Result, core, ids, patch};
use entity::{booking, space};
use service::space::{BookingRequest, Decision, NewSpace, SpacePatch, bookings, calendar, spaces};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "BookingStatus", remote = "entity::BookingStatus")]
pub enum BookingStatusGql {
    Pending,
    Confirmed,
    Rejected,
    Cancelled,
}

/// A bookable room or desk in a (shared) office.
///
/// Shown in full to whoever may see the space (`space(id:)`); reached
/// through a booking by its own organization when that organization may no
/// longer (or never could) see the space, it is a *reference*: id, name,
/// owner and whether it needs approval, nothing else, and of its calendar
/// only the viewer's own bookings.
#[derive(Clone)]
pub struct Space {
    model: space::Model,
    full: bool,
}

impl Space {
    /// A space read through the visibility rule (roots, lists, writes).
    pub fn full(model: space::Model) -> Self {
        Space { model, full: true }
    }

    /// A space reached from something else (a booking, an event): in full,
    /// or as a reference where the viewer may not see it itself.
    pub fn shown(model: space::Model, full: bool) -> Self {
        Space { model, full }
    }
}

#[Object]
impl Space {
    async fn id(&self) -> ID {
        ids::to_id(self.model.id)
    }

    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.model.organization_id).await
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    async fn location(&self) -> Option<&str> {
        self.model.location.as_deref()
    }

    async fn capacity(&self) -> Option<i32> {
        self.model.capacity
    }

    /// Bookings by other organizations start PENDING until an owner ADMIN approves.
    async fn requires_approval(&self) -> bool {
        self.model.requires_approval
    }

    /// Whether the viewer may book it on behalf of at least one of their organizations.
    async fn viewer_can_book(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(spaces::viewer_can_book(core(ctx)?, &self.model).await?)
    }

    /// PENDING and CONFIRMED bookings overlapping [from, to) that the viewer may see (all of them wherever the space itself is visible). Title and bookedBy are null unless the viewer belongs to the booking or the owning organization.
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<Booking>> {
        let rows =
            calendar::bookings_between(core(ctx)?, self.model.id, self.full, from.0, to.0).await?;
        Ok(rows.into_iter().map(Booking).collect())
    }

    /// Busy intervals (PENDING or CONFIRMED) within [from, to), merged, of the bookings the viewer may see.
    async fn busy(&self, ctx: &Context<'_>, from: DateTime, to: DateTime) -> Result<Vec<TimeSlot>> {
        let slots = calendar::busy(core(ctx)?, self.model.id, self.full, from.0, to.0).await?;
        Ok(slots
            .into_iter()
            .map(|(s, e)| TimeSlot {
                starts_at: s.into(),
                ends_at: e.into(),
            })
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct TimeSlot {
    starts_at: DateTime,
    ends_at: DateTime,
}

#[derive(Clone)]
pub struct Booking(pub booking::Model);

impl Booking {
    /// Title, booker and rejection reason are for the booking and owning
    /// organizations only.
    async fn details_visible(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(bookings::can_see_details(core(ctx)?, &self.0).await?)
    }
}

#[Object]
impl Booking {
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }

    /// In full where the viewer may see the space; to a booking organization that may not, a reference (id, name, owner) whose calendar shows only its own bookings.
    async fn space(&self, ctx: &Context<'_>) -> Result<Space> {
        let (model, full) = bookings::space_of_booking(core(ctx)?, &self.0).await?;
        Ok(Space { model, full })
    }

    /// The organization the booking is for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::load(ctx, self.0.organization_id).await
    }

    async fn booked_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        if !self.details_visible(ctx).await? {
            return Ok(None);
        }
        User::load_opt(ctx, self.0.booked_by).await
    }

    async fn title(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self
            .details_visible(ctx)
            .await?
            .then_some(self.0.title.as_str()))
    }

    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    async fn ends_at(&self) -> DateTime {
        self.0.ends_at.into()
    }

    async fn status(&self) -> BookingStatusGql {
        self.0.status.into()
    }

    /// Shared by all occurrences created by one recurring request.
    async fn series_id(&self) -> Option<ID> {
        self.0.series_id.map(ids::to_id)
    }

    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Why the owner rejected it (same visibility as the title).
    async fn rejection_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(if self.details_visible(ctx).await? {
            self.0.rejection_reason.as_deref()
        } else {
            None
        })
    }
}

#[derive(InputObject)]
pub struct CreateSpaceInput {
    organization_id: ID,
    name: String,
    description: Option<String>,
    location: Option<String>,
    capacity: Option<i32>,
    requires_approval: bool,
}

/// Omitted fields stay; `null` clears description, location and capacity.
#[derive(InputObject)]
pub struct UpdateSpaceInput {
    name: Option<String>,
    description: MaybeUndefined<String>,
    location: MaybeUndefined<String>,
    capacity: MaybeUndefined<i32>,
    requires_approval: Option<bool>,
}

#[derive(InputObject)]
pub struct BookSpaceInput {
    space_id: ID,
    /// The organization the booking is made for; the viewer must be EDITOR+ there.
    organization_id: ID,
    title: String,
    starts_at: DateTime,
    ends_at: DateTime,
    /// Optional RFC 5545 RRULE (e.g. FREQ=WEEKLY;INTERVAL=2;COUNT=10), expanded in the owner's time zone; at most 100 occurrences; all or nothing.
    recurrence: Option<String>,
}

#[derive(Default)]
pub struct SpaceQuery;

#[Object]
impl SpaceQuery {
    /// Spaces the viewer may book or owns.
    async fn spaces(&self, ctx: &Context<'_>) -> Result<Vec<Space>> {
        Ok(spaces::list(core(ctx)?)
            .await?
            .into_iter()
            .map(Space::full)
            .collect())
    }

    async fn space(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Space>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Space::full(spaces::find(core(ctx)?, id).await?)))
    }

    async fn booking(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Booking>> {
        let id = ids::parse(&id, "id")?;
        Ok(Some(Booking(bookings::find_booking(core(ctx)?, id).await?)))
    }
}

#[derive(Default)]
pub struct SpaceMutation;

#[Object]
impl SpaceMutation {
    /// ADMIN+ of the owning organization.
    async fn create_space(&self, ctx: &Context<'_>, input: CreateSpaceInput) -> Result<Space> {
        let input = NewSpace {
            organization_id: ids::parse(&input.organization_id, "organizationId")?,
            name: input.name,
            description: input.description,
            location: input.location,
            capacity: input.capacity,
            requires_approval: input.requires_approval,
        };
        Ok(Space::full(spaces::create(core(ctx)?, input).await?))
    }

    /// ADMIN+ of the owning organization.
    async fn update_space(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSpaceInput,
    ) -> Result<Space> {
        let id = ids::parse(&id, "id")?;
        let patch = SpacePatch {
            name: input.name,
            description: patch(input.description),
            location: patch(input.location),
            capacity: patch(input.capacity),
            requires_approval: input.requires_approval,
        };
        Ok(Space::full(spaces::update(core(ctx)?, id, patch).await?))
    }

    /// CONFLICT when any occurrence overlaps a PENDING or CONFIRMED booking; nothing is written then.
    async fn book_space(&self, ctx: &Context<'_>, input: BookSpaceInput) -> Result<Vec<Booking>> {
        let request = BookingRequest {
            space_id: ids::parse(&input.space_id, "spaceId")?,
            organization_id: ids::parse(&input.organization_id, "organizationId")?,
            title: input.title,
            starts_at: input.starts_at.0,
            ends_at: input.ends_at.0,
            recurrence: input.recurrence,
        };
        Ok(bookings::book(core(ctx)?, &request)
            .await?
            .into_iter()
            .map(Booking)
            .collect())
    }

    /// ADMIN+ of the space's owner; PENDING only.
    async fn approve_booking(&self, ctx: &Context<'_>, id: ID) -> Result<Booking> {
        let id = ids::parse(&id, "id")?;
        Ok(Booking(
            bookings::decide(core(ctx)?, id, Decision::Approve, None).await?,
        ))
    }

    /// ADMIN+ of the space's owner; PENDING only. Frees the slot.
    async fn reject_booking(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<Booking> {
        let id = ids::parse(&id, "id")?;
        Ok(Booking(
            bookings::decide(core(ctx)?, id, Decision::Reject, reason).await?,
        ))
    }

    /// EDITOR+ of the booking organization or ADMIN+ of the owner. Frees the slot.
    async fn cancel_booking(&self, ctx: &Context<'_>, id: ID) -> Result<Booking> {
        let id = ids::parse(&id, "id")?;
        Ok(Booking(bookings::cancel(core(ctx)?, id).await?))
    }
}
