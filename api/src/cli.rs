//! The `yeondae` binary: serve, migrate, create-admin, export-schema.

use std::io::Read;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::config::{Cli, Command, Config, CreateAdminArgs, DbArgs, ServeArgs};
use crate::http as server;
use crate::{demo, graphql};
use service::auth::Viewer;
use service::clock::Clock;
use service::db;
use service::identity::accounts::{self, AdminOutcome};

/// Logs go to standard error (standard output is for command results, such
/// as the SDL); `RUST_LOG` overrides the default filter, which keeps SQL
/// statements (DEBUG) out.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tower_http=warn")
    });
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

/// The `yeondae` command line; `main.rs` only calls this.
#[tokio::main]
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::ExportSchema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Serve(args) => {
            init_tracing();
            serve(args).await
        }
        Command::Migrate(args) => {
            init_tracing();
            migrate(args).await
        }
        Command::CreateAdmin(args) => {
            init_tracing();
            create_admin(args).await
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config::from_serve_args(&args)?;
    let listen = config.listen;
    let database = db::redact_url(&config.database_url);
    let app = server::build(config, Clock::system()).await?;
    if args.demo {
        match demo::load(&app.state).await? {
            demo::Outcome::Loaded => tracing::info!("demo coalition loaded"),
            demo::Outcome::AlreadyThere => tracing::info!("demo coalition already present"),
        }
        tracing::info!(
            "demo accounts: owner|admin|editor|member1|member2@<hanbat|gapcheon|dj-rights|ddi-media|yuseong>.example, password {}",
            demo::PASSWORD
        );
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        "yeondae listening on http://{addr} (database: {database}; GraphiQL: http://{addr}/graphql)"
    );
    let edges = app.state.config.edges.clone();
    server::serve(listener, app.router, &edges, server::shutdown_signal()).await?;
    Ok(())
}

async fn migrate(args: DbArgs) -> anyhow::Result<()> {
    let db = db::connect(&args.database_url, 1).await?;
    db::migrate(&db).await?;
    tracing::info!(
        "migrations applied to {}",
        db::redact_url(&args.database_url)
    );
    Ok(())
}

async fn create_admin(args: CreateAdminArgs) -> anyhow::Result<()> {
    let config = Config::for_tools(&args.db.database_url);
    let app = server::build(config, Clock::system()).await?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']);
    let password = (!password.is_empty()).then_some(password);
    // The command line acts as nobody: it is the operators' own tool.
    let ctx = app.state.request(Viewer::anonymous());
    let outcome = accounts::create_admin(
        &ctx,
        &app.state.hasher,
        &args.email,
        password,
        args.display_name.as_deref(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message()))?;
    match outcome {
        AdminOutcome::Created(u) => println!("created platform admin {}", u.email),
        AdminOutcome::Promoted(u) => println!(
            "promoted {} to platform admin (password unchanged)",
            u.email
        ),
        AdminOutcome::AlreadyAdmin(u) => println!("{} is already a platform admin", u.email),
    }
    Ok(())
}
