//! Batched loads for agreements: parties per agreement, agreement pages and
//! counts per organization, partners per organization — each one query for
//! however many parents a response holds. They carry the request's viewer,
//! because what they return is filtered by what the viewer may see.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::service::list_condition;
use super::status::AgreementStatus;
use crate::auth::Viewer;
use crate::graphql::connection::{Page, PageArgs, load_pages_from};
use crate::graphql::loaders::LoadError;
use crate::policy::sharing;
use entity::{PartyStatus, agreement, agreement_consent, agreement_party};

/// All party rows of each agreement, in invitation order.
pub struct PartiesOf {
    db: DatabaseConnection,
}

impl PartiesOf {
    pub fn new(db: DatabaseConnection) -> Self {
        PartiesOf { db }
    }
}

impl Loader<Uuid> for PartiesOf {
    type Value = Vec<agreement_party::Model>;
    type Error = LoadError;

    async fn load(&self, agreements: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = agreement_party::Entity::find()
            .filter(agreement_party::Column::AgreementId.is_in(agreements.iter().copied()))
            .order_by_asc(agreement_party::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(row.agreement_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// The recorded answers about newcomers, per agreement.
pub struct ConsentsOf {
    db: DatabaseConnection,
}

impl ConsentsOf {
    pub fn new(db: DatabaseConnection) -> Self {
        ConsentsOf { db }
    }
}

impl Loader<Uuid> for ConsentsOf {
    type Value = Vec<agreement_consent::Model>;
    type Error = LoadError;

    async fn load(&self, agreements: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = agreement_consent::Entity::find()
            .filter(agreement_consent::Column::AgreementId.is_in(agreements.iter().copied()))
            .order_by_asc(agreement_consent::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(row.agreement_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Agreements an organization is a (not removed) party to, restricted to
/// what the viewer may see and optionally to one status.
fn org_agreements(
    viewer: &Viewer,
    status: Option<AgreementStatus>,
    now: DateTime<Utc>,
    orgs: &[Uuid],
) -> SelectStatement {
    let p = Alias::new("p");
    let mut q = Query::select();
    q.from(agreement::Entity)
        .join_as(
            JoinType::InnerJoin,
            agreement_party::Entity,
            p.clone(),
            Expr::col((p.clone(), agreement_party::Column::AgreementId))
                .equals((agreement::Entity, agreement::Column::Id)),
        )
        .cond_where(
            Condition::all()
                .add(
                    Expr::col((p.clone(), agreement_party::Column::OrganizationId))
                        .is_in(orgs.iter().copied()),
                )
                .add(
                    Expr::col((p, agreement_party::Column::Status))
                        .ne(PartyStatus::Removed.as_str()),
                )
                .add(list_condition(viewer, status, now)),
        );
    q
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgAgreementsKey {
    pub organization_id: Uuid,
    pub status: Option<AgreementStatus>,
    pub args: PageArgs,
}

pub struct OrgAgreementPages {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl OrgAgreementPages {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        OrgAgreementPages { db, viewer, now }
    }
}

impl Loader<OrgAgreementsKey> for OrgAgreementPages {
    type Value = Page<agreement::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[OrgAgreementsKey],
    ) -> Result<HashMap<OrgAgreementsKey, Self::Value>, LoadError> {
        let mut groups: HashMap<(Option<AgreementStatus>, PageArgs), Vec<Uuid>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.status, k.args))
                .or_default()
                .push(k.organization_id);
        }
        let mut out = HashMap::new();
        for ((status, args), orgs) in groups {
            let mut inner = org_agreements(&self.viewer, status, self.now, &orgs);
            inner.column((agreement::Entity, Asterisk)).expr_as(
                Expr::col((Alias::new("p"), agreement_party::Column::OrganizationId)),
                Alias::new("yd_parent"),
            );
            let pages = load_pages_from::<agreement::Model>(
                &self.db,
                inner,
                (Alias::new("p"), agreement_party::Column::OrganizationId),
                (agreement::Entity, agreement::Column::Id),
                &orgs,
                &args,
            )
            .await?;
            out.extend(pages.into_iter().map(|(organization_id, page)| {
                (
                    OrgAgreementsKey {
                        organization_id,
                        status,
                        args,
                    },
                    page,
                )
            }));
        }
        Ok(out)
    }
}

pub struct OrgAgreementCounts {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl OrgAgreementCounts {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        OrgAgreementCounts { db, viewer, now }
    }
}

impl Loader<(Uuid, Option<AgreementStatus>)> for OrgAgreementCounts {
    type Value = i64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(Uuid, Option<AgreementStatus>)],
    ) -> Result<HashMap<(Uuid, Option<AgreementStatus>), i64>, LoadError> {
        let mut groups: HashMap<Option<AgreementStatus>, Vec<Uuid>> = HashMap::new();
        for (org, status) in keys {
            groups.entry(*status).or_default().push(*org);
        }
        let mut out = HashMap::new();
        for (status, orgs) in groups {
            let p = Alias::new("p");
            let mut q = org_agreements(&self.viewer, status, self.now, &orgs);
            q.expr_as(
                Expr::col((p.clone(), agreement_party::Column::OrganizationId)),
                Alias::new("org"),
            )
            .expr_as(
                Func::count(Expr::col((agreement::Entity, agreement::Column::Id))),
                Alias::new("n"),
            )
            .group_by_col((p, agreement_party::Column::OrganizationId));
            for org in &orgs {
                out.insert((*org, status), 0);
            }
            for row in self.db.query_all(&q).await? {
                let org: Uuid = row.try_get("", "org")?;
                let n: i64 = row.try_get("", "n")?;
                out.insert((org, status), n);
            }
        }
        Ok(out)
    }
}

/// Partners (under any ACTIVE agreement) of each organization, as far as the
/// viewer can see: only agreements the viewer may see count, so nothing
/// here reveals an agreement the viewer could not look up.
pub struct PartnersOf {
    db: DatabaseConnection,
    viewer: Viewer,
    now: DateTime<Utc>,
}

impl PartnersOf {
    pub fn new(db: DatabaseConnection, viewer: Viewer, now: DateTime<Utc>) -> Self {
        PartnersOf { db, viewer, now }
    }
}

impl Loader<Uuid> for PartnersOf {
    type Value = Vec<Uuid>;
    type Error = LoadError;

    async fn load(&self, orgs: &[Uuid]) -> Result<HashMap<Uuid, Vec<Uuid>>, LoadError> {
        let of = Condition::all().add(
            Expr::col((Alias::new("p1"), agreement_party::Column::OrganizationId))
                .is_in(orgs.iter().copied()),
        );
        let visible = sharing::agreement_visible(&self.viewer, Alias::new("a"));
        let mut q = sharing::partner_pairs(of, None, self.now, visible);
        q.order_by(Alias::new("yd_partner"), sea_orm::Order::Asc);
        let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for row in self.db.query_all(&q).await? {
            let of: Uuid = row.try_get("", "yd_of")?;
            let partner: Uuid = row.try_get("", "yd_partner")?;
            out.entry(of).or_default().push(partner);
        }
        Ok(out)
    }
}
