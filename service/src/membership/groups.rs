//! Member groups: saved lists of an organization's members ("executive
//! committee", "disclosure special committee") that its ADMIN+ maintains,
//! so an event can invite them all. Members of the organization (and
//! platform admins, for support) see them; a person counts in a group only
//! while a member of its organization.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::Record;
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock};
use crate::validate;
use crate::write::Write;
use entity::{member_group, member_group_member, membership};

/// The most people one group holds.
pub const MAX_GROUP: usize = 500;

/// Create a group of members: ADMIN+ of the organization.
pub async fn create(
    ctx: &Ctx,
    organization_id: Uuid,
    name: &str,
    users: &[Uuid],
) -> ApiResult<member_group::Model> {
    policy::require_user(&ctx.viewer)?;
    let name = validate::line("name", name, 100)?;
    let users = validate::distinct_ids("userIds", users, MAX_GROUP)?;
    mutate!(ctx, |w| {
        let access = w.act_for(organization_id, Lock::Share).await?;
        policy::ensure_can_manage_groups(&access)?;
        let group = member_group::Model {
            id: Uuid::now_v7(),
            organization_id,
            name: name.clone(),
            created_at: w.now(),
            updated_at: w.now(),
        };
        w.insert(member_group::ActiveModel::from(group.clone()))
            .await?;
        set_members(w, &group, &users).await?;
        w.audit(
            Record::new("group.create", "member_group", group.id)
                .in_org(organization_id)
                .details(json!({ "name": group.name, "members": users.len() })),
        );
        Ok(group)
    })
}

/// Rename a group or replace its members: ADMIN+ of its organization.
pub async fn update(
    ctx: &Ctx,
    id: Uuid,
    name: Option<&str>,
    users: Option<&[Uuid]>,
) -> ApiResult<member_group::Model> {
    policy::require_user(&ctx.viewer)?;
    let name = name.map(|n| validate::line("name", n, 100)).transpose()?;
    let users = users
        .map(|u| validate::distinct_ids("userIds", u, MAX_GROUP))
        .transpose()?;
    mutate!(ctx, |w| {
        let organization = find_in(w.tx(), w.viewer(), id).await?.organization_id;
        policy::ensure_can_manage_groups(&w.act_for(organization, Lock::Share).await?)?;
        let current = w.lock::<member_group::Entity>(id, "member group").await?;
        let mut active = current.into_active_model();
        if let Some(name) = &name {
            active.name = Set(name.clone());
        }
        active.updated_at = Set(w.now());
        let group = active.update(w.tx()).await?;
        if let Some(users) = &users {
            member_group_member::Entity::delete_many()
                .filter(member_group_member::Column::GroupId.eq(id))
                .exec(w.tx())
                .await?;
            set_members(w, &group, users).await?;
        }
        w.audit(
            Record::new("group.update", "member_group", id)
                .in_org(organization)
                .details(json!({ "name": group.name })),
        );
        Ok(group)
    })
}

/// Delete a group: ADMIN+ of its organization. Events it invited keep
/// their invitees.
pub async fn delete(ctx: &Ctx, id: Uuid) -> ApiResult<bool> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let group = find_in(w.tx(), w.viewer(), id).await?;
        let organization = group.organization_id;
        policy::ensure_can_manage_groups(&w.act_for(organization, Lock::Share).await?)?;
        w.lock::<member_group::Entity>(id, "member group").await?;
        member_group::Entity::delete_by_id(id).exec(w.tx()).await?;
        w.audit(
            Record::new("group.delete", "member_group", id)
                .in_org(organization)
                .details(json!({ "name": group.name })),
        );
        Ok(true)
    })
}

/// Members only: everyone named must be a member of the organization.
async fn set_members(
    w: &mut Write<'_>,
    group: &member_group::Model,
    users: &[Uuid],
) -> ApiResult<()> {
    policy::events::ensure_invitees_are_members(w.tx(), group.organization_id, users)
        .await
        .map_err(|_| ApiError::bad_input("userIds", "a group holds members of its organization"))?;
    let rows: Vec<member_group_member::ActiveModel> = users
        .iter()
        .map(|u| member_group_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(group.id),
            user_id: Set(*u),
        })
        .collect();
    member_group_member::Entity::insert_many(rows)
        .exec_without_returning(w.tx())
        .await?;
    Ok(())
}

/// A group the viewer may see ([`policy::group_visible`]); NOT_FOUND
/// otherwise.
pub async fn find_in(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<member_group::Model> {
    member_group::Entity::find_by_id(id)
        .filter(policy::group_visible(viewer))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("member group"))
}

/// An organization's groups, by name: for its members (and platform
/// admins); empty for everyone else.
pub async fn of_organization(
    ctx: &Ctx,
    organization_id: Uuid,
) -> ApiResult<Vec<member_group::Model>> {
    if !policy::can_view_members(&policy::read_access(ctx, organization_id).await?) {
        return Ok(Vec::new());
    }
    Ok(member_group::Entity::find()
        .filter(member_group::Column::OrganizationId.eq(organization_id))
        .order_by_asc(member_group::Column::Name)
        .all(ctx.db())
        .await?)
}

/// The people of a group who are members of its organization now (in a
/// write; reads go through the request's batched reads).
pub async fn current_members(
    db: &impl ConnectionTrait,
    group: &member_group::Model,
) -> ApiResult<Vec<Uuid>> {
    let mut members = Query::select();
    members
        .column(membership::Column::UserId)
        .from(membership::Entity)
        .and_where(Expr::col(membership::Column::OrganizationId).eq(group.organization_id));
    Ok(member_group_member::Entity::find()
        .select_only()
        .column(member_group_member::Column::UserId)
        .filter(member_group_member::Column::GroupId.eq(group.id))
        .filter(member_group_member::Column::UserId.in_subquery(members))
        .order_by_asc(member_group_member::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// [`current_members`] of many groups in one query (for the loaders).
pub async fn current_members_of(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Uuid>>, sea_orm::DbErr> {
    use sea_orm::sea_query::{Alias, Condition, JoinType};
    let (gm, g, m) = (Alias::new("gm"), Alias::new("g"), Alias::new("m"));
    let mut q = Query::select();
    q.column((gm.clone(), member_group_member::Column::GroupId))
        .column((gm.clone(), member_group_member::Column::UserId))
        .from_as(member_group_member::Entity, gm.clone())
        .join_as(
            JoinType::InnerJoin,
            member_group::Entity,
            g.clone(),
            Expr::col((g.clone(), member_group::Column::Id))
                .equals((gm.clone(), member_group_member::Column::GroupId)),
        )
        .join_as(
            JoinType::InnerJoin,
            membership::Entity,
            m.clone(),
            Condition::all()
                .add(
                    Expr::col((m.clone(), membership::Column::UserId))
                        .equals((gm.clone(), member_group_member::Column::UserId)),
                )
                .add(
                    Expr::col((m, membership::Column::OrganizationId))
                        .equals((g, member_group::Column::OrganizationId)),
                ),
        )
        .and_where(
            Expr::col((gm.clone(), member_group_member::Column::GroupId))
                .is_in(groups.iter().copied()),
        )
        .order_by((gm, member_group_member::Column::Id), sea_orm::Order::Asc);
    let mut out: std::collections::HashMap<Uuid, Vec<Uuid>> =
        groups.iter().map(|g| (*g, Vec::new())).collect();
    for row in db.query_all(&q).await? {
        let group: Uuid = row.try_get_by_index(0)?;
        out.entry(group).or_default().push(row.try_get_by_index(1)?);
    }
    Ok(out)
}

/// The group's current members, through the request's batched reads.
pub async fn members(ctx: &Ctx, group: &member_group::Model) -> ApiResult<Vec<Uuid>> {
    ctx.reads().group_members(group.id).await
}
