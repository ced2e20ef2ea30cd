//! `promptvault db check`: is the database sound? SQLite: `PRAGMA integrity_check` and
//! `foreign_key_check`; every backend: the schema version, the expected tables, orphaned
//! references, and the search index (when a `PromptSearch` table exists) against `Prompt`.

use serde::Serialize;

use super::Result;
use crate::db::{Backend, Db, Tx};
use crate::on;

#[derive(Debug, Serialize)]
pub struct CheckItem {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub backend: &'static str,
    pub items: Vec<CheckItem>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.items.iter().all(|i| i.ok)
    }

    fn add(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        self.items.push(CheckItem {
            name: name.into(),
            ok,
            detail: detail.into(),
        });
    }
}

pub async fn check(db: &Db) -> Result<CheckReport> {
    let mut report = CheckReport {
        backend: db.backend().name(),
        items: Vec::new(),
    };
    if let Db::Sqlite(pool, _) = db {
        // A connection of its own: a pooled one may hold FTS5 state cached before other
        // connections wrote, which integrity_check can mistake for damage.
        use sqlx::Connection;
        let opts = pool.connect_options();
        let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
        let result = sqlite_checks(&mut conn, &mut report).await;
        let _ = conn.close().await;
        result?;
    }
    let mut tx = db.read().await?;
    match &mut tx {
        Tx::Sqlite(_) => {}
        Tx::Postgres(t) => {
            let invalid: Vec<String> = sqlx::query_scalar(
                "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND (NOT i.indisvalid OR NOT i.indisready)",
            )
            .fetch_all(&mut **t)
            .await?;
            report.add(
                "indexes valid",
                invalid.is_empty(),
                if invalid.is_empty() {
                    "ok".into()
                } else {
                    invalid.join(", ")
                },
            );
        }
        Tx::MySql(t) => {
            let mut bad = Vec::new();
            for table in super::TABLES.iter().map(|t| t.name).chain(["Session"]) {
                let text = format!("CHECK TABLE \"{table}\"");
                let rows: Vec<(String, String, String, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(text))
                        .fetch_all(&mut **t)
                        .await?;
                for (_, op, kind, msg) in rows {
                    if op == "check" && kind.eq_ignore_ascii_case("status") && msg != "OK" {
                        bad.push(format!("{table}: {msg}"));
                    }
                }
            }
            report.add(
                "CHECK TABLE",
                bad.is_empty(),
                if bad.is_empty() {
                    "ok".into()
                } else {
                    bad.join("; ")
                },
            );
        }
    }
    let version = crate::db::migrate::current(&mut tx).await?;
    let latest = crate::db::migrate::latest();
    report.add(
        "schema version",
        version == latest,
        format!("{version} (this PromptVault: {latest})"),
    );
    let mut missing = Vec::new();
    for t in super::TABLES.iter().map(|t| t.name).chain(["Session"]) {
        if !super::table_exists(&mut tx, t).await? {
            missing.push(t);
        }
    }
    report.add(
        "tables present",
        missing.is_empty(),
        if missing.is_empty() {
            "ok".to_string()
        } else {
            format!("missing: {}", missing.join(", "))
        },
    );
    if !missing.is_empty() {
        return Ok(report);
    }
    if version == latest {
        let real = crate::db::schema::actual(&mut tx).await?;
        let drift = crate::db::schema::differences_in_declared(tx.backend(), &real);
        report.add(
            "schema as declared",
            drift.is_empty(),
            if drift.is_empty() {
                "ok".to_string()
            } else {
                drift.join("; ")
            },
        );
    }
    let mut orphans = Vec::new();
    // Every declared foreign key (`db::schema`), checked for orphans on every backend.
    let references = crate::db::schema::all().flat_map(|t| {
        t.references
            .iter()
            .map(move |r| (t.name, r.column, r.table))
    });
    for (table, column, parent) in references {
        let n = orphan_count(&mut tx, table, column, parent).await?;
        if n > 0 {
            orphans.push(format!("{n} {table}.{column} without {parent}"));
        }
    }
    report.add(
        "orphaned references",
        orphans.is_empty(),
        if orphans.is_empty() {
            "none".to_string()
        } else {
            orphans.join("; ")
        },
    );
    if super::table_exists(&mut tx, "PromptSearch").await? {
        let prompts = super::count(&mut tx, "Prompt").await?;
        let indexed = super::count(&mut tx, "PromptSearch").await?;
        report.add(
            "search index",
            prompts == indexed,
            format!("{indexed} indexed rows for {prompts} prompts"),
        );
    }
    Ok(report)
}

async fn sqlite_checks(conn: &mut sqlx::SqliteConnection, report: &mut CheckReport) -> Result<()> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    let ok = rows == ["ok"];
    report.add("integrity_check", ok, rows.join("; "));
    let fk: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
    let detail = fk
        .iter()
        .take(10)
        .map(|(t, r, p)| format!("{t} row {} -> {p}", r.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("; ");
    report.add(
        "foreign_key_check",
        fk.is_empty(),
        if fk.is_empty() {
            "ok".to_string()
        } else {
            format!("{} violation(s): {detail}", fk.len())
        },
    );
    Ok(())
}

async fn orphan_count(tx: &mut Tx, table: &str, column: &str, parent: &str) -> sqlx::Result<i64> {
    let text = format!(
        "SELECT COUNT(*) FROM \"{table}\" c WHERE c.\"{column}\" IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM \"{parent}\" p WHERE p.\"id\" = c.\"{column}\")"
    );
    let backend: Backend = tx.backend();
    on!(tx, |conn, sql| sqlx::query_scalar::<_, i64>(
        backend.dynamic_sql(text)
    )
    .fetch_one(conn)
    .await)
}
