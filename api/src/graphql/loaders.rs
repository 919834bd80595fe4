//! Per-request DataLoaders. They are created for each request, carrying its
//! viewer, and dropped with it: nothing cached here can reach another user.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::ApiError;
use crate::graphql::connection::{Page, PageArgs};
use crate::membership::loader::{MemberCounts, MemberPages, MemberPagesKey, RolesOfUser};
use entity::{Role, membership, organization, user};

pub type LoadError = Arc<DbErr>;

impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        ApiError::Internal(anyhow::Error::new(e))
    }
}

/// Rows of one entity by primary key, batched into `WHERE id IN (...)`.
pub struct ById<E: EntityTrait> {
    db: DatabaseConnection,
    column: E::Column,
    id_of: fn(&E::Model) -> Uuid,
}

impl<E: EntityTrait> ById<E> {
    pub fn new(db: DatabaseConnection, column: E::Column, id_of: fn(&E::Model) -> Uuid) -> Self {
        ById { db, column, id_of }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, LoadError> {
        let rows = E::find()
            .filter(self.column.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| ((self.id_of)(&m), m)).collect())
    }
}

type Cached<L> = DataLoader<L, HashMapCache>;

fn cached<L: Send + Sync + 'static>(loader: L) -> Cached<L> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

pub struct Loaders {
    users: Cached<ById<user::Entity>>,
    organizations: Cached<ById<organization::Entity>>,
    viewer_roles: Cached<RolesOfUser>,
    member_pages: Cached<MemberPages>,
    member_counts: Cached<MemberCounts>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection, viewer_id: Option<Uuid>) -> Self {
        Loaders {
            users: cached(ById::new(
                db.clone(),
                user::Column::Id,
                |m: &user::Model| m.id,
            )),
            organizations: cached(ById::new(
                db.clone(),
                organization::Column::Id,
                |m: &organization::Model| m.id,
            )),
            viewer_roles: cached(RolesOfUser::new(db.clone(), viewer_id)),
            member_pages: cached(MemberPages::new(db.clone())),
            member_counts: cached(MemberCounts::new(db.clone())),
        }
    }

    pub async fn user(&self, id: Uuid) -> Result<Option<user::Model>, ApiError> {
        Ok(self.users.load_one(id).await?)
    }

    pub async fn organization(&self, id: Uuid) -> Result<Option<organization::Model>, ApiError> {
        Ok(self.organizations.load_one(id).await?)
    }

    /// The viewer's stored role in an organization (before any credential
    /// narrowing, which is the policy's business).
    pub async fn viewer_role(&self, organization_id: Uuid) -> Result<Option<Role>, ApiError> {
        Ok(self.viewer_roles.load_one(organization_id).await?)
    }

    pub async fn member_page(
        &self,
        organization_id: Uuid,
        args: PageArgs,
    ) -> Result<Page<membership::Model>, ApiError> {
        Ok(self
            .member_pages
            .load_one(MemberPagesKey {
                organization_id,
                args,
            })
            .await?
            .unwrap_or_else(Page::empty))
    }

    pub async fn member_count(&self, organization_id: Uuid) -> Result<i64, ApiError> {
        Ok(self
            .member_counts
            .load_one(organization_id)
            .await?
            .unwrap_or(0))
    }
}
