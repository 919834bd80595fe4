//! A server binary run as a child process, so that its CPU time and peak
//! memory are its own (the load generator shares the machine), and the
//! database's own count of the statements it ran (pg_stat_statements).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

pub const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";

pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Start `binary serve` on `database_url` with the per-client limits
    /// off, and wait until it answers `/readyz`.
    pub async fn start(binary: &str, database_url: &str) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("YEONDAE_LISTEN", format!("127.0.0.1:{port}"))
            .env("YEONDAE_JWT_SECRET", JWT_SECRET)
            .env("YEONDAE_AUTH_RATE_PER_MINUTE", "0")
            .env("YEONDAE_REQUEST_RATE_PER_MINUTE", "0")
            .env("YEONDAE_DB_MAX_CONNECTIONS", "16")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?;
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}/graphql"),
        };
        let ready = format!("http://127.0.0.1:{port}/readyz");
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(&ready).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            if started.elapsed() > Duration::from_secs(120) {
                anyhow::bail!("{binary} did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// CPU seconds (user + system) the server has used so far.
    pub fn cpu_seconds(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())) else {
            return 0.0;
        };
        // Fields after the parenthesised command name; utime and stime are
        // the 14th and 15th of the line, in clock ticks (100 per second on
        // Linux).
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        let tick = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (tick(11) + tick(12)) / 100.0
    }

    /// Start measuring the peak resident memory afresh (Linux resets VmHWM
    /// on `5` written to `clear_refs`; needs the right to, as root has).
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// The server's peak resident memory since [`Self::reset_peak`] (VmHWM),
    /// in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(0.0)
    }

    /// With `BENCH_PERF=<scenario>` set, `perf record` samples the server
    /// (call graphs, 499 Hz) into `perf-<binary>-<scenario>.data` while
    /// that scenario runs; stop it with [`Profile::stop`].
    pub fn profile(&self, binary: &str, scenario: &str) -> Option<Profile> {
        (std::env::var("BENCH_PERF").ok()? == scenario).then_some(())?;
        let child = Command::new("perf")
            .args(["record", "-F", "499", "-g", "-o"])
            .arg(format!("perf-{binary}-{scenario}.data"))
            .args(["-p", &self.child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        std::thread::sleep(Duration::from_millis(300));
        Some(Profile(child))
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub struct Profile(Child);

impl Profile {
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// pg_stat_statements on the PostgreSQL server, when it is loaded
/// (`shared_preload_libraries`): statements counted by the database.
pub struct StatementCounter {
    admin: DatabaseConnection,
    database: String,
}

impl StatementCounter {
    /// `None` when the extension cannot be used (not preloaded).
    pub async fn new(admin: &str, database: &str) -> Option<StatementCounter> {
        let admin = sea_orm::Database::connect(admin).await.ok()?;
        admin
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .await
            .ok()?;
        let counter = StatementCounter {
            admin,
            database: database.to_owned(),
        };
        counter.reset().await.then_some(counter)
    }

    pub async fn reset(&self) -> bool {
        self.admin
            .execute_unprepared("SELECT pg_stat_statements_reset()")
            .await
            .is_ok()
    }

    /// Statements run in the database since the last reset (each
    /// execution counts, BEGIN and COMMIT included).
    pub async fn count(&self) -> f64 {
        let row = self
            .admin
            .query_one_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT COALESCE(SUM(s.calls), 0)::float8 AS n FROM pg_stat_statements s
                   JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1",
                [self.database.clone().into()],
            ))
            .await
            .ok()
            .flatten();
        row.and_then(|r| r.try_get::<f64>("", "n").ok())
            .unwrap_or(f64::NAN)
    }
}
