//! Adoption of PromptVault 1.x SQLite databases (filled in below).

use std::path::PathBuf;

use super::Result;
use crate::config::Config;
use crate::db::Db;

/// Converts a 1.x database in place (after a backup copy); `None` when there is nothing to do.
pub async fn adopt_if_legacy(_db: &Db, _config: &Config) -> Result<Option<PathBuf>> {
    Ok(None)
}
