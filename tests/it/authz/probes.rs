//! The probes: each operation of the matrix tried as one caller on one
//! relation's target, answered as an [`Outcome`].

use serde_json::json;

use super::world::World;
use super::{Caller, Outcome, Rel, done, shown};
use crate::support::fixtures::{AGREEMENT_FIELDS, PASSWORD, session_from};

impl World<'_> {
    pub(super) async fn probe(
        &self,
        op: &str,
        rel: Option<Rel>,
        caller: Caller,
        expect_ok: bool,
    ) -> Outcome {
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
            // ---- projects and goals
            "projects" => shown(self.gql(caller, "{ projects { totalCount } }", json!({})).await, |d| {
                d["projects"]["totalCount"].as_i64() > Some(0)
            }),
            "project" => done(self.gql(caller, "query($id: ID!) { project(id: $id) { id goals { achieved } participants { id } } }", json!({ "id": t.unwrap().project })).await),
            "goal" => done(self.gql(caller, "query($id: ID!) { goal(id: $id) { achieved progress { totalCount } } }", json!({ "id": t.unwrap().goal })).await),
            "Organization.projects" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { projects { totalCount } } }", json!({ "id": org })).await,
                |d| d["organization"]["projects"]["totalCount"].as_i64() > Some(0),
            ),
            "GoalProgress.recordedBy" => shown(
                self.gql(caller, "query($id: ID!) { goal(id: $id) { progress { nodes { recordedBy { id } } } } }", json!({ "id": t.unwrap().goal })).await,
                |d| d["goal"]["progress"]["nodes"][0]["recordedBy"].is_object(),
            ),
            "createProject" => {
                let q = "mutation($o: ID!) { createProject(input: { leadOrganizationId: $o, title: \"probe\", visibility: PRIVATE }) { id } }";
                done(self.gql(caller, q, json!({ "o": org })).await)
            }
            "addProjectParticipant" => {
                // Home's fresh project under its own agreement gains the
                // partner; elsewhere home asks to join the target's project.
                let (project, joining) = if expect_ok {
                    (self.fresh_project().await, self.targets[&Rel::Partner].org.id.clone())
                } else {
                    (t.unwrap().project.clone(), self.home.id.clone())
                };
                let q = "mutation($p: ID!, $o: ID!) { addProjectParticipant(projectId: $p, organizationId: $o) { id } }";
                done(self.gql(caller, q, json!({ "p": project, "o": joining })).await)
            }
            "setProjectStatus" => {
                let project = if expect_ok { self.fresh_project().await } else { t.unwrap().project.clone() };
                let q = "mutation($id: ID!) { setProjectStatus(id: $id, status: ACTIVE) { status } }";
                done(self.gql(caller, q, json!({ "id": project })).await)
            }
            "addGoal" => {
                let q = "mutation($p: ID!) { addGoal(projectId: $p, input: { kind: QUALITATIVE, title: \"probe\" }) { id } }";
                done(self.gql(caller, q, json!({ "p": t.unwrap().project })).await)
            }
            "setGoalStatus" => {
                let goal = if expect_ok { self.fresh_goal().await } else { t.unwrap().goal.clone() };
                let q = "mutation($g: ID!) { setGoalStatus(goalId: $g, status: IN_PROGRESS) { status } }";
                done(self.gql(caller, q, json!({ "g": goal })).await)
            }
            "recordProgress" => {
                // Home records for itself.
                let q = "mutation($g: ID!, $o: ID!) { recordProgress(goalId: $g, input: { organizationId: $o, amount: 1 }) { id } }";
                done(self.gql(caller, q, json!({ "g": t.unwrap().goal, "o": self.home.id })).await)
            }

            // ---- solidarity actions
            "solidarityActions" => shown(self.gql(caller, "{ solidarityActions { totalCount } }", json!({})).await, |d| {
                d["solidarityActions"]["totalCount"].as_i64() > Some(0)
            }),
            "solidarityAction" => done(self.gql(caller, "query($id: ID!) { solidarityAction(id: $id) { id endorsementCount endorsements { nodes { endorsedBy { id } } } } }", json!({ "id": t.unwrap().action })).await),
            "Organization.solidarityActions" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { solidarityActions { totalCount } } }", json!({ "id": org })).await,
                |d| d["organization"]["solidarityActions"]["totalCount"].as_i64() > Some(0),
            ),
            "createSolidarityAction" => {
                let q = "mutation($o: ID!) { createSolidarityAction(input: { initiatorId: $o, title: \"probe\", kind: PETITION, body: \"probe\", visibility: PRIVATE }) { id } }";
                done(self.gql(caller, q, json!({ "o": org })).await)
            }
            "openSolidarityAction" | "closeSolidarityAction" => {
                let open = op == "openSolidarityAction";
                let action = if expect_ok { self.fresh_action(rel.unwrap(), !open).await } else { t.unwrap().action.clone() };
                let q = format!("mutation($id: ID!) {{ {op}(id: $id) {{ status }} }}");
                done(self.gql(caller, &q, json!({ "id": action })).await)
            }
            "endorse" | "withdrawEndorsement" => {
                // Home signs (or takes back its signature).
                let action = if expect_ok { self.fresh_action(rel.unwrap(), true).await } else { t.unwrap().action.clone() };
                if expect_ok && op == "withdrawEndorsement" {
                    self.app.endorse(&self.home.owner, &action, &self.home.id).await.data();
                }
                let q = if op == "endorse" {
                    "mutation($a: ID!, $o: ID!) { endorse(actionId: $a, organizationId: $o) { endorsedAt } }"
                } else {
                    "mutation($a: ID!, $o: ID!) { withdrawEndorsement(actionId: $a, organizationId: $o) }"
                };
                done(self.gql(caller, q, json!({ "a": action, "o": self.home.id })).await)
            }

            // ---- events
            "events" => shown(self.gql(caller, "{ events { totalCount } }", json!({})).await, |d| {
                d["events"]["totalCount"].as_i64() > Some(0)
            }),
            "event" => done(self.gql(caller, "query($id: ID!) { event(id: $id) { id goingCount viewerRsvp { status } } }", json!({ "id": t.unwrap().event })).await),
            "Organization.events" => shown(
                self.gql(caller, "query($id: ID!) { organization(id: $id) { events { totalCount } } }", json!({ "id": org })).await,
                |d| d["organization"]["events"]["totalCount"].as_i64() > Some(0),
            ),
            "createEvent" => {
                let q = "mutation($o: ID!, $s: DateTime!, $e: DateTime!) { createEvent(input: { hostOrganizationId: $o, title: \"probe\", startsAt: $s, endsAt: $e, visibility: PRIVATE }) { id } }";
                let (s, e) = (crate::support::fixtures::at(self.app, 40), crate::support::fixtures::at(self.app, 41));
                done(self.gql(caller, q, json!({ "o": org, "s": s, "e": e })).await)
            }
            "updateEvent" | "cancelEvent" => {
                let event = if expect_ok { self.fresh_event().await } else { t.unwrap().event.clone() };
                let q = if op == "updateEvent" {
                    "mutation($id: ID!) { updateEvent(id: $id, input: { title: \"probe\" }) { title } }"
                } else {
                    "mutation($id: ID!) { cancelEvent(id: $id) { status } }"
                };
                done(self.gql(caller, q, json!({ "id": event })).await)
            }
            "eventSeries" => done(self.gql(caller, "query($id: ID!) { eventSeries(id: $id) { id rule attendanceRate occurrences { totalCount } } }", json!({ "id": t.unwrap().series })).await),
            "updateEventOccurrences" | "cancelEventOccurrences" => {
                let anchor = if expect_ok { self.fresh_occurrence().await } else { t.unwrap().occurrence.clone() };
                let q = if op == "updateEventOccurrences" {
                    "mutation($id: ID!) { updateEventOccurrences(id: $id, input: { title: \"probe\" }, scope: ALL) { title } }"
                } else {
                    "mutation($id: ID!) { cancelEventOccurrences(id: $id, scope: THIS_AND_FOLLOWING) { status } }"
                };
                done(self.gql(caller, q, json!({ "id": anchor })).await)
            }
            "createMemberGroup" => {
                let q = "mutation($o: ID!, $n: String!) { createMemberGroup(organizationId: $o, name: $n, userIds: []) { id } }";
                done(self.gql(caller, q, json!({ "o": org, "n": format!("probe-{n}") })).await)
            }
            "updateMemberGroup" => {
                let q = "mutation($id: ID!) { updateMemberGroup(id: $id, name: \"집행위원회\") { name members { id } } }";
                done(self.gql(caller, q, json!({ "id": t.unwrap().group })).await)
            }
            "deleteMemberGroup" => {
                let group = if expect_ok { self.fresh_group().await } else { t.unwrap().group.clone() };
                done(self.gql(caller, "mutation($id: ID!) { deleteMemberGroup(id: $id) }", json!({ "id": group })).await)
            }
            "rsvp" => {
                let q = "mutation($e: ID!) { rsvp(eventId: $e, status: GOING) { status } }";
                done(self.gql(caller, q, json!({ "e": t.unwrap().event })).await)
            }
            "checkIn" => {
                // The target's member, who answered GOING.
                let q = "mutation($e: ID!, $u: ID!) { checkIn(eventId: $e, userId: $u) { checkedInAt } }";
                done(self.gql(caller, q, json!({ "e": t.unwrap().event, "u": t.unwrap().member.user_id })).await)
            }
            other => match self.probe_disclosure(other, t, org, caller, expect_ok).await {
                Some(outcome) => outcome,
                None => panic!("no probe for operation {other:?}: add one to tests/it/authz/probes.rs"),
            },
        }
    }
}
