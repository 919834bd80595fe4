//! Batched loads of memberships: the viewer's roles, member pages and member
//! counts of many organizations at once.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::graphql::connection::{Page, PageArgs, count_by_parent, load_pages_by_parent};
use crate::graphql::loaders::LoadError;
use chrono::{DateTime, Utc};

use entity::{Role, invitation, membership};

/// The stored roles of one user (the viewer), keyed by organization.
pub struct RolesOfUser {
    db: DatabaseConnection,
    user_id: Option<Uuid>,
}

impl RolesOfUser {
    pub fn new(db: DatabaseConnection, user_id: Option<Uuid>) -> Self {
        RolesOfUser { db, user_id }
    }
}

impl Loader<Uuid> for RolesOfUser {
    type Value = Role;
    type Error = LoadError;

    async fn load(&self, organizations: &[Uuid]) -> Result<HashMap<Uuid, Role>, LoadError> {
        let Some(user_id) = self.user_id else {
            return Ok(HashMap::new());
        };
        let rows: Vec<(Uuid, Role)> = membership::Entity::find()
            .select_only()
            .column(membership::Column::OrganizationId)
            .column(membership::Column::Role)
            .filter(membership::Column::UserId.eq(user_id))
            .filter(membership::Column::OrganizationId.is_in(organizations.iter().copied()))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberPagesKey {
    pub organization_id: Uuid,
    pub args: PageArgs,
}

/// One page of members per organization, in join order.
pub struct MemberPages {
    db: DatabaseConnection,
}

impl MemberPages {
    pub fn new(db: DatabaseConnection) -> Self {
        MemberPages { db }
    }
}

impl Loader<MemberPagesKey> for MemberPages {
    type Value = Page<membership::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[MemberPagesKey],
    ) -> Result<HashMap<MemberPagesKey, Self::Value>, LoadError> {
        // Keys asking for the same page shape share one query.
        let mut by_args: HashMap<PageArgs, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_args
                .entry(key.args)
                .or_default()
                .push(key.organization_id);
        }
        let mut out = HashMap::new();
        for (args, organizations) in by_args {
            let pages = load_pages_by_parent::<membership::Entity, _>(
                &self.db,
                membership::Column::OrganizationId,
                membership::Column::Id,
                &organizations,
                Condition::all(),
                &args,
            )
            .await?;
            out.extend(pages.into_iter().map(|(organization_id, page)| {
                (
                    MemberPagesKey {
                        organization_id,
                        args,
                    },
                    page,
                )
            }));
        }
        Ok(out)
    }
}

/// Number of members per organization.
pub struct MemberCounts {
    db: DatabaseConnection,
}

impl MemberCounts {
    pub fn new(db: DatabaseConnection) -> Self {
        MemberCounts { db }
    }
}

impl Loader<Uuid> for MemberCounts {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, organizations: &[Uuid]) -> Result<HashMap<Uuid, i64>, LoadError> {
        Ok(count_by_parent::<membership::Entity, _>(
            &self.db,
            membership::Column::OrganizationId,
            organizations,
            Condition::all(),
        )
        .await?)
    }
}

/// Memberships of users, in join order, narrowed to one organization when
/// the credential is bound to it.
pub struct MembershipsOf {
    db: DatabaseConnection,
    bound: Option<Uuid>,
}

impl MembershipsOf {
    pub fn new(db: DatabaseConnection, bound: Option<Uuid>) -> Self {
        MembershipsOf { db, bound }
    }
}

impl Loader<Uuid> for MembershipsOf {
    type Value = Vec<membership::Model>;
    type Error = LoadError;

    async fn load(&self, users: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let mut query = membership::Entity::find()
            .filter(membership::Column::UserId.is_in(users.iter().copied()));
        if let Some(bound) = self.bound {
            query = query.filter(membership::Column::OrganizationId.eq(bound));
        }
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in query
            .order_by_asc(membership::Column::Id)
            .all(&self.db)
            .await?
        {
            out.entry(row.user_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Pending invitations (not accepted, revoked or expired) per organization,
/// oldest first. Whether the viewer may see them is the service's call.
pub struct PendingInvitationsOf {
    db: DatabaseConnection,
    now: DateTime<Utc>,
}

impl PendingInvitationsOf {
    pub fn new(db: DatabaseConnection, now: DateTime<Utc>) -> Self {
        PendingInvitationsOf { db, now }
    }
}

impl Loader<Uuid> for PendingInvitationsOf {
    type Value = Vec<invitation::Model>;
    type Error = LoadError;

    async fn load(&self, organizations: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = invitation::Entity::find()
            .filter(invitation::Column::OrganizationId.is_in(organizations.iter().copied()))
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(self.now))
            .order_by_asc(invitation::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(row.organization_id).or_default().push(row);
        }
        Ok(out)
    }
}
