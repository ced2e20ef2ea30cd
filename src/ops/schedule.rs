//! Backups inside the server: every `backup_interval_secs` (or `backup_interval_hours`), into
//! `backup_dir`, never two at once (the admin API's "back up now" shares the same lock),
//! followed by retention (keep `backup_keep_days` days and at most `backup_keep_files` files).
//! With several instances on one database only the leader (`db::leader`) runs the schedule;
//! an instance that becomes leader counts from the newest backup on disk. The outcome is
//! remembered for `/health`, `/metrics` and the admin System page; failures are logged.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::backup::{self, BackupReport};
use super::{OpsError, Result};
use crate::state::AppState;

/// Starts the schedule when an interval is configured.
pub fn spawn(state: &AppState) {
    let Some(every) = state.config.backup_interval() else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        tracing::info!(seconds = every.as_secs(), dir = %state.config.backup_dir.display(), "scheduled backups on");
        let mut leader = state.leader.clone();
        loop {
            if !leader.is_leader() {
                leader.acquired().await;
                tracing::info!("leading: scheduled backups run on this instance");
            }
            // Restarts and a new leader must not push the next backup back: count from the
            // newest one on disk.
            let mut wait = first_wait(&state.config.backup_dir, every, SystemTime::now());
            while leader.is_leader() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = leader.lost() => break,
                }
                wait = every;
                // Checked on the lock's connection: a leader whose lock session has ended
                // (another instance may lead already) skips the tick.
                if !leader.confirm().await {
                    break;
                }
                run_scheduled(&state).await;
            }
        }
    });
}

async fn run_scheduled(state: &AppState) {
    match run_now(state).await {
        Ok(r) => {
            tracing::info!(file = %r.path.display(), bytes = r.bytes, rows = r.rows, "scheduled backup written")
        }
        Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
    }
}

/// How long to wait before the first scheduled backup: what is left of the interval since the
/// newest backup in `dir` (at least a minute, or the interval when shorter, so a restarting
/// server settles first).
fn first_wait(dir: &Path, every: Duration, now: SystemTime) -> Duration {
    let settle = every.min(Duration::from_secs(60));
    let newest = list(dir).ok().and_then(|files| {
        files
            .into_iter()
            .map(|f| SystemTime::from(f.modified_at))
            .max()
    });
    let since = newest.and_then(|t| now.duration_since(t).ok());
    match since {
        Some(age) => every.saturating_sub(age).max(settle),
        None => settle,
    }
}

/// Takes a backup now into the configured directory, unless one is already running.
pub async fn run_now(state: &AppState) -> Result<BackupReport> {
    let Ok(_guard) = state.ops.running.try_lock() else {
        return Err(OpsError::Busy);
    };
    let config = &state.config;
    let started = crate::db::now();
    let result = async {
        let path = backup::target_path(
            None,
            &config.backup_dir,
            state.db.backend(),
            config.backup_compress,
        )?;
        backup::run(&state.db, &path, config.backup_compress).await
    }
    .await;
    {
        let mut status = state.ops.backups.lock().unwrap_or_else(|p| p.into_inner());
        status.last_attempt_at = Some(started);
        match &result {
            Ok(r) => {
                status.last_ok = Some(true);
                status.last_error = None;
                status.last_success_at = Some(crate::db::now());
                status.last_backup = Some(r.clone());
                status.succeeded += 1;
            }
            Err(e) => {
                status.last_ok = Some(false);
                status.last_error = Some(e.to_string());
                status.failed += 1;
            }
        }
    }
    if result.is_ok()
        && let Err(e) = prune(
            &config.backup_dir,
            config.backup_keep_days,
            config.backup_keep_files,
        )
    {
        tracing::warn!(error = %e, "backup retention failed");
    }
    result
}

/// A backup file in the backup directory.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub name: String,
    pub bytes: u64,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub modified_at: DateTime<Utc>,
    #[serde(skip)]
    pub path: PathBuf,
}

/// Backups in `dir`, newest first (names sort by their timestamp).
pub fn list(dir: &Path) -> Result<Vec<BackupFile>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !backup::is_backup_name(&name) {
            continue;
        }
        let meta = entry.metadata()?;
        out.push(BackupFile {
            name,
            bytes: meta.len(),
            modified_at: DateTime::<Utc>::from(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)),
            path: entry.path(),
        });
    }
    out.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(out)
}

/// Deletes backups older than `keep_days` days and beyond the newest `keep_files` (0: no limit).
pub fn prune(dir: &Path, keep_days: u32, keep_files: u32) -> Result<Vec<String>> {
    let files = list(dir)?;
    let cutoff = Utc::now() - chrono::Duration::days(i64::from(keep_days));
    let mut removed = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let too_many = keep_files > 0 && i >= keep_files as usize;
        let too_old = keep_days > 0 && f.modified_at < cutoff;
        if too_many || too_old {
            std::fs::remove_file(&f.path)?;
            removed.push(f.name.clone());
        }
    }
    Ok(removed)
}

/// The backup part of `/health`: when the last backup ran and how it went.
/// What anonymous `GET /health` shows about backups: whether the last one worked, never its
/// error text (paths, system messages); administrators read that in `/api/admin/system`.
pub fn health(state: &AppState) -> serde_json::Value {
    let s = state
        .ops
        .backups
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    serde_json::json!({
        "scheduled": state.config.backup_interval().is_some(),
        "lastOk": s.last_ok,
        "lastSuccessAt": s.last_success_at.as_ref().map(crate::db::iso),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_the_newest_files_and_ignores_others() {
        let dir = std::env::temp_dir().join(format!("pvprune_{}", &crate::db::new_id()[1..10]));
        std::fs::create_dir_all(&dir).expect("dir");
        for d in 1..=5 {
            std::fs::write(
                dir.join(format!("promptvault_2026010{d}_000000.db.gz")),
                b"x",
            )
            .expect("write");
        }
        std::fs::write(dir.join("notes.txt"), b"keep me").expect("write");
        let removed = prune(&dir, 0, 2).expect("prune");
        assert_eq!(
            removed,
            [
                "promptvault_20260103_000000.db.gz",
                "promptvault_20260102_000000.db.gz",
                "promptvault_20260101_000000.db.gz"
            ]
        );
        let left: Vec<String> = list(&dir)
            .expect("list")
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            left,
            [
                "promptvault_20260105_000000.db.gz",
                "promptvault_20260104_000000.db.gz"
            ]
        );
        assert!(dir.join("notes.txt").exists());
        // Fresh files are within 30 days: nothing goes by age.
        assert!(prune(&dir, 30, 0).expect("prune").is_empty());
        // The next scheduled backup counts from the newest file on disk.
        let day = Duration::from_secs(86_400);
        let in_two_hours = SystemTime::now() + Duration::from_secs(2 * 3600);
        let wait = first_wait(&dir, day, in_two_hours);
        assert!(
            wait > Duration::from_secs(21 * 3600) && wait <= Duration::from_secs(22 * 3600),
            "{wait:?}"
        );
        let in_two_days = SystemTime::now() + 2 * day;
        assert_eq!(first_wait(&dir, day, in_two_days), Duration::from_secs(60));
        assert_eq!(
            first_wait(&dir.join("none"), day, SystemTime::now()),
            Duration::from_secs(60)
        );
        // Short intervals settle for the interval, not a minute.
        let two = Duration::from_secs(2);
        assert_eq!(first_wait(&dir, two, in_two_days), two);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
