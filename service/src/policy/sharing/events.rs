//! The sharing rule for events: who reads an event, and which co-hosts
//! co-host it now. Built on the partner rule of the parent module.

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SelectStatement};
use uuid::Uuid;

use super::{Scope, partner_pairs, partners_of, viewer_organizations, viewer_organizations_as};
use crate::auth::Viewer;
use crate::policy::is_platform_admin;
use entity::{Role, Visibility, event, event_co_host, event_invitee};

/// The co-hostings that hold now: `event_co_hosts` rows (aliased `ch`,
/// columns `event_id` and `organization_id`) whose organization is a
/// partner of the event's host for EVENTS now. A co-host whose agreement
/// with the host ends stops co-hosting at once (its row stays, and counts
/// again if the partnership is renewed). `of`, when given, keeps the
/// co-hostings of those organizations only.
pub fn current_co_hosts(of: Option<SelectStatement>, now: DateTime<Utc>) -> SelectStatement {
    let (ch, e, pairs) = (Alias::new("ch"), Alias::new("e"), Alias::new("yd_pp"));
    let co_host = |c: event_co_host::Column| Expr::col((ch.clone(), c));
    let mut partners = partner_pairs(Condition::all(), Some(Scope::Events), now, Condition::all());
    let mut q = Query::select();
    q.column((ch.clone(), event_co_host::Column::EventId))
        .column((ch.clone(), event_co_host::Column::OrganizationId))
        .from_as(event_co_host::Entity, ch.clone())
        .join_as(
            JoinType::InnerJoin,
            event::Entity,
            e.clone(),
            Expr::col((e.clone(), event::Column::Id))
                .equals((ch.clone(), event_co_host::Column::EventId)),
        )
        .join_subquery(
            JoinType::InnerJoin,
            partners.take(),
            pairs.clone(),
            Condition::all()
                .add(
                    Expr::col((pairs.clone(), Alias::new("yd_of")))
                        .equals((ch.clone(), event_co_host::Column::OrganizationId)),
                )
                .add(
                    Expr::col((pairs, Alias::new("yd_partner")))
                        .equals((e, event::Column::HostOrganizationId)),
                ),
        );
    if let Some(of) = of {
        q.and_where(co_host(event_co_host::Column::OrganizationId).in_subquery(of));
    }
    q
}

/// The events (a sub-select of ids) that organizations selected by `of`
/// co-host now.
pub fn co_hosted_by(of: SelectStatement, now: DateTime<Utc>) -> SelectStatement {
    let mut q = current_co_hosts(Some(of), now);
    q.clear_selects();
    q.column((Alias::new("ch"), event_co_host::Column::EventId));
    q
}

/// Who may read an event (a condition on `events`), for the user `user`
/// acting as a member of the organizations selected by `member_of` (and as
/// ADMIN+ of those selected by `admin_of`); `None`: an anonymous caller.
///
/// An event open to all its readers: anyone when PUBLIC; members of the
/// host; members of its current co-hosts ([`current_co_hosts`]); for
/// PARTNERS, members of the host's partners for EVENTS. An invitee-only
/// event, whatever its visibility: the invitees (members of the host) and
/// the host's ADMIN+, nobody else — an invitee who leaves the host, or a
/// token bound to another organization, does not see it.
pub fn event_readable_by(
    user: Option<Uuid>,
    member_of: Option<SelectStatement>,
    admin_of: Option<SelectStatement>,
    now: DateTime<Utc>,
) -> Condition {
    let col = |c: event::Column| Expr::col((event::Entity, c));
    let open = col(event::Column::InviteesOnly).eq(false);
    let public = Condition::all()
        .add(open.clone())
        .add(col(event::Column::Visibility).eq(Visibility::Public.as_str()));
    let (Some(user), Some(orgs)) = (user, member_of) else {
        return public;
    };
    let mut invited = Query::select();
    invited
        .column(event_invitee::Column::EventId)
        .from(event_invitee::Entity)
        .and_where(event_invitee::Column::UserId.eq(user));
    let mut expected = Condition::any().add(col(event::Column::Id).in_subquery(invited));
    if let Some(admin_of) = admin_of {
        expected = expected.add(col(event::Column::HostOrganizationId).in_subquery(admin_of));
    }
    let host = col(event::Column::HostOrganizationId);
    Condition::any()
        .add(public)
        .add(
            Condition::all().add(open.clone()).add(
                Condition::any()
                    .add(host.clone().in_subquery(orgs.clone()))
                    .add(col(event::Column::Id).in_subquery(co_hosted_by(orgs.clone(), now)))
                    .add(
                        Condition::all()
                            .add(col(event::Column::Visibility).eq(Visibility::Partners.as_str()))
                            .add(host.clone().in_subquery(partners_of(
                                orgs.clone(),
                                Scope::Events,
                                now,
                            ))),
                    ),
            ),
        )
        .add(
            Condition::all()
                .add(col(event::Column::InviteesOnly).eq(true))
                .add(host.in_subquery(orgs))
                .add(expected),
        )
}

/// Who may read an event as themselves — what answering it takes
/// ([`event_readable_by`] the viewer, without a platform admin's reach).
pub fn event_readable_by_viewer(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    event_readable_by(
        viewer.user_id(),
        viewer_organizations(viewer),
        viewer_organizations_as(viewer, Role::Admin),
        now,
    )
}

/// Who may see an event: [`event_readable_by_viewer`]; platform admins
/// always.
pub fn event_visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    event_readable_by_viewer(viewer, now)
}
