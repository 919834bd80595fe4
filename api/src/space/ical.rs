//! The calendar feed of a space (`GET /ical/spaces/{id}.ics`), built with the
//! `icalendar` crate: its PENDING (TENTATIVE) and CONFIRMED bookings from 30
//! days ago to a year ahead, with the same privacy as the API — members of
//! the booking or owning organization see the title, everyone else sees
//! which organization booked.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::service;
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::policy::{OrgAccess, spaces as rules};
use entity::{BookingStatus, Role, membership, organization};

pub const PAST: TimeDelta = TimeDelta::days(30);
pub const AHEAD: TimeDelta = TimeDelta::days(365);

pub async fn feed(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    space_id: Uuid,
) -> ApiResult<String> {
    crate::policy::ensure_may_run(viewer, crate::policy::Operation::Read)?;
    let space = service::find(db, viewer, now, space_id).await?;
    let bookings = service::live_bookings_of(db, &[space.id], now - PAST, now + AHEAD).await?;
    let roles: HashMap<Uuid, Role> = match viewer.user_id() {
        Some(user) => membership::Entity::find()
            .select_only()
            .column(membership::Column::OrganizationId)
            .column(membership::Column::Role)
            .filter(membership::Column::UserId.eq(user))
            .into_tuple::<(Uuid, Role)>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let access = |org: Uuid| OrgAccess::from_stored(viewer, org, roles.get(&org).copied());
    let owner = access(space.organization_id);
    let mut org_ids: Vec<Uuid> = bookings.iter().map(|b| b.organization_id).collect();
    org_ids.sort();
    org_ids.dedup();
    let names: HashMap<Uuid, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();

    let mut calendar = Calendar::new();
    calendar.name(&space.name);
    for b in &bookings {
        let org_name = names
            .get(&b.organization_id)
            .map(String::as_str)
            .unwrap_or("?");
        let summary = if rules::can_see_booking_details(&access(b.organization_id), &owner) {
            format!("{} ({org_name})", b.title)
        } else {
            format!("{org_name} 예약 (booked)")
        };
        let status = if b.status == BookingStatus::Pending {
            EventStatus::Tentative
        } else {
            EventStatus::Confirmed
        };
        calendar.push(
            icalendar::Event::new()
                .uid(&format!("{}@yeondae", b.id))
                .timestamp(b.created_at)
                .summary(&summary)
                .starts(b.starts_at)
                .ends(b.ends_at)
                .status(status)
                .done(),
        );
    }
    Ok(calendar.done().to_string())
}
