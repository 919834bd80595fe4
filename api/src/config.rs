//! Command line and environment, parsed into typed settings. Every setting is
//! a flag with an environment variable of the same meaning; there is no
//! built-in JWT secret anywhere.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::{Args, Parser, Subcommand};
use sea_orm::DbBackend;

use service::db::{self, PoolSettings};
use service::disclosure::files::FileStore;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://yeondae.db?mode=rwc";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// HMAC-SHA256 keys shorter than this are refused.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Parser)]
#[command(
    name = "yeondae",
    version,
    about = "Yeondae (연대): the GraphQL API for coalitions of civic groups"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (runs migrations first).
    Serve(ServeArgs),
    /// Run database migrations and exit.
    Migrate(DbArgs),
    /// Create a platform admin, or promote an existing user; the password of
    /// a new account is read from standard input.
    CreateAdmin(CreateAdminArgs),
    /// Print the GraphQL schema (SDL).
    ExportSchema,
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// postgres://… or sqlite://…; the default is an SQLite file in the working directory.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// Size of the database connection pool.
    #[arg(long, env = "YEONDAE_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
    /// How long a request waits for a free database connection before it is
    /// answered UNAVAILABLE (HTTP 503 with Retry-After).
    #[arg(long, env = "YEONDAE_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 5)]
    pub db_acquire_timeout_secs: u64,
    /// SQLite durability: `full` (an acknowledged write survives a power
    /// cut) or `normal` (faster commits; the last ones before a power cut
    /// may be lost, the database stays consistent).
    #[arg(long, env = "YEONDAE_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = ["full", "normal"])]
    pub sqlite_synchronous: String,
}

impl DbArgs {
    pub fn pool(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.db_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout_secs.max(1)),
            sqlite_full_sync: self.sqlite_synchronous != "normal",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "YEONDAE_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Secret for signing access tokens (at least 32 bytes). Optional with
    /// SQLite (one is generated and kept beside the database file), required
    /// with PostgreSQL.
    #[arg(long, env = "YEONDAE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Requests running longer than this are cut off.
    #[arg(long, env = "YEONDAE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Where attachments' files are kept (created when missing).
    #[arg(long, env = "YEONDAE_UPLOAD_DIR", default_value = "yeondae-uploads")]
    pub upload_dir: std::path::PathBuf,
    /// The largest attachment, in MiB.
    #[arg(long, env = "YEONDAE_UPLOAD_MAX_FILE_MIB", default_value_t = 10)]
    pub upload_max_file_mib: usize,
    /// The most one disclosure request's attachments hold together, in MiB.
    #[arg(
        long,
        env = "YEONDAE_UPLOAD_MAX_PER_REQUEST_MIB",
        default_value_t = 100
    )]
    pub upload_max_per_request_mib: i64,
    /// Password hashing threads: how many hashes run at once, each thread
    /// keeping one 19 MiB block of memory for good; 0 means one per CPU.
    #[arg(long, env = "YEONDAE_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
    /// Whether the schema answers introspection (`__schema`, `__type`).
    /// Third-party tools generate clients from it; a deployment that wants
    /// to hide the schema turns it off.
    #[arg(long, env = "YEONDAE_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Browser origins allowed to call the API from their pages (CORS),
    /// comma-separated, e.g. `https://app.example.org`; none by default.
    #[arg(long, env = "YEONDAE_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// A client must send its request headers within this many seconds of
    /// connecting (or of its previous request), else the connection closes.
    #[arg(long, env = "YEONDAE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Open connections at most; further clients wait to be accepted.
    #[arg(long, env = "YEONDAE_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// A request body must arrive within this many seconds (HTTP 408).
    #[arg(long, env = "YEONDAE_BODY_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub body_read_timeout_secs: u64,
    /// Proxies (addresses or CIDR ranges, comma-separated) whose
    /// `X-Forwarded-For` names the client; without one, the client is the
    /// connection's peer and forwarding headers are ignored.
    #[arg(long, env = "YEONDAE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Log-ins, sign-ups and session refreshes per client address per
    /// minute (0: no limit).
    #[arg(long, env = "YEONDAE_AUTH_RATE_PER_MINUTE", default_value_t = 30)]
    pub auth_rate_per_minute: u32,
    /// GraphQL requests per user (all their tokens together) or anonymous
    /// address per minute (0: no limit).
    #[arg(long, env = "YEONDAE_REQUEST_RATE_PER_MINUTE", default_value_t = 600)]
    pub request_rate_per_minute: u32,
    /// Citizen disclosure submissions per user, or anonymous address, per
    /// hour (0: no limit).
    #[arg(
        long,
        env = "YEONDAE_CITIZEN_SUBMISSIONS_PER_HOUR",
        default_value_t = 10
    )]
    pub citizen_submissions_per_hour: u32,
    /// On SIGTERM, in-flight requests get this long to finish; then the
    /// remaining connections are closed and the process exits.
    #[arg(long, env = "YEONDAE_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
    /// Load the demo coalition (five civic groups, an MOU, a shared office)
    /// unless it is there already. For local exploration only: the demo
    /// accounts share a published password.
    #[arg(long, env = "YEONDAE_DEMO")]
    pub demo: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CreateAdminArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// E-mail of the admin account.
    #[arg(long)]
    pub email: String,
    /// Display name for a new account (default: the part of the e-mail before '@').
    #[arg(long)]
    pub display_name: Option<String>,
}

/// Everything the running service needs, resolved and validated.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub pool: PoolSettings,
    pub listen: SocketAddr,
    pub jwt_secret: Vec<u8>,
    pub request_timeout: Duration,
    pub hash_concurrency: usize,
    pub edges: Edges,
    /// Attachments' files and their limits.
    pub uploads: FileStore,
}

const MIB: usize = 1024 * 1024;

/// Attachments kept in `yeondae-uploads` in the working directory, at most
/// 10 MiB each and 100 MiB per request.
pub fn default_uploads() -> FileStore {
    FileStore::new("yeondae-uploads", 10 * MIB, 100 * MIB as i64)
}

/// How the service meets the outside world: what it tells about itself,
/// whom it lets in, and how long it waits for slow clients. The defaults
/// suit a deployment that expects strangers.
#[derive(Debug, Clone)]
pub struct Edges {
    pub introspection: bool,
    /// Exact origins (`scheme://host[:port]`) browsers may call from.
    pub cors_origins: Vec<axum::http::HeaderValue>,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub shutdown_grace: Duration,
    pub max_connections: usize,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Per client address per minute; 0 is no limit.
    pub auth_per_minute: u32,
    /// Per user or anonymous address per minute; 0 is no limit.
    pub requests_per_minute: u32,
    /// Citizen submissions per user or anonymous address per hour; 0 is no
    /// limit.
    pub citizen_submissions_per_hour: u32,
}

impl Default for Edges {
    fn default() -> Self {
        Edges {
            introspection: true,
            cors_origins: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
            max_connections: 1024,
            trusted_proxies: Vec::new(),
            auth_per_minute: 30,
            requests_per_minute: 600,
            citizen_submissions_per_hour: 10,
        }
    }
}

/// A trusted proxy: an address (one host) or a CIDR range.
fn parse_proxy(raw: &str) -> anyhow::Result<ipnet::IpNet> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .with_context(|| {
            format!("YEONDAE_TRUSTED_PROXIES: `{raw}` is neither an address nor a CIDR range")
        })
}

/// An origin as browsers send it: scheme, host and port only.
fn parse_origin(origin: &str) -> anyhow::Result<axum::http::HeaderValue> {
    let origin = origin.trim().trim_end_matches('/');
    let url = url::Url::parse(origin)
        .with_context(|| format!("YEONDAE_CORS_ORIGINS: `{origin}` is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || url.path() != "/" {
        bail!("YEONDAE_CORS_ORIGINS: `{origin}` is not an origin like https://app.example.org");
    }
    Ok(axum::http::HeaderValue::from_str(
        &url.origin().ascii_serialization(),
    )?)
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &db::redact_url(&self.database_url))
            .field("pool", &self.pool)
            .field("listen", &self.listen)
            .field("jwt_secret", &"<redacted>")
            .field("request_timeout", &self.request_timeout)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("uploads", &self.uploads)
            .field("edges", &self.edges)
            .finish()
    }
}

impl Config {
    pub fn from_serve_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let jwt_secret = resolve_jwt_secret(&args.db.database_url, args.jwt_secret.as_deref())?;
        let hash_concurrency = if args.hash_concurrency == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            args.hash_concurrency
        };
        Ok(Config {
            database_url: args.db.database_url.clone(),
            pool: args.db.pool(),
            listen: args.listen,
            jwt_secret,
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            hash_concurrency,
            edges: Edges {
                introspection: args.introspection,
                cors_origins: args
                    .cors_origins
                    .iter()
                    .filter(|o| !o.trim().is_empty())
                    .map(|o| parse_origin(o))
                    .collect::<anyhow::Result<_>>()?,
                header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
                body_read_timeout: Duration::from_secs(args.body_read_timeout_secs.max(1)),
                shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
                max_connections: args.max_connections.max(1),
                trusted_proxies: args
                    .trusted_proxies
                    .iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| parse_proxy(p))
                    .collect::<anyhow::Result<_>>()?,
                auth_per_minute: args.auth_rate_per_minute,
                requests_per_minute: args.request_rate_per_minute,
                citizen_submissions_per_hour: args.citizen_submissions_per_hour,
            },
            uploads: FileStore::new(
                &args.upload_dir,
                args.upload_max_file_mib.max(1).saturating_mul(MIB),
                args.upload_max_per_request_mib
                    .max(1)
                    .saturating_mul(MIB as i64),
            ),
        })
    }

    /// For commands that change data through the services but serve nothing
    /// (`create-admin`): one connection, one hash at a time, and a signing
    /// secret of their own that never leaves the process (they issue no
    /// tokens).
    pub fn for_tools(database_url: &str) -> Self {
        Config {
            database_url: database_url.to_owned(),
            pool: PoolSettings::with_max(1),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: rand::random::<[u8; 32]>().to_vec(),
            request_timeout: Duration::from_secs(30),
            hash_concurrency: 1,
            edges: Edges::default(),
            uploads: default_uploads(),
        }
    }
}

/// The access-token signing secret: the one given, or — for SQLite only — one
/// generated on first start and kept in `<database file>.jwt-secret` (mode
/// 0600), so sessions survive restarts. PostgreSQL deployments run several
/// instances that must share a secret, so there it must be configured.
pub fn resolve_jwt_secret(database_url: &str, given: Option<&str>) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = given {
        if secret.len() < MIN_SECRET_BYTES {
            bail!("YEONDAE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long");
        }
        return Ok(secret.as_bytes().to_vec());
    }
    match db::backend_of(database_url) {
        Some(DbBackend::Sqlite) => match db::sqlite_path(database_url) {
            Some(db_file) => load_or_create_secret(&secret_path_for(&db_file)),
            // An in-memory database forgets its sessions anyway.
            None => Ok(random_secret().into_bytes()),
        },
        Some(DbBackend::Postgres) => bail!(
            "YEONDAE_JWT_SECRET is not set. With PostgreSQL every instance must sign tokens with \
             the same secret; set YEONDAE_JWT_SECRET (or --jwt-secret) to at least \
             {MIN_SECRET_BYTES} random bytes, e.g. the output of `openssl rand -base64 48`."
        ),
        _ => bail!("unsupported DATABASE_URL: use postgres://… or sqlite://…"),
    }
}

pub fn secret_path_for(db_file: &Path) -> PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push(".jwt-secret");
    PathBuf::from(name)
}

fn random_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            let secret = random_secret();
            file.write_all(secret.as_bytes())
                .and_then(|_| file.sync_all())
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a new JWT secret");
            Ok(secret.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let secret = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let secret = secret.trim();
            if secret.len() < MIN_SECRET_BYTES {
                bail!(
                    "{} holds a secret shorter than {MIN_SECRET_BYTES} bytes",
                    path.display()
                );
            }
            Ok(secret.as_bytes().to_vec())
        }
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}
