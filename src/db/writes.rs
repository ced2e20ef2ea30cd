//! Whether anything may have been written through this process since a moment: what is kept
//! from earlier reads (list totals, resolved API tokens) is used again only while the
//! generation has not moved.
//!
//! The HTTP layer calls [`changed`] before and after every POST, PUT, PATCH and DELETE, and
//! every write transaction calls it as it begins, so nothing read before a write, or while one
//! is in flight, is used after it. Writes by another instance sharing the database, or by the
//! command line, are not seen here: each cache bounds how long it keeps anything for them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Something may have been written: what was read before is not used again.
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// The current generation: a kept value made entirely within one generation may be used
/// while [`generation`] still returns it.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Values read earlier, by key, each used again while no write has happened since it was read
/// ([`generation`]) and for at most `max_age` (writes this process cannot see). At most
/// [`Kept::MAX_ENTRIES`] are kept: past it the stale ones go, then all.
pub struct Kept<V> {
    max_age: Duration,
    map: Mutex<Option<HashMap<String, Entry<V>>>>,
}

/// A kept value: the generation it was read in, when, and the value.
type Entry<V> = (u64, Instant, V);

impl<V: Clone> Kept<V> {
    pub const MAX_ENTRIES: usize = 4_096;

    pub const fn new(max_age: Duration) -> Self {
        Kept {
            max_age,
            map: Mutex::new(None),
        }
    }

    /// The value kept for `key`, if it was read in the current generation less than
    /// `max_age` ago.
    pub fn get(&self, key: &str) -> Option<V> {
        let guard = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let (g, at, v) = guard.as_ref()?.get(key)?;
        (*g == generation() && at.elapsed() < self.max_age).then(|| v.clone())
    }

    /// Keeps `value`, read entirely within `read_in` (the generation taken before reading it):
    /// nothing is kept when a write may have happened meanwhile.
    pub fn put(&self, key: String, read_in: u64, value: V) {
        if generation() != read_in {
            return;
        }
        let mut guard = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= Self::MAX_ENTRIES {
            map.retain(|_, (g, at, _)| *g == read_in && at.elapsed() < self.max_age);
            if map.len() >= Self::MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (read_in, Instant::now(), value));
    }
}
