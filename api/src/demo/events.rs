//! The coalition's meetings from the plan: the executive committee (집행위원회,
//! ten people, every other month, invitee-only) with its attendance against
//! the plan's 70% target; the monthly sub-committee; the three 주민자치
//! 역량강화 workshops co-hosted with gapcheon, one of them full with a
//! waitlist that has already moved; five public village meetings about
//! disclosure requests. Past meetings are recorded at the times they
//! happened, with their check-ins.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{Org, PASSWORD, acting_as, ok};
use crate::state::AppState;
use entity::{GoalKind, GoalMeasure, GoalSource, RsvpStatus, Visibility, event};
use service::auth::Viewer;
use service::event::{NewEvent, events, rsvps};
use service::identity::accounts::{self, SignUp};
use service::membership::{groups, invitations};
use service::paging::PageArgs;
use service::project::{NewGoal, NewProject, ProjectFilter, goals, projects};

/// Who came to each past executive committee meeting, of ten: 36 of 50,
/// so the rate stands at 72% against the 70% target.
const CAME: [usize; 5] = [7, 8, 6, 7, 8];

pub(super) async fn load(state: &AppState, now: DateTime<Utc>, orgs: &[Org]) -> anyhow::Result<()> {
    let [hanbat, gapcheon, rights, media, _yuseong] = orgs else {
        anyhow::bail!("five demo organizations")
    };
    let at = |who: &Viewer, t: DateTime<Utc>| state.request_at(who.clone(), t);
    let admin = &hanbat.people[1];
    let committee = committee(state, hanbat).await?;
    let group = ok(groups::create(
        &at(admin, now - TimeDelta::days(320)),
        hanbat.id,
        "집행위원회",
        &committee,
    )
    .await)?;

    // 집행위원회: every other month at 19:00, five meetings past.
    let first = evening(now - TimeDelta::days(290));
    let mut meeting = new_event(hanbat.id, "집행위원회", first, 2, Visibility::Private);
    meeting.recurrence = Some("FREQ=MONTHLY;INTERVAL=2;COUNT=7".into());
    meeting.invitee_group_id = Some(group.id);
    meeting.location = Some("한밭 사무실".into());
    let created = ok(events::create(&at(admin, first - TimeDelta::days(20)), meeting).await)?;
    let occurrences = occurrences_of(state, admin, now, created.series_id).await?;
    for (occurrence, came) in occurrences.iter().filter(|e| e.ends_at < now).zip(CAME) {
        let during = at(admin, occurrence.starts_at + TimeDelta::minutes(30));
        for person in &committee[..came] {
            ok(rsvps::check_in(&during, occurrence.id, *person).await)?;
        }
    }
    let operations = ok(projects::create(
        &at(admin, first - TimeDelta::days(20)),
        NewProject {
            lead_organization_id: hanbat.id,
            agreement_id: None,
            title: "조직 운영".into(),
            summary: Some("집행위원회와 회원 조직의 운영".into()),
            visibility: Visibility::Private,
            starts_on: None,
            ends_on: None,
        },
    )
    .await)?;
    ok(goals::add(
        &at(admin, now),
        operations.id,
        NewGoal {
            kind: GoalKind::Quantitative,
            measure: Some(GoalMeasure::Level),
            source: Some(GoalSource::Attendance),
            event_series_id: created.series_id,
            title: "집행위원회 출석율".into(),
            unit: None,
            target: Some(0.7),
            due_on: None,
            disclosure: None,
        },
    )
    .await)?;

    // 소위원회: monthly, for the partners too.
    let mut sub = new_event(
        hanbat.id,
        "소위원회",
        evening(now + TimeDelta::days(9)),
        2,
        Visibility::Partners,
    );
    sub.recurrence = Some("FREQ=MONTHLY;COUNT=6".into());
    ok(events::create(&at(&hanbat.editor, now), sub).await)?;

    // 주민자치 역량강화 프로그램: three workshops with gapcheon; the second is full.
    let capacity = project_id(state, &hanbat.editor, now, "주민자치 역량강화").await?;
    let mut workshops = Vec::new();
    for (n, day) in [(1, -20), (2, 12), (3, 40)] {
        let mut w = new_event(
            hanbat.id,
            &format!("주민자치 역량강화 프로그램 {n}"),
            afternoon(now + TimeDelta::days(day)),
            3,
            Visibility::Partners,
        );
        w.capacity = Some(12);
        w.co_host_ids = vec![gapcheon.id];
        w.project_id = capacity;
        w.location = Some("공유 사무실 교육장".into());
        let made = ok(events::create(&at(&hanbat.editor, now - TimeDelta::days(30)), w).await)?;
        workshops.push(made);
    }
    let everyone: Vec<&Viewer> = [hanbat, gapcheon, rights, media]
        .iter()
        .flat_map(|o| o.people.iter())
        .collect();
    let past = &workshops[0];
    for person in everyone.iter().take(9) {
        ok(rsvps::respond(
            &at(person, past.starts_at - TimeDelta::days(5)),
            past.id,
            RsvpStatus::Going,
        )
        .await)?;
    }
    let during = at(&gapcheon.editor, past.starts_at + TimeDelta::minutes(20));
    for person in everyone.iter().take(8) {
        let user = person.user_id().unwrap_or_default();
        ok(rsvps::check_in(&during, past.id, user).await)?;
    }
    let full = &workshops[1];
    for (i, person) in everyone.iter().take(15).enumerate() {
        let t = now - TimeDelta::days(3) + TimeDelta::minutes(i as i64 * 7);
        ok(rsvps::respond(&at(person, t), full.id, RsvpStatus::Going).await)?;
    }
    // One of the first twelve cannot come after all: the first in line moves up.
    ok(rsvps::respond(
        &at(everyone[4], now - TimeDelta::days(1)),
        full.id,
        RsvpStatus::Declined,
    )
    .await)?;

    // 마을 정보공개 모임: five public evenings, monthly.
    let disclosure = project_id(state, &hanbat.editor, now, "정보공개 운동").await?;
    let mut village = new_event(
        hanbat.id,
        "마을 정보공개 모임",
        evening(now - TimeDelta::days(45)),
        2,
        Visibility::Public,
    );
    village.recurrence = Some("FREQ=MONTHLY;COUNT=5".into());
    village.project_id = disclosure;
    village.location = Some("마을 도서관".into());
    ok(events::create(&at(&hanbat.editor, now - TimeDelta::days(60)), village).await)?;
    Ok(())
}

fn new_event(
    host: Uuid,
    title: &str,
    starts_at: DateTime<Utc>,
    hours: i64,
    visibility: Visibility,
) -> NewEvent {
    NewEvent {
        host_organization_id: host,
        title: title.into(),
        description: None,
        starts_at,
        ends_at: starts_at + TimeDelta::hours(hours),
        location: None,
        space_id: None,
        capacity: None,
        visibility,
        project_id: None,
        co_host_ids: Vec::new(),
        recurrence: None,
        invitee_user_ids: None,
        invitee_group_id: None,
    }
}

/// 19:00 in Seoul (10:00 UTC) on the day of `t`.
fn evening(t: DateTime<Utc>) -> DateTime<Utc> {
    at_utc_hour(t, 10)
}

/// 14:00 in Seoul (05:00 UTC).
fn afternoon(t: DateTime<Utc>) -> DateTime<Utc> {
    at_utc_hour(t, 5)
}

fn at_utc_hour(t: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    t.date_naive()
        .and_hms_opt(hour, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(t)
}

/// hanbat's executive committee: its five people and five more members.
async fn committee(state: &AppState, hanbat: &Org) -> anyhow::Result<Vec<Uuid>> {
    let anonymous = state.request(Viewer::anonymous());
    let mut members: Vec<Uuid> = hanbat.people.iter().filter_map(Viewer::user_id).collect();
    for n in 1..=5 {
        let email = format!("committee{n}@hanbat.example");
        let signed_up = ok(accounts::sign_up(
            &anonymous,
            &state.hasher,
            &state.jwt,
            SignUp {
                email: email.clone(),
                password: PASSWORD.into(),
                display_name: format!("집행위원 {n}"),
            },
        )
        .await)?;
        let owner = state.request(hanbat.owner.clone());
        let (_, token) =
            ok(invitations::invite(&owner, hanbat.id, &email, entity::Role::Member).await)?;
        ok(invitations::accept(&state.request(acting_as(signed_up.user.id)), &token).await)?;
        members.push(signed_up.user.id);
    }
    Ok(members)
}

async fn occurrences_of(
    state: &AppState,
    who: &Viewer,
    now: DateTime<Utc>,
    series: Option<Uuid>,
) -> anyhow::Result<Vec<event::Model>> {
    let Some(series) = series else {
        anyhow::bail!("the committee is a series")
    };
    let listing = ok(service::event::series::occurrences(
        &state.request_at(who.clone(), now),
        series,
        PageArgs::first(20),
    )
    .await)?;
    Ok(listing.page.items)
}

async fn project_id(
    state: &AppState,
    who: &Viewer,
    now: DateTime<Utc>,
    title: &str,
) -> anyhow::Result<Option<Uuid>> {
    let filter = ProjectFilter {
        search: Some(title.into()),
        ..ProjectFilter::default()
    };
    let found = ok(projects::list(
        &state.request_at(who.clone(), now),
        filter,
        &PageArgs::first(5),
    )
    .await)?;
    Ok(found
        .page
        .items
        .into_iter()
        .find(|p| p.title == title)
        .map(|p| p.id))
}
