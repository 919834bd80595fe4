//! A space's calendar feed: its PENDING and CONFIRMED bookings from 30 days
//! ago to a year ahead, with the same visibility and privacy as the API —
//! the transport only formats it (iCalendar).

use std::collections::HashMap;

use chrono::TimeDelta;
use uuid::Uuid;

use super::{bookings, spaces};
use crate::context::Ctx;
use crate::error::ApiResult;
use crate::policy::{self, Operation};
use entity::{booking, space};

/// How far back a feed reaches.
pub const PAST: TimeDelta = TimeDelta::days(30);
/// How far ahead a feed reaches.
pub const AHEAD: TimeDelta = TimeDelta::days(365);

/// One booking of a feed.
pub struct FeedEntry {
    pub booking: booking::Model,
    /// The organization it is for ("?" if it is gone).
    pub organization_name: String,
    /// Whether the viewer may see its title ([`bookings::can_see_details`]).
    pub details: bool,
}

/// The space (visible to the viewer, or NOT_FOUND) and its bookings in the
/// feed's window.
pub async fn feed(ctx: &Ctx, space_id: Uuid) -> ApiResult<(space::Model, Vec<FeedEntry>)> {
    policy::ensure_may_run(&ctx.viewer, Operation::Read)?;
    let space = spaces::find(ctx, space_id).await?;
    let now = ctx.now();
    let live = ctx
        .reads()
        .live_bookings(space.id, now - PAST, now + AHEAD)
        .await?;
    let mut org_ids: Vec<Uuid> = live.iter().map(|b| b.organization_id).collect();
    org_ids.push(space.organization_id);
    org_ids.sort();
    org_ids.dedup();
    let names: HashMap<Uuid, String> = ctx
        .reads()
        .organizations(&org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    // One batch for the viewer's roles: the loop below reads them cached.
    ctx.reads().viewer_roles(&org_ids).await?;
    let mut entries = Vec::with_capacity(live.len());
    for booking in live {
        let details = bookings::can_see_details(ctx, &booking).await?;
        let organization_name = names
            .get(&booking.organization_id)
            .cloned()
            .unwrap_or_else(|| "?".to_owned());
        entries.push(FeedEntry {
            booking,
            organization_name,
            details,
        });
    }
    Ok((space, entries))
}
