//! Fixtures for events: creating them, answering and checking in.

use serde_json::{Value, json};

use super::TestApp;
use super::fixtures::Session;
use super::work::text;

pub const EVENT_FIELDS: &str = "id title status visibility capacity startsAt endsAt goingCount waitlistCount invitedCount host { id } coHosts { id } project { id } space { id } viewerRsvp { status } series { id }";
pub const RSVP_FIELDS: &str =
    "status respondedAt checkedInAt user { id } event { id goingCount waitlistCount }";

impl TestApp {
    /// Create an event from `input` (a `CreateEventInput` as JSON, without
    /// the host, which is `host`).
    pub async fn create_event(&self, by: &Session, host: &str, mut input: Value) -> super::Gql {
        input["hostOrganizationId"] = json!(host);
        for (key, default) in [
            ("title", json!("집행위원회")),
            ("visibility", json!("PARTNERS")),
        ] {
            if input.get(key).is_none() {
                input[key] = default;
            }
        }
        self.gql(
            by.token(),
            &format!("mutation($input: CreateEventInput!) {{ createEvent(input: $input) {{ {EVENT_FIELDS} }} }}"),
            json!({ "input": input }),
        )
        .await
    }

    /// An event from `start` to `end` hours from now (see `at`).
    pub async fn event_id(
        &self,
        by: &Session,
        host: &str,
        start: i64,
        end: i64,
        more: Value,
    ) -> String {
        let mut input = json!({ "startsAt": super::fixtures::at(self, start), "endsAt": super::fixtures::at(self, end) });
        if let Value::Object(extra) = more {
            for (k, v) in extra {
                input[k] = v;
            }
        }
        text(
            self.create_event(by, host, input).await.data(),
            "createEvent.id",
        )
    }

    /// A series (`rule`, from `start` hours from now, two hours each):
    /// (its id, its first occurrence's id).
    pub async fn series_ids(
        &self,
        by: &Session,
        host: &str,
        start: i64,
        rule: &str,
        more: Value,
    ) -> (String, String) {
        let mut input = json!({ "startsAt": super::fixtures::at(self, start), "endsAt": super::fixtures::at(self, start + 2), "recurrence": rule });
        if let Value::Object(extra) = more {
            for (k, v) in extra {
                input[k] = v;
            }
        }
        let made = self.create_event(by, host, input).await;
        (
            text(made.data(), "createEvent.series.id"),
            text(made.data(), "createEvent.id"),
        )
    }

    /// A member group of `org` holding `users`: its id.
    pub async fn group_id(&self, by: &Session, org: &str, name: &str, users: &[&str]) -> String {
        let made = self
            .gql(
                by.token(),
                "mutation($o: ID!, $n: String!, $u: [ID!]!) { createMemberGroup(organizationId: $o, name: $n, userIds: $u) { id } }",
                json!({ "o": org, "n": name, "u": users }),
            )
            .await;
        text(made.data(), "createMemberGroup.id")
    }

    pub async fn rsvp(&self, token: Option<&str>, event: &str, status: &str) -> super::Gql {
        self.gql(
            token,
            &format!("mutation($e: ID!, $s: RsvpStatus!) {{ rsvp(eventId: $e, status: $s) {{ {RSVP_FIELDS} }} }}"),
            json!({ "e": event, "s": status }),
        )
        .await
    }

    pub async fn check_in(&self, by: &Session, event: &str, user: &str) -> super::Gql {
        self.gql(
            by.token(),
            &format!("mutation($e: ID!, $u: ID!) {{ checkIn(eventId: $e, userId: $u) {{ {RSVP_FIELDS} }} }}"),
            json!({ "e": event, "u": user }),
        )
        .await
    }

    /// The event as `token` sees it, with `fields`.
    pub async fn event(&self, token: Option<&str>, id: &str, fields: &str) -> super::Gql {
        self.gql(
            token,
            &format!("query($id: ID!) {{ event(id: $id) {{ {fields} }} }}"),
            json!({ "id": id }),
        )
        .await
    }
}
