//! Batched loads for spaces: an organization's spaces, whether the viewer
//! may book in an owner's spaces, and bookings within a window.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::service;
use crate::auth::Viewer;
use crate::graphql::loaders::LoadError;
use entity::{booking, space};

/// The spaces of each organization that the viewer may see.
pub struct SpacesOf {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl SpacesOf {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        SpacesOf { db, viewer, now }
    }
}

impl Loader<Uuid> for SpacesOf {
    type Value = Vec<space::Model>;
    type Error = LoadError;

    async fn load(&self, orgs: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for s in service::visible_spaces_of(&self.db, &self.viewer, self.now, orgs).await? {
            out.entry(s.organization_id).or_default().push(s);
        }
        Ok(out)
    }
}

/// Whether the viewer may book in the spaces of each owner organization.
pub struct CanBookIn {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl CanBookIn {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        CanBookIn { db, viewer, now }
    }
}

impl Loader<Uuid> for CanBookIn {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, owners: &[Uuid]) -> Result<HashMap<Uuid, bool>, LoadError> {
        let yes = service::bookable_owners(&self.db, &self.viewer, self.now, owners).await?;
        Ok(owners.iter().map(|o| (*o, yes.contains(o))).collect())
    }
}

/// Whether the viewer may see each space (the root read's condition), for
/// spaces reached through a booking.
pub struct SpaceVisibility {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl SpaceVisibility {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        SpaceVisibility { db, viewer, now }
    }
}

impl Loader<Uuid> for SpaceVisibility {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, bool>, LoadError> {
        let yes = service::visible_space_ids(&self.db, &self.viewer, self.now, ids).await?;
        Ok(ids.iter().map(|id| (*id, yes.contains(id))).collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowKey {
    pub space_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// PENDING and CONFIRMED bookings per space overlapping a window.
pub struct BookingsBetween {
    db: DatabaseConnection,
}

impl BookingsBetween {
    pub fn new(db: DatabaseConnection) -> Self {
        BookingsBetween { db }
    }
}

impl Loader<WindowKey> for BookingsBetween {
    type Value = Vec<booking::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[WindowKey]) -> Result<HashMap<WindowKey, Self::Value>, LoadError> {
        let mut windows: HashMap<(DateTime<Utc>, DateTime<Utc>), Vec<Uuid>> = HashMap::new();
        for k in keys {
            windows.entry((k.from, k.to)).or_default().push(k.space_id);
        }
        let mut out: HashMap<WindowKey, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((from, to), spaces) in windows {
            for b in service::live_bookings_of(&self.db, &spaces, from, to).await? {
                out.entry(WindowKey {
                    space_id: b.space_id,
                    from,
                    to,
                })
                .or_default()
                .push(b);
            }
        }
        Ok(out)
    }
}
