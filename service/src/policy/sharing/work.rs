//! The sharing rule for the coalition's joint work: who reads a project
//! (and so its goals and progress) and a solidarity action, and who takes
//! part in a project now. Built on the partner rule of the parent module.

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SelectStatement};

use super::{Scope, agreement_active, partners_of, viewer_organizations};
use crate::auth::Viewer;
use crate::policy::is_platform_admin;
use entity::{
    ActionStatus, PartyStatus, Visibility, agreement, agreement_party, project,
    project_participant, solidarity_action,
};

/// The participations that hold now: `project_participants` rows (aliased
/// `pp`, columns `project_id` and `organization_id`) of the lead, and of the
/// other participants while they share under the project's agreement — a
/// SIGNED, admitted party of it, which is ACTIVE now. A participant that
/// withdraws, or whose agreement ends, drops out at once. `of`, when given,
/// keeps the participations of those organizations only.
pub fn current_participations(of: Option<SelectStatement>, now: DateTime<Utc>) -> SelectStatement {
    let (pp, p, ap, a) = (
        Alias::new("pp"),
        Alias::new("p"),
        Alias::new("ap"),
        Alias::new("a"),
    );
    let participant = |c: project_participant::Column| Expr::col((pp.clone(), c));
    let party = |c: agreement_party::Column| Expr::col((ap.clone(), c));
    let mut q = Query::select();
    q.column((pp.clone(), project_participant::Column::ProjectId))
        .column((pp.clone(), project_participant::Column::OrganizationId))
        .from_as(project_participant::Entity, pp.clone())
        .join_as(
            JoinType::InnerJoin,
            project::Entity,
            p.clone(),
            Expr::col((p.clone(), project::Column::Id))
                .equals((pp.clone(), project_participant::Column::ProjectId)),
        )
        .join_as(
            JoinType::LeftJoin,
            agreement_party::Entity,
            ap.clone(),
            Condition::all()
                .add(
                    party(agreement_party::Column::AgreementId)
                        .equals((p.clone(), project::Column::AgreementId)),
                )
                .add(
                    party(agreement_party::Column::OrganizationId)
                        .equals((pp.clone(), project_participant::Column::OrganizationId)),
                ),
        )
        .join_as(
            JoinType::LeftJoin,
            agreement::Entity,
            a.clone(),
            Expr::col((a.clone(), agreement::Column::Id))
                .equals((p.clone(), project::Column::AgreementId)),
        )
        .cond_where(
            Condition::any()
                .add(
                    participant(project_participant::Column::OrganizationId)
                        .equals((p, project::Column::LeadOrganizationId)),
                )
                .add(
                    Condition::all()
                        .add(
                            party(agreement_party::Column::Status).eq(PartyStatus::Signed.as_str()),
                        )
                        .add(party(agreement_party::Column::AdmittedAt).is_not_null())
                        .add(agreement_active(a, now)),
                ),
        );
    if let Some(of) = of {
        q.and_where(participant(project_participant::Column::OrganizationId).in_subquery(of));
    }
    q
}

/// A condition on `projects`: an organization selected by `of` takes part
/// in the project now ([`current_participations`]). Those who take part
/// read the project whatever its visibility, and record progress for it.
pub fn participates(of: SelectStatement, now: DateTime<Utc>) -> Condition {
    let mut projects = current_participations(Some(of), now);
    projects.clear_selects();
    projects.column((Alias::new("pp"), project_participant::Column::ProjectId));
    Condition::all().add(Expr::col((project::Entity, project::Column::Id)).in_subquery(projects))
}

/// Agreements (a sub-select of ids) that are ACTIVE now and in which an
/// organization selected by `of` is a SIGNED, admitted party.
fn sharing_in(of: SelectStatement, now: DateTime<Utc>) -> SelectStatement {
    let a = Alias::new("a");
    let mut q = Query::select();
    q.column((
        agreement_party::Entity,
        agreement_party::Column::AgreementId,
    ))
    .from(agreement_party::Entity)
    .join_as(
        JoinType::InnerJoin,
        agreement::Entity,
        a.clone(),
        Expr::col((a.clone(), agreement::Column::Id)).equals((
            agreement_party::Entity,
            agreement_party::Column::AgreementId,
        )),
    )
    .cond_where(
        Condition::all()
            .add(agreement_party::Column::OrganizationId.in_subquery(of))
            .add(agreement_party::Column::Status.eq(PartyStatus::Signed.as_str()))
            .add(agreement_party::Column::AdmittedAt.is_not_null())
            .add(agreement_active(a, now)),
    );
    q
}

/// Who may see a project (a condition on `projects`): anyone when PUBLIC;
/// members of the organizations taking part; members of the SIGNED parties
/// of its agreement while that is ACTIVE, whatever the visibility (a joint
/// project belongs to the MOU's parties); for PARTNERS, also members of the
/// lead's partners for PROJECTS; platform admins always. When the agreement
/// ends or a party leaves it, the project disappears for that party at
/// once. (Taking part — [`participates`] — is the lead, or a participant
/// that is a SIGNED party of the ACTIVE agreement, so here it reduces to
/// "the lead" plus the agreement's parties: a list reads no
/// participation rows.)
pub fn project_visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    let col = |c: project::Column| Expr::col((project::Entity, c));
    let public = col(project::Column::Visibility).eq(Visibility::Public.as_str());
    let Some(orgs) = viewer_organizations(viewer) else {
        return Condition::all().add(public);
    };
    Condition::any()
        .add(public)
        .add(col(project::Column::LeadOrganizationId).in_subquery(orgs.clone()))
        .add(col(project::Column::AgreementId).in_subquery(sharing_in(orgs.clone(), now)))
        .add(
            Condition::all()
                .add(col(project::Column::Visibility).eq(Visibility::Partners.as_str()))
                .add(
                    col(project::Column::LeadOrganizationId).in_subquery(partners_of(
                        orgs,
                        Scope::Projects,
                        now,
                    )),
                ),
        )
}

/// Who may read a solidarity action (a condition on `solidarity_actions`),
/// for the organizations selected by `of` (`None`: an anonymous caller): its
/// initiator always; once it is no longer a DRAFT, anyone when PUBLIC and
/// the initiator's partners for ACTIONS when PARTNERS. A draft is the
/// initiator's alone, whatever its visibility.
pub fn action_readable_by(of: Option<SelectStatement>, now: DateTime<Utc>) -> Condition {
    let col = |c: solidarity_action::Column| Expr::col((solidarity_action::Entity, c));
    let published = col(solidarity_action::Column::Status).ne(ActionStatus::Draft.as_str());
    let public = Condition::all()
        .add(published.clone())
        .add(col(solidarity_action::Column::Visibility).eq(Visibility::Public.as_str()));
    let Some(of) = of else {
        return public;
    };
    Condition::any()
        .add(public)
        .add(col(solidarity_action::Column::InitiatorId).in_subquery(of.clone()))
        .add(
            Condition::all()
                .add(published)
                .add(col(solidarity_action::Column::Visibility).eq(Visibility::Partners.as_str()))
                .add(
                    col(solidarity_action::Column::InitiatorId).in_subquery(partners_of(
                        of,
                        Scope::Actions,
                        now,
                    )),
                ),
        )
}

/// Who may see a solidarity action: [`action_readable_by`] the viewer's
/// organizations; platform admins always.
pub fn action_visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    action_readable_by(viewer_organizations(viewer), now)
}
