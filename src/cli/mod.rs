//! The command line: `serve` (default), `migrate`, `user …`, `config example`, and the
//! commands that talk to a server: `get`, `pull`, `push` ([`remote`]).

mod datadir;
mod db;
mod health;
mod remote;
mod user;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{self, Config, Layer, LogFormat};

#[derive(Parser, Debug)]
#[command(
    name = "promptvault",
    version,
    about = "A self-hosted vault for AI prompts"
)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./promptvault.toml when it exists.
    #[arg(long, global = true, env = "PROMPTVAULT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH, postgres://… or mysql://…
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Address to listen on (e.g. 127.0.0.1 or 0.0.0.0).
    #[arg(long, global = true, value_name = "ADDR")]
    bind: Option<String>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, global = true)]
    port: Option<u16>,
    /// Log format: text or json.
    #[arg(long, global = true, value_parser = ["text", "json"])]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Database operations: backup, restore, check, stats, optimize, export, import, transfer, recover.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Full-text search index.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Ask the server on this machine (the configured port) whether it is healthy: exit 0 when
    /// `/health` answers 200 (for container health checks; needs no curl).
    Health {
        /// Ask `/ready` instead (may this instance take traffic?).
        #[arg(long)]
        ready: bool,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Create the data directory and give it (with everything inside) to UID:GID: run once as
    /// root before an unprivileged server, e.g. for a bind-mounted ./data in a container.
    DataDir {
        /// The directory (created when missing, with its `backups`).
        dir: PathBuf,
        /// Numeric owner, e.g. 65532:65532.
        #[arg(long, value_name = "UID:GID")]
        owner: String,
    },
    /// Print a prompt from a server by name and label (cached: served from the last good copy
    /// when the server is unreachable); with --var, filled in.
    Get(remote::GetArgs),
    /// Write the prompts of your namespaces (yours and your teams') as Markdown files:
    /// DIR/<namespace>/<name>.md.
    Pull(remote::PullArgs),
    /// Create or update prompts from a folder of files; --check compares only (exit 1 when
    /// they differ), --dry-run shows the plan.
    Push(remote::PushArgs),
}

/// A command's exit status, when it is not plain failure (e.g. `push --check`: 1 = the folder
/// and the server differ, 2 = they could not be compared). Whatever had to be said is said.
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Exit {}

#[derive(Subcommand, Debug)]
enum SearchCommand {
    /// Rebuild the search index from the prompts (e.g. after filling the database by other means).
    Reindex,
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
}

impl Cli {
    fn flags(&self) -> Layer {
        Layer {
            bind: self.bind.clone(),
            port: self.port,
            database_url: self.database_url.clone(),
            log_format: self.log_format.as_deref().map(|f| {
                if f == "json" {
                    LogFormat::Json
                } else {
                    LogFormat::Text
                }
            }),
            ..Layer::default()
        }
    }
}

pub async fn run(mut cli: Cli) -> anyhow::Result<()> {
    match cli.command.take() {
        Some(Command::Config(ConfigCommand::Example)) => {
            print!("{}", config::EXAMPLE);
            return Ok(());
        }
        // Clients of a server: no configuration file, database or log set-up.
        Some(Command::Get(a)) => return remote::get(a).await,
        Some(Command::Pull(a)) => return remote::pull(a).await,
        Some(Command::Push(a)) => return remote::push(a).await,
        other => cli.command = other,
    }
    let config = Config::load(cli.config.clone(), cli.flags()).context("configuration")?;
    init_tracing(&config);
    match cli.command {
        None | Some(Command::Serve) => serve(config).await,
        Some(Command::Migrate) => migrate(config).await,
        Some(Command::User(cmd)) => user::run(config, cmd).await,
        Some(Command::Config(_)) => Ok(()),
        Some(Command::Search(SearchCommand::Reindex)) => reindex(config).await,
        Some(Command::Db(cmd)) => db::run(config, cmd).await,
        Some(Command::Health { ready, timeout }) => health::run(&config, ready, timeout).await,
        Some(Command::DataDir { dir, owner }) => datadir::run(&dir, &owner),
        Some(Command::Get(_) | Command::Pull(_) | Command::Push(_)) => Ok(()),
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = config.listen_addr();
    let state = crate::app::start(config).await?;
    crate::ops::metrics::spawn_listener(&state).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another process using it? try --port)")
    })?;
    let local = listener.local_addr()?;
    tracing::info!(backend = %state.db.backend(), "PromptVault listening on http://{local}");
    crate::app::serve(state, listener, crate::app::shutdown_signal()).await?;
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    crate::ops::adopt::adopt_at_start(&config.database_url).await?;
    let db = crate::db::connect(&config.database_url, 1).await?;
    let applied = crate::db::migrate::run(&db).await?;
    let mut tx = db.read().await?;
    let version = crate::db::migrate::current(&mut tx).await?;
    drop(tx);
    db.close().await;
    if applied.is_empty() {
        println!("schema is up to date (version {version})");
    } else {
        println!("applied migrations {applied:?}; schema is at version {version}");
    }
    Ok(())
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    let db = crate::db::connect(&config.database_url, 1).await?;
    crate::db::migrate::run(&db).await?;
    let started = std::time::Instant::now();
    let n = crate::search::index::reindex(&db).await?;
    db.close().await;
    println!(
        "search index rebuilt: {n} prompt(s) in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
