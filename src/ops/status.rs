//! What the server remembers about backups: the last attempt, success and error, shown by
//! `/health`, `/metrics` and the admin page. Kept apart from the schedule so the application
//! state can hold it without depending on the features that use the state.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::backup::BackupReport;

/// What the server remembers about backups (for `/health`, `/metrics` and the admin page).
#[derive(Debug, Default)]
pub struct OpsState {
    pub backups: Mutex<BackupStatus>,
    /// Held while a backup runs: never two at once.
    pub running: tokio::sync::Mutex<()>,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    #[serde(serialize_with = "crate::db::ser_opt_ts")]
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::db::ser_opt_ts")]
    #[schema(required = true)]
    pub last_success_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub last_ok: Option<bool>,
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub last_backup: Option<BackupReport>,
    pub succeeded: u64,
    pub failed: u64,
}
