//! Full-text search over title, body, notes and tags of every prompt the caller may read.
//!
//! One service over three engines: SQLite FTS5 (`PromptSearch`, bm25), PostgreSQL tsvector
//! (`PromptSearch.document`, GIN, `ts_rank`, `ts_headline`) and MySQL/MariaDB FULLTEXT
//! (`PromptSearch`, boolean mode). The user's syntax is parsed once (`query`), rendered for the
//! backend (`sql`), filtered by the same visibility rule as the prompt list, ranked, paginated,
//! and each hit gets a highlighted snippet (`snippet`).
//!
//! Ranking is bounded: for relevance order at most [`CANDIDATES`] matches (the newest) are
//! scored, so a query made only of very common words costs the same as a rare one. And at most
//! half the connection pool serves searches at once ([`configure`]): a flood of searches cannot
//! starve the other requests of connections; a search that waits for a slot longer than a
//! request would wait for a connection answers 503 busy with `Retry-After`.

pub mod index;
pub mod query;
pub mod snippet;
mod sql;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::listing::{ListQuery, Scope};
pub use query::ParsedQuery;

/// Most matches scored for relevance ordering: the newest ones. Scoring costs a few
/// microseconds per match (bm25 reads each match's term statistics); 300 keeps a search over
/// words found in nearly every prompt within a few milliseconds at 100,000 prompts.
pub const CANDIDATES: i64 = 300;

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: String,
    /// Higher is better; 0 when not sorted by relevance.
    pub score: f64,
    /// HTML-escaped text with `<mark>` around matches.
    pub snippet: String,
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: crate::listing::Total,
}

/// Search slots of this process and how long a search waits for one.
static SLOTS: std::sync::OnceLock<(tokio::sync::Semaphore, std::time::Duration)> =
    std::sync::OnceLock::new();

/// Sizes the search slots from the configuration: half the pool (at least one). The first
/// configuration of the process wins.
pub fn configure(config: &crate::config::Config) {
    let _ = SLOTS.set(sized(config));
}

fn sized(config: &crate::config::Config) -> (tokio::sync::Semaphore, std::time::Duration) {
    let slots = (config.db_max_connections as usize / 2).max(1);
    let wait = std::time::Duration::from_secs(config.db_acquire_timeout_secs.max(1));
    (tokio::sync::Semaphore::new(slots), wait)
}

fn slots() -> &'static (tokio::sync::Semaphore, std::time::Duration) {
    SLOTS.get_or_init(|| sized(&crate::config::Config::default()))
}

/// Searches `scope` for `caller` (a user id) with the text `q.q`, its filters, sort and page.
/// Any text is accepted: an unusable query simply matches nothing.
pub async fn search(db: &Db, caller: &str, scope: Scope, q: &ListQuery) -> Result<Results> {
    let parsed = ParsedQuery::parse(q.q.as_deref().unwrap_or_default());
    if parsed.is_empty() {
        return Ok(Results::default());
    }
    let (slots, wait) = slots();
    let _slot = match tokio::time::timeout(*wait, slots.acquire()).await {
        Ok(Ok(permit)) => permit,
        // No slot in time: the same answer as no connection in time (503 busy, Retry-After).
        _ => return Err(Error::Db(sqlx::Error::PoolTimedOut)),
    };
    let mut tx = db.read().await?;
    let results = sql::run(&mut tx, caller, &parsed, scope, q).await?;
    tx.commit().await?;
    Ok(results)
}
