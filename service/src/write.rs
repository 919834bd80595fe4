//! The one write path. Every mutation is a *step* run by [`crate::mutate!`], which
//! opens the write transaction (`BEGIN IMMEDIATE` on SQLite), gives the step
//! a [`Write`] to lock and change through, writes the audit records the step
//! collected, commits — and runs it all again when the database aborted it
//! to resolve a race (a deadlock, a serialization failure, a busy SQLite
//! file), up to three times. A step is only the domain's part.
//!
//! Locks are taken in one order everywhere, and [`Write`] enforces it:
//! first the organizations the caller acts for ([`Write::act_for`], which
//! also reads the caller's standing there under the lock), then the item
//! acted on ([`Write::lock`]). An organization locked after an item is a bug
//! (an internal error), because two writers taking them in opposite orders
//! could deadlock.
//!
//! (`mutate!` is a macro, not a function taking an async closure, because
//! the future of an async closure cannot yet be shown to be `Send` to the
//! GraphQL runtime; the macro expands to plain async blocks in the caller.)

use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
    QuerySelect,
};
use uuid::Uuid;

use crate::audit::{self, Record};
use crate::auth::Viewer;
use crate::context::Ctx;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Lock, LockedOrg, OrgAccess};

/// Run one mutation: `mutate!(ctx, |w| { ...step using w: &mut Write... })`.
/// The step's value is the result; an error rolls everything back, and a
/// transient one runs the step again in a new transaction (so the step must
/// be repeatable: it reads what it needs inside). A step that must commit
/// and still tell the client no (a detected refresh-token replay) returns
/// that as its value.
#[macro_export]
macro_rules! mutate {
    ($ctx:expr, |$w:ident| $step:expr) => {{
        let ctx: &$crate::Ctx = $ctx;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let outcome: $crate::ApiResult<_> = async {
                let mut $w = $crate::write::Write::begin(ctx).await?;
                let out = {
                    let $w = &mut $w;
                    async {
                        let step: $crate::ApiResult<_> = $step;
                        step
                    }
                    .await
                }?;
                $w.finish().await?;
                Ok(out)
            }
            .await;
            match outcome {
                Err($crate::ApiError::Transient) if attempt < $crate::db::ATTEMPTS => {
                    $crate::db::pause_before_retry(attempt).await
                }
                other => break other,
            }
        }
    }};
}

/// A mutation in progress: its transaction, its locks, its audit records.
pub struct Write<'a> {
    ctx: &'a Ctx,
    tx: DatabaseTransaction,
    records: Vec<Record>,
    item_locked: bool,
}

impl<'a> Write<'a> {
    /// Open the write transaction of one attempt.
    pub async fn begin(ctx: &'a Ctx) -> ApiResult<Write<'a>> {
        Ok(Write {
            ctx,
            tx: db::begin_write(ctx.writer()).await?,
            records: Vec::new(),
            item_locked: false,
        })
    }

    /// Write the audit records and commit.
    pub async fn finish(self) -> ApiResult<()> {
        audit::record_many(&self.tx, &self.ctx.viewer, self.ctx.now(), self.records).await?;
        self.tx.commit().await?;
        self.ctx.reads().written();
        Ok(())
    }

    /// The transaction, for the step's reads and writes.
    pub fn tx(&self) -> &DatabaseTransaction {
        &self.tx
    }

    pub fn viewer(&self) -> &'a Viewer {
        &self.ctx.viewer
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ctx.now()
    }

    /// Lock an organization the caller acts for, and read the caller's
    /// standing there under that lock (see [`Lock`]). NOT_FOUND when the
    /// organization does not exist.
    pub async fn act_for(&mut self, organization: Uuid, lock: Lock) -> ApiResult<OrgAccess> {
        self.check_lock_order(organization, lock)?;
        policy::org_access(&self.tx, &self.ctx.viewer, organization, lock).await
    }

    /// [`Self::act_for`] in two halves, saving a statement: the lock now,
    /// the caller's role read by the step's next query (with
    /// [`policy::stored_role_column`]), which [`LockedOrg::access`] turns
    /// into the standing.
    pub async fn lock_org(&mut self, organization: Uuid, lock: Lock) -> ApiResult<LockedOrg> {
        self.check_lock_order(organization, lock)?;
        policy::lock_org(&self.tx, organization, lock).await
    }

    fn check_lock_order(&self, organization: Uuid, lock: Lock) -> ApiResult<()> {
        if self.item_locked && lock != Lock::None {
            return Err(ApiError::internal(anyhow::anyhow!(
                "lock order: organization {organization} locked after the item"
            )));
        }
        Ok(())
    }

    /// Lock the row of the item acted on (`FOR UPDATE`) and read it afresh:
    /// after the organizations, so concurrent changes of one item apply one
    /// after another and each sees the last.
    pub async fn lock<E>(&mut self, id: Uuid, what: &'static str) -> ApiResult<E::Model>
    where
        E: EntityTrait,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        self.lock_as::<E>(id, what, LockType::Update).await
    }

    /// Lock the row of the item acted on for sharing (`FOR SHARE`) and read
    /// it afresh: writes that depend on its state (endorsing an OPEN
    /// action) run side by side, and a change of that state (closing it)
    /// waits for them — and they for it.
    pub async fn lock_shared<E>(&mut self, id: Uuid, what: &'static str) -> ApiResult<E::Model>
    where
        E: EntityTrait,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        self.lock_as::<E>(id, what, LockType::Share).await
    }

    async fn lock_as<E>(
        &mut self,
        id: Uuid,
        what: &'static str,
        how: LockType,
    ) -> ApiResult<E::Model>
    where
        E: EntityTrait,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        self.item_locked = true;
        E::find_by_id(id)
            .lock(how)
            .one(&self.tx)
            .await?
            .ok_or(ApiError::NotFound(what))
    }

    /// Insert a new row (a unique key it breaks surfaces as the
    /// constraint's client error, see [`crate::error`]).
    pub async fn insert<A>(&self, row: A) -> ApiResult<()>
    where
        A: ActiveModelTrait + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        <A::Entity as EntityTrait>::insert(row)
            .exec_without_returning(&self.tx)
            .await?;
        Ok(())
    }

    /// Record what the step did; written with the change, or not at all.
    pub fn audit(&mut self, record: Record) {
        self.records.push(record);
    }

    pub fn audit_all(&mut self, records: impl IntoIterator<Item = Record>) {
        self.records.extend(records);
    }
}
