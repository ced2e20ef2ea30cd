//! `promptvault db backup|restore|check|stats|optimize|export|import|transfer|recover`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::db::{self, Db};
use crate::ops::dump::Existing;
use crate::ops::transfer::Progress;
use crate::ops::{self, backup};

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Back up the database: a verified online copy (SQLite) or a portable dump (PostgreSQL,
    /// MySQL), named promptvault_YYYYMMDD_HHMMSS.db[.gz] / .jsonl[.gz].
    Backup {
        /// File or directory to write to (default: the configured backup_dir).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Gzip the backup.
        #[arg(long)]
        compress: bool,
    },
    /// Restore a backup (SQLite file or portable dump, plain or .gz) into the configured database.
    Restore {
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Check integrity, foreign keys, schema version and the search index. Exit code 1 on problems.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Rows, sizes and the guide's analytics (most used tags, most active users, best rated).
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Refresh planner statistics (PRAGMA optimize / ANALYZE); --vacuum also reclaims space.
    Optimize {
        #[arg(long)]
        vacuum: bool,
    },
    /// Write every table to a portable dump (JSON Lines; gzip when FILE ends with .gz).
    Export {
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Read a portable dump into the configured database.
    Import {
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Copy all data from one database to another (any two backends), with a progress bar.
    Transfer {
        #[arg(long, value_name = "URL")]
        from: String,
        #[arg(long, value_name = "URL")]
        to: String,
        /// Replace a target that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Adopt a PromptVault 1.x SQLite file in place (a verified copy of the original is kept
    /// next to it); --dry-run prints the report and changes nothing.
    Adopt {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// Recover what can be read from a damaged SQLite file into a new file, never in place.
    Recover {
        file: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
    },
}

fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Refuse
    }
}

async fn open(url: &str) -> anyhow::Result<Db> {
    Ok(db::connect(url, 2).await?)
}

pub async fn run(config: Config, cmd: DbCommand) -> anyhow::Result<()> {
    match cmd {
        DbCommand::Transfer { from, to, force } => {
            let started = Instant::now();
            let source = open(&from).await.context("source database")?;
            let target = open(&to).await.context("target database")?;
            db::migrate::run(&target).await.context("target database")?;
            let result =
                ops::transfer::copy(&source, &target, existing(force), &mut Progress::stderr())
                    .await;
            source.close().await;
            target.close().await;
            let header = result?;
            println!(
                "transferred {} rows from {} to {} in {:.2} s",
                header.total_rows(),
                db::connect::redact(&from),
                db::connect::redact(&to),
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        DbCommand::Adopt { file, dry_run } => {
            if !file.exists() {
                bail!("{} does not exist", file.display());
            }
            match ops::adopt::adopt_file(&file, dry_run).await? {
                Some(report) => {
                    print!("{report}");
                    if !dry_run {
                        let url = format!("sqlite://{}", file.display());
                        let target = open(&url).await?;
                        let applied = db::migrate::run(&target).await;
                        let indexed = crate::search::index::ensure_fresh(&target).await;
                        target.close().await;
                        applied?;
                        indexed?;
                        println!("  schema migrated to the current version; search index built");
                    }
                }
                None => println!(
                    "{} is not a PromptVault 1.x database (it is new or already PromptVault 2's): \
                     nothing to do",
                    file.display()
                ),
            }
            return Ok(());
        }
        DbCommand::Recover { file, output } => {
            let report = ops::recover::recover(&file, &output).await?;
            let rows: i64 = report.rows.iter().map(|(_, n)| n).sum();
            println!(
                "recovered {} rows into {} (integrity_check ok; {} unreadable rows left out)",
                rows,
                output.display(),
                report.skipped
            );
            return Ok(());
        }
        _ => {}
    }
    let db = open(&config.database_url).await?;
    let result = run_on(&config, &db, cmd).await;
    db.close().await;
    result
}

async fn run_on(config: &Config, db: &Db, cmd: DbCommand) -> anyhow::Result<()> {
    match cmd {
        DbCommand::Backup { output, compress } => {
            let path = backup::target_path(
                output.as_deref(),
                &config.backup_dir,
                db.backend(),
                compress,
            )?;
            let report = backup::run(db, &path, compress).await?;
            println!("{}", report.summary());
        }
        DbCommand::Restore { file, force } => {
            let started = Instant::now();
            let header =
                ops::restore::restore(db, &file, existing(force), &mut Progress::stderr()).await?;
            println!(
                "restored {} rows from {} into the {} database in {:.2} s (row counts verified)",
                header.total_rows(),
                file.display(),
                db.backend(),
                started.elapsed().as_secs_f64()
            );
        }
        DbCommand::Check { json } => {
            let report = ops::check::check(db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for item in &report.items {
                    println!(
                        "{:<4} {:<22} {}",
                        if item.ok { "ok" } else { "FAIL" },
                        item.name,
                        item.detail
                    );
                }
            }
            if !report.ok() {
                bail!("the database check found problems");
            }
        }
        DbCommand::Stats { json } => {
            let file = db::connect::sqlite_path(&config.database_url);
            let stats = ops::stats::stats(db, file).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                print!("{}", ops::stats::render(&stats));
            }
        }
        DbCommand::Optimize { vacuum } => {
            for step in ops::optimize::optimize(db, vacuum).await? {
                println!("done: {step}");
            }
        }
        DbCommand::Export { output } => {
            let started = Instant::now();
            if output.exists() {
                bail!("{} already exists", output.display());
            }
            let compress = output.extension().is_some_and(|e| e == "gz");
            let mut out = ops::files::create_output(&output, compress)?;
            let header = ops::dump::export(db, &mut out, &mut |_| {}).await?;
            out.finish()?;
            println!(
                "exported {} rows to {} in {:.2} s",
                header.total_rows(),
                output.display(),
                started.elapsed().as_secs_f64()
            );
        }
        DbCommand::Import { file, force } => {
            let started = Instant::now();
            db::migrate::run(db).await?;
            let header =
                ops::transfer::import_file(db, &file, existing(force), &mut Progress::stderr())
                    .await?;
            println!(
                "imported {} rows from {} in {:.2} s",
                header.total_rows(),
                file.display(),
                started.elapsed().as_secs_f64()
            );
        }
        DbCommand::Transfer { .. } | DbCommand::Recover { .. } | DbCommand::Adopt { .. } => {}
    }
    Ok(())
}
