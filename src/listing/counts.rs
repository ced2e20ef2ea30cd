//! Recently made totals, reused while nothing was written.
//!
//! A capped count reads up to `COUNT_CAP + 1` rows: at 100,000 prompts it was most of the
//! time of a page view on every backend (PostgreSQL and MySQL check each counted row against
//! the prompt's table). The same list is mostly viewed again before anything changes (paging,
//! polling clients, several tabs), so a total is kept, keyed by its statement and binds (the
//! caller's id is among them: a total is never shared between users), and used again while:
//!
//! - nothing may have been written through this process since ([`crate::db::writes`]: a list
//!   read after a write, or while one is in flight, is counted afresh), and
//! - it is younger than [`MAX_AGE`]: writes made by another instance sharing the database, or
//!   by the command line, are seen within that time.
//!
//! Pages themselves are never cached: only how many rows match.

use std::time::Duration;

use crate::db::Tx;
use crate::db::dynamic::{Arg, fetch_count};
use crate::db::writes::{self, Kept};

/// The longest a total is used again.
pub const MAX_AGE: Duration = Duration::from_secs(2);

static TOTALS: Kept<i64> = Kept::new(MAX_AGE);

/// `fetch_count(sql, args)` for the page `page` (its size, offset and order: the same page
/// viewed again), or the same count made less than [`MAX_AGE`] ago with no write since.
pub async fn count(tx: &mut Tx, sql: String, args: &[Arg], page: &str) -> sqlx::Result<i64> {
    let key = format!("{}\u{0}{page}\u{0}{sql}\u{0}{args:?}", tx.backend());
    if let Some(n) = TOTALS.get(&key) {
        return Ok(n);
    }
    let generation = writes::generation();
    let n = fetch_count(tx, sql, args).await?;
    TOTALS.put(key, generation, n);
    Ok(n)
}
