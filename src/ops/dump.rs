//! The portable dump: every table of [`TABLES`](super::TABLES) as JSON Lines, readable and
//! writable on SQLite, PostgreSQL and MySQL/MariaDB alike.
//!
//! Format `promptvault-dump`, version 1 (documented in `docs/operations.md`):
//! - line 1, the header: `{"format":"promptvault-dump","version":1,"schemaVersion":N,
//!   "backend":"sqlite","tables":{"User":3,…}}` (row counts per table);
//! - then one line per row: `{"table":"User","row":{…}}`, tables in foreign-key order (parents
//!   first), rows by primary key (byte order), the row's keys sorted by name;
//! - values: text as JSON strings, integers as numbers, booleans as `true`/`false`,
//!   timestamps as UTC ISO-8601 with milliseconds (`2026-01-31T12:00:00.000Z`), `null`.
//!
//! The same data therefore gives the same bytes (after the header's `backend`) whichever backend
//! it was exported from. Sessions are not carried.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use chrono::{DateTime, SubsecRound, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::Row;

use super::{Kind, OpsError, Result, TABLES, Table};
use crate::db::{Backend, Db, Tx};
use crate::on;

pub const FORMAT: &str = "promptvault-dump";
pub const VERSION: u32 = 1;
/// Rows per multi-row INSERT.
const BATCH: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub schema_version: i64,
    pub backend: String,
    /// Rows per table.
    pub tables: BTreeMap<String, i64>,
}

impl Header {
    pub fn total_rows(&self) -> i64 {
        self.tables.values().sum()
    }
}

/// Writes a consistent snapshot of `db` to `out`; returns the header written.
pub async fn export(
    db: &Db,
    out: &mut (dyn Write + Send),
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Header> {
    // Read before the snapshot: on MySQL the version lookup may run DDL, which commits.
    let schema_version = {
        let mut tx = db.read().await?;
        let v = crate::db::migrate::current(&mut tx).await?;
        tx.commit().await?;
        v
    };
    // One snapshot for every statement of the export: the header's counts match the rows.
    let mut tx = db.snapshot().await?;
    let counts = super::row_counts(&mut tx).await?;
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        schema_version,
        backend: db.backend().name().into(),
        tables: counts.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
    };
    serde_json::to_writer(&mut *out, &header).map_err(io_json)?;
    out.write_all(b"\n")?;
    let mut done = 0u64;
    for table in TABLES {
        export_table(&mut tx, table, out, &mut done, progress).await?;
    }
    drop(tx);
    out.flush()?;
    Ok(header)
}

fn io_json(e: serde_json::Error) -> OpsError {
    OpsError::Io(std::io::Error::other(e))
}

/// `SELECT` for one table: integers widened to 64 bits, rows in primary-key byte order.
fn select_sql(backend: Backend, table: &Table) -> String {
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| match (c.kind, backend) {
            (Kind::Int, Backend::Postgres) => format!("CAST(\"{0}\" AS BIGINT) AS \"{0}\"", c.name),
            (Kind::Int, Backend::MySql) => format!("CAST(\"{0}\" AS SIGNED) AS \"{0}\"", c.name),
            _ => format!("\"{}\"", c.name),
        })
        .collect();
    let order: Vec<String> = table
        .key
        .iter()
        .map(|k| {
            let text = table.column(k).is_some_and(|c| c.kind == Kind::Text);
            if text && backend == Backend::Postgres {
                format!("\"{k}\" COLLATE \"C\"")
            } else {
                format!("\"{k}\"")
            }
        })
        .collect();
    format!(
        "SELECT {} FROM \"{}\" ORDER BY {}",
        cols.join(", "),
        table.name,
        order.join(", ")
    )
}

/// Decodes column `i` of a row into its dump value.
macro_rules! decode {
    ($row:expr, $i:expr, $kind:expr) => {
        match $kind {
            Kind::Text => $row
                .try_get::<Option<String>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::String)),
            Kind::Int => $row
                .try_get::<Option<i64>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::from)),
            Kind::Bool => $row
                .try_get::<Option<bool>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::Bool)),
            Kind::Ts => $row
                .try_get::<Option<DateTime<Utc>>, _>($i)
                .map(|v| v.map_or(Value::Null, |t| Value::String(ts_text(&t)))),
        }
    };
}

/// The one timestamp text of dumps: UTC, milliseconds, `Z`.
pub fn ts_text(t: &DateTime<Utc>) -> String {
    crate::db::iso(&t.trunc_subsecs(3))
}

async fn export_table(
    tx: &mut Tx,
    table: &Table,
    out: &mut (dyn Write + Send),
    done: &mut u64,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<()> {
    let text = select_sql(tx.backend(), table);
    let backend = tx.backend();
    let prefix = format!("{{\"table\":\"{}\",\"row\":", table.name);
    on!(tx, |conn, sql| {
        let mut rows = sqlx::query(backend.dynamic_sql(text)).fetch(conn);
        while let Some(row) = rows.try_next().await? {
            let mut map = Map::new();
            for (i, col) in table.columns.iter().enumerate() {
                map.insert(col.name.to_string(), decode!(row, i, col.kind)?);
            }
            out.write_all(prefix.as_bytes())?;
            serde_json::to_writer(&mut *out, &map).map_err(io_json)?;
            out.write_all(b"}\n")?;
            *done += 1;
            if (*done).is_multiple_of(500) {
                progress(*done);
            }
        }
        progress(*done);
        Ok::<(), OpsError>(())
    })
}

/// How an import treats a database that already holds data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Refuse,
    Replace,
}

/// Reads a dump into `db` (already migrated) in one transaction: all rows or none.
pub async fn import(
    db: &Db,
    input: &mut (dyn BufRead + Send),
    existing: Existing,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Header> {
    let mut first = String::new();
    input.read_line(&mut first)?;
    let header: Header = serde_json::from_str(first.trim_end())
        .map_err(|e| OpsError::Invalid(format!("not a PromptVault dump (header: {e})")))?;
    check_header(&header)?;
    let mut tx = db.write().await?;
    if !is_empty(&mut tx).await? {
        if existing == Existing::Refuse {
            return Err(OpsError::Refused(
                "the target database already holds data; use --force to replace it".into(),
            ));
        }
        clear(&mut tx).await?;
    }
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    let mut current: Option<&'static Table> = None;
    let mut done = 0u64;
    let mut line = String::new();
    let mut line_no = 1u64;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        line_no += 1;
        if line.trim().is_empty() {
            continue;
        }
        let (table, values) =
            parse_row(&line).map_err(|e| OpsError::Invalid(format!("dump line {line_no}: {e}")))?;
        if current.is_none_or(|c| c.name != table.name) {
            if let Some(c) = current {
                insert_batch(&mut tx, c, &mut batch).await?;
            }
            if table.name == "Settings" {
                exec(&mut tx, "DELETE FROM \"Settings\"").await?;
            }
            current = Some(table);
        }
        batch.push(values);
        if batch.len() >= BATCH
            && let Some(c) = current
        {
            insert_batch(&mut tx, c, &mut batch).await?;
        }
        done += 1;
        if done.is_multiple_of(500) {
            progress(done);
        }
    }
    if let Some(c) = current {
        insert_batch(&mut tx, c, &mut batch).await?;
    }
    progress(done);
    for (name, expected) in &header.tables {
        if super::table(name).is_none() {
            continue;
        }
        let found = super::count(&mut tx, name).await?;
        if found != *expected && !(name == "Settings" && *expected == 0) {
            return Err(OpsError::Invalid(format!(
                "table {name}: the dump announces {expected} rows but {found} were read; \
                 nothing was imported (is the file truncated?)"
            )));
        }
    }
    // A dump from before the registry (no PromptName table in its header) has no names: users,
    // teams and prompts get theirs. A later dump is restored exactly as it was written.
    if !header.tables.contains_key("PromptName") {
        crate::registry::names::repair(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(header)
}

pub fn check_header(header: &Header) -> Result<()> {
    if header.format != FORMAT {
        return Err(OpsError::Invalid(format!(
            "unknown dump format {:?} (expected {FORMAT})",
            header.format
        )));
    }
    if header.version > VERSION {
        return Err(OpsError::Invalid(format!(
            "dump format version {} is newer than this PromptVault reads ({VERSION})",
            header.version
        )));
    }
    let latest = crate::db::migrate::latest();
    if header.schema_version > latest {
        return Err(OpsError::Invalid(format!(
            "the dump comes from schema version {}, newer than this PromptVault knows ({latest}); \
             upgrade PromptVault first",
            header.schema_version
        )));
    }
    Ok(())
}

/// A parsed row: its table and its values in the table's column order.
pub(crate) fn parse_row(line: &str) -> std::result::Result<(&'static Table, Vec<Value>), String> {
    #[derive(Deserialize)]
    struct Line {
        table: String,
        row: Map<String, Value>,
    }
    let parsed: Line = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let table =
        super::table(&parsed.table).ok_or_else(|| format!("unknown table {:?}", parsed.table))?;
    if let Some(extra) = parsed.row.keys().find(|k| table.column(k).is_none()) {
        return Err(format!("unknown column {}.{extra}", table.name));
    }
    let mut values = Vec::with_capacity(table.columns.len());
    for col in table.columns {
        let v = match parsed.row.get(col.name) {
            Some(v) => v.clone(),
            None => col.default.map_or(Value::Null, |d| Value::String(d.into())),
        };
        let ok = match (&v, col.kind) {
            (Value::Null, _) => col.nullable,
            (Value::String(_), Kind::Text) => true,
            (Value::String(s), Kind::Ts) => parse_ts(s).is_some(),
            (Value::Number(n), Kind::Int) => n.is_i64(),
            (Value::Bool(_), Kind::Bool) => true,
            _ => false,
        };
        if !ok {
            return Err(format!(
                "{}.{} has an invalid value {v} (expected {:?}{})",
                table.name,
                col.name,
                col.kind,
                if col.nullable { " or null" } else { "" }
            ));
        }
        values.push(v);
    }
    Ok((table, values))
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    crate::db::parse_time(s)
}

/// Does the database hold any account, team, prompt or tag?
pub async fn is_empty(tx: &mut Tx) -> sqlx::Result<bool> {
    for t in ["User", "Team", "Prompt", "Tag"] {
        if super::count(tx, t).await? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Deletes every row of every table, children first.
async fn clear(tx: &mut Tx) -> Result<()> {
    exec(tx, "DELETE FROM \"Session\"").await?;
    exec(tx, "DELETE FROM \"LoginFailure\"").await?;
    for t in TABLES.iter().rev() {
        let text = format!("DELETE FROM \"{}\"", t.name);
        let backend = tx.backend();
        on!(tx, |conn, sql| sqlx::query(backend.dynamic_sql(text))
            .execute(conn)
            .await
            .map(drop))?;
    }
    Ok(())
}

async fn exec(tx: &mut Tx, text: &'static str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(text))
        .execute(conn)
        .await
        .map(drop))
}

/// One multi-row INSERT for the rows in `batch` (emptied afterwards).
pub(crate) async fn insert_batch(
    tx: &mut Tx,
    table: &Table,
    batch: &mut Vec<Vec<Value>>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    // Folded columns are never taken from the file: emails are folded in place and the
    // `nameKey` columns computed, by the same rule as every other write (`text::fold`).
    let columns = table.stored_columns();
    let rows: Vec<Vec<Value>> = std::mem::take(batch)
        .into_iter()
        .map(|row| with_folded(table, row))
        .collect();
    let cols: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    // The comment keeps these statements apart from the application's in PostgreSQL's
    // per-connection statement cache (same text, different parameter types).
    let text = format!(
        "/* dump import */ INSERT INTO \"{}\" ({}) VALUES {}",
        table.name,
        cols.join(", "),
        vec![one; rows.len()].join(", ")
    );
    let backend = tx.backend();
    on!(tx, |conn, sql| {
        let mut q = sqlx::query(backend.dynamic_sql(text));
        for row in &rows {
            for (col, v) in columns.iter().zip(row) {
                q = match col.kind {
                    Kind::Text => q.bind(v.as_str().map(str::to_string)),
                    Kind::Int => q.bind(v.as_i64()),
                    Kind::Bool => q.bind(v.as_bool()),
                    Kind::Ts => q.bind(v.as_str().and_then(parse_ts).map(crate::db::Ts)),
                };
            }
        }
        q.execute(conn).await.map(drop)
    })
    .map_err(|e| {
        OpsError::Invalid(format!(
            "cannot insert rows into {}: {e}; nothing was imported",
            table.name
        ))
    })
}

/// A row in the table's column order, folded columns applied: values folded in place, then the
/// separate keys appended (the order of [`Table::stored_columns`]).
fn with_folded(table: &Table, mut row: Vec<Value>) -> Vec<Value> {
    let position = |name: &str| table.columns.iter().position(|c| c.name == name);
    for f in table.folded.iter().filter(|f| f.column == f.of) {
        if let Some(v) = position(f.column).and_then(|i| row.get_mut(i))
            && let Value::String(s) = v
        {
            *s = crate::text::fold(s);
        }
    }
    for f in table.key_columns() {
        let key = position(f.of)
            .and_then(|i| row.get(i))
            .and_then(Value::as_str)
            .map_or(Value::Null, |s| Value::String(crate::text::fold(s)));
        row.push(key);
    }
    row
}

/// Reads up to `limit` rows of `table` with a rowid above `after` from a SQLite connection, as
/// dump values (for recovery: a damaged page fails only the range that touches it).
pub(crate) async fn read_sqlite_rows(
    conn: &mut sqlx::SqliteConnection,
    table: &Table,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, Vec<Value>)>> {
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect();
    let text = format!(
        "SELECT rowid, {} FROM \"{}\" WHERE rowid > ? ORDER BY rowid LIMIT ?",
        cols.join(", "),
        table.name
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(text))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let rowid: i64 = row.try_get(0)?;
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, col) in table.columns.iter().enumerate() {
            values.push(decode!(row, i + 1, col.kind)?);
        }
        out.push((rowid, values));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_against_the_table() {
        let (t, v) = parse_row(
            r#"{"table":"Tag","row":{"id":"c1","name":"sql","createdAt":"2026-01-31T12:00:00.123Z"}}"#,
        )
        .expect("valid row");
        assert_eq!(t.name, "Tag");
        assert_eq!(v[1], Value::String("sql".into()));
        for (line, problem) in [
            (r#"{"table":"Session","row":{}}"#, "unknown table"),
            (
                r#"{"table":"Tag","row":{"id":"c1","name":"x","createdAt":"2026-01-31T12:00:00Z","x":1}}"#,
                "unknown column",
            ),
            (
                r#"{"table":"Tag","row":{"id":"c1","createdAt":"2026-01-31T12:00:00Z"}}"#,
                "Tag.name",
            ),
            (
                r#"{"table":"Tag","row":{"id":"c1","name":"x","createdAt":"yesterday"}}"#,
                "Tag.createdAt",
            ),
            (
                r#"{"table":"Rating","row":{"id":"r","userId":"u","promptId":"p","value":"5","createdAt":"2026-01-31T12:00:00Z","updatedAt":"2026-01-31T12:00:00Z"}}"#,
                "Rating.value",
            ),
            ("not json", "expected"),
        ] {
            let e = parse_row(line).expect_err(line);
            assert!(e.contains(problem), "{line}: {e}");
        }
    }

    #[test]
    fn headers_are_checked() {
        let mut h = Header {
            format: FORMAT.into(),
            version: VERSION,
            schema_version: 1,
            backend: "sqlite".into(),
            tables: BTreeMap::new(),
        };
        assert!(check_header(&h).is_ok());
        h.schema_version = crate::db::migrate::latest() + 1;
        assert!(check_header(&h).is_err(), "newer schema refused");
        h.schema_version = 1;
        h.version = VERSION + 1;
        assert!(check_header(&h).is_err(), "newer format refused");
        h.version = VERSION;
        h.format = "pg_dump".into();
        assert!(check_header(&h).is_err());
    }

    #[test]
    fn timestamps_are_normalised_to_milliseconds() {
        let t = parse_ts("2026-01-31T13:00:00.123456+01:00").expect("ts");
        assert_eq!(ts_text(&t), "2026-01-31T12:00:00.123Z");
        assert!(parse_ts("2026-01-31 12:00:00").is_none());
    }
}
