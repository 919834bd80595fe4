//! The authorization matrix: `authorization_matrix.txt` lists, for every
//! operation × caller kind × relation of the target, the expected outcome;
//! `authorization_matrix` runs all of it against a real server on both
//! databases, and `matrix_covers_every_operation` fails when an operation of
//! the schema is missing from the table.
//!
//! The world: a home organization ("home") whose OWNER, ADMIN, EDITOR and
//! MEMBER are callers, a platform admin (a member of no organization: the
//! matrix shows what operators may do for organizations they do not belong
//! to), and four API tokens of home's OWNER (READ, READ+WRITE, READ+WRITE
//! bound to another organization, and WRITE without READ). Each
//! relation names a target organization and the agreement that links it to
//! home:
//!
//! | relation   | target organization | its agreement with home |
//! | ---------- | ------------------- | ----------------------- |
//! | own        | home itself         | ACTIVE, convened by home with `partner` |
//! | partner    | `partner`           | ACTIVE, all scopes, convened by it |
//! | noscope    | `noscope`           | ACTIVE, only ACTIONS, convened by it |
//! | proposed   | `proposed`          | PROPOSED by it; home (and a stranger) INVITED |
//! | expired    | `expired`           | ratified, ended in 2023, convened by it |
//! | terminated | `terminated`        | ratified then TERMINATED by it |
//! | withdrew   | `withdrew`          | ACTIVE, convened by home; `withdrew` withdrew |
//! | unrelated  | `unrelated`         | none; its own agreement with a stranger |
//!
//! Outcomes: `OK` (done / data shown), `EMPTY` (answered, but the protected
//! part is empty or null), and the error codes `UNAUTH`, `FORBIDDEN`,
//! `NOT_FOUND`, `BAD_INPUT` (refused by state), `CONFLICT`. Cells expected
//! to succeed get fresh objects (a new member to remove, a new agreement to
//! terminate), so no cell changes what another one sees.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::db_test;
use crate::support::fixtures::{AGREEMENT_FIELDS, Org, PASSWORD, Session, session_from};
use crate::support::{Gql, TestApp};

const MATRIX: &str = include_str!("authorization_matrix.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Outcome {
    Ok,
    Empty,
    Unauth,
    Forbidden,
    NotFound,
    BadInput,
    Conflict,
}

impl Outcome {
    fn parse(s: &str) -> Outcome {
        match s {
            "OK" => Outcome::Ok,
            "EMPTY" => Outcome::Empty,
            "UNAUTH" => Outcome::Unauth,
            "FORBIDDEN" => Outcome::Forbidden,
            "NOT_FOUND" => Outcome::NotFound,
            "BAD_INPUT" => Outcome::BadInput,
            "CONFLICT" => Outcome::Conflict,
            other => panic!("unknown outcome {other:?} in the matrix"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Outcome::Ok => "OK",
            Outcome::Empty => "EMPTY",
            Outcome::Unauth => "UNAUTH",
            Outcome::Forbidden => "FORBIDDEN",
            Outcome::NotFound => "NOT_FOUND",
            Outcome::BadInput => "BAD_INPUT",
            Outcome::Conflict => "CONFLICT",
        };
        f.write_str(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Anonymous,
    Member,
    Editor,
    Admin,
    Owner,
    PlatformAdmin,
    ReadToken,
    WriteToken,
    BoundToken,
    WriteOnlyToken,
}

pub(crate) const CALLERS: [Caller; 10] = [
    Caller::Anonymous,
    Caller::Member,
    Caller::Editor,
    Caller::Admin,
    Caller::Owner,
    Caller::PlatformAdmin,
    Caller::ReadToken,
    Caller::WriteToken,
    Caller::BoundToken,
    Caller::WriteOnlyToken,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Rel {
    Own,
    Partner,
    NoScope,
    Proposed,
    Expired,
    Terminated,
    Withdrew,
    Unrelated,
}

const RELATIONS: [Rel; 8] = [
    Rel::Own,
    Rel::Partner,
    Rel::NoScope,
    Rel::Proposed,
    Rel::Expired,
    Rel::Terminated,
    Rel::Withdrew,
    Rel::Unrelated,
];

impl Rel {
    fn parse(s: &str) -> Option<Rel> {
        Some(match s {
            "-" => return None,
            "own" => Rel::Own,
            "partner" => Rel::Partner,
            "noscope" => Rel::NoScope,
            "proposed" => Rel::Proposed,
            "expired" => Rel::Expired,
            "terminated" => Rel::Terminated,
            "withdrew" => Rel::Withdrew,
            "unrelated" => Rel::Unrelated,
            other => panic!("unknown relation {other:?} in the matrix"),
        })
    }
}

struct Row {
    line: usize,
    op: String,
    rel: Option<Rel>,
    expected: [Outcome; 10],
}

fn parse_matrix() -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, line) in MATRIX.lines().enumerate() {
        let line_no = i + 1;
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells.len(),
            12,
            "authorization_matrix.txt:{line_no}: expected 12 columns, got {}",
            cells.len()
        );
        let expected: Vec<Outcome> = cells[2..].iter().map(|c| Outcome::parse(c)).collect();
        rows.push(Row {
            line: line_no,
            op: cells[0].to_owned(),
            rel: Rel::parse(cells[1]),
            expected: expected.try_into().unwrap(),
        });
    }
    rows
}

/// Root fields of Query and Mutation in the committed schema.
fn schema_operations() -> BTreeSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    let doc = async_graphql::parser::parse_schema(&sdl).unwrap();
    let mut ops = BTreeSet::new();
    for def in doc.definitions {
        if let TypeSystemDefinition::Type(t) = def
            && matches!(t.node.name.node.as_str(), "Query" | "Mutation")
            && let TypeKind::Object(o) = &t.node.kind
        {
            ops.extend(o.fields.iter().map(|f| f.node.name.node.to_string()));
        }
    }
    ops
}

#[test]
fn matrix_covers_every_operation() {
    let rows = parse_matrix();
    let mut by_op: HashMap<&str, Vec<Option<Rel>>> = HashMap::new();
    for row in &rows {
        by_op.entry(&row.op).or_default().push(row.rel);
    }
    let missing: Vec<String> = schema_operations()
        .into_iter()
        .filter(|op| !by_op.contains_key(op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations missing from tests/it/authorization_matrix.txt: {missing:?}"
    );
    for (op, rels) in &by_op {
        if rels.contains(&None) {
            assert_eq!(
                rels.len(),
                1,
                "{op}: a `-` row must be the operation's only row"
            );
        } else {
            for rel in RELATIONS {
                assert_eq!(
                    rels.iter().filter(|r| **r == Some(rel)).count(),
                    1,
                    "{op}: needs exactly one row for {rel:?}"
                );
            }
        }
    }
}

pub(crate) struct Target {
    pub(crate) org: Org,
    /// The agreement that links the target to home.
    pub(crate) agreement: String,
    /// A MEMBER of the target organization (not a caller).
    pub(crate) member: Session,
    /// A space of the target (requires approval).
    pub(crate) space: String,
    /// A CONFIRMED booking of that space by the target itself.
    pub(crate) booking: String,
    /// A pending invitation (MEMBER) of the target, made by its OWNER.
    pub(crate) invitation: String,
}

pub(crate) struct World<'a> {
    app: &'a TestApp,
    pub(crate) home: Org,
    member: Session,
    editor: Session,
    admin: Session,
    root: Session,
    read_token: String,
    write_token: String,
    bound_token: String,
    write_only_token: String,
    pub(crate) targets: HashMap<Rel, Target>,
    /// Organizations that invite callers for acceptInvitation.
    pub(crate) club: Org,
    /// The stranger `unrelated` has its agreement with.
    pub(crate) stranger: Org,
    /// Home's PENDING booking of `partner`'s space, made by home's OWNER:
    /// home's MEMBER sees the booking but not the space.
    pub(crate) partner_booking: String,
    /// A second agreement of home with `withdrew` (SPACES), from which
    /// `withdrew` withdrew after home had booked its space.
    pub(crate) former_agreement: String,
    /// Home's PENDING booking of `withdrew`'s space, made under
    /// `former_agreement`: home is a former partner holding a booking there.
    pub(crate) former_booking: String,
    seq: AtomicUsize,
    shared: tokio::sync::Mutex<HashMap<(&'static str, Rel), String>>,
}

impl<'a> World<'a> {
    pub(crate) async fn build(app: &'a TestApp) -> World<'a> {
        let home = app.org_with_owner("home").await;
        let member = app
            .member(&home.owner, &home.id, "member@home.example", "MEMBER")
            .await;
        let editor = app
            .member(&home.owner, &home.id, "editor@home.example", "EDITOR")
            .await;
        let admin = app
            .member(&home.owner, &home.id, "admin@home.example", "ADMIN")
            .await;
        let root = app.sign_up("root@coalition.example").await;
        app.promote_admin(&root.email).await;
        let elsewhere = app.create_org(&home.owner, "elsewhere").await;
        let read_token = app.api_token(&home.owner, &["READ"], None).await;
        let write_token = app.api_token(&home.owner, &["READ", "WRITE"], None).await;
        let bound_token = app
            .api_token(&home.owner, &["READ", "WRITE"], Some(&elsewhere))
            .await;
        let write_only_token = app.api_token(&home.owner, &["WRITE"], None).await;
        let club = app.org_with_owner("club").await;
        let stranger = app.org_with_owner("stranger").await;

        let mut world = World {
            app,
            home: home.clone(),
            member,
            editor,
            admin,
            root,
            read_token,
            write_token,
            bound_token,
            write_only_token,
            targets: HashMap::new(),
            club,
            stranger,
            partner_booking: String::new(),
            former_agreement: String::new(),
            former_booking: String::new(),
            seq: AtomicUsize::new(0),
            shared: tokio::sync::Mutex::new(HashMap::new()),
        };
        let mut orgs = HashMap::new();
        for (rel, slug) in [
            (Rel::Partner, "partner"),
            (Rel::NoScope, "noscope"),
            (Rel::Proposed, "proposed"),
            (Rel::Expired, "expired"),
            (Rel::Terminated, "terminated"),
            (Rel::Withdrew, "withdrew"),
            (Rel::Unrelated, "unrelated"),
        ] {
            orgs.insert(rel, app.org_with_owner(slug).await);
        }
        orgs.insert(Rel::Own, home.clone());
        for rel in RELATIONS {
            let org = orgs[&rel].clone();
            let agreement = world.agreement_for(rel, &org, &orgs[&Rel::Partner]).await;
            let member = if rel == Rel::Own {
                app.member(
                    &home.owner,
                    &home.id,
                    "target-member@home.example",
                    "MEMBER",
                )
                .await
            } else {
                app.member(
                    &org.owner,
                    &org.id,
                    &format!("member@{}.example", org.slug),
                    "MEMBER",
                )
                .await
            };
            let space = app.space_id(&org.owner, &org.id, "회의실", true).await;
            let booking = world.book_for(&org.owner, &space, &org.id).await;
            let invitation = world.fresh_invitation(&org).await;
            world.targets.insert(
                rel,
                Target {
                    org,
                    agreement,
                    member,
                    space,
                    booking,
                    invitation,
                },
            );
        }
        world.add_former_and_partner_bookings().await;
        world
    }

    /// The bookings through which a nested read can reach a space its
    /// reader may not see (tests/it/walk.rs): `partner_booking` and, under
    /// a second agreement `withdrew` then withdraws from, `former_booking`.
    async fn add_former_and_partner_bookings(&mut self) {
        let app = self.app;
        let home = self.home.clone();
        let partner_space = self.targets[&Rel::Partner].space.clone();
        self.partner_booking = self.book_for(&home.owner, &partner_space, &home.id).await;

        let withdrew = self.targets[&Rel::Withdrew].org.clone();
        let withdrew_space = self.targets[&Rel::Withdrew].space.clone();
        self.former_agreement = app
            .ratified_agreement(&[&home, &withdrew], &["SPACES"], "2024-01-01", None)
            .await;
        self.former_booking = self.book_for(&home.owner, &withdrew_space, &home.id).await;
        app.party_op(
            &withdrew.owner,
            "withdrawFromAgreement",
            &self.former_agreement,
            &withdrew.id,
        )
        .await
        .data();
    }

    fn next(&self) -> usize {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// A new agreement in the state that defines `rel`.
    async fn agreement_for(&self, rel: Rel, org: &Org, partner: &Org) -> String {
        let app = self.app;
        let home = &self.home;
        match rel {
            Rel::Own => {
                app.ratified_agreement(
                    &[home, partner],
                    &["PROJECTS", "EVENTS", "ACTIONS", "SPACES"],
                    "2024-01-01",
                    None,
                )
                .await
            }
            Rel::Partner => {
                app.ratified_agreement(
                    &[org, home],
                    &["PROJECTS", "EVENTS", "ACTIONS", "SPACES"],
                    "2024-01-01",
                    None,
                )
                .await
            }
            Rel::NoScope => {
                app.ratified_agreement(&[org, home], &["ACTIONS"], "2024-01-01", None)
                    .await
            }
            Rel::Proposed => {
                // The stranger never answers, so home's answer alone never
                // ratifies it.
                let id = created_id(
                    &app.create_agreement(
                        &org.owner,
                        &org.id,
                        &["PROJECTS", "EVENTS", "SPACES"],
                        "2024-01-01",
                        None,
                    )
                    .await,
                );
                app.party_op(&org.owner, "inviteParty", &id, &home.id)
                    .await
                    .data();
                app.party_op(&org.owner, "inviteParty", &id, &self.stranger.id)
                    .await
                    .data();
                app.agreement_op(&org.owner, "proposeAgreement", &id)
                    .await
                    .data();
                app.party_op(&org.owner, "signAgreement", &id, &org.id)
                    .await
                    .data();
                id
            }
            Rel::Expired => {
                app.ratified_agreement(
                    &[org, home],
                    &["PROJECTS", "EVENTS", "SPACES"],
                    "2023-01-01",
                    Some("2023-12-31"),
                )
                .await
            }
            Rel::Terminated => {
                let id = app
                    .ratified_agreement(
                        &[org, home],
                        &["PROJECTS", "EVENTS", "SPACES"],
                        "2024-01-01",
                        None,
                    )
                    .await;
                app.agreement_op(&org.owner, "terminateAgreement", &id)
                    .await
                    .data();
                id
            }
            Rel::Withdrew => {
                let id = app
                    .ratified_agreement(
                        &[home, org],
                        &["PROJECTS", "EVENTS", "SPACES"],
                        "2024-01-01",
                        None,
                    )
                    .await;
                app.party_op(&org.owner, "withdrawFromAgreement", &id, &org.id)
                    .await
                    .data();
                id
            }
            Rel::Unrelated => {
                app.ratified_agreement(
                    &[org, &self.stranger],
                    &["PROJECTS", "EVENTS", "SPACES"],
                    "2024-01-01",
                    None,
                )
                .await
            }
        }
    }

    async fn fresh_agreement(&self, rel: Rel) -> String {
        let t = &self.targets[&rel];
        self.agreement_for(rel, &t.org, &self.targets[&Rel::Partner].org)
            .await
    }

    pub(crate) fn token(&self, caller: Caller) -> Option<String> {
        match caller {
            Caller::Anonymous => None,
            Caller::Member => Some(self.member.access_token.clone()),
            Caller::Editor => Some(self.editor.access_token.clone()),
            Caller::Admin => Some(self.admin.access_token.clone()),
            Caller::Owner => Some(self.home.owner.access_token.clone()),
            Caller::PlatformAdmin => Some(self.root.access_token.clone()),
            Caller::ReadToken => Some(self.read_token.clone()),
            Caller::WriteToken => Some(self.write_token.clone()),
            Caller::BoundToken => Some(self.bound_token.clone()),
            Caller::WriteOnlyToken => Some(self.write_only_token.clone()),
        }
    }

    /// The person behind a caller (token callers are home's OWNER).
    pub(crate) fn person(&self, caller: Caller) -> Option<&Session> {
        match caller {
            Caller::Anonymous => None,
            Caller::Member => Some(&self.member),
            Caller::Editor => Some(&self.editor),
            Caller::Admin => Some(&self.admin),
            Caller::PlatformAdmin => Some(&self.root),
            Caller::Owner
            | Caller::ReadToken
            | Caller::WriteToken
            | Caller::BoundToken
            | Caller::WriteOnlyToken => Some(&self.home.owner),
        }
    }

    async fn gql(&self, caller: Caller, query: &str, vars: Value) -> Gql {
        let query =
            if caller == Caller::WriteOnlyToken && query.trim_start().starts_with("mutation") {
                typename_only(query)
            } else {
                query.to_owned()
            };
        self.app
            .gql(self.token(caller).as_deref(), &query, vars)
            .await
    }

    /// A new MEMBER of `org`; returns the user id.
    async fn fresh_member(&self, org: &Org) -> String {
        let email = format!("fresh{}@{}.example", self.next(), org.slug);
        self.app
            .member(&org.owner, &org.id, &email, "MEMBER")
            .await
            .user_id
    }

    /// Book a fresh hour of `space` for `org` as `by`; returns the booking id.
    async fn book_for(&self, by: &Session, space: &str, org: &str) -> String {
        let (start, end) = self.slot();
        let r = self
            .app
            .book(by.token(), space, org, &start, &end, None)
            .await;
        r.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned()
    }

    /// A fresh hour, later than any used before: (start, end).
    fn slot(&self) -> (String, String) {
        let n = self.next() as i64;
        (
            crate::support::fixtures::at(self.app, 48 + 2 * n),
            crate::support::fixtures::at(self.app, 49 + 2 * n),
        )
    }

    /// A new PENDING booking for approve/reject: for `own`, the partner
    /// books home's space; for `partner`, home books the partner's space.
    async fn fresh_pending(&self, rel: Rel) -> String {
        let (by, space, org) = match rel {
            Rel::Own => {
                let p = &self.targets[&Rel::Partner].org;
                (
                    &p.owner,
                    self.targets[&Rel::Own].space.clone(),
                    p.id.clone(),
                )
            }
            Rel::Partner => (
                &self.home.owner,
                self.targets[&Rel::Partner].space.clone(),
                self.home.id.clone(),
            ),
            other => return self.targets[&other].booking.clone(),
        };
        self.book_for(by, &space, &org).await
    }

    /// A new booking to cancel: home's, except where home cannot book (then
    /// the target's own).
    async fn fresh_booking(&self, rel: Rel) -> String {
        let t = &self.targets[&rel];
        match rel {
            Rel::Own | Rel::Partner => {
                self.book_for(&self.home.owner, &t.space, &self.home.id)
                    .await
            }
            _ => self.book_for(&t.org.owner, &t.space, &t.org.id).await,
        }
    }

    /// For refusals: one PENDING booking per relation where one can exist
    /// (own, partner), made once; elsewhere the target's own booking.
    async fn pending_or_confirmed(&self, rel: Rel) -> String {
        let mut cache = self.shared.lock().await;
        if let Some(id) = cache.get(&("pending", rel)) {
            return id.clone();
        }
        let id = self.fresh_pending(rel).await;
        cache.insert(("pending", rel), id.clone());
        id
    }

    /// For refusals: one booking per relation to (fail to) cancel.
    async fn shared_booking(&self, rel: Rel) -> String {
        let mut cache = self.shared.lock().await;
        if let Some(id) = cache.get(&("cancel", rel)) {
            return id.clone();
        }
        let id = self.fresh_booking(rel).await;
        cache.insert(("cancel", rel), id.clone());
        id
    }

    /// A new pending invitation (MEMBER) of `org` by its OWNER; its id.
    async fn fresh_invitation(&self, org: &Org) -> String {
        let email = format!("pending{}@{}.example", self.next(), org.slug);
        self.app
            .invite(&org.owner, &org.id, &email, "MEMBER")
            .await
            .data()["inviteMember"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A new agreement in the state of `rel` into which, after
    /// ratification, its convener invited a fresh organization: home is
    /// asked to consent. Returns (agreement, newcomer).
    async fn pending_newcomer(&self, rel: Rel) -> (String, String) {
        let agreement = self.fresh_agreement(rel).await;
        let convener = match rel {
            Rel::Own | Rel::Withdrew => &self.home,
            other => &self.targets[&other].org,
        };
        let newcomer = self.fresh_org().await;
        self.app
            .party_op(&convener.owner, "inviteParty", &agreement, &newcomer.id)
            .await
            .data();
        (agreement, newcomer.id)
    }

    /// A new organization with its own owner.
    async fn fresh_org(&self) -> Org {
        self.app
            .org_with_owner(&format!("fresh-{}", self.next()))
            .await
    }

    async fn probe(&self, op: &str, rel: Option<Rel>, caller: Caller, expect_ok: bool) -> Outcome {
        let t = rel.map(|r| &self.targets[&r]);
        let org = t.map(|t| t.org.id.clone()).unwrap_or_default();
        let agreement = t.map(|t| t.agreement.clone()).unwrap_or_default();
        let n = self.next();
        match op {
            // ---- identity
            "me" => shown(self.gql(caller, "{ me { id } }", json!({})).await, |d| !d["me"].is_null()),
            "myApiTokens" => done(self.gql(caller, "{ myApiTokens { id } }", json!({})).await),
            "signUp" => {
                let vars = json!({ "input": { "email": format!("new{n}@x.example"), "password": PASSWORD, "displayName": "new" } });
                done(self.gql(caller, crate::support::fixtures::SIGN_UP, vars).await)
            }
            "logIn" => {
                let vars = json!({ "email": self.club.owner.email, "password": PASSWORD });
                done(self.gql(caller, crate::support::fixtures::LOG_IN, vars).await)
            }
            "refreshSession" | "logOut" => {
                let login = self.app.log_in(&self.club.owner.email, PASSWORD).await;
                let s = session_from(&login.data()["logIn"], &self.club.owner.email);
                let q = if op == "logOut" {
                    "mutation($t: String!) { logOut(refreshToken: $t) }"
                } else {
                    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }"
                };
                done(self.gql(caller, q, json!({ "t": s.refresh_token })).await)
            }
            "createApiToken" => {
                let q = "mutation { createApiToken(input: { name: \"probe\", scopes: [READ] }) { token } }";
                done(self.gql(caller, q, json!({})).await)
            }
            "revokeApiToken" => {
                // The caller's own token (or home OWNER's for token callers).
                let owner = self.person(caller).unwrap_or(&self.club.owner);
                let made = self
                    .app
                    .gql(owner.token(), "mutation { createApiToken(input: { name: \"victim\", scopes: [READ] }) { apiToken { id } } }", json!({}))
                    .await;
                let id = made.data()["createApiToken"]["apiToken"]["id"].clone();
                done(self.gql(caller, "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }", json!({ "id": id })).await)
            }

            // ---- organizations
            "organization" => done(self.gql(caller, "query($id: ID!) { organization(id: $id) { id } }", json!({ "id": org })).await),
            "organizations" => shown(self.gql(caller, "{ organizations { totalCount } }", json!({})).await, |d| {
                d["organizations"]["totalCount"].as_i64() > Some(0)
            }),
            "Organization.members" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { members { totalCount nodes { role } } } }", json!({ "id": org })).await,
                |d| d["organization"]["members"]["totalCount"].as_i64() > Some(0),
            ),
            "Organization.viewerRole" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { viewerRole } }", json!({ "id": org })).await,
                |d| !d["organization"]["viewerRole"].is_null(),
            ),
            "Organization.partners" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { partners { id } } }", json!({ "id": org })).await,
                |d| !d["organization"]["partners"].as_array().unwrap().is_empty(),
            ),
            "Organization.agreements" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { agreements { totalCount } } }", json!({ "id": org })).await,
                |d| d["organization"]["agreements"]["totalCount"].as_i64() > Some(0),
            ),
            "User.email" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { members(first: 100) { nodes { user { id email } } } } }", json!({ "id": org }))
                    .await,
                |d| {
                    // Another member's e-mail, not the caller's own.
                    let me = self.person(caller).map(|p| p.user_id.clone()).unwrap_or_default();
                    d["organization"]["members"]["nodes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m["user"]["id"] != me.as_str() && m["user"]["email"].is_string())
                },
            ),
            "auditLog" => done(
                self.gql(caller, "query($id: ID!) { auditLog(organizationId: $id, first: 1) { totalCount } }", json!({ "id": org })).await,
            ),
            "createOrganization" => {
                let q = "mutation($slug: String!) { createOrganization(input: { slug: $slug, name: \"probe\" }) { id } }";
                done(self.gql(caller, q, json!({ "slug": format!("probe-{n}") })).await)
            }
            "updateOrganization" => {
                let q = "mutation($id: ID!) { updateOrganization(id: $id, input: { region: \"대전\" }) { region } }";
                done(self.gql(caller, q, json!({ "id": org })).await)
            }
            "inviteMember" => {
                let q = "mutation($id: ID!, $e: String!) { inviteMember(organizationId: $id, email: $e, role: MEMBER) { token } }";
                done(self.gql(caller, q, json!({ "id": org, "e": format!("invitee{n}@x.example") })).await)
            }
            "acceptInvitation" => {
                // The club invites the caller's e-mail; an accepted
                // invitation is undone right after.
                let email = self.person(caller).map(|p| p.email.clone()).unwrap_or_else(|| format!("anon{n}@x.example"));
                let inv = self.app.invite(&self.club.owner, &self.club.id, &email, "MEMBER").await;
                let token = inv.data()["inviteMember"]["token"].clone();
                let r = self.gql(caller, "mutation($t: String!) { acceptInvitation(token: $t) { role } }", json!({ "t": token })).await;
                if r.is_ok()
                    && let Some(p) = self.person(caller)
                {
                    self.app.remove_member(&self.club.owner, &self.club.id, &p.user_id).await.data();
                }
                done(r)
            }
            "changeMemberRole" | "removeMember" => {
                let t = t.unwrap();
                let user = if expect_ok { self.fresh_member(&t.org).await } else { t.member.user_id.clone() };
                let q = if op == "removeMember" {
                    "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }"
                } else {
                    "mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: EDITOR) { role } }"
                };
                done(self.gql(caller, q, json!({ "o": org, "u": user })).await)
            }

            // ---- agreements
            "agreements" => shown(self.gql(caller, "{ agreements { totalCount } }", json!({})).await, |d| {
                d["agreements"]["totalCount"].as_i64() > Some(0)
            }),
            "agreement" => done(self.gql(caller, &format!("query($id: ID!) {{ agreement(id: $id) {{ {AGREEMENT_FIELDS} }} }}"), json!({ "id": agreement })).await),
            "createAgreement" => {
                let q = "mutation($c: ID!) { createAgreement(input: { convenerId: $c, title: \"probe\", scopes: [EVENTS], startsOn: \"2026-01-01\" }) { id } }";
                done(self.gql(caller, q, json!({ "c": org })).await)
            }
            "updateAgreement" | "proposeAgreement" | "terminateAgreement" => {
                let id = if expect_ok { self.fresh_agreement(rel.unwrap()).await } else { agreement };
                let q = match op {
                    "updateAgreement" => "mutation($id: ID!) { updateAgreement(id: $id, input: { title: \"edited\" }) { id } }",
                    "proposeAgreement" => "mutation($id: ID!) { proposeAgreement(id: $id) { id } }",
                    _ => "mutation($id: ID!) { terminateAgreement(id: $id) { id } }",
                };
                done(self.gql(caller, q, json!({ "id": id })).await)
            }
            "inviteParty" => {
                let id = if expect_ok { self.fresh_agreement(rel.unwrap()).await } else { agreement };
                let newcomer = if expect_ok { self.fresh_org().await.id } else { self.club.id.clone() };
                let q = "mutation($a: ID!, $o: ID!) { inviteParty(agreementId: $a, organizationId: $o) { status } }";
                done(self.gql(caller, q, json!({ "a": id, "o": newcomer })).await)
            }
            "removeParty" => {
                // Remove the target organization (home itself for `own`'s
                // partner) from the agreement.
                let rel = rel.unwrap();
                let id = if expect_ok { self.fresh_agreement(rel).await } else { agreement };
                let party = match rel {
                    Rel::Own => self.targets[&Rel::Partner].org.id.clone(),
                    Rel::Withdrew | Rel::Unrelated => self.targets[&rel].org.id.clone(),
                    _ => self.home.id.clone(),
                };
                let q = "mutation($a: ID!, $o: ID!) { removeParty(agreementId: $a, organizationId: $o) { status } }";
                done(self.gql(caller, q, json!({ "a": id, "o": party })).await)
            }
            "signAgreement" | "declineAgreement" | "withdrawFromAgreement" => {
                // Home answers for itself.
                let id = if expect_ok { self.fresh_agreement(rel.unwrap()).await } else { agreement };
                let q = format!("mutation($a: ID!, $o: ID!) {{ {op}(agreementId: $a, organizationId: $o) {{ status }} }}");
                done(self.gql(caller, &q, json!({ "a": id, "o": self.home.id })).await)
            }
            // ---- spaces and bookings
            "spaces" => shown(self.gql(caller, "{ spaces { id } }", json!({})).await, |d| !d["spaces"].as_array().unwrap().is_empty()),
            "space" => done(self.gql(caller, "query($id: ID!) { space(id: $id) { id } }", json!({ "id": t.unwrap().space })).await),
            "Organization.spaces" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { spaces { id } } }", json!({ "id": org })).await,
                |d| !d["organization"]["spaces"].as_array().unwrap().is_empty(),
            ),
            "Space.viewerCanBook" => shown(
                self.gql(caller, "query($id: ID!) { space(id: $id) { viewerCanBook } }", json!({ "id": t.unwrap().space })).await,
                |d| d["space"]["viewerCanBook"] == true,
            ),
            "booking" => done(self.gql(caller, "query($id: ID!) { booking(id: $id) { id } }", json!({ "id": t.unwrap().booking })).await),
            "Booking.title" => shown(
                self.gql(caller, "query($id: ID!) { booking(id: $id) { title bookedBy { id } } }", json!({ "id": t.unwrap().booking })).await,
                |d| d["booking"]["title"].is_string() && d["booking"]["bookedBy"].is_object(),
            ),
            "createSpace" => {
                let q = "mutation($o: ID!) { createSpace(input: { organizationId: $o, name: \"probe\", requiresApproval: false }) { id } }";
                done(self.gql(caller, q, json!({ "o": org })).await)
            }
            "updateSpace" => {
                let q = "mutation($id: ID!) { updateSpace(id: $id, input: { capacity: 20 }) { id } }";
                done(self.gql(caller, q, json!({ "id": t.unwrap().space })).await)
            }
            "bookSpace" => {
                let (start, end) = self.slot();
                let q = "mutation($input: BookSpaceInput!) { bookSpace(input: $input) { id } }";
                let input = json!({ "spaceId": t.unwrap().space, "organizationId": self.home.id, "title": "probe", "startsAt": start, "endsAt": end });
                done(self.gql(caller, q, json!({ "input": input })).await)
            }
            "approveBooking" | "rejectBooking" => {
                let id = if expect_ok { self.fresh_pending(rel.unwrap()).await } else { self.pending_or_confirmed(rel.unwrap()).await };
                let q = format!("mutation($id: ID!) {{ {op}(id: $id) {{ status }} }}");
                done(self.gql(caller, &q, json!({ "id": id })).await)
            }
            "cancelBooking" => {
                let rel = rel.unwrap();
                let id = if expect_ok { self.fresh_booking(rel).await } else { self.shared_booking(rel).await };
                done(self.gql(caller, "mutation($id: ID!) { cancelBooking(id: $id) { status } }", json!({ "id": id })).await)
            }
            "Organization.pendingInvitations" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { pendingInvitations { id email } } }", json!({ "id": org })).await,
                |d| !d["organization"]["pendingInvitations"].as_array().unwrap().is_empty(),
            ),
            "revokeInvitation" => {
                let t = t.unwrap();
                let id = if expect_ok { self.fresh_invitation(&t.org).await } else { t.invitation.clone() };
                done(self.gql(caller, "mutation($id: ID!) { revokeInvitation(id: $id) { revokedAt } }", json!({ "id": id })).await)
            }
            "restoreOwner" => {
                // Every target has an OWNER who can act: refused everywhere.
                let user = t.unwrap().member.user_id.clone();
                let q = "mutation($o: ID!, $u: ID!) { restoreOwner(organizationId: $o, userId: $u) { role } }";
                done(self.gql(caller, q, json!({ "o": org, "u": user })).await)
            }
            "consentToParty" | "refuseParty" => {
                // Home answers for itself about a newcomer to the agreement.
                let (agreement, newcomer) = if expect_ok { self.pending_newcomer(rel.unwrap()).await } else { (agreement, self.club.id.clone()) };
                let q = format!("mutation($a: ID!, $n: ID!, $o: ID!) {{ {op}(agreementId: $a, newcomerId: $n, organizationId: $o) {{ status }} }}");
                done(self.gql(caller, &q, json!({ "a": agreement, "n": newcomer, "o": self.home.id })).await)
            }
            "suspendUser" | "reinstateUser" | "revokeSessions" => {
                // Someone else's account: a fresh one where it works.
                let user = if expect_ok {
                    self.app.sign_up(&format!("victim{n}@x.example")).await.user_id
                } else {
                    self.targets[&Rel::Unrelated].member.user_id.clone()
                };
                let q = match op {
                    "suspendUser" => "mutation($u: ID!) { suspendUser(userId: $u, reason: \"probe\") { id } }",
                    "reinstateUser" => "mutation($u: ID!) { reinstateUser(userId: $u) { id } }",
                    _ => "mutation($u: ID!) { revokeSessions(userId: $u) }",
                };
                done(self.gql(caller, q, json!({ "u": user })).await)
            }
            other => panic!("no probe for operation {other:?}: add one to tests/it/authz.rs"),
        }
    }
}

/// A token without READ gets nothing back from a mutation but the changed
/// object's `id` (and `__typename`); `side_doors.rs` proves that. So that its
/// column shows whether it may *do* each thing, its probes ask for
/// `__typename` where the other callers read fields: the root field's
/// selection set (the first `{` outside its arguments) is replaced.
fn typename_only(query: &str) -> String {
    let Some(body) = query.find('{') else {
        return query.to_owned();
    };
    let (mut parens, mut open) = (0, None);
    for (i, ch) in query[body + 1..].char_indices() {
        match ch {
            '(' => parens += 1,
            ')' => parens -= 1,
            '{' if parens == 0 => {
                open = Some(body + 1 + i);
                break;
            }
            _ => {}
        }
    }
    let Some(open) = open else {
        return query.to_owned(); // a scalar answer
    };
    let mut depth = 0;
    for (i, ch) in query[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    return format!("{}{{ __typename }}{}", &query[..open], &query[close + 1..]);
                }
            }
            _ => {}
        }
    }
    query.to_owned()
}

#[test]
fn write_only_probes_ask_for_the_typename() {
    assert_eq!(
        typename_only("mutation($id: ID!) { cancelBooking(id: $id) { status space { id } } }"),
        "mutation($id: ID!) { cancelBooking(id: $id) { __typename } }"
    );
    assert_eq!(
        typename_only("mutation { createOrganization(input: { slug: \"x\" }) { id } }"),
        "mutation { createOrganization(input: { slug: \"x\" }) { __typename } }"
    );
    let scalar = "mutation($o: ID!) { removeMember(organizationId: $o, userId: $o) }";
    assert_eq!(typename_only(scalar), scalar);
}

fn created_id(r: &Gql) -> String {
    r.data()["createAgreement"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn error_outcome(r: &Gql) -> Outcome {
    match r.code() {
        "UNAUTHENTICATED" => Outcome::Unauth,
        "FORBIDDEN" => Outcome::Forbidden,
        "NOT_FOUND" => Outcome::NotFound,
        "BAD_USER_INPUT" => Outcome::BadInput,
        "CONFLICT" => Outcome::Conflict,
        other => panic!("unexpected error code {other}: {}", r.body),
    }
}

/// OK when it succeeded.
fn done(r: Gql) -> Outcome {
    if r.is_ok() {
        Outcome::Ok
    } else {
        error_outcome(&r)
    }
}

/// OK when it succeeded and `visible` finds the protected data; EMPTY when
/// it succeeded without it.
fn shown(r: Gql, visible: impl Fn(&Value) -> bool) -> Outcome {
    if !r.is_ok() {
        return error_outcome(&r);
    }
    if visible(r.data()) {
        Outcome::Ok
    } else {
        Outcome::Empty
    }
}

db_test! {
    async fn authorization_matrix(app) {
        let world = World::build(&app).await;
        let mut failures = Vec::new();
        let rows = parse_matrix();
        for row in &rows {
            for (caller, expected) in CALLERS.iter().zip(row.expected) {
                let got = world.probe(&row.op, row.rel, *caller, expected == Outcome::Ok).await;
                if got != expected {
                    failures.push(format!(
                        "line {}: {} / {} / {:?}: expected {expected}, got {got}",
                        row.line,
                        row.op,
                        row.rel.map(|r| format!("{r:?}")).unwrap_or_else(|| "-".into()),
                        caller
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{} of {} cells differ:\n{}", failures.len(), rows.len() * CALLERS.len(), failures.join("\n"));
    }
}
