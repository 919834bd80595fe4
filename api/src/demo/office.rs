//! The shared office after the move: hanbat's meeting room and hall, and
//! bookings by hanbat and gapcheon in the coming weeks.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use uuid::Uuid;

use super::{Org, ok};
use crate::state::AppState;
use service::space::{BookingRequest, NewSpace, bookings, spaces};

pub(super) async fn load(
    state: &AppState,
    now: DateTime<Utc>,
    hanbat: &Org,
    gapcheon: &Org,
) -> anyhow::Result<()> {
    // The shared office: (name, description, floor, seats, needs approval).
    let mut office_rooms = Vec::new();
    for (name, description, floor, seats, requires_approval) in [
        ("공유 회의실", "공유 사무실 2층 회의실", 2, 12, false),
        ("교육장", "강연과 교육 프로그램용", 3, 40, true),
    ] {
        let space = NewSpace {
            organization_id: hanbat.id,
            name: name.into(),
            description: Some(description.into()),
            location: Some(format!("공유 사무실 {floor}층")),
            capacity: Some(seats),
            requires_approval,
        };
        office_rooms.push(ok(spaces::create(
            &state.request(hanbat.owner.clone()),
            space,
        )
        .await)?);
    }
    let [room, hall] = <[_; 2]>::try_from(office_rooms)
        .map_err(|_| anyhow::anyhow!("the office has two rooms"))?;

    // Bookings in the coming weeks (19:00 Seoul is 10:00 UTC).
    let day = |days: i64, hour: i64| -> DateTime<Utc> {
        let midnight = now.duration_trunc(TimeDelta::days(1)).unwrap_or(now);
        midnight + TimeDelta::days(days) + TimeDelta::hours(hour)
    };
    let book = |space: Uuid,
                org: &Org,
                title: &str,
                start: DateTime<Utc>,
                hours: i64,
                recurrence: Option<&str>| BookingRequest {
        space_id: space,
        organization_id: org.id,
        title: title.into(),
        starts_at: start,
        ends_at: start + TimeDelta::hours(hours),
        recurrence: recurrence.map(str::to_owned),
    };
    let requests = [
        (
            &hanbat.editor,
            book(
                room.id,
                hanbat,
                "소위원회 (격주 정례회의)",
                day(2, 10),
                2,
                Some("FREQ=WEEKLY;INTERVAL=2;COUNT=6"),
            ),
        ),
        (
            &hanbat.editor,
            book(room.id, hanbat, "집행위원회", day(4, 10), 2, None),
        ),
        (
            &gapcheon.editor,
            book(
                room.id,
                gapcheon,
                "갑천 생태 모니터링 회의",
                day(3, 9),
                2,
                None,
            ),
        ),
        (
            &hanbat.editor,
            book(
                hall.id,
                hanbat,
                "주민자치 역량강화 프로그램 1회차",
                day(9, 9),
                3,
                None,
            ),
        ),
        (
            &gapcheon.editor,
            book(hall.id, gapcheon, "환경교육 강좌", day(10, 9), 3, None),
        ),
    ];
    for (who, request) in &requests {
        ok(bookings::book(&state.request((*who).clone()), request).await)?;
    }
    Ok(())
}
