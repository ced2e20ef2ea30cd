//! The planner's statistics, kept fresh by the server itself.
//!
//! Without statistics every backend picks bad plans at 100,000 prompts: SQLite takes the
//! three-valued `visibility` index and sorts every shared prompt for one page of the team feed;
//! PostgreSQL (whose autovacuum may be off, and lags behind a large import when it is on)
//! believes a table of 100,000 rows holds a handful, so it counts and sorts through bitmap
//! scans of the whole table and misjudges how many prompts a search word matches. So after
//! start and after imports the server refreshes them itself, in the background:
//!
//! - SQLite: `ANALYZE` of the tables lists filter on, in full (about 0.4 s at 100,000 prompts;
//!   a sampled analysis misjudged `visibility` badly), when one of them has rows and no
//!   statistics or its row count moved by more than a tenth since they were made.
//! - PostgreSQL: `VACUUM (ANALYZE)` of the library's tables, when one of them has rows but
//!   was never analysed, or more than a tenth of its rows changed since its last analysis
//!   (about 4 s at 100,000 prompts). The vacuum also sets the visibility map, so capped
//!   counts become index-only scans (8 ms → 1.7 ms for 10,000 of one user's prompts).
//! - MySQL/MariaDB: `ANALYZE TABLE` of the same tables (InnoDB samples a few pages: fast).
//!
//! Runs are coalesced: at most one every [`MIN_INTERVAL`], and always one after the last
//! request for it (a long import asks after every file; its last rows are analysed too).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use super::Db;

/// Fewest seconds between two refreshes.
pub const MIN_INTERVAL: i64 = 30;

/// A refresh is scheduled and has not started yet.
static PENDING: AtomicBool = AtomicBool::new(false);
/// When the last refresh started (seconds since the epoch).
static LAST: AtomicI64 = AtomicI64::new(0);

/// The tables lists, the team feed, tag filters and search read.
const TABLES: &[&str] = &[
    "Prompt",
    "PromptVersion",
    "PromptTag",
    "Tag",
    "UserTeam",
    "Rating",
    "Favorite",
    "PromptSearch",
];

/// Asks for a refresh of the statistics, in the background (see the module's text).
pub fn refresh(db: &Db) {
    if PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        // A short delay gathers a burst of requests; then wait out the interval.
        let since = chrono::Utc::now().timestamp() - LAST.load(Ordering::Acquire);
        let wait = (MIN_INTERVAL - since).max(2) as u64;
        tokio::time::sleep(Duration::from_secs(wait)).await;
        PENDING.store(false, Ordering::Release);
        LAST.store(chrono::Utc::now().timestamp(), Ordering::Release);
        if let Err(e) = run(&db).await {
            tracing::warn!(error = %e, "could not refresh the planner statistics");
        }
    });
}

/// Whether one of `tables` (SQLite) has rows and no statistics, or a row count that differs by
/// more than a tenth from the one its statistics were made with (the first number of each
/// `sqlite_stat1` entry). A server started on an analysed database does not analyse again.
async fn sqlite_stale(pool: &sqlx::SqlitePool, tables: &[&str]) -> Result<bool, sqlx::Error> {
    let analysed: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .fetch_optional(pool)
    .await?;
    for table in tables {
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{table}\""
        )))
        .fetch_one(pool)
        .await?;
        let known: Option<String> = match analysed {
            Some(_) => {
                sqlx::query_scalar("SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1")
                    .bind(*table)
                    .fetch_optional(pool)
                    .await?
            }
            None => None,
        };
        let known = known.and_then(|s| s.split(' ').next()?.parse::<i64>().ok());
        let stale = match known {
            None => rows > 0,
            Some(k) => (rows - k).abs() > k / 10,
        };
        if stale {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn run(db: &Db) -> Result<(), sqlx::Error> {
    let quoted = |t: &&str| format!("\"{t}\"");
    match db {
        Db::Sqlite(pool, writer) => {
            // FTS5's virtual table has no statistics of its own.
            let tables: Vec<&str> = TABLES
                .iter()
                .copied()
                .filter(|t| *t != "PromptSearch")
                .collect();
            if !sqlite_stale(pool, &tables).await? {
                return Ok(());
            }
            let sql: Vec<String> = tables
                .iter()
                .map(|t| format!("ANALYZE {};", quoted(t)))
                .collect();
            // On the writer: ANALYZE writes `sqlite_stat1`, and writers queue there in order
            // (from a reader it held the lock while the writer slept on its busy timeout).
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.join(" ")))
                .execute(&writer.pool)
                .await?;
        }
        Db::Postgres(pool) => {
            // Stale: a table with rows never analysed, or with more than a tenth changed since.
            let stale: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                 AND relname = ANY($1) AND n_live_tup + n_mod_since_analyze > 0 \
                 AND (n_mod_since_analyze > n_live_tup / 10 \
                      OR (last_analyze IS NULL AND last_autoanalyze IS NULL))",
            )
            .bind(TABLES)
            .fetch_one(pool)
            .await?;
            if stale == 0 {
                return Ok(());
            }
            let list: Vec<String> = TABLES.iter().map(quoted).collect();
            // One statement (VACUUM cannot run inside a transaction block).
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "VACUUM (ANALYZE) {}",
                list.join(", ")
            )))
            .execute(pool)
            .await?;
        }
        Db::MySql(pool) => {
            let list: Vec<String> = TABLES.iter().map(|t| format!("`{t}`")).collect();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "ANALYZE TABLE {}",
                list.join(", ")
            )))
            .execute(pool)
            .await?;
        }
    }
    tracing::debug!(backend = %db.backend(), "planner statistics refreshed");
    Ok(())
}
