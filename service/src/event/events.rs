//! Events: hosted by EDITOR+ of an organization, optionally with partner
//! co-hosts, a project, an invitee list, a room and a recurrence rule. Who
//! reads one is [`sharing::event_visible`]; who may change what is
//! [`crate::policy::events`]. A room is held through the spaces rules in the
//! same transaction (`space::bookings::hold`), so an event and its booking exist
//! together or not at all; a series books every occurrence or none.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::reads::{Window, overlapping};
use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs, list_sorted};
use crate::policy::sharing;
use crate::policy::{self, Lock, events as rules, projects as project_rules};
use crate::space::calendar::Slot;
use crate::space::{bookings, recurrence, spaces};
use crate::validate;
use crate::write::Write;
use entity::{EventStatus, Visibility, event, event_co_host, event_invitee, event_series, project};

/// The longest an event may last (a booked room: a day, see bookings).
pub const MAX_EVENT: TimeDelta = TimeDelta::days(31);
/// The most co-hosts, and invitees, one event names.
pub const MAX_CO_HOSTS: usize = 20;
pub const MAX_INVITEES: usize = 500;
pub const MAX_CAPACITY: i32 = 100_000;
/// The title of the booking that holds an event's room. Never the event's
/// own: a booking's title is shown to every member of the booking
/// organization and of the room's owner, who may not read the event.
pub const BOOKING_TITLE: &str = "행사 (event)";
/// Rows per INSERT, within every database's limit on bound parameters.
const CHUNK: usize = 1_000;

pub struct NewEvent {
    pub host_organization_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub space_id: Option<Uuid>,
    pub capacity: Option<i32>,
    pub visibility: Visibility,
    pub project_id: Option<Uuid>,
    pub co_host_ids: Vec<Uuid>,
    /// An RFC 5545 RRULE in the host's time zone; at most 100 occurrences.
    pub recurrence: Option<String>,
    /// Only these members of the host are expected.
    pub invitee_user_ids: Option<Vec<Uuid>>,
    /// A member group of the host whose current members are invited too
    /// (as they are now: a later change of the group leaves the event's
    /// invitees as they were).
    pub invitee_group_id: Option<Uuid>,
}

/// A change to an event; `None` leaves a field as it is, `Some(None)`
/// clears an optional one.
#[derive(Default)]
pub struct EventPatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<Option<String>>,
    pub capacity: Option<Option<i32>>,
    pub visibility: Option<Visibility>,
}

pub(super) fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> ApiResult<()> {
    if ends_at <= starts_at {
        return Err(ApiError::bad_input(
            "endsAt",
            "an event must end after it starts",
        ));
    }
    if ends_at - starts_at > MAX_EVENT {
        return Err(ApiError::bad_input(
            "endsAt",
            "an event lasts at most 31 days",
        ));
    }
    Ok(())
}

pub(super) fn check_capacity(capacity: Option<i32>) -> ApiResult<Option<i32>> {
    match capacity {
        Some(c) if !(1..=MAX_CAPACITY).contains(&c) => Err(ApiError::bad_input(
            "capacity",
            format!("capacity is 1..={MAX_CAPACITY}, or none for no limit"),
        )),
        other => Ok(other),
    }
}

/// Create an event — or, with a recurrence rule, a series of them (all or
/// nothing). Returns the first occurrence.
pub async fn create(ctx: &Ctx, input: NewEvent) -> ApiResult<event::Model> {
    policy::require_user(&ctx.viewer)?;
    let title = validate::line("title", &input.title, 200)?;
    let description = validate::optional_text("description", input.description.as_deref(), 20_000)?;
    let location = validate::optional_line("location", input.location.as_deref(), 200)?;
    let capacity = check_capacity(input.capacity)?;
    check_times(input.starts_at, input.ends_at)?;
    if input.space_id.is_some() {
        bookings::check_interval(input.starts_at, input.ends_at, ctx.now())?;
    }
    let co_hosts = validate::distinct_ids("coHostIds", &input.co_host_ids, MAX_CO_HOSTS)?;
    let invitees = match &input.invitee_user_ids {
        Some(ids) if ids.is_empty() => {
            return Err(ApiError::bad_input(
                "inviteeUserIds",
                "name at least one invitee, or leave the list out",
            ));
        }
        Some(ids) => Some(validate::distinct_ids("inviteeUserIds", ids, MAX_INVITEES)?),
        None => None,
    };
    let rule = input
        .recurrence
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    // Expanded before the write opens, so the rule's cost never holds it.
    let slots: Vec<Slot> = match rule {
        Some(rule) => {
            let tz = crate::organization::time_zone(ctx.db(), input.host_organization_id).await?;
            recurrence::occurrences(input.starts_at, input.ends_at, Some(rule), tz)?
        }
        None => vec![(input.starts_at, input.ends_at)],
    };
    let host_id = input.host_organization_id;
    mutate!(ctx, |w| {
        let host = w.act_for(host_id, Lock::Share).await?;
        rules::ensure_can_host(&host)?;
        if let Some(project_id) = input.project_id {
            ensure_project(w, project_id, host_id).await?;
        }
        rules::ensure_co_hosts(w.tx(), host_id, &co_hosts, w.now()).await?;
        let mut invitees = invitees.clone();
        if let Some(group) = input.invitee_group_id {
            let group = crate::membership::groups::find_in(w.tx(), w.viewer(), group).await?;
            if group.organization_id != host_id {
                return Err(ApiError::bad_input(
                    "inviteeGroupId",
                    "invite a group of the host",
                ));
            }
            let members = crate::membership::groups::current_members(w.tx(), &group).await?;
            let mut all = invitees.unwrap_or_default();
            all.extend(
                members
                    .into_iter()
                    .filter(|m| !all.contains(m))
                    .collect::<Vec<_>>(),
            );
            if all.is_empty() {
                return Err(ApiError::bad_input(
                    "inviteeGroupId",
                    "the group has no members",
                ));
            }
            invitees = Some(all);
        }
        if let Some(invitees) = &invitees {
            rules::ensure_invitees_are_members(w.tx(), host_id, invitees).await?;
        }
        let held = match input.space_id {
            Some(space_id) => {
                let space = spaces::find_in(w.tx(), w.viewer(), w.now(), space_id).await?;
                let held =
                    bookings::hold(w, &space, host_id, BOOKING_TITLE, &slots, rule.is_some())
                        .await?;
                held.into_iter().map(|b| Some(b.id)).collect()
            }
            None => vec![None; slots.len()],
        };
        let series_id = match rule {
            Some(rule) => {
                let series = event_series::Model {
                    id: Uuid::now_v7(),
                    host_organization_id: host_id,
                    rule: rule.to_owned(),
                    length_secs: (input.ends_at - input.starts_at).num_seconds(),
                    created_at: w.now(),
                };
                w.insert(event_series::ActiveModel::from(series.clone()))
                    .await?;
                Some(series.id)
            }
            None => None,
        };
        let events: Vec<event::Model> = slots
            .iter()
            .zip(held)
            .map(|((starts_at, ends_at), booking_id)| event::Model {
                id: Uuid::now_v7(),
                host_organization_id: host_id,
                project_id: input.project_id,
                series_id,
                occurrence_at: series_id.map(|_| *starts_at),
                space_id: input.space_id,
                booking_id,
                title: title.clone(),
                description: description.clone(),
                location: location.clone(),
                starts_at: *starts_at,
                ends_at: *ends_at,
                capacity,
                visibility: input.visibility,
                status: EventStatus::Scheduled,
                invitees_only: invitees.is_some(),
                created_by: w.viewer().user_id(),
                created_at: w.now(),
                updated_at: w.now(),
                cancelled_at: None,
            })
            .collect();
        insert_all(
            w,
            &events,
            &co_hosts,
            invitees.as_deref().unwrap_or_default(),
        )
        .await?;
        w.audit_all(events.iter().map(|e| {
            Record::new("event.create", "event", e.id)
                .in_org(host_id)
                .details(
                    json!({ "title": e.title, "startsAt": e.starts_at, "seriesId": e.series_id }),
                )
        }));
        events
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a series without occurrences")))
    })
}

/// The host must take part in the project now, and the caller see it.
async fn ensure_project(w: &mut Write<'_>, project_id: Uuid, host: Uuid) -> ApiResult<()> {
    crate::project::projects::find_in(w.tx(), w.viewer(), w.now(), project_id).await?;
    project_rules::ensure_takes_part(w.tx(), project_id, host, w.now())
        .await
        .map_err(|_| ApiError::forbidden("the host does not take part in this project"))
}

async fn insert_all(
    w: &mut Write<'_>,
    events: &[event::Model],
    co_hosts: &[Uuid],
    invitees: &[Uuid],
) -> ApiResult<()> {
    event::Entity::insert_many(events.iter().cloned().map(event::ActiveModel::from))
        .exec_without_returning(w.tx())
        .await?;
    let mut co_host_rows = Vec::new();
    let mut invitee_rows = Vec::new();
    for e in events {
        for org in co_hosts {
            co_host_rows.push(event_co_host::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(e.id),
                organization_id: Set(*org),
            });
        }
        for user in invitees {
            invitee_rows.push(event_invitee::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(e.id),
                user_id: Set(*user),
            });
        }
    }
    for chunk in co_host_rows.chunks(CHUNK) {
        event_co_host::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(w.tx())
            .await?;
    }
    for chunk in invitee_rows.chunks(CHUNK) {
        event_invitee::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(w.tx())
            .await?;
    }
    Ok(())
}

/// An event the viewer may read; NOT_FOUND otherwise.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<event::Model> {
    find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await
}

pub(crate) async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<event::Model> {
    event::Entity::find_by_id(id)
        .filter(sharing::event_visible(viewer, now))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("event"))
}

/// What an event list may be narrowed to: events overlapping `[from, to)`,
/// with a title containing `search`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub search: Option<String>,
}

/// The condition of an event list: readable, and within the filter.
pub fn list_condition(
    viewer: &Viewer,
    now: DateTime<Utc>,
    filter: &EventFilter,
) -> ApiResult<Condition> {
    let mut cond = Condition::all()
        .add(sharing::event_visible(viewer, now))
        .add(overlapping((filter.from, filter.to)));
    if let Some(term) = validate::search("search", filter.search.as_deref())? {
        let title = (event::Entity, event::Column::Title);
        cond = cond.add(validate::contains_ignoring_case(title, &term));
    }
    Ok(cond)
}

/// The events the viewer may read, by start.
pub async fn list(
    ctx: &Ctx,
    filter: EventFilter,
    args: &PageArgs,
) -> ApiResult<Listing<event::Model>> {
    check_window((filter.from, filter.to))?;
    let cond = list_condition(&ctx.viewer, ctx.now(), &filter)?;
    list_sorted::<event::Entity, DateTime<Utc>>(
        ctx.db(),
        cond,
        event::Column::StartsAt,
        event::Column::Id,
        args,
    )
    .await
}

fn check_window(window: Window) -> ApiResult<()> {
    match window {
        (Some(from), Some(to)) if to <= from => {
            Err(ApiError::bad_input("to", "`to` must be after `from`"))
        }
        _ => Ok(()),
    }
}

/// The events an organization hosts overlapping the window, as far as the
/// viewer may read them.
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
    window: Window,
    args: PageArgs,
) -> ApiResult<Listing<event::Model>> {
    check_window(window)?;
    let page = ctx
        .reads()
        .organization_events(organization_id, window, args)
        .await?;
    Ok(Listing::nested(page, move |r| {
        r.organization_event_count(organization_id, window)
    }))
}

/// The events of a project, as far as the viewer may read them.
pub async fn of_project(
    ctx: &Ctx,
    project_id: Uuid,
    args: PageArgs,
) -> ApiResult<Listing<event::Model>> {
    let page = ctx.reads().project_events(project_id, args).await?;
    Ok(Listing::nested(page, move |r| {
        r.project_event_count(project_id)
    }))
}

/// The organizations co-hosting the event now.
pub async fn co_hosts(
    ctx: &Ctx,
    event: &event::Model,
) -> ApiResult<Vec<entity::organization::Model>> {
    let ids = ctx.reads().event_co_hosts(event.id).await?;
    ctx.reads().organizations(&ids).await
}

/// The event's project, where the viewer may see it.
pub async fn project(ctx: &Ctx, event: &event::Model) -> ApiResult<Option<project::Model>> {
    let Some(id) = event.project_id else {
        return Ok(None);
    };
    if !ctx.reads().project_visible(id).await? {
        return Ok(None);
    }
    ctx.reads().project(id).await
}

/// The room an event holds, shown as a booking shows its space
/// ([`bookings::space_shown`]).
pub async fn space(
    ctx: &Ctx,
    event: &event::Model,
) -> ApiResult<Option<(entity::space::Model, bool)>> {
    match event.space_id {
        Some(id) => Ok(Some(bookings::space_shown(ctx, id).await?)),
        None => Ok(None),
    }
}
