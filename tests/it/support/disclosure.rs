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

    /// `attachToDisclosureRequest` as a GraphQL multipart request (one file,
    /// sent as `claimed_type`), with the preflight header unless told not to.
    pub async fn upload(
        &self,
        token: Option<&str>,
        request: &str,
        upload: Upload<'_>,
    ) -> super::Gql {
        let fields = "id fileName contentType sizeBytes sha256 url";
        self.upload_selecting(token, request, upload, fields).await
    }

    /// [`Self::upload`], selecting `fields` of the attachment.
    pub async fn upload_selecting(
        &self,
        token: Option<&str>,
        request: &str,
        upload: Upload<'_>,
        fields: &str,
    ) -> super::Gql {
        let boundary = "yeondae-test-boundary-7f3a";
        let operations = json!({
            "query": format!("mutation($id: ID!, $file: Upload!) {{ attachToDisclosureRequest(id: $id, file: $file) {{ {fields} }} }}"),
            "variables": { "id": request, "file": null },
        });
        let mut body = Vec::new();
        let mut part = |name: &str, extra: &str, content: &[u8]| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        part("operations", "", operations.to_string().as_bytes());
        part("map", "", br#"{"0": ["variables.file"]}"#);
        let file_header = format!(
            "; filename=\"{}\"\r\nContent-Type: {}",
            upload.file_name, upload.claimed_type
        );
        part("0", &file_header, upload.bytes);
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = self
            .client
            .post(format!("{}/graphql", self.url))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if upload.preflight {
            req = req.header("apollo-require-preflight", "true");
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("JSON response");
        super::Gql { status, body }
    }

    /// GET an attachment's `url` as `token`.
    pub async fn download(&self, token: Option<&str>, url: &str) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{url}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }
}

/// A file to upload.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub claimed_type: &'a str,
    pub bytes: &'a [u8],
    pub preflight: bool,
}

impl<'a> Upload<'a> {
    pub fn new(file_name: &'a str, bytes: &'a [u8]) -> Self {
        Upload {
            file_name,
            claimed_type: "application/octet-stream",
            bytes,
            preflight: true,
        }
    }
}
