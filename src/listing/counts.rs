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

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Tx;
use crate::db::dynamic::{Arg, fetch_count};

/// The longest a total is used again.
pub const MAX_AGE: Duration = Duration::from_secs(2);
/// Most totals kept; past it the oldest half is forgotten.
const MAX_ENTRIES: usize = 4_096;

/// A kept total: the generation it was made in, when, and the count.
type Kept = (u64, Instant, i64);

static TOTALS: Mutex<Option<HashMap<String, Kept>>> = Mutex::new(None);

/// `fetch_count(sql, args)` for the page `page` (its size, offset and order: the same page
/// viewed again), or the same count made less than [`MAX_AGE`] ago with no write since.
pub async fn count(tx: &mut Tx, sql: String, args: &[Arg], page: &str) -> sqlx::Result<i64> {
    let key = format!("{}\u{0}{page}\u{0}{sql}\u{0}{args:?}", tx.backend());
    let generation = crate::db::writes::generation();
    if let Some(n) = lookup(&key, generation) {
        return Ok(n);
    }
    let n = fetch_count(tx, sql, args).await?;
    // Only a count made entirely within one generation may be reused.
    if crate::db::writes::generation() == generation {
        let mut guard = TOTALS.lock().unwrap_or_else(|p| p.into_inner());
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= MAX_ENTRIES {
            let now = Instant::now();
            map.retain(|_, (g, at, _)| *g == generation && now.duration_since(*at) < MAX_AGE);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (generation, Instant::now(), n));
    }
    Ok(n)
}

fn lookup(key: &str, generation: u64) -> Option<i64> {
    let guard = TOTALS.lock().unwrap_or_else(|p| p.into_inner());
    let (g, at, n) = guard.as_ref()?.get(key)?;
    (*g == generation && at.elapsed() < MAX_AGE).then_some(*n)
}
