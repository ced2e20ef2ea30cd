//! `promptvault db recover FILE --output FILE`: the guide's `.recover` procedure for a damaged
//! SQLite file, done for you. The damaged file is copied first and never written; the recovered
//! database goes to a new file, which must pass `integrity_check` before it is kept.
//!
//! Recovery uses the `sqlite3` command-line tool's `.recover` (it reads around damaged pages
//! and saves orphaned rows in a `lost_and_found` table); it must be installed.

use std::path::Path;
use std::process::{Command, Stdio};

use super::transfer::TempPath;
use super::{OpsError, Result};

#[derive(Debug)]
pub struct RecoverReport {
    pub rows: Vec<(&'static str, i64)>,
    pub lost_and_found: i64,
}

pub async fn recover(input: &Path, output: &Path) -> Result<RecoverReport> {
    if !input.is_file() {
        return Err(OpsError::Invalid(format!(
            "{} is not a file",
            input.display()
        )));
    }
    if output.exists() {
        return Err(OpsError::Refused(format!(
            "{} already exists; recovery always writes a new file",
            output.display()
        )));
    }
    let copy = TempPath::new(".damaged.db");
    std::fs::copy(input, &copy.0)?;
    for ext in ["-wal"] {
        let mut wal = input.as_os_str().to_owned();
        wal.push(ext);
        let mut to = copy.0.as_os_str().to_owned();
        to.push(ext);
        if Path::new(&wal).is_file() {
            std::fs::copy(&wal, &to)?;
        }
    }
    let result = run_sqlite3(&copy.0, output).await;
    let mut wal = copy.0.as_os_str().to_owned();
    wal.push("-wal");
    let _ = std::fs::remove_file(wal);
    if let Err(e) = result {
        let _ = std::fs::remove_file(output);
        return Err(e);
    }
    match super::backup::verify_sqlite_file(output).await {
        Ok(rows) => {
            let lost = lost_and_found(output).await.unwrap_or(0);
            Ok(RecoverReport {
                rows,
                lost_and_found: lost,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(output);
            Err(OpsError::Invalid(format!(
                "the recovered database is not sound: {e}"
            )))
        }
    }
}

async fn run_sqlite3(damaged: &Path, output: &Path) -> Result<()> {
    let damaged = damaged.to_path_buf();
    let output = output.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let missing = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OpsError::Refused(
                    "db recover needs the sqlite3 command-line tool (e.g. apt install sqlite3)"
                        .into(),
                )
            } else {
                OpsError::Io(e)
            }
        };
        let mut reader = Command::new("sqlite3")
            .arg(&damaged)
            .arg(".recover")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(missing)?;
        let stdout = reader
            .stdout
            .take()
            .ok_or_else(|| OpsError::Invalid("sqlite3 gave no output".into()))?;
        let writer = Command::new("sqlite3")
            .arg(&output)
            .stdin(Stdio::from(stdout))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(missing)?;
        let read_status = reader.wait()?;
        if !writer.status.success() || !read_status.success() {
            return Err(OpsError::Invalid(format!(
                "sqlite3 .recover failed: {}",
                String::from_utf8_lossy(&writer.stderr).trim()
            )));
        }
        Ok(())
    })
    .await
    .map_err(|e| OpsError::Io(std::io::Error::other(e)))?
}

async fn lost_and_found(path: &Path) -> Result<i64> {
    use sqlx::Connection;
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'lost_and_found'")
            .fetch_one(&mut conn)
            .await?;
    let n = if exists > 0 {
        sqlx::query_scalar("SELECT COUNT(*) FROM lost_and_found")
            .fetch_one(&mut conn)
            .await?
    } else {
        0
    };
    conn.close().await?;
    Ok(n)
}
