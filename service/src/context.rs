//! The one request context every operation takes: who is calling, the
//! request's one "now", the connections, and the reads the domain needs.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::agreement::status::AgreementStatus;
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::paging::{Page, PageArgs};
use entity::{
    Role, agreement, agreement_consent, agreement_party, booking, invitation, membership,
    organization, space, user,
};

/// One request: read once, so every status and every visibility rule in a
/// response agrees on the caller and the time.
#[derive(Clone)]
pub struct Ctx {
    pub viewer: Viewer,
    now: DateTime<Utc>,
    db: DatabaseConnection,
    writer: DatabaseConnection,
    reads: Arc<dyn Reads>,
    client: Option<std::net::IpAddr>,
}

impl Ctx {
    pub fn new(
        viewer: Viewer,
        now: DateTime<Utc>,
        db: DatabaseConnection,
        writer: DatabaseConnection,
        reads: Arc<dyn Reads>,
    ) -> Self {
        Ctx {
            viewer,
            now,
            db,
            writer,
            reads,
            client: None,
        }
    }

    /// The same request, made from network address `client` (as the
    /// transport established it): what throttles and limits count by.
    pub fn from_client(mut self, client: Option<std::net::IpAddr>) -> Self {
        self.client = client;
        self
    }

    /// Where the request came from, when the transport knows.
    pub fn client(&self) -> Option<std::net::IpAddr> {
        self.client
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The pool for reads.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The pool mutations write through. On an SQLite file this is a
    /// one-connection pool, so writers queue in order; elsewhere the same
    /// pool as [`Ctx::db`]. Code holding a write transaction must not use
    /// the read pool beside it.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// The request's batched reads.
    pub fn reads(&self) -> &dyn Reads {
        self.reads.as_ref()
    }
}

/// The reads the domain needs for following relations, batched per
/// request. A port: the GraphQL transport implements it with per-request
/// DataLoaders (so a list of fifty organizations asks for their members in
/// one query, not fifty), filtering what carries the viewer by the viewer
/// and the request's "now" ([`crate::policy`] decides, the batched queries
/// live in each domain's `reads.rs`). Nothing here checks whether the viewer
/// may see the parent: callers follow relations from what they may see.
/// Each domain added since spaces declares its own part of this port
/// beside its batched queries (`project::reads::ProjectReads`,
/// `action::reads::ActionReads`, `event::reads::EventReads`,
/// `disclosure::reads::DisclosureReads`).
#[async_trait::async_trait]
pub trait Reads:
    crate::project::reads::ProjectReads
    + crate::action::reads::ActionReads
    + crate::event::reads::EventReads
    + crate::disclosure::reads::DisclosureReads
{
    async fn user(&self, id: Uuid) -> ApiResult<Option<user::Model>>;
    async fn organization(&self, id: Uuid) -> ApiResult<Option<organization::Model>>;
    /// Several organizations, in the order of `ids`.
    async fn organizations(&self, ids: &[Uuid]) -> ApiResult<Vec<organization::Model>>;

    /// The viewer's stored role in an organization (before any credential
    /// narrowing, which is the policy's business).
    async fn viewer_role(&self, organization: Uuid) -> ApiResult<Option<Role>>;

    /// The request has committed a write: what was read with the
    /// credential (the viewer's roles) may be out of date.
    fn written(&self) {}
    async fn viewer_roles(&self, organizations: &[Uuid]) -> ApiResult<HashMap<Uuid, Role>>;
    /// A user's memberships, narrowed to a bound token's organization.
    async fn memberships_of(&self, user: Uuid) -> ApiResult<Vec<membership::Model>>;
    async fn member_page(
        &self,
        organization: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<membership::Model>>;
    async fn member_count(&self, organization: Uuid) -> ApiResult<i64>;
    async fn pending_invitations(&self, organization: Uuid) -> ApiResult<Vec<invitation::Model>>;

    /// An agreement by id, regardless of visibility.
    async fn agreement(&self, id: Uuid) -> ApiResult<Option<agreement::Model>>;
    /// Whether the viewer may see the agreement (`agreement(id:)`).
    async fn agreement_visible(&self, id: Uuid) -> ApiResult<bool>;
    async fn parties(&self, agreement: Uuid) -> ApiResult<Vec<agreement_party::Model>>;
    async fn consents(&self, agreement: Uuid) -> ApiResult<Vec<agreement_consent::Model>>;
    /// The agreements an organization is party to that the viewer may see.
    async fn organization_agreements(
        &self,
        organization: Uuid,
        status: Option<AgreementStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<agreement::Model>>;
    async fn organization_agreement_count(
        &self,
        organization: Uuid,
        status: Option<AgreementStatus>,
    ) -> ApiResult<i64>;
    /// Partner organizations, through agreements the viewer may see.
    async fn partners(&self, organization: Uuid) -> ApiResult<Vec<Uuid>>;

    /// A space by id, regardless of visibility.
    async fn space(&self, id: Uuid) -> ApiResult<Option<space::Model>>;
    /// Whether the viewer may see the space itself (`space(id:)`).
    async fn space_visible(&self, id: Uuid) -> ApiResult<bool>;
    /// An organization's spaces the viewer may see.
    async fn spaces_of(&self, organization: Uuid) -> ApiResult<Vec<space::Model>>;
    /// Whether the viewer may book in the owner's spaces.
    async fn can_book_in(&self, owner: Uuid) -> ApiResult<bool>;
    /// PENDING and CONFIRMED bookings of a space overlapping `[from, to)`.
    async fn live_bookings(
        &self,
        space: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> ApiResult<Vec<booking::Model>>;
}
