//! The world of the authorization matrix: its organizations, callers and
//! targets, how it is built, and each caller's token and person.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::{Caller, RELATIONS, Rel, typename_only};
use crate::support::fixtures::{Org, Session};
use crate::support::{Gql, TestApp};

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
    /// A PARTNERS project led by the target (no agreement), with `goal`,
    /// a TOTAL goal with one recorded amount.
    pub(crate) project: String,
    pub(crate) goal: String,
    /// An OPEN PARTNERS solidarity action of the target, endorsed by it.
    pub(crate) action: String,
    /// A PARTNERS event of the target within its check-in window, which
    /// `member` answered GOING; `partner`'s is co-hosted by home.
    pub(crate) event: String,
    /// A weekly PARTNERS series of the target (two occurrences), and its
    /// first occurrence.
    pub(crate) series: String,
    pub(crate) occurrence: String,
    /// A member group of the target holding `member`.
    pub(crate) group: String,
    /// A FILED PARTNERS disclosure request of the target (to `agency`).
    pub(crate) disclosure: String,
    /// A citizen's submission to the target, waiting.
    pub(crate) submission: String,
}

pub(crate) struct World<'a> {
    pub(super) app: &'a TestApp,
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
    /// The agency the targets' requests went to.
    pub(crate) agency: String,
    /// Another agency: home's `settled_request` was transferred to it.
    pub(crate) other_agency: String,
    /// Home's PARTNERS request that went through every step: transferred,
    /// refused by the receiving agency, objected to (dismissed), appealed.
    pub(crate) settled_request: String,
    seq: AtomicUsize,
    pub(super) shared: tokio::sync::Mutex<HashMap<(&'static str, Rel), String>>,
}

impl<'a> World<'a> {
    pub(crate) async fn build(app: &'a TestApp) -> World<'a> {
        let home = app.org_with_owner("home").await;
        let [member, editor, admin] = app
            .staff(&home.owner, &home.id, "home", ["MEMBER", "EDITOR", "ADMIN"])
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
            agency: app
                .agency_id(&home.owner, "서울특별시 종로구", "DISTRICT")
                .await,
            other_agency: app.agency_id(&home.owner, "서울특별시", "CITY").await,
            settled_request: String::new(),
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
            let project = app.project_id(&org.owner, &org.id, None, "PARTNERS").await;
            let goal = app.goal_id(&org.owner, &project, "TOTAL", 100.0).await;
            app.record(&org.owner, &goal, &org.id, 12.5).await.data();
            let action = app.open_action(&org.owner, &org.id, "PARTNERS", None).await;
            app.endorse(&org.owner, &action, &org.id).await.data();
            let co_hosts = if rel == Rel::Partner {
                vec![home.id.clone()]
            } else {
                Vec::new()
            };
            let event = app
                .event_id(
                    &org.owner,
                    &org.id,
                    1,
                    3,
                    serde_json::json!({ "coHostIds": co_hosts }),
                )
                .await;
            app.rsvp(member.token(), &event, "GOING").await.data();
            let group = app
                .group_id(&org.owner, &org.id, "집행위원회", &[&member.user_id])
                .await;
            let (series, occurrence) = app
                .series_ids(
                    &org.owner,
                    &org.id,
                    50,
                    "FREQ=WEEKLY;COUNT=2",
                    serde_json::json!({}),
                )
                .await;
            let disclosure = app
                .request_id(&org.owner, &org.id, &world.agency, "PARTNERS")
                .await;
            let submission = app
                .submission_id(&org.owner, &org.id, &org.slug, "주민 청구")
                .await;
            world.targets.insert(
                rel,
                Target {
                    org,
                    agreement,
                    member,
                    space,
                    booking,
                    invitation,
                    project,
                    goal,
                    action,
                    event,
                    series,
                    occurrence,
                    group,
                    disclosure,
                    submission,
                },
            );
        }
        world.add_former_and_partner_bookings().await;
        world.add_settled_request().await;
        world
    }

    /// Home's request through every step, so the walk reaches an agency it
    /// was transferred to, an objection and an appeal.
    async fn add_settled_request(&mut self) {
        let (app, owner) = (self.app, &self.home.owner);
        let id = app
            .request_id(owner, &self.home.id, &self.agency, "PARTNERS")
            .await;
        let today = crate::support::disclosure::seoul_today(app);
        app.decide_request(owner, &id, "TRANSFERRED", Some(&self.other_agency))
            .await
            .data();
        app.decide_request(owner, &id, "REFUSED", None).await.data();
        app.object_to_request(owner, &id).await.data();
        let steps = [
            "mutation($id: ID!, $d: Date!) { recordObjectionDecision(id: $id, outcome: DISMISSED, decidedOn: $d) { id } }",
            "mutation($id: ID!, $d: Date!) { noteDisclosureAppeal(id: $id, kind: ADMINISTRATIVE_APPEAL, notedOn: $d) { id } }",
        ];
        for step in steps {
            let vars = serde_json::json!({ "id": id, "d": today });
            app.request_step(owner, step, vars).await.data();
        }
        let upload = crate::support::disclosure::Upload::new("결정통지서.pdf", b"%PDF-1.4 notice");
        app.upload(owner.token(), &id, upload).await.data();
        self.settled_request = id;
    }

    /// The bookings through which a nested read can reach a space its
    /// reader may not see (tests/it/walk/): `partner_booking` and, under
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

    pub(super) fn next(&self) -> usize {
        self.seq.fetch_add(1, Ordering::Relaxed)
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

    pub(super) async fn gql(&self, caller: Caller, query: &str, vars: Value) -> Gql {
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
}
