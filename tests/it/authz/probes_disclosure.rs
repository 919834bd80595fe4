//! The probes of the disclosure-request operations (see `probes.rs`).

use serde_json::json;

use super::world::{Target, World};
use super::{Caller, Outcome, done, shown};
use crate::support::disclosure::seoul_today;

impl World<'_> {
    /// The probe of `op` when it is a disclosure-request operation.
    pub(super) async fn probe_disclosure(
        &self,
        op: &str,
        t: Option<&Target>,
        org: String,
        caller: Caller,
        expect_ok: bool,
    ) -> Option<Outcome> {
        let n = self.next();
        Some(match op {
            // ---- disclosure requests
            "disclosureRequests" => shown(self.gql(caller, "{ disclosureRequests { totalCount } }", json!({})).await, |d| {
                d["disclosureRequests"]["totalCount"].as_i64() > Some(0)
            }),
            "disclosureRequest" => done(self.gql(caller, "query($id: ID!) { disclosureRequest(id: $id) { id agency { name } overdue } }", json!({ "id": t.unwrap().disclosure })).await),
            "Organization.disclosureRequests" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { disclosureRequests { totalCount } } }", json!({ "id": org })).await,
                |d| d["organization"]["disclosureRequests"]["totalCount"].as_i64() > Some(0),
            ),
            "agencyStats" => {
                let q = "query($f: Date!, $t: Date!) { agencyStats(from: $f, to: $t) { requests agency { id } } }";
                let d = seoul_today(self.app);
                shown(self.gql(caller, q, json!({ "f": d, "t": d })).await, |d| {
                    d["agencyStats"].as_array().is_some_and(|a| !a.is_empty())
                })
            }
            "agencies" => shown(self.gql(caller, "{ agencies { totalCount } }", json!({})).await, |d| {
                d["agencies"]["totalCount"].as_i64() > Some(0)
            }),
            "createAgency" => {
                let q = "mutation($n: String!) { createAgency(name: $n, kind: COUNCIL) { id } }";
                done(self.gql(caller, q, json!({ "n": format!("의회 {n}") })).await)
            }
            "fileDisclosureRequest" => {
                let q = "mutation($o: ID!, $a: ID!, $d: Date!) { fileDisclosureRequest(input: { organizationId: $o, agencyId: $a, subject: \"probe\", channel: PORTAL, filedOn: $d, filedBy: MEMBER, visibility: PRIVATE }) { id } }";
                let d = seoul_today(self.app);
                done(self.gql(caller, q, json!({ "o": org, "a": self.agency, "d": d })).await)
            }
            "extendDisclosureDeadline" | "recordDisclosureDecision" | "withdrawDisclosureRequest" | "deleteDisclosureRequest"
            | "lodgeObjection" | "recordObjectionDecision" | "noteDisclosureAppeal" => {
                let refused = matches!(op, "lodgeObjection" | "recordObjectionDecision" | "noteDisclosureAppeal");
                let objected = op == "recordObjectionDecision";
                let id = if expect_ok { self.fresh_request(refused, objected).await } else { t.unwrap().disclosure.clone() };
                let q = match op {
                    "extendDisclosureDeadline" => "mutation($id: ID!) { extendDisclosureDeadline(id: $id) { status } }",
                    "recordDisclosureDecision" => "mutation($id: ID!, $d: Date!) { recordDisclosureDecision(id: $id, input: { status: DISCLOSED, decidedOn: $d }) { status } }",
                    "withdrawDisclosureRequest" => "mutation($id: ID!) { withdrawDisclosureRequest(id: $id) { status } }",
                    "deleteDisclosureRequest" => "mutation($id: ID!) { deleteDisclosureRequest(id: $id) }",
                    "lodgeObjection" => "mutation($id: ID!, $d: Date!) { lodgeObjection(id: $id, lodgedOn: $d) { objection { dueOn } } }",
                    "recordObjectionDecision" => "mutation($id: ID!, $d: Date!) { recordObjectionDecision(id: $id, outcome: UPHELD, decidedOn: $d) { objection { outcome } } }",
                    _ => "mutation($id: ID!, $d: Date!) { noteDisclosureAppeal(id: $id, kind: LAWSUIT, notedOn: $d) { appeal { kind } } }",
                };
                let d = seoul_today(self.app);
                let vars = if q.contains("$d") { json!({ "id": id, "d": d }) } else { json!({ "id": id }) };
                done(self.gql(caller, q, vars).await)
            }
            "Organization.citizenSubmissions" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { citizenSubmissions { id contact } } }", json!({ "id": org })).await,
                |d| d["organization"]["citizenSubmissions"].as_array().is_some_and(|a| !a.is_empty()),
            ),
            "submitCitizenDisclosure" => {
                let q = "mutation($i: CitizenDisclosureInput!) { submitCitizenDisclosure(input: $i) }";
                let input = json!({ "organizationSlug": self.home.slug, "agencyName": "종로구청", "subject": format!("probe {n}"), "filedOn": seoul_today(self.app) });
                done(self.gql(caller, q, json!({ "i": input })).await)
            }
            "acceptCitizenSubmission" | "declineCitizenSubmission" => {
                let id = if expect_ok { self.fresh_submission().await } else { t.unwrap().submission.clone() };
                let (q, vars) = if op == "acceptCitizenSubmission" {
                    ("mutation($id: ID!, $a: ID!) { acceptCitizenSubmission(id: $id, agencyId: $a, visibility: PRIVATE) { filedBy } }", json!({ "id": id, "a": self.agency }))
                } else {
                    ("mutation($id: ID!) { declineCitizenSubmission(id: $id) }", json!({ "id": id }))
                };
                done(self.gql(caller, q, vars).await)
            }
            "attachToDisclosureRequest" => {
                let fields = if caller == Caller::WriteOnlyToken { "__typename" } else { "id sha256" };
                let token = self.token(caller);
                let upload = crate::support::disclosure::Upload::new("통지서.pdf", b"%PDF-1.4 probe");
                done(self.app.upload_selecting(token.as_deref(), &t?.disclosure, upload, fields).await)
            }
            "disclosureRequestsCsv" => shown(self.gql(caller, "{ disclosureRequestsCsv }", json!({})).await, |d| {
                d["disclosureRequestsCsv"].as_str().is_some_and(|t| t.lines().count() > 1)
            }),
            "importDisclosureRequests" => {
                let q = "mutation($o: ID!, $csv: String!) { importDisclosureRequests(organizationId: $o, csv: $csv) { imported } }";
                let csv = format!("agency,subject,filed_on\n서울특별시 종로구,probe {n},{}\n", seoul_today(self.app));
                done(self.gql(caller, q, json!({ "o": org, "csv": csv })).await)
            }
            _ => return None,
        })
    }
}
