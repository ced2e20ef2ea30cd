//! CPU-heavy work (diffs, parsing and serialising large files) runs on the blocking pool, never
//! on the async workers, so one large request cannot hold up every other one.

use crate::error::{Error, Result};

/// Runs `f` on the blocking pool and waits for its result.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))
}
