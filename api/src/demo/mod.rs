//! The demo coalition (`yeondae serve --demo`), from
//! `../shared/design/demo-plan.md`: five Daejeon civic groups, four of them
//! bound by an MOU, a shared office with two rooms and bookings in the
//! coming weeks ([`office`]), joint projects with goals and months of
//! progress, and solidarity actions with sign-ons ([`work`]). Everything is
//! created through the services, so every rule holds and every step is in
//! the audit log. Events and disclosure requests join the demo with those
//! features.
//!
//! Loading is idempotent: when the organization `hanbat` exists, nothing is
//! done. Demo accounts share one password, printed at start-up — the demo is
//! for exploring on a local machine, never for a shared deployment.

mod disclosure;
mod events;
mod office;
mod work;

use chrono::TimeDelta;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::state::AppState;
use entity::{Role, organization};
use service::ApiError;
use service::agreement::{Answer, NewAgreement, Scopes, lifecycle, parties};
use service::auth::viewer::{Credential, Viewer, ViewerUser};
use service::identity::accounts::{self, SignUp};
use service::membership::invitations;
use service::organization::service::{self as organizations, NewOrganization};
use service::policy::sharing::Scope;

pub const PASSWORD: &str = "yeondae-demo-2023";

/// The organizations of the demo plan: slug, name, region.
const ORGANIZATIONS: [(&str, &str, &str); 5] = [
    ("hanbat", "한밭참여자치모임", "대전"),
    ("gapcheon", "갑천환경모임", "대전 서구"),
    ("dj-rights", "대전인권네트워크", "대전"),
    ("ddi-media", "청년미디어 띠띠", "대전 중구"),
    ("yuseong", "유성주민회", "대전 유성구"),
];

/// Roles every demo organization has, with the local part of the e-mail.
const PEOPLE: [(&str, Role); 5] = [
    ("owner", Role::Owner),
    ("admin", Role::Admin),
    ("editor", Role::Editor),
    ("member1", Role::Member),
    ("member2", Role::Member),
];

pub enum Outcome {
    Loaded,
    AlreadyThere,
}

/// A demo step's refusal, as the CLI reports it.
fn ok<T>(step: Result<T, ApiError>) -> anyhow::Result<T> {
    step.map_err(|e| anyhow::anyhow!("loading the demo: {}", e.message()))
}

fn acting_as(user_id: Uuid) -> Viewer {
    Viewer {
        user: Some(ViewerUser {
            id: user_id,
            is_platform_admin: false,
            roles: None,
        }),
        credential: Credential::Session {
            session_id: Uuid::nil(),
        },
    }
}

struct Org {
    id: Uuid,
    owner: Viewer,
    editor: Viewer,
    /// Everyone, in the order of [`PEOPLE`] (the OWNER first, then ADMIN).
    people: Vec<Viewer>,
}

pub async fn load(state: &AppState) -> anyhow::Result<Outcome> {
    let db = &state.writer;
    let exists = organization::Entity::find()
        .filter(organization::Column::Slug.eq("hanbat"))
        .one(db)
        .await?;
    if exists.is_some() {
        return Ok(Outcome::AlreadyThere);
    }
    let now = state.clock.now();
    // Each step runs as the person taking it, through the services.
    let by = |viewer: &Viewer| state.request(viewer.clone());
    let anonymous = by(&Viewer::anonymous());

    let mut orgs = Vec::new();
    for (slug, name, region) in ORGANIZATIONS {
        let mut people = Vec::new();
        for (local, _) in PEOPLE {
            let email = format!("{local}@{slug}.example");
            let signed_up = ok(accounts::sign_up(
                &anonymous,
                &state.hasher,
                &state.jwt,
                SignUp {
                    email,
                    password: PASSWORD.into(),
                    display_name: format!("{name} {local}"),
                },
            )
            .await)?;
            people.push(acting_as(signed_up.user.id));
        }
        let owner = people[0].clone();
        let org = ok(organizations::create(
            &by(&owner),
            NewOrganization {
                slug: slug.into(),
                name: name.into(),
                description: None,
                region: Some(region.into()),
                website: None,
                timezone: Some("Asia/Seoul".into()),
            },
        )
        .await)?;
        for ((local, role), person) in PEOPLE.iter().zip(&people).skip(1) {
            let email = format!("{local}@{slug}.example");
            let (_, token) = ok(invitations::invite(&by(&owner), org.id, &email, *role).await)?;
            ok(invitations::accept(&by(person), &token).await)?;
        }
        orgs.push(Org {
            id: org.id,
            owner,
            editor: people[2].clone(),
            people,
        });
    }
    let [hanbat, gapcheon, rights, media, _yuseong] = &orgs[..] else {
        unreachable!("five organizations")
    };

    // "2023 지역 시민사회 공동사업 업무협약": all four signed, every scope,
    // 2023-03-01 .. 2026-12-31 — or, once that is close or past, to the end
    // of next year, so that it is ACTIVE whenever the demo is loaded.
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a demo date");
    let planned_end = date("2026-12-31");
    let today = now.date_naive();
    let joint_end = if planned_end > today + TimeDelta::days(60) {
        planned_end
    } else {
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) + 1, 12, 31)
            .unwrap_or(planned_end)
    };
    let joint = ok(lifecycle::create(
        &by(&hanbat.owner),
        NewAgreement {
            convener_id: hanbat.id,
            title: "2023 지역 시민사회 공동사업 업무협약".into(),
            purpose: Some("정보공개 운동, 지방의회 감시, 주민자치 역량강화를 함께 한다.".into()),
            scopes: Scopes::from_list(&Scope::ALL),
            starts_on: date("2023-03-01"),
            ends_on: Some(joint_end),
        },
    )
    .await)?;
    for partner in [gapcheon, rights, media] {
        ok(parties::invite_party(&by(&hanbat.owner), joint.id, partner.id).await)?;
    }
    ok(lifecycle::propose(&by(&hanbat.owner), joint.id).await)?;
    for party in [hanbat, gapcheon, rights, media] {
        ok(parties::answer(&by(&party.owner), joint.id, party.id, Answer::Sign).await)?;
    }

    // "사무실 공동 사용 협약": proposed, gapcheon has not signed yet.
    let office = ok(lifecycle::create(
        &by(&hanbat.owner),
        NewAgreement {
            convener_id: hanbat.id,
            title: "사무실 공동 사용 협약".into(),
            purpose: Some("공유 사무실의 회의실과 교육장을 함께 쓴다.".into()),
            scopes: Scopes::from_list(&[Scope::Spaces]),
            starts_on: date("2023-03-01"),
            ends_on: None,
        },
    )
    .await)?;
    ok(parties::invite_party(&by(&hanbat.owner), office.id, gapcheon.id).await)?;
    ok(lifecycle::propose(&by(&hanbat.owner), office.id).await)?;
    ok(parties::answer(&by(&hanbat.owner), office.id, hanbat.id, Answer::Sign).await)?;

    office::load(state, now, hanbat, gapcheon).await?;
    let campaign_start = work::load(state, now, &orgs, joint.id, joint_end).await?;
    disclosure::load(state, now, &orgs, campaign_start).await?;
    events::load(state, now, &orgs).await?;
    Ok(Outcome::Loaded)
}
