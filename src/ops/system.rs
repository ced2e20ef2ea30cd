//! What administrators see about the running instance: `GET /api/admin/system` and the System
//! card of the admin page read the same figures from here.

use serde::Serialize;
use serde_json::json;

use super::schedule::{self, BackupStatus};
use crate::app::AppState;
use crate::error::Result;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    pub version: &'static str,
    pub backend: &'static str,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    pub database_bytes: Option<i64>,
    pub rows: Vec<(&'static str, i64)>,
    pub backups: BackupStatus,
    /// Backups in the backup folder; `None` when the folder cannot be listed.
    pub backup_files: Option<usize>,
    /// Why the backup folder cannot be listed (shown to administrators only).
    pub backup_dir_problem: Option<String>,
}

pub async fn info(state: &AppState) -> Result<SystemInfo> {
    let mut tx = state.db.read().await?;
    let schema_version = crate::db::migrate::current(&mut tx).await?;
    let rows = super::row_counts(&mut tx).await?;
    let database_bytes = super::stats::database_size(&mut tx).await.ok();
    drop(tx);
    let backups = state
        .ops
        .backups
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    // An unreadable backup folder is something to show the administrator, not a failure of
    // the whole page.
    let (backup_files, backup_dir_problem) = match schedule::list(&state.config.backup_dir) {
        Ok(files) => (Some(files.len()), None),
        Err(e) => (None, Some(format!("cannot list the backup folder: {e}"))),
    };
    Ok(SystemInfo {
        version: env!("CARGO_PKG_VERSION"),
        backend: state.db.backend().name(),
        schema_version,
        latest_schema_version: crate::db::migrate::latest(),
        database_bytes,
        rows,
        backups,
        backup_files,
        backup_dir_problem,
    })
}

impl SystemInfo {
    /// The JSON of `GET /api/admin/system`.
    pub fn to_json(&self, state: &AppState) -> serde_json::Value {
        let config = &state.config;
        json!({
            "version": self.version,
            "database": {
                "backend": self.backend,
                "schemaVersion": self.schema_version,
                "latestSchemaVersion": self.latest_schema_version,
                "bytes": self.database_bytes,
                "rows": self.rows.iter().map(|(t, n)| (t.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
            },
            "backups": {
                "scheduled": config.backup_interval_hours > 0,
                "intervalHours": config.backup_interval_hours,
                "keepDays": config.backup_keep_days,
                "keepFiles": config.backup_keep_files,
                "directory": config.backup_dir.display().to_string(),
                "files": self.backup_files,
                "directoryProblem": self.backup_dir_problem,
                "status": self.backups,
            },
            "metrics": {
                "token": config.metrics_token.is_some(),
                "separateAddress": config.metrics_bind.map(|a| a.to_string()),
            },
        })
    }

    /// Rows in one table (0 when unknown).
    pub fn count(&self, table: &str) -> i64 {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}
