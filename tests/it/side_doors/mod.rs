//! The side doors a hostile review found one level below the root rules:
//! nested fields and mutation payloads, invitations that outlive their
//! inviter's right, partners added without the others' signature, agreement
//! windows moved by a time zone change, operators acting as organizations,
//! and tokens that mean more than they say. Each test here failed before the
//! fix it names. (The generic proof for nested reads is `walk/`.)
//!
//! One file per subject: `nested_reads.rs`, `invitations.rs`,
//! `amendments.rs`, `agreement_windows.rs`, `operators.rs`, `tokens.rs`;
//! this file holds the helpers they share.

use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{Org, Session};

mod agreement_windows;
mod amendments;
mod invitations;
mod nested_reads;
mod operators;
mod tokens;

async fn platform_admin(app: &TestApp, email: &str) -> Session {
    let root = app.sign_up(email).await;
    app.promote_admin(email).await;
    root
}

/// An organization's audit log as its OWNER reads it, oldest first:
/// (action, details).
async fn audit_log(app: &TestApp, org: &Org) -> Vec<(String, Value)> {
    let r = app
        .gql(
            org.owner.token(),
            "query($id: ID!) { auditLog(organizationId: $id, first: 100) { nodes { action details } } }",
            json!({ "id": org.id }),
        )
        .await;
    let mut out: Vec<(String, Value)> = r.data()["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["details"].clone(),
            )
        })
        .collect();
    out.reverse();
    out
}
