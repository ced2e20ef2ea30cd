//! Periodic clean-up, run by the leader only (one instance per database): expired sessions
//! are deleted every [`EVERY`], and so are prompts that have been in the trash for 30 days
//! (`prompts::trash::purge_expired`). Expired login failures go as new ones come
//! (`limiter`), so nothing else grows without bound.

use std::time::Duration;

use crate::state::AppState;

pub const EVERY: Duration = Duration::from_secs(3600);

/// Starts the clean-up loop: a first pass a minute after this instance starts leading, then
/// every [`EVERY`] while it leads.
pub fn spawn(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut leader = state.leader.clone();
        loop {
            leader.acquired().await;
            let mut wait = Duration::from_secs(60);
            while leader.is_leader() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = leader.lost() => break,
                }
                wait = EVERY;
                if !leader.confirm().await {
                    break;
                }
                match super::sessions::purge_expired(&state.db).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sessions = n, "expired sessions deleted"),
                    Err(e) => tracing::warn!(error = %e, "deleting expired sessions failed"),
                }
                match crate::prompts::trash::purge_expired(&state.db).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(prompts = n, "prompts deleted from the trash after 30 days")
                    }
                    Err(e) => tracing::warn!(error = %e, "emptying old trash failed"),
                }
            }
        }
    });
}
