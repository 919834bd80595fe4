//! The coalition's joint work from the plan: five projects with their
//! quantitative and qualitative goals and six months of progress from the
//! partners (recorded at the times it happened, so the charts have a
//! history), and three solidarity actions, one of them signed by partners.
//!
//! The disclosure campaign's goals count the requests themselves
//! (`super::disclosure` records them).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use super::{Org, ok};
use crate::state::AppState;
use entity::{
    ActionKind, FiledBy, GoalKind, GoalMeasure, GoalSource, GoalStatus, ProjectStatus, Visibility,
};
use service::action::{NewAction, actions, endorsements};
use service::auth::Viewer;
use service::project::goals::DisclosureCriteria;
use service::project::{NewGoal, NewProgress, NewProject, goals, projects};

/// Months of recorded history.
const MONTHS: i64 = 6;

/// A goal: kind and measure, title, unit, target.
type GoalSpec = (GoalMeasure, &'static str, &'static str, f64);

pub(super) async fn load(
    state: &AppState,
    now: DateTime<Utc>,
    orgs: &[Org],
    joint: Uuid,
    joint_end: NaiveDate,
) -> anyhow::Result<DateTime<Utc>> {
    let [hanbat, gapcheon, rights, media, _yuseong] = orgs else {
        anyhow::bail!("five demo organizations")
    };
    // The work started half a year ago; `month(m)` is m months after that.
    let start = now - TimeDelta::days(30 * MONTHS + 10);
    let month = |m: i64| start + TimeDelta::days(30 * m + 5);
    let at = |who: &Viewer, t: DateTime<Utc>| state.request_at(who.clone(), t);
    let year_end = NaiveDate::from_ymd_opt(now.year(), 12, 31).unwrap_or(joint_end);

    let project = |lead: &Org, title: &str, visibility: Visibility, under: bool| NewProject {
        lead_organization_id: lead.id,
        agreement_id: under.then_some(joint),
        title: title.into(),
        summary: None,
        visibility,
        starts_on: Some(start.date_naive()),
        ends_on: Some(year_end),
    };
    let quantity = |(measure, title, unit, target): GoalSpec| NewGoal {
        kind: GoalKind::Quantitative,
        measure: Some(measure),
        source: None,
        event_series_id: None,
        title: title.into(),
        unit: Some(unit.into()),
        target: Some(target),
        due_on: Some(year_end),
        disclosure: None,
    };
    let quality = |title: &str| NewGoal {
        kind: GoalKind::Qualitative,
        measure: None,
        source: None,
        event_series_id: None,
        title: title.into(),
        unit: None,
        target: None,
        due_on: None,
        disclosure: None,
    };

    // 정보공개 운동: the four partners file requests month by month.
    let disclosure = ok(projects::create(
        &at(&hanbat.editor, start),
        project(hanbat, "정보공개 운동", Visibility::Partners, true),
    )
    .await)?;
    for partner in [gapcheon, rights, media] {
        ok(projects::add_participant(&at(&hanbat.editor, start), disclosure.id, partner.id).await)?;
    }
    ok(projects::set_status(
        &at(&hanbat.editor, start),
        disclosure.id,
        ProjectStatus::Active,
    )
    .await)?;
    // Measured by the requests the partners record, not typed in.
    let measured = |title: &str, target: f64, filed_by: Option<FiledBy>| NewGoal {
        kind: GoalKind::Quantitative,
        measure: Some(GoalMeasure::Total),
        source: Some(GoalSource::DisclosureRequests),
        event_series_id: None,
        title: title.into(),
        unit: Some("건".into()),
        target: Some(target),
        due_on: Some(year_end),
        disclosure: Some(DisclosureCriteria {
            filed_by,
            decided_only: false,
        }),
    };
    for (title, target, filed_by) in [
        ("정보공개 청구", 1000.0, None),
        ("시민·회원 청구", 100.0, Some(FiledBy::Citizen)),
    ] {
        let goal = measured(title, target, filed_by);
        ok(goals::add(&at(&hanbat.editor, start), disclosure.id, goal).await)?;
    }
    let expertise = ok(goals::add(
        &at(&hanbat.editor, start),
        disclosure.id,
        quality("정보공개 전문성 강화"),
    )
    .await)?;
    ok(goals::set_status(
        &at(&hanbat.editor, start),
        expertise.id,
        GoalStatus::InProgress,
    )
    .await)?;
    // 지방의회 감시 뉴스레터: a running count of issues, subscribers as a level.
    let newsletter = ok(projects::create(
        &at(&media.editor, start),
        project(media, "지방의회 감시 뉴스레터", Visibility::Public, false),
    )
    .await)?;
    ok(projects::set_status(
        &at(&media.editor, start),
        newsletter.id,
        ProjectStatus::Active,
    )
    .await)?;
    let issues = (GoalMeasure::Total, "격주 발행", "회", 26.0);
    let issues = ok(goals::add(&at(&media.editor, start), newsletter.id, quantity(issues)).await)?;
    let readers = (GoalMeasure::Level, "구독자", "명", 1000.0);
    let readers =
        ok(goals::add(&at(&media.editor, start), newsletter.id, quantity(readers)).await)?;
    ok(goals::add(
        &at(&media.editor, start),
        newsletter.id,
        quality("일상적인 지방의회 감시 체계 구축"),
    )
    .await)?;
    for (m, subscribers) in [420.0, 510.0, 580.0, 640.0, 700.0, 760.0]
        .into_iter()
        .enumerate()
    {
        let t = month(m as i64);
        record(
            state,
            &media.editor,
            t,
            issues.id,
            media.id,
            2.0,
            "격주 발행",
        )
        .await?;
        record(
            state,
            &media.editor,
            t,
            readers.id,
            media.id,
            subscribers,
            "월말 구독자 수",
        )
        .await?;
    }

    // 주민참여예산제도 감시: the position was published, the plan monitored.
    let budget = ok(projects::create(
        &at(&hanbat.editor, start),
        project(hanbat, "주민참여예산제도 감시", Visibility::Partners, true),
    )
    .await)?;
    let position = ok(goals::add(
        &at(&hanbat.editor, start),
        budget.id,
        quality("운영 방안에 대한 단체 입장 발표"),
    )
    .await)?;
    let monitoring = (GoalMeasure::Total, "운영계획 모니터링", "회", 1.0);
    let monitoring =
        ok(goals::add(&at(&hanbat.editor, start), budget.id, quantity(monitoring)).await)?;
    record(
        state,
        &hanbat.editor,
        month(1),
        monitoring.id,
        hanbat.id,
        1.0,
        "운영계획 검토 완료",
    )
    .await?;
    for goal in [position.id, monitoring.id] {
        ok(goals::set_status(&at(&hanbat.editor, month(1)), goal, GoalStatus::Achieved).await)?;
    }

    // 주민자치 역량강화: programmes and village meetings so far.
    let village = ok(projects::create(
        &at(&hanbat.editor, start),
        project(hanbat, "주민자치 역량강화", Visibility::Public, false),
    )
    .await)?;
    let programmes = (GoalMeasure::Total, "역량강화 프로그램", "회", 3.0);
    let programmes =
        ok(goals::add(&at(&hanbat.editor, start), village.id, quantity(programmes)).await)?;
    let meetings = (GoalMeasure::Total, "마을 단위 정보공개 모임", "회", 5.0);
    let meetings =
        ok(goals::add(&at(&hanbat.editor, start), village.id, quantity(meetings)).await)?;
    record(
        state,
        &hanbat.editor,
        month(2),
        programmes.id,
        hanbat.id,
        1.0,
        "1회차",
    )
    .await?;
    record(
        state,
        &hanbat.editor,
        month(3),
        meetings.id,
        hanbat.id,
        1.0,
        "갑천동",
    )
    .await?;
    record(
        state,
        &hanbat.editor,
        month(5),
        meetings.id,
        hanbat.id,
        1.0,
        "관평동",
    )
    .await?;

    // 인력기금 (PRIVATE): monthly donors as a level, the fund as a total.
    let fund = ok(projects::create(
        &at(&hanbat.editor, start),
        project(hanbat, "인력기금", Visibility::Private, false),
    )
    .await)?;
    let donors = (GoalMeasure::Level, "월 1만원 후원 회원", "명", 100.0);
    let donors = ok(goals::add(&at(&hanbat.editor, start), fund.id, quantity(donors)).await)?;
    let saved = (GoalMeasure::Total, "기금 적립", "원", 12_000_000.0);
    let saved = ok(goals::add(&at(&hanbat.editor, start), fund.id, quantity(saved)).await)?;
    for (m, count) in [31.0, 35.0, 38.0, 44.0, 47.0, 52.0].into_iter().enumerate() {
        let t = month(m as i64);
        record(
            state,
            &hanbat.editor,
            t,
            donors.id,
            hanbat.id,
            count,
            "월말 후원 회원",
        )
        .await?;
        record(
            state,
            &hanbat.editor,
            t,
            saved.id,
            hanbat.id,
            count * 10_000.0,
            "월 후원금",
        )
        .await?;
    }

    // Solidarity actions: a joint statement signed by two partners, a
    // press conference of dj-rights, a campaign still in draft.
    let statement = action(
        (ActionKind::Statement, "주민참여예산 삭감에 대한 공동 입장"),
        "대전광역시의 주민참여예산 삭감 방침에 반대하며, 제도의 취지에 맞는 예산 편성을 요구합니다.",
        (hanbat.id, Some(joint), Visibility::Partners),
        Some(now + TimeDelta::days(10)),
    );
    let statement = ok(actions::create(&at(&hanbat.editor, now), statement).await)?;
    ok(actions::publish(&at(&hanbat.owner, now), statement.id, true).await)?;
    for org in [hanbat, gapcheon, rights] {
        let comment = Some("주민참여예산 삭감에 반대합니다.".to_owned());
        ok(endorsements::endorse(&at(&org.owner, now), statement.id, org.id, comment).await)?;
    }
    let press = action(
        (ActionKind::PressConference, "인권센터 수탁 문제 기자회견"),
        "인권센터 위탁 운영 과정의 문제를 알리는 기자회견에 함께해 주십시오.",
        (rights.id, None, Visibility::Public),
        Some(now + TimeDelta::days(5)),
    );
    let press = ok(actions::create(&at(&rights.editor, now), press).await)?;
    ok(actions::publish(&at(&rights.owner, now), press.id, true).await)?;
    let campaign = action(
        (ActionKind::Campaign, "청사방호규정 개정 요구"),
        "시민의 청사 출입을 과도하게 제한하는 청사방호규정의 개정을 요구합니다.",
        (hanbat.id, None, Visibility::Partners),
        None,
    );
    ok(actions::create(&at(&hanbat.editor, now), campaign).await)?;
    Ok(start)
}

/// Record progress as `who` at `t`.
async fn record(
    state: &AppState,
    who: &Viewer,
    t: DateTime<Utc>,
    goal: Uuid,
    organization_id: Uuid,
    amount: f64,
    note: &str,
) -> anyhow::Result<()> {
    let progress = NewProgress {
        organization_id,
        amount,
        note: Some(note.into()),
    };
    ok(goals::record_progress(&state.request_at(who.clone(), t), goal, progress).await)?;
    Ok(())
}

fn action(
    (kind, title): (ActionKind, &str),
    body: &str,
    (initiator_id, agreement_id, visibility): (Uuid, Option<Uuid>, Visibility),
    deadline: Option<DateTime<Utc>>,
) -> NewAction {
    NewAction {
        initiator_id,
        agreement_id,
        title: title.into(),
        kind,
        body: body.into(),
        call_to_action: Some("단체 연명으로 함께해 주십시오.".into()),
        deadline,
        visibility,
    }
}
