//! Per-request DataLoaders: the GraphQL transport's implementation of the
//! service's batched reads ([`service::Reads`]). They are created for each
//! request, carrying its viewer and "now", and dropped with it: nothing
//! cached here can reach another user. Each loader is one batched query of
//! the service (`<domain>::reads`), collected over the keys a response asks
//! for at once.

mod batch;
mod passes;

pub use passes::drive;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use batch::{Batch, LoadError, batch};
use entity::{
    Role, agreement, agreement_consent, agreement_party, booking, invitation, membership,
    organization, space, user,
};
use service::agreement::reads as agreements;
use service::agreement::status::AgreementStatus;
use service::auth::Viewer;
use service::group::group_by;
use service::membership::reads as memberships;
use service::paging::{Page, PageArgs};
use service::space::reads as spaces;
use service::{ApiError, ApiResult, Reads, policy};

type Cached<K, V> = DataLoader<Batch<K, V>, async_graphql::dataloader::HashMapCache>;

fn internal(e: LoadError) -> ApiError {
    ApiError::Internal(anyhow::Error::new(e))
}

/// Rows of one entity by primary key, batched into `WHERE id IN (...)`.
fn by_id<E>(
    db: &DatabaseConnection,
    id: E::Column,
    id_of: fn(&E::Model) -> Uuid,
) -> Cached<Uuid, E::Model>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    let db = db.clone();
    batch(move |keys: Vec<Uuid>| {
        let db = db.clone();
        async move {
            let rows = E::find().filter(id.is_in(keys)).all(&db).await?;
            Ok(rows.into_iter().map(|m| (id_of(&m), m)).collect())
        }
    })
}

/// Keys that carry paging (or other) arguments are batched per argument:
/// one query for every group of keys asking the same thing.
fn grouped<K, A, P>(keys: &[K], split: impl Fn(&K) -> (A, P)) -> HashMap<A, Vec<P>>
where
    A: std::hash::Hash + Eq,
{
    let mut groups: HashMap<A, Vec<P>> = HashMap::new();
    for k in keys {
        let (args, parent) = split(k);
        groups.entry(args).or_default().push(parent);
    }
    groups
}

/// Which keys of a batch a set of ids says yes to. Every key gets an
/// answer: a DataLoader caches only the keys a batch returns, so a "no" left
/// out would be asked again.
fn flags(keys: Vec<Uuid>, yes: Vec<Uuid>) -> HashMap<Uuid, bool> {
    let yes: std::collections::HashSet<Uuid> = yes.into_iter().collect();
    keys.into_iter().map(|k| (k, yes.contains(&k))).collect()
}

/// A loader keyed by (parent, argument) — a page of each parent's list, a
/// count under a filter: the keys asking with the same argument are loaded
/// by one batched query, `load(db, viewer, argument, parents)`.
fn per_argument<A, V, F, Fut>(
    with: &impl Fn() -> (DatabaseConnection, Viewer),
    load: F,
) -> Cached<(Uuid, A), V>
where
    A: std::hash::Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: Fn(DatabaseConnection, Viewer, A, Vec<Uuid>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<HashMap<Uuid, V>, DbErr>> + Send + 'static,
{
    let (db, viewer) = with();
    let load = Arc::new(load);
    batch(move |keys: Vec<(Uuid, A)>| {
        let (db, viewer, load) = (db.clone(), viewer.clone(), load.clone());
        async move {
            let mut out = HashMap::new();
            for (arg, parents) in grouped(&keys, |(p, a)| (a.clone(), *p)) {
                let found = load(db.clone(), viewer.clone(), arg.clone(), parents).await?;
                out.extend(found.into_iter().map(|(p, v)| ((p, arg.clone()), v)));
            }
            Ok(out)
        }
    })
}

/// A batch loader over `$keys` whose body runs with its own handles on the
/// pool (`$db`) and the viewer (`$viewer`), taken from `$with`.
macro_rules! loader {
    ($with:ident, |$db:ident, $viewer:pat, $keys:ident: $k:ty| $body:block) => {{
        let (db, viewer) = $with();
        batch(move |$keys: $k| {
            let ($db, $viewer) = (db.clone(), viewer.clone());
            async move $body
        })
    }};
}

mod actions;
mod disclosure;
mod events;
mod projects;

type PagesKey<A> = (Uuid, A);
type AgreementPagesKey = PagesKey<(Option<AgreementStatus>, PageArgs)>;
type Window = (Uuid, DateTime<Utc>, DateTime<Utc>);

pub struct Loaders {
    users: Arc<Cached<Uuid, user::Model>>,
    organizations: Cached<Uuid, organization::Model>,
    agreements: Cached<Uuid, agreement::Model>,
    spaces: Cached<Uuid, space::Model>,
    viewer_roles: Cached<Uuid, Role>,
    /// Set once the request has written: the roles read with the
    /// credential no longer answer for the viewer.
    roles_stale: Arc<std::sync::atomic::AtomicBool>,
    memberships_of: Cached<Uuid, Vec<membership::Model>>,
    member_pages: Cached<PagesKey<PageArgs>, Page<membership::Model>>,
    member_counts: Cached<Uuid, i64>,
    pending_invitations: Cached<Uuid, Vec<invitation::Model>>,
    parties: Cached<Uuid, Vec<agreement_party::Model>>,
    consents: Cached<Uuid, Vec<agreement_consent::Model>>,
    org_agreements: Cached<AgreementPagesKey, Page<agreement::Model>>,
    org_agreement_counts: Cached<PagesKey<Option<AgreementStatus>>, i64>,
    partners: Cached<Uuid, Vec<Uuid>>,
    agreement_visible: Cached<Uuid, bool>,
    spaces_of: Cached<Uuid, Vec<space::Model>>,
    space_visible: Cached<Uuid, bool>,
    can_book_in: Cached<Uuid, bool>,
    live_bookings: Cached<Window, Vec<booking::Model>>,
    projects: projects::ProjectLoaders,
    actions: actions::ActionLoaders,
    events: events::EventLoaders,
    disclosure: disclosure::DisclosureLoaders,
}

impl Loaders {
    /// Loaders for one request; those that filter by visibility carry the
    /// viewer and the request's "now".
    pub fn new(db: &DatabaseConnection, viewer: &Viewer, now: DateTime<Utc>) -> Self {
        let (d, v) = (db.clone(), viewer.clone());
        let with = move || (d.clone(), v.clone());
        let bound = policy::bound_organization(viewer);
        let users = Arc::new(by_id::<user::Entity>(db, user::Column::Id, |m| m.id));
        let roles_stale = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stale = roles_stale.clone();
        let members_users = users.clone();
        Loaders {
            users,
            organizations: by_id::<organization::Entity>(db, organization::Column::Id, |m| m.id),
            agreements: by_id::<agreement::Entity>(db, agreement::Column::Id, |m| m.id),
            spaces: by_id::<space::Entity>(db, space::Column::Id, |m| m.id),
            // Read with the credential when there was one (see ViewerUser::roles).
            viewer_roles: {
                let (db, viewer) = with();
                batch(move |orgs: Vec<Uuid>| {
                    let fresh = !stale.load(std::sync::atomic::Ordering::SeqCst);
                    let known = viewer
                        .user
                        .as_ref()
                        .and_then(|u| u.roles.clone())
                        .filter(|_| fresh);
                    let (db, user) = (db.clone(), viewer.user_id());
                    async move {
                        match (user, known) {
                            (Some(_), Some(known)) => Ok(orgs
                                .iter()
                                .filter_map(|o| known.get(o).map(|r| (*o, *r)))
                                .collect()),
                            (Some(user), None) => {
                                memberships::roles_of_user(&db, user, &orgs).await
                            }
                            (None, _) => Ok(HashMap::new()),
                        }
                    }
                })
            },
            memberships_of: loader!(with, |db, _, users: Vec<Uuid>| {
                memberships::memberships_of(&db, &users, bound).await
            }),
            // A member page comes with its users, which prime the users
            // loader: the members' `user` fields then cost nothing more.
            member_pages: per_argument(&with, move |db, _, args, orgs| {
                let users = members_users.clone();
                async move {
                    let pages = memberships::member_pages(&db, &orgs, &args).await?;
                    let mut seen = HashMap::new();
                    let pages = pages
                        .into_iter()
                        .map(|(org, page)| {
                            let page = page.map(|m| {
                                seen.insert(m.user.id, m.user);
                                m.membership
                            });
                            (org, page)
                        })
                        .collect();
                    users.feed_many(seen).await;
                    Ok(pages)
                }
            }),
            member_counts: loader!(with, |db, _, orgs: Vec<Uuid>| {
                memberships::member_counts(&db, &orgs).await
            }),
            pending_invitations: loader!(with, |db, _, orgs: Vec<Uuid>| {
                memberships::pending_invitations_of(&db, &orgs, now).await
            }),
            parties: loader!(with, |db, _, ids: Vec<Uuid>| {
                agreements::parties_of(&db, &ids).await
            }),
            consents: loader!(with, |db, _, ids: Vec<Uuid>| {
                agreements::consents_of(&db, &ids).await
            }),
            org_agreements: per_argument(
                &with,
                move |db, viewer, (status, args), orgs| async move {
                    agreements::organization_agreement_pages(
                        &db, &viewer, now, status, &orgs, &args,
                    )
                    .await
                },
            ),
            org_agreement_counts: per_argument(&with, move |db, viewer, status, orgs| async move {
                agreements::organization_agreement_counts(&db, &viewer, now, status, &orgs).await
            }),
            partners: loader!(with, |db, viewer, orgs: Vec<Uuid>| {
                agreements::partners_of(&db, &viewer, now, &orgs).await
            }),
            agreement_visible: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                let yes = agreements::visible_agreement_ids(&db, &viewer, &ids).await?;
                Ok::<_, DbErr>(flags(ids, yes))
            }),
            spaces_of: loader!(with, |db, viewer, orgs: Vec<Uuid>| {
                let found = spaces::visible_spaces_of(&db, &viewer, now, &orgs).await?;
                Ok::<_, DbErr>(group_by(found, |s| s.organization_id))
            }),
            space_visible: loader!(with, |db, viewer, ids: Vec<Uuid>| {
                let yes = spaces::visible_space_ids(&db, &viewer, now, &ids).await?;
                Ok::<_, DbErr>(flags(ids, yes))
            }),
            can_book_in: loader!(with, |db, viewer, owners: Vec<Uuid>| {
                let yes = spaces::bookable_owners(&db, &viewer, now, &owners).await?;
                Ok::<_, DbErr>(flags(owners, yes))
            }),
            live_bookings: loader!(with, |db, _, keys: Vec<Window>| {
                // Every window gets an answer, empty ones too (see `flags`).
                let mut out: HashMap<Window, Vec<booking::Model>> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for ((from, to), ids) in grouped(&keys, |(s, f, t)| ((*f, *t), *s)) {
                    for b in spaces::live_bookings_of(&db, &ids, from, to).await? {
                        out.entry((b.space_id, from, to)).or_default().push(b);
                    }
                }
                Ok::<_, DbErr>(out)
            }),
            roles_stale,
            projects: projects::ProjectLoaders::new(db, &with, now),
            actions: actions::ActionLoaders::new(&with, now),
            disclosure: disclosure::DisclosureLoaders::new(db, &with, now),
            events: events::EventLoaders::new(db, &with, now),
        }
    }

    pub fn shared(self) -> Arc<dyn Reads> {
        Arc::new(self)
    }
}

/// One value, or its default when the batch had nothing for the key.
async fn one<K, V>(loader: &Cached<K, V>, key: K) -> ApiResult<V>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Default + Send + Sync + Clone + 'static,
{
    Ok(loader
        .load_one(key)
        .await
        .map_err(internal)?
        .unwrap_or_default())
}

async fn maybe<K, V>(loader: &Cached<K, V>, key: K) -> ApiResult<Option<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    loader.load_one(key).await.map_err(internal)
}

#[async_trait::async_trait]
impl Reads for Loaders {
    async fn user(&self, id: Uuid) -> ApiResult<Option<user::Model>> {
        maybe(&self.users, id).await
    }

    async fn organization(&self, id: Uuid) -> ApiResult<Option<organization::Model>> {
        maybe(&self.organizations, id).await
    }

    async fn organizations(&self, ids: &[Uuid]) -> ApiResult<Vec<organization::Model>> {
        let mut found = self
            .organizations
            .load_many(ids.iter().copied())
            .await
            .map_err(internal)?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    async fn viewer_role(&self, organization: Uuid) -> ApiResult<Option<Role>> {
        maybe(&self.viewer_roles, organization).await
    }

    fn written(&self) {
        self.roles_stale
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.viewer_roles.clear();
    }

    async fn viewer_roles(&self, organizations: &[Uuid]) -> ApiResult<HashMap<Uuid, Role>> {
        self.viewer_roles
            .load_many(organizations.iter().copied())
            .await
            .map_err(internal)
    }

    async fn memberships_of(&self, user: Uuid) -> ApiResult<Vec<membership::Model>> {
        one(&self.memberships_of, user).await
    }

    async fn member_page(
        &self,
        organization: Uuid,
        args: PageArgs,
    ) -> ApiResult<Page<membership::Model>> {
        one(&self.member_pages, (organization, args)).await
    }

    async fn member_count(&self, organization: Uuid) -> ApiResult<i64> {
        one(&self.member_counts, organization).await
    }

    async fn pending_invitations(&self, organization: Uuid) -> ApiResult<Vec<invitation::Model>> {
        one(&self.pending_invitations, organization).await
    }

    async fn agreement(&self, id: Uuid) -> ApiResult<Option<agreement::Model>> {
        maybe(&self.agreements, id).await
    }

    async fn agreement_visible(&self, id: Uuid) -> ApiResult<bool> {
        one(&self.agreement_visible, id).await
    }

    async fn parties(&self, agreement: Uuid) -> ApiResult<Vec<agreement_party::Model>> {
        one(&self.parties, agreement).await
    }

    async fn consents(&self, agreement: Uuid) -> ApiResult<Vec<agreement_consent::Model>> {
        one(&self.consents, agreement).await
    }

    async fn organization_agreements(
        &self,
        organization: Uuid,
        status: Option<AgreementStatus>,
        args: PageArgs,
    ) -> ApiResult<Page<agreement::Model>> {
        one(&self.org_agreements, (organization, (status, args))).await
    }

    async fn organization_agreement_count(
        &self,
        organization: Uuid,
        status: Option<AgreementStatus>,
    ) -> ApiResult<i64> {
        one(&self.org_agreement_counts, (organization, status)).await
    }

    async fn partners(&self, organization: Uuid) -> ApiResult<Vec<Uuid>> {
        one(&self.partners, organization).await
    }

    async fn space(&self, id: Uuid) -> ApiResult<Option<space::Model>> {
        maybe(&self.spaces, id).await
    }

    async fn space_visible(&self, id: Uuid) -> ApiResult<bool> {
        one(&self.space_visible, id).await
    }

    async fn spaces_of(&self, organization: Uuid) -> ApiResult<Vec<space::Model>> {
        one(&self.spaces_of, organization).await
    }

    async fn can_book_in(&self, owner: Uuid) -> ApiResult<bool> {
        one(&self.can_book_in, owner).await
    }

    async fn live_bookings(
        &self,
        space: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> ApiResult<Vec<booking::Model>> {
        one(&self.live_bookings, (space, from, to)).await
    }
}
