//! Whether anything may have been written through this process since a moment: what is kept
//! from earlier reads (list totals, resolved API tokens) is used again only while the
//! generation has not moved.
//!
//! The HTTP layer calls [`changed`] before and after every POST, PUT, PATCH and DELETE, and
//! every write transaction calls it as it begins, so nothing read before a write, or while one
//! is in flight, is used after it. Writes by another instance sharing the database, or by the
//! command line, are not seen here: each cache bounds how long it keeps anything for them.

use std::sync::atomic::{AtomicU64, Ordering};

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
