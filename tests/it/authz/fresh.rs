//! The fresh objects the matrix's cells need, so that no cell changes what
//! another one sees: agreements in each relation's state, members, bookings,
//! invitations, newcomers and organizations.

use super::Rel;
use super::world::World;
use crate::support::fixtures::{Org, Session};

const ALL: &[&str] = &["PROJECTS", "EVENTS", "ACTIONS", "SPACES"];
/// Every scope but ACTIONS.
const MOST: &[&str] = &["PROJECTS", "EVENTS", "SPACES"];

impl World<'_> {
    /// A new agreement in the state that defines `rel`.
    pub(super) async fn agreement_for(&self, rel: Rel, org: &Org, partner: &Org) -> String {
        let app = self.app;
        let home = &self.home;
        match rel {
            Rel::Own => {
                app.ratified_agreement(&[home, partner], ALL, "2024-01-01", None)
                    .await
            }
            Rel::Partner => {
                app.ratified_agreement(&[org, home], ALL, "2024-01-01", None)
                    .await
            }
            Rel::NoScope => {
                app.ratified_agreement(&[org, home], &["ACTIONS"], "2024-01-01", None)
                    .await
            }
            Rel::Proposed => {
                // The stranger never answers, so home's answer alone never
                // ratifies it.
                let id = app
                    .draft_agreement(&org.owner, &org.id, MOST, "2024-01-01", None)
                    .await;
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
                app.ratified_agreement(&[org, home], MOST, "2023-01-01", Some("2023-12-31"))
                    .await
            }
            Rel::Terminated => {
                let id = app
                    .ratified_agreement(&[org, home], MOST, "2024-01-01", None)
                    .await;
                app.agreement_op(&org.owner, "terminateAgreement", &id)
                    .await
                    .data();
                id
            }
            Rel::Withdrew => {
                let id = app
                    .ratified_agreement(&[home, org], MOST, "2024-01-01", None)
                    .await;
                app.party_op(&org.owner, "withdrawFromAgreement", &id, &org.id)
                    .await
                    .data();
                id
            }
            Rel::Unrelated => {
                app.ratified_agreement(&[org, &self.stranger], MOST, "2024-01-01", None)
                    .await
            }
        }
    }

    pub(super) async fn fresh_agreement(&self, rel: Rel) -> String {
        let t = &self.targets[&rel];
        self.agreement_for(rel, &t.org, &self.targets[&Rel::Partner].org)
            .await
    }

    /// A new MEMBER of `org`; returns the user id.
    pub(super) async fn fresh_member(&self, org: &Org) -> String {
        let email = format!("fresh{}@{}.example", self.next(), org.slug);
        self.app
            .member(&org.owner, &org.id, &email, "MEMBER")
            .await
            .user_id
    }

    /// Book a fresh hour of `space` for `org` as `by`; returns the booking id.
    pub(super) async fn book_for(&self, by: &Session, space: &str, org: &str) -> String {
        let (start, end) = self.slot();
        let r = self
            .app
            .book(by.token(), space, org, &start, &end, None)
            .await;
        r.data()["bookSpace"][0]["id"].as_str().unwrap().to_owned()
    }

    /// A fresh hour, later than any used before: (start, end).
    pub(super) fn slot(&self) -> (String, String) {
        let n = self.next() as i64;
        (
            crate::support::fixtures::at(self.app, 48 + 2 * n),
            crate::support::fixtures::at(self.app, 49 + 2 * n),
        )
    }

    /// A new PENDING booking for approve/reject: for `own`, the partner
    /// books home's space; for `partner`, home books the partner's space.
    pub(super) async fn fresh_pending(&self, rel: Rel) -> String {
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
    pub(super) async fn fresh_booking(&self, rel: Rel) -> String {
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
    pub(super) async fn pending_or_confirmed(&self, rel: Rel) -> String {
        self.made_once("pending", rel, self.fresh_pending(rel))
            .await
    }

    /// For refusals: one booking per relation to (fail to) cancel.
    pub(super) async fn shared_booking(&self, rel: Rel) -> String {
        self.made_once("cancel", rel, self.fresh_booking(rel)).await
    }

    /// The object of this kind made for `rel` by the first cell asking;
    /// the lock is held while it is made, so it is made once.
    async fn made_once(
        &self,
        kind: &'static str,
        rel: Rel,
        make: impl std::future::Future<Output = String>,
    ) -> String {
        let mut cache = self.shared.lock().await;
        if let Some(id) = cache.get(&(kind, rel)) {
            return id.clone();
        }
        let id = make.await;
        cache.insert((kind, rel), id.clone());
        id
    }

    /// A new pending invitation (MEMBER) of `org` by its OWNER; its id.
    pub(super) async fn fresh_invitation(&self, org: &Org) -> String {
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
    pub(super) async fn pending_newcomer(&self, rel: Rel) -> (String, String) {
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
    pub(super) async fn fresh_org(&self) -> Org {
        self.app
            .org_with_owner(&format!("fresh-{}", self.next()))
            .await
    }

    /// A new project of home under its own agreement (with `partner`, every
    /// scope), so the partner can be added to it.
    pub(super) async fn fresh_project(&self) -> String {
        let own = &self.targets[&Rel::Own].agreement;
        self.app
            .project_id(&self.home.owner, &self.home.id, Some(own), "PARTNERS")
            .await
    }

    /// A new goal of home's project.
    pub(super) async fn fresh_goal(&self) -> String {
        let project = &self.targets[&Rel::Own].project;
        self.app
            .goal_id(&self.home.owner, project, "TOTAL", 10.0)
            .await
    }

    /// A new PARTNERS action of the target (OPEN, or a DRAFT).
    pub(super) async fn fresh_action(&self, rel: Rel, open: bool) -> String {
        let org = &self.targets[&rel].org;
        if open {
            return self
                .app
                .open_action(&org.owner, &org.id, "PARTNERS", None)
                .await;
        }
        let made = self
            .app
            .create_action(&org.owner, &org.id, "PARTNERS", None)
            .await;
        crate::support::work::text(made.data(), "createSolidarityAction.id")
    }

    /// A new weekly series of home: its first occurrence.
    pub(super) async fn fresh_occurrence(&self) -> String {
        let rule = "FREQ=WEEKLY;COUNT=2";
        let json = serde_json::json!({});
        self.app
            .series_ids(&self.home.owner, &self.home.id, 60, rule, json)
            .await
            .1
    }

    /// A new member group of home.
    pub(super) async fn fresh_group(&self) -> String {
        let name = format!("group-{}", self.next());
        self.app
            .group_id(&self.home.owner, &self.home.id, &name, &[])
            .await
    }

    /// A new PARTNERS event of home.
    pub(super) async fn fresh_event(&self) -> String {
        self.app
            .event_id(
                &self.home.owner,
                &self.home.id,
                30,
                32,
                serde_json::json!({}),
            )
            .await
    }

    /// A new PARTNERS request of home: FILED, then REFUSED today when
    /// `refused`, with an objection lodged today when `objected`.
    pub(super) async fn fresh_request(&self, refused: bool, objected: bool) -> String {
        let owner = &self.home.owner;
        let id = self
            .app
            .request_id(owner, &self.home.id, &self.agency, "PARTNERS")
            .await;
        if refused {
            self.app
                .decide_request(owner, &id, "REFUSED", None)
                .await
                .data();
        }
        if objected {
            self.app.object_to_request(owner, &id).await.data();
        }
        id
    }

    /// A new citizen's submission to home, waiting.
    pub(super) async fn fresh_submission(&self) -> String {
        let subject = format!("주민 청구 {}", self.next());
        self.app
            .submission_id(&self.home.owner, &self.home.id, &self.home.slug, &subject)
            .await
    }
}
