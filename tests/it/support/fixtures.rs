//! Builders for the people and organizations tests need.

use serde_json::{Value, json};

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Session {
    pub fn token(&self) -> Option<&str> {
        Some(&self.access_token)
    }
}

pub const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken accessTokenExpiresAt refreshToken user { id email displayName } } }";
pub const LOG_IN: &str = "mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken refreshToken user { id email } } }";

impl TestApp {
    pub async fn sign_up(&self, email: &str) -> Session {
        let name = email.split('@').next().unwrap_or("someone");
        let r = self
            .gql(
                None,
                SIGN_UP,
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
            )
            .await;
        session_from(&r.data()["signUp"], email)
    }

    /// [`TestApp::sign_up`] with its own address, for signing many up at once.
    pub async fn sign_up_owned(&self, email: String) -> Session {
        self.sign_up(&email).await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> super::Gql {
        self.gql(
            None,
            LOG_IN,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn create_org(&self, owner: &Session, slug: &str) -> String {
        let r = self
            .gql(
                owner.token(),
                "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }",
                json!({ "input": { "slug": slug, "name": format!("{slug} 모임") } }),
            )
            .await;
        r.data()["createOrganization"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Invite `email` with `role`; returns the invitation token.
    pub async fn invite(&self, by: &Session, org: &str, email: &str, role: &str) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($org: ID!, $email: String!, $role: Role!) { inviteMember(organizationId: $org, email: $email, role: $role) { id email role token expiresAt acceptedAt organization { id } } }",
            json!({ "org": org, "email": email, "role": role }),
        )
        .await
    }

    pub async fn accept(&self, who: &Session, token: &str) -> super::Gql {
        self.gql(
            who.token(),
            "mutation($t: String!) { acceptInvitation(token: $t) { role organization { id } user { id } } }",
            json!({ "t": token }),
        )
        .await
    }

    /// A new user who joined `org` with `role` through an invitation.
    pub async fn member(&self, owner: &Session, org: &str, email: &str, role: &str) -> Session {
        let invite = self.invite(owner, org, email, role).await;
        let token = invite.data()["inviteMember"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let who = self.sign_up(email).await;
        self.accept(&who, &token).await.data();
        who
    }

    /// One new member per role, `<role>@<domain>.example`, in order.
    pub async fn staff<const N: usize>(
        &self,
        owner: &Session,
        org: &str,
        domain: &str,
        roles: [&str; N],
    ) -> [Session; N] {
        let mut made = Vec::with_capacity(N);
        for role in roles {
            let email = format!("{}@{domain}.example", role.to_lowercase());
            made.push(self.member(owner, org, &email, role).await);
        }
        made.try_into()
            .unwrap_or_else(|_| unreachable!("one member per role"))
    }

    pub async fn change_role(&self, by: &Session, org: &str, user: &str, role: &str) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($org: ID!, $user: ID!, $role: Role!) { changeMemberRole(organizationId: $org, userId: $user, role: $role) { role user { id } } }",
            json!({ "org": org, "user": user, "role": role }),
        )
        .await
    }

    pub async fn remove_member(&self, by: &Session, org: &str, user: &str) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($org: ID!, $user: ID!) { removeMember(organizationId: $org, userId: $user) }",
            json!({ "org": org, "user": user }),
        )
        .await
    }

    /// A new API token for `who`; returns the secret.
    pub async fn api_token(
        &self,
        who: &Session,
        scopes: &[&str],
        organization: Option<&str>,
    ) -> String {
        let r = self
            .gql(
                who.token(),
                "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }",
                json!({ "input": { "name": "tool", "scopes": scopes, "organizationId": organization } }),
            )
            .await;
        r.data()["createApiToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The viewer's role in `org` as the API reports it.
    pub async fn viewer_role(&self, token: Option<&str>, org: &str) -> Value {
        let r = self
            .gql(
                token,
                "query($id: ID!) { organization(id: $id) { viewerRole } }",
                json!({ "id": org }),
            )
            .await;
        r.data()["organization"]["viewerRole"].clone()
    }

    /// Audit actions recorded for an organization, oldest first (read from
    /// the database directly).
    pub async fn audit_actions(&self, org: &str) -> Vec<String> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let org = uuid::Uuid::parse_str(org).unwrap();
        entity::audit_entry::Entity::find()
            .filter(entity::audit_entry::Column::OrganizationId.eq(org))
            .order_by_asc(entity::audit_entry::Column::Id)
            .all(self.db())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

pub fn session_from(payload: &Value, email: &str) -> Session {
    Session {
        user_id: payload["user"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        access_token: payload["accessToken"].as_str().unwrap().to_owned(),
        refresh_token: payload["refreshToken"].as_str().unwrap().to_owned(),
    }
}

pub const AGREEMENT_FIELDS: &str = "id title status scopes startsOn endsOn ratifiedAt convener { id } parties { organization { id slug } role status respondedAt respondedBy { id } }";

impl TestApp {
    /// Draft an agreement convened by `convener`; dates as YYYY-MM-DD.
    pub async fn create_agreement(
        &self,
        by: &Session,
        convener: &str,
        scopes: &[&str],
        starts_on: &str,
        ends_on: Option<&str>,
    ) -> super::Gql {
        self.gql(
            by.token(),
            &format!("mutation($input: CreateAgreementInput!) {{ createAgreement(input: $input) {{ {AGREEMENT_FIELDS} }} }}"),
            json!({ "input": { "convenerId": convener, "title": "2023 지역 시민사회 공동사업 업무협약", "scopes": scopes, "startsOn": starts_on, "endsOn": ends_on } }),
        )
        .await
    }

    /// [`Self::create_agreement`], expected to succeed: the new agreement's id.
    pub async fn draft_agreement(
        &self,
        by: &Session,
        convener: &str,
        scopes: &[&str],
        starts_on: &str,
        ends_on: Option<&str>,
    ) -> String {
        let created = self
            .create_agreement(by, convener, scopes, starts_on, ends_on)
            .await;
        created.data()["createAgreement"]["id"]
            .as_str()
            .expect("the agreement's id")
            .to_owned()
    }

    /// One of the agreement mutations taking `(agreementId, organizationId)`.
    pub async fn party_op(&self, by: &Session, op: &str, agreement: &str, org: &str) -> super::Gql {
        self.gql(
            by.token(),
            &format!("mutation($a: ID!, $o: ID!) {{ {op}(agreementId: $a, organizationId: $o) {{ status role organization {{ id }} }} }}"),
            json!({ "a": agreement, "o": org }),
        )
        .await
    }

    /// One of the agreement mutations taking `(id)`.
    pub async fn agreement_op(&self, by: &Session, op: &str, agreement: &str) -> super::Gql {
        self.op_on(by, op, agreement, AGREEMENT_FIELDS).await
    }

    /// The mutation `op(id: $id)`, answering `fields` of what it changed.
    pub async fn op_on(&self, by: &Session, op: &str, id: &str, fields: &str) -> super::Gql {
        let mutation = format!("mutation($id: ID!) {{ {op}(id: $id) {{ {fields} }} }}");
        self.gql(by.token(), &mutation, json!({ "id": id })).await
    }

    pub async fn agreement(&self, token: Option<&str>, id: &str) -> super::Gql {
        self.gql(
            token,
            &format!("query($id: ID!) {{ agreement(id: $id) {{ {AGREEMENT_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await
    }

    /// Slugs of `org`'s partners as `token` sees them.
    pub async fn partner_slugs(&self, token: Option<&str>, org: &str) -> Vec<String> {
        let r = self
            .gql(
                token,
                "query($id: ID!) { organization(id: $id) { partners { slug } } }",
                json!({ "id": org }),
            )
            .await;
        let mut slugs: Vec<String> = r.data()["organization"]["partners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs.sort();
        slugs
    }
}

/// An organization with its OWNER.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub slug: String,
    pub owner: Session,
}

impl TestApp {
    pub async fn org_with_owner(&self, slug: &str) -> Org {
        let owner = self.sign_up(&format!("owner@{slug}.example")).await;
        let id = self.create_org(&owner, slug).await;
        Org {
            id,
            slug: slug.to_owned(),
            owner,
        }
    }

    /// Convene an agreement among `parties` (the first convenes), propose it
    /// and have every party sign: a ratified agreement. Returns its id.
    pub async fn ratified_agreement(
        &self,
        parties: &[&Org],
        scopes: &[&str],
        starts_on: &str,
        ends_on: Option<&str>,
    ) -> String {
        let convener = parties[0];
        let id = self
            .draft_agreement(&convener.owner, &convener.id, scopes, starts_on, ends_on)
            .await;
        for p in &parties[1..] {
            self.party_op(&convener.owner, "inviteParty", &id, &p.id)
                .await
                .data();
        }
        self.agreement_op(&convener.owner, "proposeAgreement", &id)
            .await
            .data();
        for p in parties {
            self.party_op(&p.owner, "signAgreement", &id, &p.id)
                .await
                .data();
        }
        id
    }
}

/// A date `days` from today in Asia/Seoul (organizations' default time
/// zone, so "today" for their agreements), as YYYY-MM-DD.
pub fn day(app: &TestApp, days: i64) -> String {
    let today = app
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .date_naive();
    (today + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

pub const BOOKING_FIELDS: &str =
    "id status title startsAt endsAt seriesId organization { slug } bookedBy { id } space { id }";

impl TestApp {
    pub async fn create_space(
        &self,
        by: &Session,
        org: &str,
        name: &str,
        requires_approval: bool,
    ) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($input: CreateSpaceInput!) { createSpace(input: $input) { id name capacity requiresApproval viewerCanBook owner { id } } }",
            json!({ "input": { "organizationId": org, "name": name, "capacity": 12, "requiresApproval": requires_approval } }),
        )
        .await
    }

    pub async fn space_id(
        &self,
        by: &Session,
        org: &str,
        name: &str,
        requires_approval: bool,
    ) -> String {
        self.create_space(by, org, name, requires_approval)
            .await
            .data()["createSpace"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Book `[start, end)` (RFC 3339) of a space for an organization.
    pub async fn book(
        &self,
        token: Option<&str>,
        space: &str,
        org: &str,
        start: &str,
        end: &str,
        recurrence: Option<&str>,
    ) -> super::Gql {
        self.gql(
            token,
            &format!("mutation($input: BookSpaceInput!) {{ bookSpace(input: $input) {{ {BOOKING_FIELDS} }} }}"),
            json!({ "input": { "spaceId": space, "organizationId": org, "title": "소위원회 회의", "startsAt": start, "endsAt": end, "recurrence": recurrence } }),
        )
        .await
    }

    pub async fn booking_op(&self, by: &Session, op: &str, id: &str) -> super::Gql {
        self.op_on(by, op, id, BOOKING_FIELDS).await
    }
}

/// An instant `hours` from now, rounded to the hour, as RFC 3339 UTC.
pub fn at(app: &TestApp, hours: i64) -> String {
    use chrono::{DurationRound, TimeDelta};
    let t = (app.clock.now() + TimeDelta::hours(hours))
        .duration_trunc(TimeDelta::hours(1))
        .unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
