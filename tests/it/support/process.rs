//! Running the `yeondae` binary itself (built in this package as
//! `yeondae-under-test`, from the same entry point as the real one).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_yeondae-under-test");

/// `yeondae` in `dir`, with none of the caller's configuration leaking in.
pub fn yeondae(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("YEONDAE_LISTEN")
        .env_remove("YEONDAE_JWT_SECRET")
        .env("RUST_LOG", "info")
        // Many sign-ups from one address; tests of the limits set their own.
        .env("YEONDAE_AUTH_RATE_PER_MINUTE", "0")
        .env("YEONDAE_REQUEST_RATE_PER_MINUTE", "0")
        .kill_on_drop(true);
    cmd
}

/// A running `yeondae serve`.
pub struct Served {
    pub child: Child,
    pub url: String,
    pub startup_line: String,
}

/// Start `yeondae serve` on a free port (plus `env`) and wait for its
/// start-up line.
pub async fn serve(dir: &Path, env: &[(&str, &str)]) -> Served {
    let mut cmd = yeondae(dir);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start yeondae");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("yeondae exited before listening");
            if line.contains("listening on") {
                return line;
            }
        }
    })
    .await
    .expect("yeondae did not start in time");
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    Served {
        child,
        url,
        startup_line: line,
    }
}
