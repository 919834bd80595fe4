//! The audit log: every mutation records who did what, in the mutation's own
//! transaction, so the entry and the change commit together or not at all.

pub mod log;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::policy;
use entity::{audit_entry, membership};

/// One audit record, before it is written.
#[derive(Debug, Clone)]
pub struct Record {
    /// e.g. `member.role_change`.
    pub action: &'static str,
    pub subject_type: &'static str,
    pub subject_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub details: Option<serde_json::Value>,
    /// Who acted, when not the viewer: the user signing up or logging in,
    /// who was not signed in when asking.
    pub actor: Option<Uuid>,
}

impl Record {
    pub fn new(action: &'static str, subject_type: &'static str, subject_id: Uuid) -> Self {
        Record {
            action,
            subject_type,
            subject_id: Some(subject_id),
            organization_id: None,
            details: None,
            actor: None,
        }
    }

    /// Done by `user`, who is not (yet) the viewer.
    pub fn by(mut self, user: Uuid) -> Self {
        self.actor = Some(user);
        self
    }

    pub fn in_org(mut self, organization_id: Uuid) -> Self {
        self.organization_id = Some(organization_id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// The organizations among `records`' in which the viewer — a platform
/// admin — acts as an operator, i.e. holds no membership. Empty for
/// everyone else (one query, for platform admins only).
async fn operated(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    records: &[Record],
) -> ApiResult<HashSet<Uuid>> {
    let (Some(user), true) = (viewer.user_id(), policy::is_platform_admin(viewer)) else {
        return Ok(HashSet::new());
    };
    let orgs: HashSet<Uuid> = records.iter().filter_map(|r| r.organization_id).collect();
    if orgs.is_empty() {
        return Ok(orgs);
    }
    let member_of: HashSet<Uuid> = membership::Entity::find()
        .select_only()
        .column(membership::Column::OrganizationId)
        .filter(membership::Column::UserId.eq(user))
        .filter(membership::Column::OrganizationId.is_in(orgs.iter().copied()))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    Ok(orgs.difference(&member_of).copied().collect())
}

/// Write the records of one mutation in one statement, inside its
/// transaction (the write path calls this; see [`crate::write`]).
pub async fn record_many(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    records: impl IntoIterator<Item = Record>,
) -> ApiResult<()> {
    let records: Vec<Record> = records.into_iter().collect();
    let operated = operated(tx, viewer, &records).await?;
    let rows: Vec<audit_entry::ActiveModel> = records
        .into_iter()
        .map(|r| row(viewer, now, r, &operated))
        .collect();
    if !rows.is_empty() {
        audit_entry::Entity::insert_many(rows)
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

fn row(
    viewer: &Viewer,
    now: DateTime<Utc>,
    record: Record,
    operated: &HashSet<Uuid>,
) -> audit_entry::ActiveModel {
    let by_operator = record
        .organization_id
        .is_some_and(|org| operated.contains(&org));
    audit_entry::ActiveModel {
        by_operator: Set(by_operator),
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_id: Set(record.actor.or(viewer.user_id())),
        api_token_id: Set(viewer.api_token_id()),
        organization_id: Set(record.organization_id),
        action: Set(record.action.to_owned()),
        subject_type: Set(record.subject_type.to_owned()),
        subject_id: Set(record.subject_id),
        details: Set(record.details),
    }
}
