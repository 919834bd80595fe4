//! Connecting to the database, and the write-transaction helper every
//! mutation uses.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PrimaryKeyTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// The row `id` of `E`, or NOT_FOUND naming `what`: a lookup with no
/// visibility rule (the caller has already decided who may see it).
pub async fn find<E>(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
    what: &'static str,
) -> crate::ApiResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
{
    E::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(crate::ApiError::NotFound(what))
}

/// Select every column of `E` from `table` (its name or an alias), each
/// as `<prefix><column>`: one row then carries several entities, each read
/// back with `Model::from_query_result(row, prefix)`.
pub fn select_prefixed<E: EntityTrait>(
    query: &mut sea_orm::sea_query::SelectStatement,
    table: impl sea_orm::sea_query::IntoIden + Clone,
    prefix: &str,
) {
    use sea_orm::sea_query::{Alias, Expr};
    use sea_orm::{IdenStatic, Iterable};
    for col in E::Column::iter() {
        query.expr_as(
            Expr::col((table.clone(), col)),
            Alias::new(format!("{prefix}{}", col.as_str())),
        );
    }
}

/// How a pool connects: its size, how long a request waits for a
/// connection, and SQLite's durability.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// Waiting longer than this for a free connection answers UNAVAILABLE
    /// (it should be well below the request timeout).
    pub acquire_timeout: Duration,
    /// SQLite `synchronous=FULL`: an acknowledged commit survives a power
    /// cut. `false` is `NORMAL` (WAL stays consistent, but the last commits
    /// before a power cut may be lost), for operators who trade that for
    /// write speed.
    pub sqlite_full_sync: bool,
}

impl PoolSettings {
    pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

    /// `max_connections` with the defaults: a 5 s wait, full durability.
    pub fn with_max(max_connections: u32) -> Self {
        PoolSettings {
            max_connections,
            acquire_timeout: Self::DEFAULT_ACQUIRE_TIMEOUT,
            sqlite_full_sync: true,
        }
    }
}

/// Open a pool of `max_connections` with the default settings.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, PoolSettings::with_max(max_connections)).await
}

/// Open a pool. SQLite gets WAL (readers never block the writer), a busy
/// timeout (writers queue instead of failing), foreign keys and the
/// durability asked for.
pub async fn connect_with(url: &str, settings: PoolSettings) -> Result<DatabaseConnection, DbErr> {
    let synchronous = if settings.sqlite_full_sync {
        SqliteSynchronous::Full
    } else {
        SqliteSynchronous::Normal
    };
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(settings.max_connections.max(1))
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(settings.acquire_timeout)
        // Statements are logged at DEBUG, never INFO; slow ones at WARN.
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_secs(1))
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    Database::connect(opt).await
}

/// Begin the transaction of one mutation. On SQLite it is `BEGIN IMMEDIATE`:
/// the write lock is taken up front, so writers queue on the busy timeout
/// instead of failing halfway when two read-then-write transactions race.
/// On PostgreSQL it is a plain READ COMMITTED transaction; invariants there
/// are held by constraints, triggers and row locks.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Which backend a URL points at, judged by its scheme.
pub fn backend_of(url: &str) -> Option<DbBackend> {
    let scheme = url.split(':').next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => Some(DbBackend::Sqlite),
        "postgres" | "postgresql" => Some(DbBackend::Postgres),
        _ => None,
    }
}

/// Where an SQLite URL keeps its file; `None` for in-memory databases.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let opts = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    let path = opts.get_filename();
    let s = path.to_string_lossy();
    if s.is_empty() || s == ":memory:" || url.contains("mode=memory") {
        None
    } else {
        Some(path.to_path_buf())
    }
}

/// The URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Apply pending migrations. On PostgreSQL they run in one transaction under
/// an advisory lock, so instances starting together do not race.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use migration::MigratorTrait;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let tx = db.begin().await?;
            // An arbitrary constant naming "yeondae migrations".
            tx.execute_unprepared("SELECT pg_advisory_xact_lock(7306012001)")
                .await?;
            migration::Migrator::up(&tx, None).await?;
            tx.commit().await
        }
        _ => migration::Migrator::up(db, None).await,
    }
}

/// How many times a mutation is tried when the database aborts it to
/// resolve a race — a PostgreSQL deadlock or serialization failure, a busy
/// SQLite database (see [`crate::mutate!`]).
pub const ATTEMPTS: u32 = 3;

/// A short random pause before trying again, growing with each attempt.
pub async fn pause_before_retry(attempt: u32) {
    let pause = rand::random_range(5..50u64) * u64::from(attempt);
    tokio::time::sleep(Duration::from_millis(pause)).await;
}
