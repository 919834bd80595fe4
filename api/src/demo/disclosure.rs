//! The disclosure campaign (정보공개 운동) of the plan: the four partners'
//! requests to a dozen agencies over the half year, most decided, some
//! overdue, refusals under objection and one on appeal, transfers, and
//! citizens' submissions waiting — loaded through the same services as
//! the API (the bulk as the spreadsheet import a group moving from its
//! sheets would use). The campaign's goals count these records.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Org, ok};
use crate::state::AppState;
use entity::{AgencyKind, AppealKind, DisclosureStatus as S, ObjectionOutcome};
use service::auth::Viewer;
use service::disclosure::citizens::{self, CitizenReport};
use service::disclosure::{Decision, agencies, lifecycle, spreadsheet};

/// The agencies the campaign writes to.
const AGENCIES: [(&str, AgencyKind); 12] = [
    ("대전광역시", AgencyKind::City),
    ("대전광역시의회", AgencyKind::Council),
    ("대전광역시 유성구", AgencyKind::District),
    ("대전광역시 서구", AgencyKind::District),
    ("대전광역시 중구", AgencyKind::District),
    ("대전광역시 동구", AgencyKind::District),
    ("대전광역시 대덕구", AgencyKind::District),
    ("유성구의회", AgencyKind::Council),
    ("대전광역시교육청", AgencyKind::EducationOffice),
    ("대전경찰청", AgencyKind::Police),
    ("대전도시공사", AgencyKind::PublicCorporation),
    ("대전시설관리공단", AgencyKind::PublicCorporation),
];

const SUBJECTS: [&str; 8] = [
    "업무추진비 집행내역",
    "주민참여예산 사업별 집행 현황",
    "어린이보호구역 CCTV 설치 현황",
    "위원회 회의록 및 참석수당 지급 내역",
    "공공시설 위탁 운영 계약서",
    "행사·축제 예산 및 정산 내역",
    "청사 관리 용역 계약 현황",
    "민원 처리 현황 통계",
];

/// How many requests each partner records, in the order of `orgs`.
const PER_PARTNER: [usize; 4] = [140, 80, 50, 30];

fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    quoted.join(",")
}

/// One partner's sheet: requests filed evenly from `start` to `today`;
/// those older than a fortnight mostly decided (a few left overdue), the
/// recent ones waiting.
fn sheet(org: usize, n: usize, start: NaiveDate, today: NaiveDate) -> String {
    let span = (today - start).num_days().max(1);
    let mut lines = vec![
        "agency,agency_kind,subject,filed_on,filed_by,channel,visibility,status,decided_on"
            .to_owned(),
    ];
    for i in 0..n {
        let k = i * 7 + org * 3;
        let (agency, kind) = AGENCIES[k % AGENCIES.len()];
        let filed = start + TimeDelta::days((i as i64 * span) / n as i64);
        let age = (today - filed).num_days();
        let (status, decided) = match (age, k % 20) {
            (..=14, _) | (_, 19) => ("", None),
            (_, 0..=9) => ("DISCLOSED", Some(6 + (k % 5) as i64)),
            (_, 10..=13) => ("PARTIALLY_DISCLOSED", Some(9)),
            (_, 14..=16) => ("REFUSED", Some(10)),
            _ => ("NO_INFORMATION", Some(4)),
        };
        let decided_on = decided
            .map(|d| (filed + TimeDelta::days(d)).min(today).to_string())
            .unwrap_or_default();
        let filed_by = if k.is_multiple_of(7) {
            "CITIZEN"
        } else {
            "MEMBER"
        };
        let channel = if k.is_multiple_of(5) {
            "POST"
        } else {
            "PORTAL"
        };
        let visibility = if k.is_multiple_of(3) {
            "PUBLIC"
        } else {
            "PARTNERS"
        };
        lines.push(csv_line(&[
            agency.into(),
            kind.as_str().into(),
            format!(
                "{} ({})",
                SUBJECTS[k % SUBJECTS.len()],
                filed.format("%Y년 %m월")
            ),
            filed.to_string(),
            filed_by.into(),
            channel.into(),
            visibility.into(),
            status.into(),
            decided_on,
        ]));
    }
    lines.join("\n")
}

pub(super) async fn load(
    state: &AppState,
    now: DateTime<Utc>,
    orgs: &[Org],
    start: DateTime<Utc>,
) -> anyhow::Result<()> {
    let [hanbat, gapcheon, rights, media, _] = orgs else {
        anyhow::bail!("five demo organizations")
    };
    let as_of = |who: &Viewer| state.request_at(who.clone(), now);
    let today = service::disclosure::transitions::today(now);
    let start = service::disclosure::transitions::today(start);
    for (name, kind) in AGENCIES {
        ok(agencies::create(&as_of(&hanbat.editor), name, kind).await)?;
    }
    for (i, (org, n)) in [hanbat, gapcheon, rights, media]
        .into_iter()
        .zip(PER_PARTNER)
        .enumerate()
    {
        let report =
            ok(spreadsheet::import(&as_of(&org.editor), org.id, &sheet(i, n, start, today)).await)?;
        if !report.errors.is_empty() {
            anyhow::bail!(
                "the demo sheet of partner {i} was refused: {:?}",
                report.errors
            );
        }
    }

    // Steps one by one: refusals under objection and on appeal, transfers.
    let ctx = as_of(&hanbat.editor);
    let refused = ok(service::disclosure::requests::list(
        &ctx,
        service::disclosure::RequestFilter {
            organization_id: Some(hanbat.id),
            status: Some(S::Refused),
            ..Default::default()
        },
        &service::paging::PageArgs::first(20),
    )
    .await)?
    .page
    .items;
    let recent: Vec<_> = refused
        .iter()
        .filter(|r| r.decided_on.is_some_and(|d| (today - d).num_days() <= 30))
        .collect();
    for (i, r) in recent.iter().take(3).enumerate() {
        let decided = r.decided_on.unwrap_or(today);
        let lodged = (decided + TimeDelta::days(3)).min(today);
        ok(lifecycle::lodge_objection(&ctx, r.id, lodged).await)?;
        if i == 0 {
            let on = (lodged + TimeDelta::days(7)).min(today);
            ok(lifecycle::decide_objection(&ctx, r.id, ObjectionOutcome::Dismissed, on).await)?;
            ok(lifecycle::note_appeal(&ctx, r.id, AppealKind::AdministrativeAppeal, on).await)?;
        }
    }
    let waiting = ok(service::disclosure::requests::list(
        &ctx,
        service::disclosure::RequestFilter {
            organization_id: Some(hanbat.id),
            status: Some(S::Filed),
            overdue: Some(false),
            ..Default::default()
        },
        &service::paging::PageArgs::first(3),
    )
    .await)?
    .page
    .items;
    let city = ok(agencies::create(&ctx, "대전광역시", AgencyKind::City).await)?;
    if let [first, second, ..] = &waiting[..] {
        let to = if first.agency_id == city.id {
            ok(agencies::create(&ctx, "대전광역시교육청", AgencyKind::EducationOffice).await)?
        } else {
            city.clone()
        };
        let transfer = Decision {
            status: S::Transferred,
            decided_on: today,
            transferred_to: Some(to.id),
        };
        ok(lifecycle::decide(&ctx, first.id, transfer).await)?;
        ok(lifecycle::extend(&ctx, second.id, Some(today)).await)?;
    }

    // Citizens' reports waiting for hanbat's editors.
    let anonymous = state.request_at(Viewer::anonymous(), now);
    for (agency, subject, days) in [
        ("대전광역시 서구", "동네 공원 조성 예산 집행내역", 2),
        ("대전광역시교육청", "학교 급식 식재료 납품 업체 현황", 5),
        ("대전광역시 유성구", "가로등 교체 사업 계약서", 1),
    ] {
        let report = CitizenReport {
            organization_slug: "hanbat".into(),
            agency_name: agency.into(),
            subject: subject.into(),
            channel: None,
            filed_on: today - TimeDelta::days(days),
            receipt_number: None,
            contact: Some("citizen@example.org".into()),
        };
        ok(citizens::submit(&anonymous, report).await)?;
    }
    Ok(())
}
