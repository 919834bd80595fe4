//! The sharing rule, as SQL.
//!
//! Organizations A and B are *partners for scope S* when an agreement exists
//! that is ACTIVE now, lists S, and in which both A and B are SIGNED and
//! admitted (at ratification, or — joining later — once every sharing party
//! consented). Nothing
//! is stored about partnerships: every read computes them from this rule, so
//! the moment an agreement expires, is terminated, or a party withdraws or is
//! removed, sharing with that party stops.
//!
//! Everything here builds sea-query conditions and sub-selects, so lists
//! filter in the database (`WHERE owner IN (partners ...)`) and single reads
//! use the very same condition (`WHERE id = ? AND <visible>`), which is what
//! makes "what you may not see is NOT_FOUND" one definition, not two.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ColumnTrait, Iden};

use super::{bound_organization, is_platform_admin, role_cap};
use crate::auth::Viewer;
use entity::{PartyStatus, Role, agreement, agreement_party, booking, membership, space};

mod disclosure;
mod events;
mod work;

pub use disclosure::*;
pub use events::*;
pub use work::*;

/// What an agreement shares between its signed parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Projects,
    Events,
    Actions,
    Spaces,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Projects,
        Scope::Events,
        Scope::Actions,
        Scope::Spaces,
    ];

    /// As the contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Projects => "PROJECTS",
            Scope::Events => "EVENTS",
            Scope::Actions => "ACTIONS",
            Scope::Spaces => "SPACES",
        }
    }

    /// The agreements column that says whether this scope is shared.
    pub fn column(self) -> agreement::Column {
        match self {
            Scope::Projects => agreement::Column::SharesProjects,
            Scope::Events => agreement::Column::SharesEvents,
            Scope::Actions => agreement::Column::SharesActions,
            Scope::Spaces => agreement::Column::SharesSpaces,
        }
    }
}

/// A condition that holds for no row. (An empty sea-query condition renders
/// as no condition at all, i.e. every row: never use one to mean "none".)
pub fn never() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// The organizations the viewer acts for, as a sub-select of
/// `memberships.organization_id` — narrowed to the bound organization of an
/// API token. `None` for anonymous callers.
pub fn viewer_organizations(viewer: &Viewer) -> Option<SelectStatement> {
    viewer_organizations_as(viewer, Role::Member)
}

/// The organizations where the viewer effectively holds at least `min`
/// (a bound token: only its organization, and only up to its role cap).
pub fn viewer_organizations_as(viewer: &Viewer, min: Role) -> Option<SelectStatement> {
    let user_id = viewer.user_id()?;
    let mut q = Query::select();
    q.column(membership::Column::OrganizationId)
        .from(membership::Entity)
        .and_where(membership::Column::UserId.eq(user_id));
    if min != Role::Member {
        q.and_where(membership::Column::Role.is_in(Role::at_least_all(min)));
    }
    if let Some(bound) = bound_organization(viewer) {
        q.and_where(membership::Column::OrganizationId.eq(bound));
    }
    if role_cap(viewer).is_some_and(|cap| !cap.at_least(min)) {
        q.and_where(Expr::cust("1 = 0"));
    }
    Some(q)
}

/// `agreements` (under `table`) is ACTIVE at `now`: ratified, not
/// terminated, and now within [active_from, active_until).
pub fn agreement_active(table: impl Iden + Clone + 'static, now: DateTime<Utc>) -> Condition {
    let col = |c: agreement::Column| Expr::col((table.clone(), c));
    Condition::all()
        .add(col(agreement::Column::RatifiedAt).is_not_null())
        .add(col(agreement::Column::TerminatedAt).is_null())
        .add(col(agreement::Column::ActiveFrom).lte(now))
        .add(
            Condition::any()
                .add(col(agreement::Column::ActiveUntil).is_null())
                .add(col(agreement::Column::ActiveUntil).gt(now)),
        )
}

/// Condition on `agreements.id` (under `table`): the viewer may see the
/// agreement. Members of any party organization that was not removed see it
/// (an INVITED party must, to decide); platform admins see all; nobody else.
pub fn agreement_visible(viewer: &Viewer, table: impl Iden + Clone + 'static) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    let Some(orgs) = viewer_organizations(viewer) else {
        return never();
    };
    let mut parties = Query::select();
    parties
        .column(agreement_party::Column::AgreementId)
        .from(agreement_party::Entity)
        .and_where(agreement_party::Column::OrganizationId.in_subquery(orgs))
        .and_where(agreement_party::Column::Status.ne(PartyStatus::Removed));
    Condition::all().add(Expr::col((table, agreement::Column::Id)).in_subquery(parties))
}

/// Pairs (`of`, `partner`) of organizations that are partners at `now`:
/// both SIGNED in an ACTIVE agreement that shares `scope` (any scope when
/// `None`), restricted to agreements matching `agreements_where` (a
/// condition on the `a` alias). Selects `yd_of` and `yd_partner`.
pub fn partner_pairs(
    of: Condition,
    scope: Option<Scope>,
    now: DateTime<Utc>,
    agreements_where: Condition,
) -> SelectStatement {
    let (p1, p2, a) = (Alias::new("p1"), Alias::new("p2"), Alias::new("a"));
    let party = |t: &Alias, c: agreement_party::Column| Expr::col((t.clone(), c));
    let mut q = Query::select();
    q.distinct()
        .expr_as(
            party(&p1, agreement_party::Column::OrganizationId),
            Alias::new("yd_of"),
        )
        .expr_as(
            party(&p2, agreement_party::Column::OrganizationId),
            Alias::new("yd_partner"),
        )
        .from_as(agreement_party::Entity, p1.clone())
        .join_as(
            JoinType::InnerJoin,
            agreement_party::Entity,
            p2.clone(),
            Condition::all()
                .add(
                    party(&p2, agreement_party::Column::AgreementId)
                        .equals((p1.clone(), agreement_party::Column::AgreementId)),
                )
                .add(party(&p2, agreement_party::Column::Status).eq(PartyStatus::Signed.as_str()))
                .add(party(&p2, agreement_party::Column::AdmittedAt).is_not_null())
                .add(
                    party(&p2, agreement_party::Column::OrganizationId)
                        .ne(party(&p1, agreement_party::Column::OrganizationId)),
                ),
        )
        .join_as(
            JoinType::InnerJoin,
            agreement::Entity,
            a.clone(),
            Expr::col((a.clone(), agreement::Column::Id))
                .equals((p1.clone(), agreement_party::Column::AgreementId)),
        )
        .cond_where(
            Condition::all()
                .add(of)
                .add(party(&p1, agreement_party::Column::Status).eq(PartyStatus::Signed.as_str()))
                .add(party(&p1, agreement_party::Column::AdmittedAt).is_not_null())
                .add(agreement_active(a.clone(), now))
                .add(agreements_where),
        );
    if let Some(scope) = scope {
        q.and_where(Expr::col((a, scope.column())).eq(true));
    }
    q
}

/// The organizations that are partners of any organization selected by
/// `of` (a sub-select of organization ids) for `scope`, at `now`: a
/// sub-select of organization ids, for `owner IN (...)` conditions.
pub fn partners_of(of: SelectStatement, scope: Scope, now: DateTime<Utc>) -> SelectStatement {
    let of = Condition::all().add(
        Expr::col((Alias::new("p1"), agreement_party::Column::OrganizationId)).in_subquery(of),
    );
    let mut pairs = partner_pairs(of, Some(scope), now, Condition::all());
    let mut q = Query::select();
    q.column(Alias::new("yd_partner"))
        .from_subquery(pairs.take(), Alias::new("yd_pairs"));
    q
}

/// The one rule of who books where, as a condition on an owner column: the
/// organizations selected by `booking_for` may book in the spaces of the
/// owner when they are the owner, or its partners for SPACES now.
pub fn may_book_in(
    booking_for: SelectStatement,
    owner: impl sea_orm::sea_query::IntoColumnRef + Clone,
    now: DateTime<Utc>,
) -> Condition {
    Condition::any()
        .add(Expr::col(owner.clone()).in_subquery(booking_for.clone()))
        .add(Expr::col(owner).in_subquery(partners_of(booking_for, Scope::Spaces, now)))
}

/// One organization, as a sub-select for [`may_book_in`] and the like.
pub fn the_organization(id: uuid::Uuid) -> SelectStatement {
    let mut q = Query::select();
    q.column(entity::organization::Column::Id)
        .from(entity::organization::Entity)
        .and_where(entity::organization::Column::Id.eq(id));
    q
}

/// Organizations whose spaces the viewer may book (as a condition on an
/// owner column): [`may_book_in`] for the organizations where the viewer is
/// EDITOR+. (Platform admins book nothing but through a membership.)
pub fn can_book_in(
    viewer: &Viewer,
    owner: impl sea_orm::sea_query::IntoColumnRef + Clone,
    now: DateTime<Utc>,
) -> Condition {
    let Some(editor_of) = viewer_organizations_as(viewer, Role::Editor) else {
        return never();
    };
    may_book_in(editor_of, owner, now)
}

/// Who may see a space (a condition on its owner column): members of the
/// owning organization, whoever may book it (EDITOR+ of a SPACES partner),
/// and platform admins. For anyone else the space does not exist.
pub fn space_visible(
    viewer: &Viewer,
    owner: impl sea_orm::sea_query::IntoColumnRef + Clone,
    now: DateTime<Utc>,
) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    let Some(member_of) = viewer_organizations(viewer) else {
        return never();
    };
    Condition::any()
        .add(Expr::col(owner.clone()).in_subquery(member_of))
        .add(can_book_in(viewer, owner, now))
}

/// The root rule for a booking, as a condition on `bookings`: visible where
/// its space is ([`space_visible`]), and always to the organization it was
/// made for ([`super::spaces::can_see_own_booking`]), so a former partner
/// still sees and cancels what it booked.
pub fn booking_visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    let mut spaces = Query::select();
    spaces
        .column((space::Entity, space::Column::Id))
        .from(space::Entity)
        .cond_where(space_visible(
            viewer,
            (space::Entity, space::Column::OrganizationId),
            now,
        ));
    let mut visible = Condition::any()
        .add(Expr::col((booking::Entity, booking::Column::SpaceId)).in_subquery(spaces));
    if let Some(own) = viewer_organizations(viewer) {
        visible = visible
            .add(Expr::col((booking::Entity, booking::Column::OrganizationId)).in_subquery(own));
    }
    visible
}
