//! Adoption of a PromptVault 1.x SQLite database (made by Prisma), in place, at start-up.
//!
//! A 1.x database has `_prisma_migrations` and no `_promptvault_migrations`. Before touching
//! it we write a full copy next to it (`<file>.1x-backup-YYYYMMDD_HHMMSS.db`). Then, in one
//! transaction with foreign keys off:
//! - the 1.x search table `PromptSearch` (FTS5, `pid` column) and every trigger are dropped;
//! - the 1.x tables are renamed to `_v1_*`, schema version 1 is created, rows are copied over
//!   and the `_v1_*` tables dropped;
//! - timestamps (Prisma keeps `DateTime` in SQLite as INTEGER Unix milliseconds; ISO text is
//!   accepted too) become UTC text with milliseconds; booleans become 0/1;
//! - `User.team` held a team id in 1.x: it becomes the team's name, and a `UserTeam`
//!   membership is created for it; emails are lower-cased as 2.x keeps them;
//! - ids, bcrypt password hashes and public share ids are kept as they are, so share links and
//!   passwords keep working (a bcrypt hash is re-hashed with argon2id at the next login).
//!
//! `foreign_key_check` must come back empty before the transaction commits. The regular
//! migrator then applies the later migrations (search index, …).

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

use super::{OpsError, Result};
use crate::config::Config;
use crate::db::Db;

const SCHEMA_V1: &str = include_str!("../../migrations/sqlite/0001_init.sql");

/// Tables of 1.x, parents first.
const LEGACY: &[&str] = &[
    "User",
    "Team",
    "UserTeam",
    "Settings",
    "Prompt",
    "PromptVersion",
    "Tag",
    "PromptTag",
    "Rating",
];

/// Converts a 1.x database in place (after a backup copy). Returns the backup's path, or `None`
/// when the database is not a 1.x one.
pub async fn adopt_if_legacy(db: &Db, config: &Config) -> Result<Option<PathBuf>> {
    let Db::Sqlite(pool) = db else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE name IN ('_prisma_migrations', '_promptvault_migrations')",
    )
    .fetch_all(&mut *conn)
    .await?;
    if !names.iter().any(|n| n == "_prisma_migrations")
        || names.iter().any(|n| n == "_promptvault_migrations")
    {
        return Ok(None);
    }
    let Some(file) = crate::db::connect::sqlite_path(&config.database_url) else {
        return Err(OpsError::Refused(
            "a 1.x database can only be adopted from a file".into(),
        ));
    };
    let backup = PathBuf::from(format!(
        "{file}.1x-backup-{}.db",
        chrono::Utc::now().format("%Y%m%d_%H%M%S")
    ));
    tracing::warn!(backup = %backup.display(), "PromptVault 1.x database found: adopting it");
    sqlx::query("VACUUM INTO ?")
        .bind(backup.to_string_lossy().into_owned())
        .execute(&mut *conn)
        .await?;
    super::backup::verify_legacy_copy(&backup).await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let result = convert(&mut conn).await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    match result {
        Ok(()) => {
            tracing::warn!(backup = %backup.display(), "1.x database adopted; the original is kept as the backup");
            Ok(Some(backup))
        }
        Err(e) => Err(OpsError::Invalid(format!(
            "adopting the 1.x database failed and nothing was changed ({e}); \
             the untouched copy is {}",
            backup.display()
        ))),
    }
}

async fn convert(conn: &mut SqliteConnection) -> Result<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let triggers: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(&mut *tx)
            .await?;
    for t in triggers {
        exec(
            &mut tx,
            format!("DROP TRIGGER IF EXISTS \"{}\"", t.replace('"', "")),
        )
        .await?;
    }
    exec(&mut tx, "DROP TABLE IF EXISTS \"PromptSearch\"".into()).await?;
    let mut present = Vec::new();
    for t in LEGACY {
        if exists(&mut tx, t).await? {
            exec(
                &mut tx,
                format!("ALTER TABLE \"{t}\" RENAME TO \"_v1_{t}\""),
            )
            .await?;
            present.push(*t);
        }
    }
    for required in ["User", "Prompt"] {
        if !present.contains(&required) {
            return Err(OpsError::Invalid(format!(
                "the 1.x database has no {required} table"
            )));
        }
    }
    sqlx::raw_sql(AssertSqlSafe(SCHEMA_V1))
        .execute(&mut *tx)
        .await?;
    exec(
        &mut tx,
        "CREATE TABLE IF NOT EXISTS _promptvault_migrations (version BIGINT PRIMARY KEY NOT NULL, \
         name VARCHAR(200) NOT NULL, appliedAt VARCHAR(40) NOT NULL)"
            .into(),
    )
    .await?;
    sqlx::query(
        "INSERT INTO _promptvault_migrations (version, name, appliedAt) VALUES (1, '0001_init', ?)",
    )
    .bind(crate::db::iso(&crate::db::now()))
    .execute(&mut *tx)
    .await?;
    for statement in copy_statements(&mut tx, &present).await? {
        exec(&mut tx, statement).await?;
    }
    for t in present.iter().rev() {
        exec(&mut tx, format!("DROP TABLE \"_v1_{t}\"")).await?;
    }
    let violations: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *tx)
            .await?;
    if !violations.is_empty() {
        let tables: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        return Err(OpsError::Invalid(format!(
            "rows without their parent in {}",
            tables.join(", ")
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// UTC text with milliseconds from a Prisma timestamp (INTEGER ms or ISO text), `now` if empty.
fn ts(col: &str) -> String {
    format!(
        "COALESCE(CASE WHEN typeof({col}) IN ('integer', 'real') \
         THEN strftime('%Y-%m-%dT%H:%M:%f', {col} / 1000.0, 'unixepoch') \
         ELSE strftime('%Y-%m-%dT%H:%M:%f', {col}) END, \
         strftime('%Y-%m-%dT%H:%M:%f', 'now')) || '+00:00'"
    )
}

fn boolean(col: &str) -> String {
    format!("CASE WHEN {col} IN (1, '1', 'true', 'TRUE', 'True') THEN 1 ELSE 0 END")
}

async fn copy_statements(tx: &mut SqliteConnection, present: &[&str]) -> Result<Vec<String>> {
    let has = |t: &str| present.contains(&t);
    let mut out = Vec::new();
    let team_name = if has("Team") {
        "COALESCE((SELECT t.name FROM \"_v1_Team\" t WHERE t.id = u.team), \
         (SELECT t.name FROM \"_v1_Team\" t WHERE t.name = u.team))"
    } else {
        "NULL"
    };
    out.push(format!(
        "INSERT INTO \"User\" (id, email, password, name, team, role, createdAt, updatedAt) \
         SELECT u.id, lower(trim(u.email)), u.password, u.name, {team_name}, \
         CASE WHEN upper(u.role) = 'ADMIN' THEN 'ADMIN' ELSE 'USER' END, {}, {} \
         FROM \"_v1_User\" u",
        ts("u.createdAt"),
        ts("u.updatedAt")
    ));
    if has("Team") {
        out.push(format!(
            "INSERT INTO \"Team\" (id, name, createdAt, updatedAt) \
             SELECT id, name, {}, {} FROM \"_v1_Team\"",
            ts("createdAt"),
            ts("updatedAt")
        ));
        if has("UserTeam") {
            out.push(format!(
                "INSERT OR IGNORE INTO \"UserTeam\" (userId, teamId, createdAt) \
                 SELECT ut.userId, ut.teamId, {} FROM \"_v1_UserTeam\" ut \
                 WHERE ut.userId IN (SELECT id FROM \"User\") AND ut.teamId IN (SELECT id FROM \"Team\")",
                if column(tx, "_v1_UserTeam", "createdAt").await? {
                    ts("ut.createdAt")
                } else {
                    ts("NULL")
                }
            ));
        }
        out.push(format!(
            "INSERT OR IGNORE INTO \"UserTeam\" (userId, teamId, createdAt) \
             SELECT u.id, t.id, {} FROM \"_v1_User\" u JOIN \"_v1_Team\" t \
             ON t.id = u.team OR t.name = u.team",
            ts("u.createdAt")
        ));
    }
    if has("Settings") {
        out.push(format!(
            "UPDATE \"Settings\" SET allowRegistration = \
             COALESCE((SELECT {} FROM \"_v1_Settings\" LIMIT 1), allowRegistration), \
             updatedAt = COALESCE((SELECT {} FROM \"_v1_Settings\" LIMIT 1), updatedAt) WHERE id = 1",
            boolean("allowRegistration"),
            ts("updatedAt")
        ));
    }
    out.push(format!(
        "INSERT INTO \"Prompt\" (id, title, body, variables, notes, modelHints, visibility, userId, \
         createdAt, updatedAt, isPubliclyShared, publicShareId, teamId) \
         SELECT id, title, body, variables, notes, modelHints, \
         CASE WHEN upper(visibility) IN ('PRIVATE', 'TEAM', 'PUBLIC') THEN upper(visibility) ELSE 'PRIVATE' END, \
         userId, {}, {}, {}, NULLIF(publicShareId, ''), NULL FROM \"_v1_Prompt\"",
        ts("createdAt"),
        ts("updatedAt"),
        boolean("isPubliclyShared")
    ));
    if has("PromptVersion") {
        let mut author = "NULL".to_string();
        for candidate in ["authorId", "createdBy", "userId"] {
            if column(tx, "_v1_PromptVersion", candidate).await? {
                author = format!("(SELECT id FROM \"User\" WHERE id = v.\"{candidate}\")");
                break;
            }
        }
        let message = if column(tx, "_v1_PromptVersion", "message").await? {
            "v.message"
        } else {
            "NULL"
        };
        out.push(format!(
            "INSERT INTO \"PromptVersion\" (id, promptId, version, title, body, variables, notes, \
             modelHints, message, authorId, createdAt) \
             SELECT v.id, v.promptId, v.version, v.title, v.body, v.variables, v.notes, v.modelHints, \
             {message}, {author}, {} FROM \"_v1_PromptVersion\" v",
            ts("v.createdAt")
        ));
    }
    if has("Tag") {
        let created = if column(tx, "_v1_Tag", "createdAt").await? {
            ts("createdAt")
        } else {
            ts("NULL")
        };
        out.push(format!(
            "INSERT INTO \"Tag\" (id, name, createdAt) SELECT id, name, {created} FROM \"_v1_Tag\""
        ));
        if has("PromptTag") {
            out.push(
                "INSERT OR IGNORE INTO \"PromptTag\" (promptId, tagId) SELECT promptId, tagId \
                 FROM \"_v1_PromptTag\""
                    .into(),
            );
        }
    }
    if has("Rating") {
        out.push(format!(
            "INSERT INTO \"Rating\" (id, userId, promptId, value, createdAt, updatedAt) \
             SELECT id, userId, promptId, MIN(MAX(value, 1), 5), {}, {} FROM \"_v1_Rating\"",
            ts("createdAt"),
            ts("updatedAt")
        ));
    }
    Ok(out)
}

async fn exec(conn: &mut SqliteConnection, text: String) -> Result<()> {
    sqlx::query(AssertSqlSafe(text)).execute(&mut *conn).await?;
    Ok(())
}

async fn exists(conn: &mut SqliteConnection, table: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(table)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

async fn column(conn: &mut SqliteConnection, table: &str, col: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?")
        .bind(table)
        .bind(col)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}
