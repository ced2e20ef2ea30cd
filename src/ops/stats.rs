//! `promptvault db stats`: rows per table, database/table/index sizes, the WAL size on SQLite,
//! and the guide's analytics queries (most used tags, most active users, best rated prompts).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Result;
use crate::db::{Backend, Db, Tx};
use crate::on;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableStats {
    pub name: &'static str,
    pub rows: i64,
    pub bytes: Option<i64>,
    pub index_bytes: Option<i64>,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
pub struct TagUsage {
    pub name: String,
    pub usage_count: i64,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
pub struct UserActivity {
    pub email: String,
    pub prompt_count: i64,
    #[serde(serialize_with = "crate::db::ser_opt_ts")]
    pub last_prompt: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
pub struct PromptRating {
    pub title: String,
    pub rating_count: i64,
    pub avg_rating: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub backend: &'static str,
    pub schema_version: i64,
    pub database_bytes: Option<i64>,
    pub wal_bytes: Option<u64>,
    pub tables: Vec<TableStats>,
    pub most_used_tags: Vec<TagUsage>,
    pub most_active_users: Vec<UserActivity>,
    pub best_rated_prompts: Vec<PromptRating>,
}

pub async fn stats(db: &Db, sqlite_file: Option<&str>) -> Result<Stats> {
    let mut tx = db.read().await?;
    let schema_version = crate::db::migrate::current(&mut tx).await?;
    let mut tables = Vec::new();
    for t in super::TABLES.iter().map(|t| t.name).chain(["Session"]) {
        let rows = super::count(&mut tx, t).await?;
        let (bytes, index_bytes) = sizes(&mut tx, t).await;
        tables.push(TableStats {
            name: t,
            rows,
            bytes,
            index_bytes,
        });
    }
    let database_bytes = database_size(&mut tx).await.ok();
    let wal_bytes =
        sqlite_file.and_then(|f| std::fs::metadata(format!("{f}-wal")).ok().map(|m| m.len()));
    let backend = tx.backend();
    let most_used_tags = on!(&mut tx, |conn, sql| sqlx::query_as(sql(
        "SELECT t.\"name\", COUNT(pt.\"promptId\") AS \"usageCount\" FROM \"Tag\" t \
         JOIN \"PromptTag\" pt ON t.\"id\" = pt.\"tagId\" GROUP BY t.\"id\", t.\"name\" \
         ORDER BY \"usageCount\" DESC, t.\"name\" LIMIT 10"
    ))
    .fetch_all(conn)
    .await)?;
    let most_active_users = on!(&mut tx, |conn, sql| {
        sqlx::query_as(sql(
        "SELECT u.\"email\", COUNT(p.\"id\") AS \"promptCount\", MAX(p.\"createdAt\") AS \"lastPrompt\" \
         FROM \"User\" u LEFT JOIN \"Prompt\" p ON u.\"id\" = p.\"userId\" \
         GROUP BY u.\"id\", u.\"email\" ORDER BY \"promptCount\" DESC, u.\"email\" LIMIT 10"
    ))
    .fetch_all(conn)
    .await
    })?;
    let text = format!(
        "SELECT p.\"title\", COUNT(r.\"id\") AS \"ratingCount\", {} AS \"avgRating\" \
         FROM \"Prompt\" p JOIN \"Rating\" r ON p.\"id\" = r.\"promptId\" \
         GROUP BY p.\"id\", p.\"title\" ORDER BY \"avgRating\" DESC, \"ratingCount\" DESC, p.\"title\" LIMIT 10",
        backend.as_f64("AVG(r.\"value\")")
    );
    let best_rated_prompts = on!(&mut tx, |conn, sql| sqlx::query_as(
        backend.dynamic_sql(text)
    )
    .fetch_all(conn)
    .await)?;
    Ok(Stats {
        backend: backend.name(),
        schema_version,
        database_bytes,
        wal_bytes,
        tables,
        most_used_tags,
        most_active_users,
        best_rated_prompts,
    })
}

/// Table and index bytes; `None` where the backend cannot tell (SQLite without `dbstat`).
async fn sizes(tx: &mut Tx, table: &str) -> (Option<i64>, Option<i64>) {
    let r: sqlx::Result<(Option<i64>, Option<i64>)> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(
                "SELECT CAST(SUM(CASE WHEN m.type = 'table' THEN d.pgsize END) AS INTEGER), \
             CAST(SUM(CASE WHEN m.type = 'index' THEN d.pgsize END) AS INTEGER) \
             FROM dbstat d JOIN sqlite_master m ON m.name = d.name WHERE m.tbl_name = ?",
            )
            .bind(table)
            .fetch_one(&mut **t)
            .await
        }
        Tx::Postgres(t) => {
            sqlx::query_as(
                "SELECT pg_table_size(to_regclass(quote_ident($1)))::BIGINT, \
             pg_indexes_size(to_regclass(quote_ident($1)))::BIGINT",
            )
            .bind(table)
            .fetch_one(&mut **t)
            .await
        }
        Tx::MySql(t) => {
            sqlx::query_as(
                "SELECT CAST(data_length AS SIGNED), CAST(index_length AS SIGNED) \
             FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
            )
            .bind(table)
            .fetch_one(&mut **t)
            .await
        }
    };
    r.unwrap_or((None, None))
}

pub async fn database_size(tx: &mut Tx) -> sqlx::Result<i64> {
    let q: &'static str = match tx.backend() {
        Backend::Sqlite => {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        }
        Backend::Postgres => "SELECT pg_database_size(current_database())::BIGINT",
        Backend::MySql => {
            "SELECT CAST(COALESCE(SUM(data_length + index_length), 0) AS SIGNED) \
             FROM information_schema.tables WHERE table_schema = DATABASE()"
        }
    };
    on!(tx, |conn, sql| sqlx::query_scalar::<_, i64>(sql(q))
        .fetch_one(conn)
        .await)
}

/// Human-readable text for the terminal.
pub fn render(s: &Stats) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let size = |b: Option<i64>| b.map_or("-".to_string(), |b| format!("{b}"));
    let _ = writeln!(
        out,
        "backend: {}  schema version: {}",
        s.backend, s.schema_version
    );
    let _ = writeln!(
        out,
        "database size: {} bytes{}",
        size(s.database_bytes),
        s.wal_bytes
            .map(|w| format!("  WAL: {w} bytes"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "\n{:<15} {:>10} {:>14} {:>14}",
        "TABLE", "ROWS", "BYTES", "INDEX BYTES"
    );
    for t in &s.tables {
        let _ = writeln!(
            out,
            "{:<15} {:>10} {:>14} {:>14}",
            t.name,
            t.rows,
            size(t.bytes),
            size(t.index_bytes)
        );
    }
    let _ = writeln!(out, "\nmost used tags:");
    for t in &s.most_used_tags {
        let _ = writeln!(out, "  {:>6}  {}", t.usage_count, t.name);
    }
    let _ = writeln!(out, "\nmost active users:");
    for u in &s.most_active_users {
        let last = u
            .last_prompt
            .as_ref()
            .map(crate::db::iso)
            .unwrap_or_default();
        let _ = writeln!(out, "  {:>6}  {}  {}", u.prompt_count, u.email, last);
    }
    let _ = writeln!(out, "\nbest rated prompts:");
    for p in &s.best_rated_prompts {
        let _ = writeln!(
            out,
            "  {:.2} ({} ratings)  {}",
            p.avg_rating, p.rating_count, p.title
        );
    }
    out
}
