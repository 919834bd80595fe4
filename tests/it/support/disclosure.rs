//! Fixtures for disclosure requests and agencies.

use serde_json::{Value, json};

use super::TestApp;
use super::fixtures::Session;
use super::work::text;

/// The date in Seoul at the test clock, as `YYYY-MM-DD`.
pub fn seoul_today(app: &TestApp) -> String {
    service::disclosure::transitions::today(app.clock.now()).to_string()
}

impl TestApp {
    /// An agency (created, or the existing one of that name and kind).
    pub async fn agency_id(&self, by: &Session, name: &str, kind: &str) -> String {
        let made = self
            .gql(
                by.token(),
                "mutation($n: String!, $k: AgencyKind!) { createAgency(name: $n, kind: $k) { id } }",
                json!({ "n": name, "k": kind }),
            )
            .await;
        text(made.data(), "createAgency.id")
    }

    /// A request filed today by `org`'s member, to `agency`.
    pub async fn request_id(
        &self,
        by: &Session,
        org: &str,
        agency: &str,
        visibility: &str,
    ) -> String {
        let input = json!({
            "organizationId": org,
            "agencyId": agency,
            "subject": "2026년 주민참여예산 집행 내역",
            "channel": "PORTAL",
            "filedOn": seoul_today(self),
            "filedBy": "MEMBER",
            "visibility": visibility,
        });
        let made = self
            .gql(
                by.token(),
                "mutation($i: FileDisclosureRequestInput!) { fileDisclosureRequest(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        text(made.data(), "fileDisclosureRequest.id")
    }

    /// Run one step on a request (`mutation($id: ID!, …) { <step> }`).
    pub async fn request_step(&self, by: &Session, mutation: &str, vars: Value) -> super::Gql {
        self.gql(by.token(), mutation, vars).await
    }

    /// Record today's decision on a request.
    pub async fn decide_request(
        &self,
        by: &Session,
        id: &str,
        status: &str,
        transferred_to: Option<&str>,
    ) -> super::Gql {
        let input = json!({
            "status": status,
            "decidedOn": seoul_today(self),
            "transferredToAgencyId": transferred_to,
        });
        self.request_step(
            by,
            "mutation($id: ID!, $i: DisclosureDecisionInput!) { recordDisclosureDecision(id: $id, input: $i) { id status } }",
            json!({ "id": id, "i": input }),
        )
        .await
    }

    /// Lodge an objection today.
    pub async fn object_to_request(&self, by: &Session, id: &str) -> super::Gql {
        self.request_step(
            by,
            "mutation($id: ID!, $d: Date!) { lodgeObjection(id: $id, lodgedOn: $d) { id } }",
            json!({ "id": id, "d": seoul_today(self) }),
        )
        .await
    }

    /// A citizen's submission to `org` (by slug), made anonymously; its id
    /// as the organization's `owner` (an EDITOR+) sees it.
    pub async fn submission_id(
        &self,
        owner: &Session,
        org_id: &str,
        slug: &str,
        subject: &str,
    ) -> String {
        let input = json!({
            "organizationSlug": slug,
            "agencyName": "서울특별시 종로구",
            "subject": subject,
            "filedOn": seoul_today(self),
        });
        self.gql(
            None,
            "mutation($i: CitizenDisclosureInput!) { submitCitizenDisclosure(input: $i) }",
            json!({ "i": input }),
        )
        .await
        .data();
        let listed = self
            .gql(
                owner.token(),
                "query($o: ID!) { organization(id: $o) { citizenSubmissions { id subject } } }",
                json!({ "o": org_id }),
            )
            .await;
        let all = listed.data()["organization"]["citizenSubmissions"].clone();
        let found = all
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["subject"] == subject)
            .unwrap_or_else(|| panic!("no submission {subject:?} in {all}"));
        text(found, "id")
    }
}
