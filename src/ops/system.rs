//! What administrators see about the running instance: `GET /api/admin/system` and the System
//! card of the admin page read the same figures from here.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::schedule;
use super::status::BackupStatus;
use crate::error::Result;
use crate::state::AppState;

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

/// The answer of `GET /api/admin/system`.
#[derive(Serialize, ToSchema)]
pub struct SystemView {
    pub version: &'static str,
    pub database: DatabaseView,
    pub backups: BackupsView,
    pub metrics: MetricsView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseView {
    /// `sqlite`, `postgres` or `mysql`.
    pub backend: &'static str,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    /// Size on disk, when the backend can tell.
    #[schema(required = true)]
    pub bytes: Option<i64>,
    /// Rows per table.
    pub rows: BTreeMap<String, i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupsView {
    pub scheduled: bool,
    pub interval_hours: u64,
    /// Seconds between scheduled backups (0: off); set in seconds or in hours.
    pub interval_secs: u64,
    /// Whether this instance runs the schedule (the elected leader when several share the database).
    pub leader: bool,
    pub keep_days: u32,
    pub keep_files: u32,
    pub directory: String,
    /// Backup files in the directory; null when it cannot be listed.
    #[schema(required = true)]
    pub files: Option<usize>,
    /// Why the backup directory cannot be listed, if it cannot.
    #[schema(required = true)]
    pub directory_problem: Option<String>,
    pub status: BackupStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricsView {
    /// Whether `/metrics` needs a token.
    pub token: bool,
    /// The separate address `/metrics` listens on, if any.
    #[schema(required = true)]
    pub separate_address: Option<String>,
}

impl SystemInfo {
    /// The answer of `GET /api/admin/system`.
    pub fn view(&self, state: &AppState) -> SystemView {
        let config = &state.config;
        SystemView {
            version: self.version,
            database: DatabaseView {
                backend: self.backend,
                schema_version: self.schema_version,
                latest_schema_version: self.latest_schema_version,
                bytes: self.database_bytes,
                rows: self
                    .rows
                    .iter()
                    .map(|(t, n)| ((*t).to_string(), *n))
                    .collect(),
            },
            backups: BackupsView {
                scheduled: config.backup_interval().is_some(),
                interval_hours: config.backup_interval_hours,
                interval_secs: config.backup_interval().map_or(0, |d| d.as_secs()),
                leader: state.leader.is_leader(),
                keep_days: config.backup_keep_days,
                keep_files: config.backup_keep_files,
                directory: config.backup_dir.display().to_string(),
                files: self.backup_files,
                directory_problem: self.backup_dir_problem.clone(),
                status: self.backups.clone(),
            },
            metrics: MetricsView {
                token: config.metrics_token.is_some(),
                separate_address: config.metrics_bind.map(|a| a.to_string()),
            },
        }
    }

    /// Rows in one table (0 when unknown).
    pub fn count(&self, table: &str) -> i64 {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}
