//! Event calendar feeds: what the viewer may read from 30 days ago to a year
//! ahead — everything, or one organization's events — with the series they
//! belong to, so the transport can write a series once (its rule, with
//! exceptions) and every time in its host's time zone.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Operation, sharing};
use crate::space::feed::{AHEAD, PAST};
use entity::{event, event_series};

/// The most events one feed lists.
pub const MAX_EVENTS: u64 = 2_000;

/// A series with every occurrence (readable or not: those the viewer may
/// not read are left out of the rule as exceptions).
pub struct FeedSeries {
    pub series: event_series::Model,
    pub occurrences: Vec<event::Model>,
}

pub struct EventFeed {
    /// Events outside any series, by start.
    pub single: Vec<event::Model>,
    pub series: Vec<FeedSeries>,
    /// The ids of the occurrences the viewer may read.
    pub readable: HashSet<Uuid>,
    /// Each host's time zone.
    pub zones: HashMap<Uuid, chrono_tz::Tz>,
}

/// The viewer's events (of `organization` only, when given; NOT_FOUND if
/// it does not exist).
pub async fn feed(ctx: &Ctx, organization: Option<Uuid>) -> ApiResult<EventFeed> {
    policy::ensure_may_run(&ctx.viewer, Operation::Read)?;
    let now = ctx.now();
    let mut cond = Condition::all()
        .add(sharing::event_visible(&ctx.viewer, now))
        .add(event::Column::EndsAt.gt(now - PAST))
        .add(event::Column::StartsAt.lt(now + AHEAD));
    if let Some(org) = organization {
        ctx.reads()
            .organization(org)
            .await?
            .ok_or(ApiError::NotFound("organization"))?;
        cond = cond.add(event::Column::HostOrganizationId.eq(org));
    }
    let visible = event::Entity::find()
        .filter(cond)
        .order_by_asc(event::Column::StartsAt)
        .limit(MAX_EVENTS)
        .all(ctx.db())
        .await?;
    let readable: HashSet<Uuid> = visible.iter().map(|e| e.id).collect();
    let series_ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = visible.iter().filter_map(|e| e.series_id).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let single: Vec<event::Model> = visible
        .into_iter()
        .filter(|e| e.series_id.is_none())
        .collect();
    let rows = event_series::Entity::find()
        .filter(event_series::Column::Id.is_in(series_ids.iter().copied()))
        .all(ctx.db())
        .await?;
    let mut occurrences: HashMap<Uuid, Vec<event::Model>> = HashMap::new();
    for e in event::Entity::find()
        .filter(event::Column::SeriesId.is_in(series_ids.iter().copied()))
        .order_by_asc(event::Column::OccurrenceAt)
        .all(ctx.db())
        .await?
    {
        if let Some(s) = e.series_id {
            occurrences.entry(s).or_default().push(e);
        }
    }
    let series: Vec<FeedSeries> = rows
        .into_iter()
        .map(|s| FeedSeries {
            occurrences: occurrences.remove(&s.id).unwrap_or_default(),
            series: s,
        })
        .collect();
    let mut hosts: Vec<Uuid> = single.iter().map(|e| e.host_organization_id).collect();
    hosts.extend(series.iter().map(|s| s.series.host_organization_id));
    hosts.sort();
    hosts.dedup();
    let zones = ctx
        .reads()
        .organizations(&hosts)
        .await?
        .into_iter()
        .map(|o| (o.id, o.timezone.parse().unwrap_or(chrono_tz::Asia::Seoul)))
        .collect();
    Ok(EventFeed {
        single,
        series,
        readable,
        zones,
    })
}
