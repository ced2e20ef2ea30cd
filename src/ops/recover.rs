//! `promptvault db recover FILE --output FILE`: saves what can still be read from a damaged
//! SQLite file into a new database, never in place.
//!
//! The guide's `sqlite3 damaged.db ".recover" | sqlite3 recovered.db` still works where the
//! `sqlite3` tool's `.recover` does; this command does not depend on it. It copies the damaged
//! file (and its WAL) aside, creates `--output` with the current schema, then copies every table
//! in foreign-key order by rowid ranges: a range that touches a damaged page is skipped (the
//! range is narrowed and retried until only unreadable rows are left out); rows whose parent
//! was lost are left out too. The result must pass `integrity_check` and `foreign_key_check`.

use std::path::Path;

use serde_json::Value;
use sqlx::Connection;

use super::transfer::TempPath;
use super::{OpsError, Result, TABLES};
use crate::db::Db;

#[derive(Debug)]
pub struct RecoverReport {
    /// Rows copied, per table.
    pub rows: Vec<(&'static str, i64)>,
    /// Rows that could not be read, or lost their parent row.
    pub skipped: i64,
}

const CHUNK: i64 = 256;

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
    let side = |p: &Path, ext: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(ext);
        s
    };
    if Path::new(&side(input, "-wal")).is_file() {
        std::fs::copy(side(input, "-wal"), side(&copy.0, "-wal"))?;
    }
    let result = copy_readable(&copy.0, output).await;
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side(&copy.0, ext));
    }
    match result {
        Ok(report) => match super::backup::verify_sqlite_file(output).await {
            Ok(_) => Ok(report),
            Err(e) => {
                remove_db(output);
                Err(OpsError::Invalid(format!(
                    "the recovered database is not sound: {e}"
                )))
            }
        },
        Err(e) => {
            remove_db(output);
            Err(e)
        }
    }
}

fn remove_db(path: &Path) {
    let _ = std::fs::remove_file(path);
    for ext in ["-wal", "-shm"] {
        let mut s = path.as_os_str().to_owned();
        s.push(ext);
        let _ = std::fs::remove_file(s);
    }
}

async fn copy_readable(damaged: &Path, output: &Path) -> Result<RecoverReport> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(damaged)
        .create_if_missing(false);
    let mut src = sqlx::SqliteConnection::connect_with(&opts).await?;
    let url = format!("sqlite://{}", output.display());
    let out = crate::db::connect(&url, 1).await?;
    let result = async {
        crate::db::migrate::run(&out).await?;
        let mut report = RecoverReport {
            rows: Vec::new(),
            skipped: 0,
        };
        for table in TABLES {
            let copied = copy_table(&mut src, &out, table, &mut report.skipped).await?;
            report.rows.push((table.name, copied));
        }
        Ok::<_, OpsError>(report)
    }
    .await;
    let _ = src.close().await;
    if let Db::Sqlite(p, _) = &out {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(p)
            .await;
    }
    out.close().await;
    result
}

async fn copy_table(
    src: &mut sqlx::SqliteConnection,
    out: &Db,
    table: &super::Table,
    skipped: &mut i64,
) -> Result<i64> {
    let max_rowid: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(rowid), 0) FROM \"{}\"",
        table.name
    )))
    .fetch_one(&mut *src)
    .await
    .unwrap_or(i64::MAX / 2);
    let mut tx = out.write().await?;
    if table.name == "Settings" {
        on_sqlite(&mut tx, "DELETE FROM \"Settings\"").await?;
    }
    let mut after = 0i64;
    let mut copied = 0i64;
    let mut step = 1i64;
    let mut failures = 0;
    while after < max_rowid && failures < 200 {
        match super::dump::read_sqlite_rows(src, table, after, CHUNK).await {
            Ok(rows) if rows.is_empty() => break,
            Ok(rows) => {
                step = 1;
                failures = 0;
                after = rows.last().map_or(after, |r| r.0);
                for (_, values) in rows {
                    if insert_one(&mut tx, table, values).await {
                        copied += 1;
                    } else {
                        *skipped += 1;
                    }
                }
            }
            Err(_) => {
                // Unreadable: first try the rows one by one, then jump past the damage.
                match super::dump::read_sqlite_rows(src, table, after, 1).await {
                    Ok(rows) if !rows.is_empty() => {
                        after = rows[0].0;
                        for (_, values) in rows {
                            if insert_one(&mut tx, table, values).await {
                                copied += 1;
                            } else {
                                *skipped += 1;
                            }
                        }
                    }
                    _ => {
                        after += step;
                        *skipped += 1;
                        failures += 1;
                        step = (step * 2).min(4096);
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(copied)
}

async fn on_sqlite(tx: &mut crate::db::Tx, text: &'static str) -> Result<()> {
    if let crate::db::Tx::Sqlite(t) = tx {
        sqlx::query(text).execute(&mut **t).await?;
    }
    Ok(())
}

/// Inserts one row inside a savepoint; `false` when the row is refused (bad value, lost parent).
async fn insert_one(tx: &mut crate::db::Tx, table: &super::Table, values: Vec<Value>) -> bool {
    let crate::db::Tx::Sqlite(t) = tx else {
        return false;
    };
    if sqlx::query("SAVEPOINT recover_row")
        .execute(&mut **t)
        .await
        .is_err()
    {
        return false;
    }
    let valid = table
        .columns
        .iter()
        .zip(&values)
        .all(|(c, v)| !v.is_null() || c.nullable);
    let mut batch = vec![values];
    let ok = valid
        && super::dump::insert_batch(tx, table, &mut batch)
            .await
            .is_ok();
    let crate::db::Tx::Sqlite(t) = tx else {
        return false;
    };
    let end = if ok {
        "RELEASE recover_row"
    } else {
        "ROLLBACK TO recover_row"
    };
    let _ = sqlx::query(end).execute(&mut **t).await;
    if !ok {
        let _ = sqlx::query("RELEASE recover_row").execute(&mut **t).await;
    }
    ok
}
