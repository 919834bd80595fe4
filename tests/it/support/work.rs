//! Fixtures for the coalition's joint work: projects, goals, progress,
//! solidarity actions and endorsements.

use serde_json::{Value, json};

use super::TestApp;
use super::fixtures::Session;

pub const PROJECT_FIELDS: &str = "id title status visibility leadOrganization { id } agreement { id } participants { id } goals { id title achieved ratio }";
pub const ACTION_FIELDS: &str =
    "id title kind status visibility deadline initiator { id } endorsementCount";

/// The string at `path` (`a.b.c`) in `value`.
pub fn text(value: &Value, path: &str) -> String {
    let found = path.split('.').fold(value, |v, key| &v[key]);
    found
        .as_str()
        .unwrap_or_else(|| panic!("no string at {path} in {value}"))
        .to_owned()
}

impl TestApp {
    pub async fn create_project(
        &self,
        by: &Session,
        lead: &str,
        agreement: Option<&str>,
        visibility: &str,
        title: &str,
    ) -> super::Gql {
        let input = json!({ "leadOrganizationId": lead, "agreementId": agreement, "title": title, "visibility": visibility });
        self.gql(
            by.token(),
            &format!("mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ {PROJECT_FIELDS} }} }}"),
            json!({ "input": input }),
        )
        .await
    }

    pub async fn project_id(
        &self,
        by: &Session,
        lead: &str,
        agreement: Option<&str>,
        visibility: &str,
    ) -> String {
        let made = self
            .create_project(by, lead, agreement, visibility, "정보공개 운동")
            .await;
        text(made.data(), "createProject.id")
    }

    pub async fn add_participant(&self, by: &Session, project: &str, org: &str) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($p: ID!, $o: ID!) { addProjectParticipant(projectId: $p, organizationId: $o) { participants { id } } }",
            json!({ "p": project, "o": org }),
        )
        .await
    }

    /// Add a goal from a `GoalInput` as JSON.
    pub async fn add_goal(&self, by: &Session, project: &str, input: Value) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($p: ID!, $input: GoalInput!) { addGoal(projectId: $p, input: $input) { id kind measure target unit status achieved ratio } }",
            json!({ "p": project, "input": input }),
        )
        .await
    }

    /// A quantitative goal measured by `measure` with `target`.
    pub async fn goal_id(&self, by: &Session, project: &str, measure: &str, target: f64) -> String {
        let input = json!({ "kind": "QUANTITATIVE", "measure": measure, "title": "청구 건수", "unit": "건", "target": target });
        text(self.add_goal(by, project, input).await.data(), "addGoal.id")
    }

    pub async fn record(&self, by: &Session, goal: &str, org: &str, amount: f64) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($g: ID!, $input: ProgressInput!) { recordProgress(goalId: $g, input: $input) { id amount organization { id } goal { achieved } } }",
            json!({ "g": goal, "input": { "organizationId": org, "amount": amount } }),
        )
        .await
    }

    /// `achieved` of a goal as `token` sees it.
    pub async fn achieved(&self, token: Option<&str>, goal: &str) -> f64 {
        let r = self
            .gql(
                token,
                "query($id: ID!) { goal(id: $id) { achieved } }",
                json!({ "id": goal }),
            )
            .await;
        r.data()["goal"]["achieved"].as_f64().unwrap()
    }

    /// Draft an action; `deadline` RFC 3339.
    pub async fn create_action(
        &self,
        by: &Session,
        initiator: &str,
        visibility: &str,
        deadline: Option<&str>,
    ) -> super::Gql {
        let input = json!({ "initiatorId": initiator, "title": "주민참여예산 확대 촉구 공동성명", "kind": "STATEMENT", "body": "우리는 요구한다.", "deadline": deadline, "visibility": visibility });
        self.gql(
            by.token(),
            &format!("mutation($input: CreateSolidarityActionInput!) {{ createSolidarityAction(input: $input) {{ {ACTION_FIELDS} }} }}"),
            json!({ "input": input }),
        )
        .await
    }

    /// An OPEN action (drafted and opened by `by`, an ADMIN+ of the initiator).
    pub async fn open_action(
        &self,
        by: &Session,
        initiator: &str,
        visibility: &str,
        deadline: Option<&str>,
    ) -> String {
        let id = text(
            self.create_action(by, initiator, visibility, deadline)
                .await
                .data(),
            "createSolidarityAction.id",
        );
        self.op_on(by, "openSolidarityAction", &id, "status")
            .await
            .data();
        id
    }

    pub async fn endorse(&self, by: &Session, action: &str, org: &str) -> super::Gql {
        self.gql(
            by.token(),
            "mutation($a: ID!, $o: ID!) { endorse(actionId: $a, organizationId: $o, comment: \"연대합니다\") { organization { id } endorsedBy { id } comment endorsedAt } }",
            json!({ "a": action, "o": org }),
        )
        .await
    }
}

impl TestApp {
    /// The same person signed in afresh (after the clock moved past their
    /// access token's life).
    pub async fn again(&self, who: &Session) -> Session {
        let r = self.log_in(&who.email, super::fixtures::PASSWORD).await;
        super::fixtures::session_from(&r.data()["logIn"], &who.email)
    }
}
