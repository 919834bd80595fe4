//! Reading agreements: one by id, the viewer's list, an organization's, its
//! partners — each through the visibility rule of [`sharing`] — and the
//! batched queries the transports' loaders call.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter};
use uuid::Uuid;

use super::status::{AgreementStatus, status_condition};
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::paging::{Listing, Page, PageArgs, load_pages_from};
use crate::policy::sharing;
use entity::{PartyStatus, agreement, agreement_consent, agreement_party, organization};

/// The agreement, if the viewer may see it; NOT_FOUND otherwise.
pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<agreement::Model> {
    agreement::Entity::find_by_id(id)
        .filter(sharing::agreement_visible(viewer, agreement::Entity))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("agreement"))
}

/// One agreement, if visible.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<agreement::Model> {
    find_visible(ctx.db(), &ctx.viewer, id).await
}

/// The condition of an agreement list: visible, optionally of one status.
pub fn list_condition(
    viewer: &Viewer,
    status: Option<AgreementStatus>,
    now: DateTime<Utc>,
) -> Condition {
    let mut cond = Condition::all().add(sharing::agreement_visible(viewer, agreement::Entity));
    if let Some(status) = status {
        cond = cond.add(status_condition(status, now));
    }
    cond
}

/// Agreements the viewer's organizations are party to (platform admins:
/// all), oldest first.
pub async fn list(
    ctx: &Ctx,
    status: Option<AgreementStatus>,
    args: &PageArgs,
) -> ApiResult<Listing<agreement::Model>> {
    let cond = list_condition(&ctx.viewer, status, ctx.now());
    crate::paging::list(ctx.db(), cond, agreement::Column::Id, Order::Asc, args).await
}

/// Agreements `organization_id` is a party to, as far as the viewer may see
/// (batched across organizations in one response).
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
    status: Option<AgreementStatus>,
    args: PageArgs,
) -> ApiResult<Listing<agreement::Model>> {
    let page = ctx
        .reads()
        .organization_agreements(organization_id, status, args)
        .await?;
    Ok(Listing::nested(page, move |r| {
        r.organization_agreement_count(organization_id, status)
    }))
}

/// Organizations sharing at least one ACTIVE agreement with
/// `organization_id`, counting only agreements the viewer may see.
pub async fn partners(ctx: &Ctx, organization_id: Uuid) -> ApiResult<Vec<organization::Model>> {
    let ids = ctx.reads().partners(organization_id).await?;
    ctx.reads().organizations(&ids).await
}

/// The agreement some work (a project, an action) runs under, as a nested
/// read: shown when the viewer may see the agreement, null otherwise.
pub async fn under(ctx: &Ctx, id: Option<Uuid>) -> ApiResult<Option<agreement::Model>> {
    let Some(id) = id else {
        return Ok(None);
    };
    if !ctx.reads().agreement_visible(id).await? {
        return Ok(None);
    }
    ctx.reads().agreement(id).await
}

// ---------------------------------------------------------------------------
// Batched, for the transports' loaders

/// Of the given agreements, those the viewer may see.
pub async fn visible_agreement_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    use sea_orm::{ColumnTrait, QuerySelect};
    agreement::Entity::find()
        .select_only()
        .column(agreement::Column::Id)
        .filter(agreement::Column::Id.is_in(ids.iter().copied()))
        .filter(sharing::agreement_visible(viewer, agreement::Entity))
        .into_tuple()
        .all(db)
        .await
}

/// All party rows of each agreement, in invitation order.
pub async fn parties_of(
    db: &impl ConnectionTrait,
    agreements: &[Uuid],
) -> Result<HashMap<Uuid, Vec<agreement_party::Model>>, DbErr> {
    crate::group::children_of::<agreement_party::Entity>(
        db,
        agreement_party::Column::AgreementId,
        agreement_party::Column::Id,
        agreements,
        |row| row.agreement_id,
    )
    .await
}

/// The recorded answers about newcomers, per agreement.
pub async fn consents_of(
    db: &impl ConnectionTrait,
    agreements: &[Uuid],
) -> Result<HashMap<Uuid, Vec<agreement_consent::Model>>, DbErr> {
    crate::group::children_of::<agreement_consent::Entity>(
        db,
        agreement_consent::Column::AgreementId,
        agreement_consent::Column::Id,
        agreements,
        |row| row.agreement_id,
    )
    .await
}

/// Agreements organizations are (not removed) parties to, restricted to
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

/// One page of the agreements of each organization the viewer may see.
pub async fn organization_agreement_pages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<AgreementStatus>,
    orgs: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<agreement::Model>>, DbErr> {
    let mut inner = org_agreements(viewer, status, now, orgs);
    inner.column((agreement::Entity, Asterisk)).expr_as(
        Expr::col((Alias::new("p"), agreement_party::Column::OrganizationId)),
        Alias::new("yd_parent"),
    );
    load_pages_from::<agreement::Model>(
        db,
        inner,
        (Alias::new("p"), agreement_party::Column::OrganizationId),
        (agreement::Entity, agreement::Column::Id),
        orgs,
        args,
    )
    .await
}

/// How many agreements of each organization the viewer may see.
pub async fn organization_agreement_counts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    status: Option<AgreementStatus>,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let p = Alias::new("p");
    let mut q = org_agreements(viewer, status, now, orgs);
    q.expr_as(
        Expr::col((p.clone(), agreement_party::Column::OrganizationId)),
        Alias::new("org"),
    )
    .expr_as(
        Func::count(Expr::col((agreement::Entity, agreement::Column::Id))),
        Alias::new("n"),
    )
    .group_by_col((p, agreement_party::Column::OrganizationId));
    let mut out: HashMap<Uuid, i64> = orgs.iter().map(|o| (*o, 0)).collect();
    for row in db.query_all(&q).await? {
        let org: Uuid = row.try_get("", "org")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(org, n);
    }
    Ok(out)
}

/// Partners (under any ACTIVE agreement) of each organization, as far as
/// the viewer can see: only agreements the viewer may see count, so nothing
/// here reveals an agreement the viewer could not look up.
pub async fn partners_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let of = Condition::all().add(
        Expr::col((Alias::new("p1"), agreement_party::Column::OrganizationId))
            .is_in(orgs.iter().copied()),
    );
    let visible = sharing::agreement_visible(viewer, Alias::new("a"));
    let mut q = sharing::partner_pairs(of, None, now, visible);
    q.order_by(Alias::new("yd_partner"), sea_orm::Order::Asc);
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in db.query_all(&q).await? {
        let (of, partner): (Uuid, Uuid) =
            (row.try_get("", "yd_of")?, row.try_get("", "yd_partner")?);
        out.entry(of).or_default().push(partner);
    }
    Ok(out)
}
