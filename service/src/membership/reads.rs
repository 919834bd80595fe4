//! Batched reads of memberships and invitations: one query for however many
//! organizations (or users) a response holds. The transports' loaders call
//! these; whether the viewer may see the result is decided by the callers
//! through the policy.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, QuerySelect,
};
use uuid::Uuid;

use crate::group::group_by;
use crate::paging::{Page, PageArgs, count_by_parent, load_pages_from};
use entity::{Role, invitation, membership, user};

/// A user's stored roles in the given organizations.
pub async fn roles_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    organizations: &[Uuid],
) -> Result<HashMap<Uuid, Role>, DbErr> {
    let rows: Vec<(Uuid, Role)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::OrganizationId)
        .column(membership::Column::Role)
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganizationId.is_in(organizations.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A membership with its user's row, read in one join (a member list
/// almost always shows who the members are).
#[derive(Debug, Clone)]
pub struct Member {
    pub membership: membership::Model,
    pub user: user::Model,
}

impl FromQueryResult for Member {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Member {
            membership: membership::Model::from_query_result(row, pre)?,
            user: user::Model::from_query_result(row, &format!("{pre}u_"))?,
        })
    }
}

/// One page of members per organization, in join order, with their users
/// and (on a first page) each organization's member count.
pub async fn member_pages(
    db: &impl ConnectionTrait,
    organizations: &[Uuid],
    args: &PageArgs,
) -> Result<HashMap<Uuid, Page<Member>>, DbErr> {
    let m = membership::Entity;
    let mut inner = Query::select();
    inner
        .column((m, Asterisk))
        .expr_as(
            Expr::col((m, membership::Column::OrganizationId)),
            Alias::new("yd_parent"),
        )
        .from(m)
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id)).equals((m, membership::Column::UserId)),
        )
        .and_where(
            Expr::col((m, membership::Column::OrganizationId)).is_in(organizations.iter().copied()),
        );
    crate::db::select_prefixed::<user::Entity>(&mut inner, user::Entity, "u_");
    load_pages_from::<Member>(
        db,
        inner,
        (m, membership::Column::OrganizationId),
        (m, membership::Column::Id),
        organizations,
        args,
    )
    .await
}

/// Number of members per organization.
pub async fn member_counts(
    db: &impl ConnectionTrait,
    organizations: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    count_by_parent::<membership::Entity, _>(
        db,
        membership::Column::OrganizationId,
        organizations,
        Condition::all(),
    )
    .await
}

/// Memberships of users, in join order, narrowed to one organization when
/// the credential is bound to it.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    users: &[Uuid],
    bound: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<membership::Model>>, DbErr> {
    let mut query =
        membership::Entity::find().filter(membership::Column::UserId.is_in(users.iter().copied()));
    if let Some(bound) = bound {
        query = query.filter(membership::Column::OrganizationId.eq(bound));
    }
    let rows = query.order_by_asc(membership::Column::Id).all(db).await?;
    Ok(group_by(rows, |row| row.user_id))
}

/// Pending invitations (not accepted, revoked or expired) per organization,
/// oldest first.
pub async fn pending_invitations_of(
    db: &impl ConnectionTrait,
    organizations: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, Vec<invitation::Model>>, DbErr> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.is_in(organizations.iter().copied()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_asc(invitation::Column::Id)
        .all(db)
        .await?;
    Ok(group_by(rows, |row| row.organization_id))
}
