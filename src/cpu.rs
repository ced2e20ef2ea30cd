//! CPU-heavy work (diffs, parsing and serialising large files) runs on the blocking pool, never
//! on the async workers, so one large request cannot hold up every other one. At most one job
//! per core but one runs at a time (at least one job): the last core stays free for the threads
//! that answer requests, so `/health` and ordinary reads stay quick while heavy jobs queue.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Semaphore::new(cores.saturating_sub(1).max(1))
});

/// Runs `f` on the blocking pool once a CPU slot is free, and waits for its result.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _slot = SLOTS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("cpu slots closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))
}
