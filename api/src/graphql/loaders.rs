//! Per-request DataLoaders. They are created for each request, carrying its
//! viewer, and dropped with it: nothing cached here can reach another user.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::agreement::loader::{
    ConsentsOf, OrgAgreementCounts, OrgAgreementPages, OrgAgreementsKey, PartiesOf, PartnersOf,
};
use crate::agreement::status::AgreementStatus;
use crate::auth::Viewer;
use crate::error::ApiError;
use crate::graphql::connection::{Page, PageArgs};
use crate::membership::loader::{
    MemberCounts, MemberPages, MemberPagesKey, MembershipsOf, PendingInvitationsOf, RolesOfUser,
};
use crate::space::loader::{BookingsBetween, CanBookIn, SpaceVisibility, SpacesOf, WindowKey};
use entity::{
    Role, agreement, agreement_consent, agreement_party, booking, invitation, membership,
    organization, space, user,
};

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
    memberships_of: Cached<MembershipsOf>,
    member_pages: Cached<MemberPages>,
    member_counts: Cached<MemberCounts>,
    pending_invitations: Cached<PendingInvitationsOf>,
    parties: Cached<PartiesOf>,
    consents: Cached<ConsentsOf>,
    agreements: Cached<ById<agreement::Entity>>,
    org_agreements: Cached<OrgAgreementPages>,
    org_agreement_counts: Cached<OrgAgreementCounts>,
    partners: Cached<PartnersOf>,
    spaces: Cached<ById<space::Entity>>,
    spaces_of: Cached<SpacesOf>,
    space_visibility: Cached<SpaceVisibility>,
    can_book_in: Cached<CanBookIn>,
    bookings_between: Cached<BookingsBetween>,
}

impl Loaders {
    /// Loaders for one request; those that filter by visibility carry the
    /// viewer and the request's "now".
    pub fn new(
        db: &DatabaseConnection,
        viewer: &Viewer,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let viewer_id = viewer.user_id();
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
            memberships_of: cached(MembershipsOf::new(
                db.clone(),
                crate::policy::bound_organization(viewer),
            )),
            member_pages: cached(MemberPages::new(db.clone())),
            member_counts: cached(MemberCounts::new(db.clone())),
            pending_invitations: cached(PendingInvitationsOf::new(db.clone(), now)),
            parties: cached(PartiesOf::new(db.clone())),
            consents: cached(ConsentsOf::new(db.clone())),
            agreements: cached(ById::new(
                db.clone(),
                agreement::Column::Id,
                |m: &agreement::Model| m.id,
            )),
            org_agreements: cached(OrgAgreementPages::new(db.clone(), viewer.clone(), now)),
            org_agreement_counts: cached(OrgAgreementCounts::new(db.clone(), viewer.clone(), now)),
            partners: cached(PartnersOf::new(db.clone(), viewer.clone(), now)),
            spaces: cached(ById::new(
                db.clone(),
                space::Column::Id,
                |m: &space::Model| m.id,
            )),
            spaces_of: cached(SpacesOf::new(db.clone(), viewer.clone(), now)),
            space_visibility: cached(SpaceVisibility::new(db.clone(), viewer.clone(), now)),
            can_book_in: cached(CanBookIn::new(db.clone(), viewer.clone(), now)),
            bookings_between: cached(BookingsBetween::new(db.clone())),
        }
    }

    pub async fn user(&self, id: Uuid) -> Result<Option<user::Model>, ApiError> {
        Ok(self.users.load_one(id).await?)
    }

    pub async fn organization(&self, id: Uuid) -> Result<Option<organization::Model>, ApiError> {
        Ok(self.organizations.load_one(id).await?)
    }

    /// Several organizations in one batch, in the order of `ids`.
    pub async fn organizations(&self, ids: &[Uuid]) -> Result<Vec<organization::Model>, ApiError> {
        let mut found = self.organizations.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The memberships of a user (the viewer, in practice), narrowed to a
    /// bound token's organization.
    pub async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<membership::Model>, ApiError> {
        Ok(self
            .memberships_of
            .load_one(user_id)
            .await?
            .unwrap_or_default())
    }

    /// The viewer's stored role in an organization (before any credential
    /// narrowing, which is the policy's business).
    pub async fn viewer_role(&self, organization_id: Uuid) -> Result<Option<Role>, ApiError> {
        Ok(self.viewer_roles.load_one(organization_id).await?)
    }

    /// The viewer's stored roles in several organizations, in one batch.
    pub async fn viewer_roles(
        &self,
        organizations: &[Uuid],
    ) -> Result<HashMap<Uuid, Role>, ApiError> {
        Ok(self
            .viewer_roles
            .load_many(organizations.iter().copied())
            .await?)
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

    pub async fn pending_invitations(
        &self,
        organization_id: Uuid,
    ) -> Result<Vec<invitation::Model>, ApiError> {
        Ok(self
            .pending_invitations
            .load_one(organization_id)
            .await?
            .unwrap_or_default())
    }

    pub async fn parties(
        &self,
        agreement_id: Uuid,
    ) -> Result<Vec<agreement_party::Model>, ApiError> {
        Ok(self
            .parties
            .load_one(agreement_id)
            .await?
            .unwrap_or_default())
    }

    /// Answers about newcomers recorded for an agreement.
    pub async fn consents(
        &self,
        agreement_id: Uuid,
    ) -> Result<Vec<agreement_consent::Model>, ApiError> {
        Ok(self
            .consents
            .load_one(agreement_id)
            .await?
            .unwrap_or_default())
    }

    /// An agreement by id, regardless of visibility: only for following a
    /// relation from something already visible (a party to its agreement).
    pub async fn agreement(&self, id: Uuid) -> Result<Option<agreement::Model>, ApiError> {
        Ok(self.agreements.load_one(id).await?)
    }

    pub async fn organization_agreements(
        &self,
        organization_id: Uuid,
        status: Option<AgreementStatus>,
        args: PageArgs,
    ) -> Result<Page<agreement::Model>, ApiError> {
        Ok(self
            .org_agreements
            .load_one(OrgAgreementsKey {
                organization_id,
                status,
                args,
            })
            .await?
            .unwrap_or_else(Page::empty))
    }

    pub async fn organization_agreement_count(
        &self,
        organization_id: Uuid,
        status: Option<AgreementStatus>,
    ) -> Result<i64, ApiError> {
        Ok(self
            .org_agreement_counts
            .load_one((organization_id, status))
            .await?
            .unwrap_or(0))
    }

    /// Partner organization ids of `organization_id` visible to the viewer.
    pub async fn partners(&self, organization_id: Uuid) -> Result<Vec<Uuid>, ApiError> {
        Ok(self
            .partners
            .load_one(organization_id)
            .await?
            .unwrap_or_default())
    }

    /// A space by id, regardless of visibility: only for following a
    /// relation from something already visible (a booking to its space).
    pub async fn space(&self, id: Uuid) -> Result<Option<space::Model>, ApiError> {
        Ok(self.spaces.load_one(id).await?)
    }

    pub async fn spaces_of(&self, organization_id: Uuid) -> Result<Vec<space::Model>, ApiError> {
        Ok(self
            .spaces_of
            .load_one(organization_id)
            .await?
            .unwrap_or_default())
    }

    /// Whether the viewer may see the space itself (`space(id:)`).
    pub async fn space_visible(&self, id: Uuid) -> Result<bool, ApiError> {
        Ok(self.space_visibility.load_one(id).await?.unwrap_or(false))
    }

    pub async fn can_book_in(&self, owner: Uuid) -> Result<bool, ApiError> {
        Ok(self.can_book_in.load_one(owner).await?.unwrap_or(false))
    }

    pub async fn bookings_between(
        &self,
        space_id: Uuid,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<booking::Model>, ApiError> {
        Ok(self
            .bookings_between
            .load_one(WindowKey { space_id, from, to })
            .await?
            .unwrap_or_default())
    }
}
