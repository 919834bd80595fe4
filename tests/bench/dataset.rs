//! The benchmark's coalition, at the sizes of the independent harness: 200
//! organizations, 2,000 users, 2,050 agreements, 500 rooms and 20,000
//! bookings — plus the dashboard's projects and events, five busy rooms and
//! one room with 100,000 past bookings. Rows with no rules of their own
//! (users, organizations, memberships, rooms, bookings) are inserted in
//! bulk through the entities; agreements, projects and events go through
//! the API, so their rules and side tables are the server's own.

use std::sync::Arc;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use futures::StreamExt;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::Client;
use entity::{BookingStatus, Role, booking, membership, organization, space, user};

pub const ORGANIZATIONS: usize = 200;
pub const USERS_PER_ORGANIZATION: usize = 10;
pub const AGREEMENTS: usize = 2050;
pub const ROOMS: usize = 500;
pub const BOOKINGS: usize = 20_000;
/// The dashboard organization's agreements, projects per agreement and
/// events per project.
pub const DASHBOARD: (usize, usize, usize) = (50, 2, 5);
pub const BUSY_ROOMS: usize = 5;
pub const HISTORY: usize = 100_000;
pub const PASSWORD: &str = "benchmark password";

/// What the scenarios need to know about the generated data.
#[derive(Clone)]
pub struct Dataset {
    pub dashboard_org: Uuid,
    pub owner_email: String,
    pub busy_rooms: Vec<Uuid>,
    pub history_room: Uuid,
    pub empty_room: Uuid,
    /// Free hours (from now) for new bookings: past every generated one.
    pub free_from: DateTime<Utc>,
}

fn owner_email(org: usize) -> String {
    format!("owner@org-{org}.bench")
}

async fn insert_all<A>(db: &DatabaseConnection, rows: Vec<A>) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
{
    for chunk in rows.chunks(500) {
        A::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Generate the coalition on a server (at `client`) whose database is `db`.
pub async fn generate(client: &Client, db: &DatabaseConnection) -> anyhow::Result<Dataset> {
    let now = Utc::now();
    // One real sign-up gives a password hash every generated user shares.
    client.sign_up("hasher@bench.example").await;
    let hash = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .next()
        .map(|u| u.password_hash)
        .ok_or_else(|| anyhow::anyhow!("the sign-up left no user"))?;

    let mut orgs = Vec::new();
    let mut users = Vec::new();
    let mut members = Vec::new();
    for o in 0..ORGANIZATIONS {
        let org = Uuid::now_v7();
        orgs.push(organization::Model {
            id: org,
            slug: format!("org-{o}"),
            name: format!("시민단체 {o}"),
            description: None,
            region: None,
            website: None,
            timezone: "Asia/Seoul".into(),
            created_at: now,
            updated_at: now,
        });
        for u in 0..USERS_PER_ORGANIZATION {
            let id = Uuid::now_v7();
            let (email, role) = match u {
                0 => (owner_email(o), Role::Owner),
                1 => (format!("admin@org-{o}.bench"), Role::Admin),
                2..=4 => (format!("editor{u}@org-{o}.bench"), Role::Editor),
                _ => (format!("member{u}@org-{o}.bench"), Role::Member),
            };
            users.push(user::Model {
                id,
                email,
                display_name: format!("활동가 {o}-{u}"),
                password_hash: hash.clone(),
                is_platform_admin: false,
                created_at: now,
                suspended_at: None,
                suspended_by: None,
            });
            members.push(membership::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                user_id: id,
                role,
                joined_at: now,
            });
        }
    }
    let rooms: Vec<space::Model> = (0..ROOMS)
        .map(|r| space::Model {
            id: Uuid::now_v7(),
            organization_id: orgs[r % ORGANIZATIONS].id,
            name: format!("회의실 {r}"),
            description: None,
            location: None,
            capacity: Some(12),
            requires_approval: false,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let org_ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    insert_all(
        db,
        orgs.into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    insert_all(
        db,
        users
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    insert_all(
        db,
        members
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;

    // Rooms 0..5 (of organization 0) are the busy ones; the history room and
    // the empty room are extra rooms of organization 0.
    let extra = |name: &str| space::Model {
        id: Uuid::now_v7(),
        name: name.into(),
        ..rooms[0].clone()
    };
    let (history_room, empty_room) = (extra("역사실"), extra("빈 방"));
    let busy_rooms: Vec<Uuid> = rooms
        .iter()
        .step_by(ORGANIZATIONS)
        .take(BUSY_ROOMS)
        .map(|r| r.id)
        .collect();
    let mut all_rooms = rooms.clone();
    all_rooms.extend([history_room.clone(), empty_room.clone()]);
    insert_all(
        db,
        all_rooms
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;

    // Future bookings, 40 per room, hour after hour; then the history.
    let start = (now + TimeDelta::days(2)).duration_trunc(TimeDelta::hours(1))?;
    let per_room = BOOKINGS / ROOMS;
    let booking = |room: &space::Model, at: DateTime<Utc>| booking::Model {
        id: Uuid::now_v7(),
        space_id: room.id,
        organization_id: room.organization_id,
        booked_by: None,
        title: "정기 회의".into(),
        starts_at: at,
        ends_at: at + TimeDelta::hours(1),
        status: BookingStatus::Confirmed,
        series_id: None,
        created_at: now,
        decided_at: None,
        decided_by: None,
        rejection_reason: None,
    };
    let future: Vec<booking::ActiveModel> = rooms
        .iter()
        .flat_map(|room| (0..per_room).map(move |h| (room, h)))
        .map(|(room, h)| booking(room, start + TimeDelta::hours(h as i64)).into_active_model())
        .collect();
    insert_all(db, future).await?;
    let past_start = start - TimeDelta::hours(HISTORY as i64 + 48);
    // On SQLite the history is of cancelled bookings: the no-overlap
    // trigger of the binaries before migration 9 reads a room's whole
    // history for every insert, which makes seeding 100,000 live bookings
    // quadratic. Their clash look-ups still walk every one of them (the
    // index is by room and start, the status is checked after).
    let past_status = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => BookingStatus::Cancelled,
        _ => BookingStatus::Confirmed,
    };
    let history: Vec<booking::ActiveModel> = (0..HISTORY)
        .map(|h| {
            let at = past_start + TimeDelta::hours(h as i64);
            booking::Model {
                status: past_status,
                ..booking(&history_room, at)
            }
            .into_active_model()
        })
        .collect();
    insert_all(db, history).await?;

    // Agreements (through the API): organization 0 convenes 50 with
    // partners 1..=50, the rest pair organizations round the ring.
    let tokens: Vec<String> = futures::stream::iter(0..ORGANIZATIONS)
        .map(|o| async move { client.log_in(&owner_email(o), PASSWORD).await })
        .buffered(8)
        .collect()
        .await;
    let tokens = Arc::new(tokens);
    let pairs: Vec<(usize, usize)> = (0..AGREEMENTS)
        .map(|k| {
            if k < DASHBOARD.0 {
                (0, k + 1)
            } else {
                let a = k % ORGANIZATIONS;
                (a, (a + 1 + k / ORGANIZATIONS) % ORGANIZATIONS)
            }
        })
        .collect();
    let made: Vec<String> = futures::stream::iter(pairs.iter().copied())
        .map(|(a, b)| {
            let tokens = tokens.clone();
            let (oa, ob) = (org_ids[a], org_ids[b]);
            async move { client.ratify(&tokens[a], &tokens[b], oa, ob).await }
        })
        .buffered(16)
        .collect()
        .await;

    // The dashboard: projects under organization 0's agreements, events in
    // each project.
    let (_, projects, events) = DASHBOARD;
    let work: Vec<(String, usize)> = made[..DASHBOARD.0]
        .iter()
        .flat_map(|a| (0..projects).map(move |p| (a.clone(), p)))
        .collect();
    let org0 = org_ids[0];
    futures::stream::iter(work.into_iter().enumerate())
        .map(|(i, (agreement, p))| {
            let token = tokens[0].clone();
            async move {
                let project = client
                    .create_project(&token, org0, &agreement, &format!("공동사업 {p}"))
                    .await;
                for e in 0..events {
                    let at =
                        start + TimeDelta::days(30) + TimeDelta::hours((i * events + e) as i64);
                    client.create_event(&token, org0, &project, at).await;
                }
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;

    Ok(Dataset {
        dashboard_org: org0,
        owner_email: owner_email(0),
        busy_rooms,
        history_room: history_room.id,
        empty_room: empty_room.id,
        free_from: start + TimeDelta::hours(per_room as i64 + 24),
    })
}

impl Client {
    /// Log in; the access token.
    pub async fn log_in(&self, email: &str, password: &str) -> String {
        let r = self
            .gql(
                None,
                "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        r["data"]["logIn"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("log in {email}: {r}"))
            .to_owned()
    }

    /// An ACTIVE agreement between `a` (convener) and `b`, sharing events,
    /// projects and spaces: its id.
    pub async fn ratify(&self, token_a: &str, token_b: &str, a: Uuid, b: Uuid) -> String {
        let r = self
            .gql(
                Some(token_a),
                "mutation($input: CreateAgreementInput!) { createAgreement(input: $input) { id } }",
                json!({ "input": { "convenerId": a, "title": "업무협약", "scopes": ["EVENTS", "PROJECTS", "SPACES"], "startsOn": "2024-01-01" } }),
            )
            .await;
        let id = r["data"]["createAgreement"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("agreement: {r}"))
            .to_owned();
        let party = "mutation($a: ID!, $o: ID!) { x: inviteParty(agreementId: $a, organizationId: $o) { status } }";
        let steps = [
            (token_a, party.to_owned(), json!({ "a": id, "o": b })),
            (
                token_a,
                "mutation($a: ID!) { proposeAgreement(id: $a) { status } }".to_owned(),
                json!({ "a": id }),
            ),
            (
                token_a,
                party.replace("inviteParty", "signAgreement"),
                json!({ "a": id, "o": a }),
            ),
            (
                token_b,
                party.replace("inviteParty", "signAgreement"),
                json!({ "a": id, "o": b }),
            ),
        ];
        for (token, q, vars) in steps {
            let r = self.gql(Some(token), &q, vars).await;
            assert!(r.get("errors").is_none(), "agreement step: {r}");
        }
        id
    }

    pub async fn create_project(
        &self,
        token: &str,
        lead: Uuid,
        agreement: &str,
        title: &str,
    ) -> String {
        let r = self
            .gql(
                Some(token),
                "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }",
                json!({ "input": { "leadOrganizationId": lead, "agreementId": agreement, "title": title, "visibility": "PARTNERS" } }),
            )
            .await;
        r["data"]["createProject"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("project: {r}"))
            .to_owned()
    }

    pub async fn create_event(&self, token: &str, host: Uuid, project: &str, at: DateTime<Utc>) {
        let r = self
            .gql(
                Some(token),
                "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
                json!({ "input": { "hostOrganizationId": host, "projectId": project, "title": "집행위원회", "visibility": "PARTNERS", "startsAt": at.to_rfc3339(), "endsAt": (at + TimeDelta::hours(1)).to_rfc3339() } }),
            )
            .await;
        assert!(r.get("errors").is_none(), "event: {r}");
    }
}
