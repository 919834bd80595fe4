//! The sharing rule for disclosure requests.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait};

use super::{Scope, current_participations, partners_of, viewer_organizations};
use crate::auth::Viewer;
use crate::policy::is_platform_admin;
use entity::{Visibility, disclosure_request, project_participant};

/// Who may read a disclosure request (a condition on `disclosure_requests`):
/// members of its organization always; anyone when PUBLIC; for PARTNERS,
/// also members of the organization's partners for PROJECTS (a disclosure
/// campaign is joint work) and of the organizations taking part in the
/// request's project now — while the request's own organization takes part
/// in it too; platform admins always. When the agreement ends, or either
/// organization leaves the project, the sharing stops at once.
pub fn disclosure_visible(viewer: &Viewer, now: DateTime<Utc>) -> Condition {
    if is_platform_admin(viewer) {
        return Condition::all();
    }
    let col = |c: disclosure_request::Column| Expr::col((disclosure_request::Entity, c));
    let public = col(disclosure_request::Column::Visibility).eq(Visibility::Public.as_str());
    let Some(orgs) = viewer_organizations(viewer) else {
        return Condition::all().add(public);
    };
    let mut projects = current_participations(Some(orgs.clone()), now);
    projects.clear_selects();
    projects.column((Alias::new("pp"), project_participant::Column::ProjectId));
    let shared = Condition::any()
        .add(
            col(disclosure_request::Column::OrganizationId).in_subquery(partners_of(
                orgs.clone(),
                Scope::Projects,
                now,
            )),
        )
        .add(
            Condition::all()
                .add(col(disclosure_request::Column::ProjectId).in_subquery(projects))
                .add(
                    Expr::tuple([
                        col(disclosure_request::Column::ProjectId),
                        col(disclosure_request::Column::OrganizationId),
                    ])
                    .in_subquery(current_participations(None, now)),
                ),
        );
    Condition::any()
        .add(public)
        .add(col(disclosure_request::Column::OrganizationId).in_subquery(orgs))
        .add(
            Condition::all()
                .add(col(disclosure_request::Column::Visibility).eq(Visibility::Partners.as_str()))
                .add(shared),
        )
}
