//! `promptvault db backup`: SQLite gets a consistent online copy (`VACUUM INTO`, safe while the
//! server writes), PostgreSQL and MySQL a logical dump in the portable format. Every backup is
//! written under a temporary name, verified, synced, then renamed into place.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Connection;

use super::{OpsError, Result, dump};
use crate::db::{Backend, Db};

/// What a finished backup produced.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    /// Where the file was written on the server.
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub name: String,
    pub bytes: u64,
    pub rows: i64,
    pub seconds: f64,
    /// `sqlite` (a database file) or `dump` (the portable format).
    pub kind: &'static str,
}

impl BackupReport {
    pub fn summary(&self) -> String {
        format!(
            "backup written: {} ({} bytes, {} rows, {:.2} s)",
            self.path.display(),
            self.bytes,
            self.rows,
            self.seconds
        )
    }
}

/// `promptvault_YYYYMMDD_HHMMSS.db[.gz]` (SQLite) or `….jsonl[.gz]` (dumps).
pub fn file_name(backend: Backend, compress: bool, at: DateTime<Utc>) -> String {
    let ext = if backend == Backend::Sqlite {
        "db"
    } else {
        "jsonl"
    };
    let gz = if compress { ".gz" } else { "" };
    format!("promptvault_{}.{ext}{gz}", at.format("%Y%m%d_%H%M%S"))
}

/// Is this a name [`file_name`] produces? (Guards the download endpoint and retention.)
pub fn is_backup_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("promptvault_") else {
        return false;
    };
    let (stamp, ext) = rest.split_at(rest.len().min(15));
    let stamp_ok = stamp.len() == 15
        && stamp
            .chars()
            .enumerate()
            .all(|(i, c)| if i == 8 { c == '_' } else { c.is_ascii_digit() });
    stamp_ok && matches!(ext, ".db" | ".db.gz" | ".jsonl" | ".jsonl.gz")
}

/// Where the backup goes: `output` as a file, or inside it when it is a directory (or ends
/// with `/`); `default_dir` when no output is given.
pub fn target_path(
    output: Option<&Path>,
    default_dir: &Path,
    backend: Backend,
    compress: bool,
) -> Result<PathBuf> {
    let name = file_name(backend, compress, Utc::now());
    let path = match output {
        Some(p) if p.is_dir() || p.to_string_lossy().ends_with('/') => p.join(name),
        Some(p) => p.to_path_buf(),
        None => default_dir.join(name),
    };
    if path.exists() {
        return Err(OpsError::Refused(format!(
            "{} already exists; choose another --output",
            path.display()
        )));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(path)
}

/// Takes a backup of `db` into `path` (see [`target_path`]).
pub async fn run(db: &Db, path: &Path, compress: bool) -> Result<BackupReport> {
    let started = Instant::now();
    let tmp = tmp_name(path);
    let _ = std::fs::remove_file(&tmp);
    let result = match db {
        Db::Sqlite(pool, _) => sqlite_copy(db, pool, path, &tmp, compress).await,
        _ => logical(db, &tmp, compress).await,
    };
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    super::files::restrict(&tmp)?;
    std::fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(BackupReport {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.to_path_buf(),
        bytes: std::fs::metadata(path)?.len(),
        rows,
        seconds: started.elapsed().as_secs_f64(),
        kind: if db.backend() == Backend::Sqlite {
            "sqlite"
        } else {
            "dump"
        },
    })
}

fn tmp_name(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

fn sync_dir(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

async fn counts(db: &Db) -> Result<Vec<(&'static str, i64)>> {
    let mut tx = db.read().await?;
    Ok(super::row_counts(&mut tx).await?)
}

/// SQLite: `VACUUM INTO` a fresh file, check it, optionally gzip it. Returns its row count.
async fn sqlite_copy(
    db: &Db,
    pool: &sqlx::SqlitePool,
    path: &Path,
    tmp: &Path,
    compress: bool,
) -> Result<i64> {
    let before = counts(db).await?;
    let copy = if compress {
        let mut s = path.as_os_str().to_owned();
        s.push(".copy");
        PathBuf::from(s)
    } else {
        tmp.to_path_buf()
    };
    let _ = std::fs::remove_file(&copy);
    let target = copy.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO ?")
        .bind(&target)
        .execute(pool)
        .await?;
    let after = counts(db).await?;
    let checked = verify_sqlite_file(&copy).await;
    let got = match checked {
        Ok(got) => got,
        Err(e) => {
            let _ = std::fs::remove_file(&copy);
            return Err(e);
        }
    };
    // Without concurrent writes the copy must match exactly; while rows are only being added it
    // must lie between the counts taken before and after the copy.
    for ((name, b), ((_, a), (_, g))) in before.iter().zip(after.iter().zip(got.iter())) {
        let ok = if b == a {
            g == b
        } else if a > b {
            g >= b && g <= a
        } else {
            true
        };
        if !ok {
            let _ = std::fs::remove_file(&copy);
            return Err(OpsError::Invalid(format!(
                "backup check failed: {name} has {g} rows in the copy, {b} before and {a} after"
            )));
        }
    }
    if compress {
        let gz = gzip_file(&copy, tmp);
        let _ = std::fs::remove_file(&copy);
        gz?;
    } else {
        File::open(tmp)?.sync_all()?;
    }
    Ok(got.iter().map(|(_, n)| n).sum())
}

/// Opens a SQLite file on its own, runs `integrity_check`, leaves it in rollback-journal mode (one
/// self-contained file) and returns its row counts.
pub async fn verify_sqlite_file(path: &Path) -> Result<Vec<(&'static str, i64)>> {
    let mut conn = open_checked(path).await?;
    let _: Option<String> = sqlx::query_scalar("PRAGMA journal_mode=DELETE")
        .fetch_optional(&mut conn)
        .await?;
    let mut out = Vec::new();
    for t in super::TABLES {
        let text = format!("SELECT COUNT(*) FROM \"{}\"", t.name);
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(text))
            .fetch_one(&mut conn)
            .await?;
        out.push((t.name, n));
    }
    conn.close().await?;
    Ok(out)
}

/// Opens a SQLite file that must exist and passes `integrity_check`.
async fn open_checked(path: &Path) -> Result<sqlx::SqliteConnection> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    let result: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    if result != ["ok"] {
        return Err(OpsError::Invalid(format!(
            "integrity_check of {} failed: {}",
            path.display(),
            result.join("; ")
        )));
    }
    Ok(conn)
}

/// Checks the safety copy taken before a 1.x database is adopted.
pub async fn verify_legacy_copy(path: &Path) -> Result<()> {
    open_checked(path).await?.close().await?;
    Ok(())
}

fn gzip_file(from: &Path, to: &Path) -> Result<()> {
    let mut input = BufReader::new(File::open(from)?);
    let file = File::create(to)?;
    let mut enc =
        flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
    std::io::copy(&mut input, &mut enc)?;
    let mut w = enc.finish()?;
    w.flush()?;
    w.into_inner()
        .map_err(|e| OpsError::Io(e.into_error()))?
        .sync_all()?;
    Ok(())
}

/// PostgreSQL/MySQL: the portable dump, read back and counted before it is accepted.
async fn logical(db: &Db, tmp: &Path, compress: bool) -> Result<i64> {
    let header = {
        let mut out = super::files::create_output(tmp, compress)?;
        let header = dump::export(db, &mut out, &mut |_| {}).await?;
        out.finish()?;
        header
    };
    let read = super::files::verify_file(tmp)?;
    if read.tables != header.tables {
        return Err(OpsError::Invalid(
            "backup check failed: the file does not read back as written".into(),
        ));
    }
    Ok(header.total_rows())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_follow_the_guide() {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 31, 12, 5, 9)
            .single()
            .expect("date");
        assert_eq!(
            file_name(Backend::Sqlite, true, at),
            "promptvault_20260131_120509.db.gz"
        );
        assert_eq!(
            file_name(Backend::Postgres, false, at),
            "promptvault_20260131_120509.jsonl"
        );
        assert!(is_backup_name("promptvault_20260131_120509.db"));
        assert!(is_backup_name("promptvault_20260131_120509.jsonl.gz"));
        for bad in [
            "promptvault_20260131_120509.db.partial",
            "promptvault_2026013_1120509.db",
            "../promptvault_20260131_120509.db",
            "promptvault_20260131_120509.sql",
            "other.db",
        ] {
            assert!(!is_backup_name(bad), "{bad}");
        }
    }
}
