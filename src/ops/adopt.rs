//! Adoption of a PromptVault 1.x SQLite file (see `spec/v1-database.md`), in place.
//!
//! A 1.x file is recognised by its shape: the tables and columns 1.x creates (`User`, `Prompt`,
//! …) and no `_promptvault_migrations`, with or without Prisma's `_prisma_migrations`.
//!
//! The original is never written to. A verified copy of it is kept next to it
//! (`<file>.1x-backup-YYYYMMDD_HHMMSS.db`); the conversion runs on a second copy, in one
//! transaction, and only a converted copy that passes `integrity_check` and
//! `foreign_key_check` replaces the original (an atomic rename). If anything cannot be adopted,
//! the file is left byte for byte as it was and the error names the row and what to do.
//!
//! What the conversion does with what 1.x files really hold: timestamps as INTEGER Unix
//! milliseconds or ISO text (mixed in one file) become UTC with milliseconds; tables without
//! `updatedAt` take `createdAt`; versions are numbered by `createdAt`, then id, and a version
//! with the current text is added where the newest one differs; `PUBLIC` rows stay public; tags
//! that differ only in case are merged (every prompt keeps its tags), empty tag names are
//! dropped; ratings are clamped into 1..5; of several `Settings` rows the lowest id wins;
//! `User.team` (a team id, a team name, or text naming no team: the team is created) becomes
//! a membership; `UserTeam` rows are kept; `_meta`, `_prisma_migrations`, the 1.x search table
//! and its triggers are dropped. Two emails equal once lower-cased are refused, with both named.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

use super::{OpsError, Result};
use crate::db;
use crate::prompts::variables;
use crate::text::fold;

const SCHEMA_V1: &str = include_str!("../../migrations/sqlite/0001_init.sql");

use crate::users::password::{DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD};

/// Tables 1.x creates, children first (the order they are dropped in).
const LEGACY: &[&str] = &[
    "Rating",
    "PromptTag",
    "Tag",
    "PromptVersion",
    "Prompt",
    "Settings",
    "UserTeam",
    "Team",
    "User",
];

/// Tables only PromptVault 2 has: a file holding them is not a 1.x file.
const OURS_ONLY: &[&str] = &["Session", "ApiToken", "PromptSearchKey"];

/// What a SQLite file holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// Missing, 0 bytes, or a PromptVault 2 file whose first start did not finish.
    New,
    /// A PromptVault 2 database.
    Ours,
    /// A PromptVault 1.x database; `migrated` when it has `_prisma_migrations`.
    V1 { migrated: bool },
}

/// What an adoption did (or, for a dry run, would do).
#[derive(Debug, Default)]
pub struct Report {
    pub file: PathBuf,
    pub migrated_shape: bool,
    pub dry_run: bool,
    /// Rows written per table.
    pub rows: Vec<(&'static str, usize)>,
    /// Values converted, by kind.
    pub converted: BTreeMap<&'static str, usize>,
    pub merged_tags: Vec<String>,
    pub warnings: Vec<String>,
    pub backup: Option<PathBuf>,
}

impl Report {
    fn count(&mut self, what: &'static str) {
        *self.converted.entry(what).or_default() += 1;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would be adopted (dry run: nothing was changed)"
        } else {
            "adopted"
        };
        writeln!(
            f,
            "PromptVault 1.x database {verb}: {} ({} shape)",
            self.file.display(),
            if self.migrated_shape {
                "migrated, with _prisma_migrations"
            } else {
                "pushed, without _prisma_migrations"
            }
        )?;
        let rows: Vec<String> = self.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        writeln!(f, "  rows: {}", rows.join(", "))?;
        if !self.converted.is_empty() {
            let conv: Vec<String> = self
                .converted
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            writeln!(f, "  converted: {}", conv.join(", "))?;
        }
        for m in &self.merged_tags {
            writeln!(f, "  tags merged: {m}")?;
        }
        for w in &self.warnings {
            writeln!(f, "  WARNING: {w}")?;
        }
        if let Some(b) = &self.backup {
            writeln!(f, "  the original 1.x file is kept as {}", b.display())?;
        }
        Ok(())
    }
}

async fn open(path: &Path, read_only: bool) -> Result<SqliteConnection> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        .foreign_keys(false);
    Ok(SqliteConnection::connect_with(&opts).await?)
}

async fn columns(conn: &mut SqliteConnection, table: &str) -> Result<HashSet<String>> {
    let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    Ok(cols.into_iter().collect())
}

fn has_all(cols: &HashSet<String>, wanted: &[&str]) -> bool {
    wanted.iter().all(|c| cols.contains(*c))
}

/// Looks at the file without changing it. Refuses an empty SQLite file (1.x's Docker volume)
/// and a file whose tables are neither 1.x's nor ours, saying what was found.
pub async fn inspect(path: &Path) -> Result<Found> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::New),
        Err(e) => return Err(e.into()),
    };
    if meta.len() == 0 {
        return Ok(Found::New);
    }
    let shown = path.display();
    let mut conn = open(path, true).await.map_err(|e| {
        OpsError::Refused(format!(
            "{shown} cannot be opened as a SQLite database ({e}); nothing was changed"
        ))
    })?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|e| {
        OpsError::Refused(format!(
            "{shown} is not a readable SQLite database ({e}); nothing was changed"
        ))
    })?;
    let has = |t: &str| tables.iter().any(|n| n == t);
    let found = if has("_promptvault_migrations") {
        Found::Ours
    } else if tables.is_empty() {
        if wal_header(path) {
            Found::New
        } else {
            conn.close().await?;
            return Err(OpsError::Refused(format!(
                "{shown} is an empty SQLite database: it has no tables at all. If you are \
                 upgrading from PromptVault 1.x in Docker, this is the empty file of 1.x's data \
                 volume; 1.x keeps its real database inside the container at \
                 /app/backend/prisma/data/promptvault.db. Copy it out with \
                 `docker cp <container>:/app/backend/prisma/data/promptvault.db {shown}` and \
                 start again. To start afresh instead, delete {shown}: a new database is created \
                 at start. Nothing was changed."
            )));
        }
    } else if has("User")
        && has("Prompt")
        && !OURS_ONLY.iter().any(|t| has(t))
        && has_all(
            &columns(&mut conn, "User").await?,
            &["id", "email", "password"],
        )
        && has_all(
            &columns(&mut conn, "Prompt").await?,
            &["id", "title", "body", "userId"],
        )
    {
        Found::V1 {
            migrated: has("_prisma_migrations"),
        }
    } else {
        let mut list: Vec<&str> = tables.iter().map(String::as_str).take(12).collect();
        if tables.len() > 12 {
            list.push("…");
        }
        conn.close().await?;
        return Err(OpsError::Refused(format!(
            "{shown} holds tables that are neither PromptVault 1.x's nor PromptVault 2's ({}). \
             Point the database URL at a PromptVault database, or at a new file to start afresh. \
             Nothing was changed.",
            list.join(", ")
        )));
    };
    conn.close().await?;
    Ok(found)
}

/// SQLite's header says WAL (bytes 18 and 19 are 2): a file PromptVault 2 created.
fn wal_header(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head[18] == 2
}

/// At start: adopts the configured SQLite file when it is a 1.x file, logging the report.
pub async fn adopt_at_start(database_url: &str) -> Result<Option<Report>> {
    let Some(file) = db::connect::sqlite_path(database_url) else {
        return Ok(None);
    };
    let report = adopt_file(Path::new(file), false).await?;
    if let Some(r) = &report {
        for line in r.to_string().lines() {
            if line.trim_start().starts_with("WARNING") {
                tracing::warn!("{}", line.trim());
            } else {
                tracing::info!("{}", line.trim());
            }
        }
    }
    Ok(report)
}

/// Adopts `path` in place (or, with `dry_run`, reports what adoption would do without changing
/// anything). `None` when the file is not a 1.x file (new or already ours).
pub async fn adopt_file(path: &Path, dry_run: bool) -> Result<Option<Report>> {
    let Found::V1 { migrated } = inspect(path).await? else {
        return Ok(None);
    };
    let stamp = chrono::Utc::now().format("%Y%m%d_%H%M%S").to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "promptvault.db".into());
    let work = if dry_run {
        std::env::temp_dir().join(format!("{name}.adopt-dry-run-{}.tmp", db::new_id()))
    } else {
        path.with_file_name(format!("{name}.adopting-{stamp}.tmp"))
    };
    let result = convert_copy(path, &work, migrated, dry_run).await;
    let mut report = match result {
        Ok(r) => r,
        Err(e) => {
            remove_quietly(&work);
            return Err(match e {
                OpsError::Refused(m) => OpsError::Refused(m),
                other => OpsError::Invalid(format!(
                    "adopting the 1.x database {} failed: {other}. The file was not changed.",
                    path.display()
                )),
            });
        }
    };
    if dry_run {
        remove_quietly(&work);
        return Ok(Some(report));
    }
    let backup = path.with_file_name(format!("{name}.1x-backup-{stamp}.db"));
    let swapped = async {
        copy_of(path, &backup).await?;
        super::backup::verify_legacy_copy(&backup).await?;
        keep_permissions(path, &work);
        std::fs::File::open(&work)?.sync_all()?;
        for suffix in ["-wal", "-shm", "-journal"] {
            remove_quietly(&path.with_file_name(format!("{name}{suffix}")));
        }
        std::fs::rename(&work, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok::<(), OpsError>(())
    }
    .await;
    if let Err(e) = swapped {
        remove_quietly(&work);
        return Err(OpsError::Invalid(format!(
            "adopting the 1.x database {} failed while replacing it: {e}. The file was not \
             changed.",
            path.display()
        )));
    }
    report.backup = Some(backup);
    Ok(Some(report))
}

fn remove_quietly(p: &Path) {
    let _ = std::fs::remove_file(p);
}

/// A consistent copy of a SQLite file (its WAL included), without writing to it.
async fn copy_of(from: &Path, to: &Path) -> Result<()> {
    let mut src = open(from, true).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut src)
        .await?;
    src.close().await?;
    Ok(())
}

fn keep_permissions(original: &Path, new: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(meta) = std::fs::metadata(original) {
        let _ = std::fs::set_permissions(new, meta.permissions());
        let _ = std::os::unix::fs::chown(new, Some(meta.uid()), Some(meta.gid()));
    }
}

async fn convert_copy(path: &Path, work: &Path, migrated: bool, dry_run: bool) -> Result<Report> {
    remove_quietly(work);
    copy_of(path, work).await?;
    let mut conn = open(work, false).await?;
    let mut report = Report {
        file: path.to_path_buf(),
        migrated_shape: migrated,
        dry_run,
        ..Report::default()
    };
    let converted = convert(&mut conn, &mut report).await;
    let checked = match converted {
        Ok(()) => {
            let result: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(&mut conn)
                .await?;
            if result == ["ok"] {
                Ok(())
            } else {
                Err(OpsError::Invalid(format!(
                    "the converted copy failed its integrity check: {}",
                    result.join("; ")
                )))
            }
        }
        Err(e) => Err(e),
    };
    conn.close().await?;
    checked.map(|()| report)
}

/// One value read from a 1.x row: its SQLite type and its text.
#[derive(Clone, Debug, Default)]
struct Cell {
    ty: String,
    text: Option<String>,
}

type Row = HashMap<String, Cell>;

fn text(row: &Row, col: &str) -> Option<String> {
    row.get(col).and_then(|c| c.text.clone())
}

/// Reads every row of `table` (columns it lacks read as NULL).
async fn rows(conn: &mut SqliteConnection, table: &str) -> Result<Vec<Row>> {
    let cols: Vec<String> = columns(conn, table).await?.into_iter().collect();
    if cols.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = cols
        .iter()
        .map(|c| {
            let q = c.replace('"', "\"\"");
            format!("typeof(\"{q}\"), CAST(\"{q}\" AS TEXT)")
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{}\"",
        select.join(", "),
        table.replace('"', "\"\"")
    );
    let raw = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        use sqlx::Row as _;
        let mut row = Row::new();
        for (i, c) in cols.iter().enumerate() {
            let ty: String = r.try_get(2 * i)?;
            let text: Option<String> = r.try_get(2 * i + 1)?;
            row.insert(c.clone(), Cell { ty, text });
        }
        out.push(row);
    }
    Ok(out)
}

fn millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// A 1.x timestamp: INTEGER/REAL Unix milliseconds (seconds when too small to be
/// milliseconds), or ISO-8601 text with or without zone (UTC assumed).
fn timestamp(cell: Option<&Cell>, report: &mut Report) -> Option<DateTime<Utc>> {
    let cell = cell?;
    let raw = cell.text.as_deref()?.trim();
    if raw.is_empty() {
        return None;
    }
    let numeric = cell.ty == "integer"
        || cell.ty == "real"
        || raw.parse::<f64>().is_ok_and(|n| n.is_finite());
    if numeric {
        let n = raw.parse::<f64>().ok()?;
        let t = if n.abs() < 100_000_000_000.0 {
            report.count("timestamps in Unix seconds");
            DateTime::from_timestamp_millis((n * 1000.0) as i64)
        } else {
            report.count("integer-millisecond timestamps");
            DateTime::from_timestamp_millis(n as i64)
        };
        return t.map(millis);
    }
    let parsed = DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
            .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%#z")
                .ok()
                .map(|t| t.with_timezone(&Utc))
        });
    if parsed.is_some() {
        report.count("ISO-text timestamps");
    }
    parsed.map(millis)
}

fn boolean(cell: Option<&Cell>, default: bool, report: &mut Report) -> bool {
    let Some(c) = cell else { return default };
    let Some(raw) = c.text.as_deref() else {
        return default;
    };
    if c.ty == "text" {
        report.count("text booleans");
    }
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" => true,
        "0" | "false" | "f" | "no" | "" => false,
        _ => default,
    }
}

struct TeamOut {
    id: String,
    name: String,
    created: DateTime<Utc>,
}

/// Finds a team by id, exact name or name ignoring case.
fn find_team<'a>(teams: &'a [TeamOut], key: &str) -> Option<&'a TeamOut> {
    teams
        .iter()
        .find(|t| t.id == key)
        .or_else(|| teams.iter().find(|t| t.name == key))
        .or_else(|| {
            let k = fold(key);
            teams.iter().find(|t| fold(&t.name) == k)
        })
}

async fn convert(conn: &mut SqliteConnection, report: &mut Report) -> Result<()> {
    let now = db::now();
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let present: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let has = |t: &str| present.iter().any(|n| n == t);
    let mut data: HashMap<&str, Vec<Row>> = HashMap::new();
    for t in LEGACY {
        if has(t) {
            data.insert(t, rows(&mut tx, t).await?);
        }
    }
    let mut take = |t: &str| data.remove(t).unwrap_or_default();

    // Settings: the lowest id wins (the row 1.x reads).
    let mut settings = take("Settings");
    settings.sort_by_key(|r| {
        text(r, "id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(i64::MAX)
    });
    if settings.len() > 1 {
        report.warnings.push(format!(
            "{} Settings rows: the one with the lowest id ({}) was kept, as 1.x read it",
            settings.len(),
            settings
                .first()
                .and_then(|r| text(r, "id"))
                .unwrap_or_default()
        ));
    }
    let allow_registration = match settings.first() {
        Some(r) => boolean(r.get("allowRegistration"), true, report),
        None => true,
    };
    let settings_updated = settings
        .first()
        .and_then(|r| timestamp(r.get("updatedAt"), report))
        .unwrap_or(now);

    // Teams, merging names that differ only in case.
    let mut teams: Vec<TeamOut> = Vec::new();
    let mut team_alias: HashMap<String, String> = HashMap::new();
    let mut v1_teams = take("Team");
    v1_teams.sort_by_key(|r| text(r, "id").unwrap_or_default());
    for r in &v1_teams {
        let id = text(r, "id").unwrap_or_default();
        let mut name = text(r, "name").unwrap_or_default().trim().to_string();
        if name.is_empty() {
            name = format!("Team {}", id.chars().take(8).collect::<String>());
            report
                .warnings
                .push(format!("team {id} had an empty name; it is now {name:?}"));
        }
        let created = timestamp(r.get("createdAt"), report).unwrap_or(now);
        if let Some(same) = teams.iter().find(|t| fold(&t.name) == fold(&name)) {
            report.warnings.push(format!(
                "teams {:?} and {name:?} differ only in case: merged into {:?}",
                same.name, same.name
            ));
            team_alias.insert(id, same.id.clone());
            continue;
        }
        teams.push(TeamOut { id, name, created });
    }

    // Users.
    let v1_users = take("User");
    let mut by_email: HashMap<String, (String, String)> = HashMap::new();
    for r in &v1_users {
        let raw = text(r, "email").unwrap_or_default();
        let email = fold(raw.trim());
        let id = text(r, "id").unwrap_or_default();
        if let Some((other_id, other_raw)) = by_email.get(&email) {
            return Err(OpsError::Refused(format!(
                "the accounts {other_raw:?} (user id {other_id}) and {raw:?} (user id {id}) have \
                 the same email once lower-cased, and PromptVault 2 matches emails without case. \
                 Give one of them another address in the 1.x file, e.g. \
                 sqlite3 FILE \"UPDATE User SET email = 'new@example.com' WHERE id = '{id}';\", \
                 then start again. Nothing was changed."
            )));
        }
        by_email.insert(email, (id, raw));
    }
    let mut user_ids = HashSet::new();
    let mut memberships: Vec<(String, String, DateTime<Utc>)> = Vec::new();
    let mut primary: HashMap<String, String> = HashMap::new();
    let mut users_out = Vec::new();
    for r in &v1_users {
        let id = text(r, "id").unwrap_or_default();
        let raw_email = text(r, "email").unwrap_or_default();
        let email = fold(raw_email.trim());
        if email != raw_email {
            report.count("emails lower-cased or trimmed");
        }
        if crate::users::Email::parse(&email).is_err() {
            report.warnings.push(format!(
                "user {id} has the address {raw_email:?}, which is not an email address: they \
                 cannot sign in until an administrator changes it"
            ));
        }
        let password = text(r, "password").unwrap_or_default();
        if password.is_empty() {
            report.warnings.push(format!(
                "{email} has no password: an administrator must set one before they can sign in"
            ));
        }
        if email == DEFAULT_ADMIN_EMAIL
            && crate::users::password::is_default_admin_hash(&password).await
        {
            report.warnings.push(format!(
                "the account {DEFAULT_ADMIN_EMAIL} still has 1.x's default password \
                 {DEFAULT_ADMIN_PASSWORD:?}: anyone can sign in as this administrator. Change its \
                 password now (Admin > Users, or `promptvault user set-password {DEFAULT_ADMIN_EMAIL}`)"
            ));
        }
        let role = if text(r, "role").unwrap_or_default().trim().to_uppercase() == "ADMIN" {
            "ADMIN"
        } else {
            "USER"
        };
        let created = timestamp(r.get("createdAt"), report).unwrap_or(now);
        let updated = timestamp(r.get("updatedAt"), report).unwrap_or(created);
        if let Some(t) = text(r, "team").map(|t| t.trim().to_string())
            && !t.is_empty()
        {
            let team_id = match find_team(&teams, &t) {
                Some(found) => team_alias.get(&found.id).unwrap_or(&found.id).clone(),
                None => {
                    let name: String = t.chars().take(100).collect();
                    report.warnings.push(format!(
                        "{email}'s team {t:?} names no team: the team {name:?} was created"
                    ));
                    let team = TeamOut {
                        id: db::new_id(),
                        name,
                        created: now,
                    };
                    let id = team.id.clone();
                    teams.push(team);
                    id
                }
            };
            memberships.push((id.clone(), team_id.clone(), created));
            primary.insert(id.clone(), team_id);
        }
        user_ids.insert(id.clone());
        users_out.push((id, email, password, text(r, "name"), role, created, updated));
    }
    for r in take("UserTeam") {
        let user = text(&r, "userId").unwrap_or_default();
        let team = text(&r, "teamId").unwrap_or_default();
        let team = team_alias.get(&team).cloned().unwrap_or(team);
        if !user_ids.contains(&user) || !teams.iter().any(|t| t.id == team) {
            report.warnings.push(format!(
                "UserTeam row ({user}, {team}) names a missing user or team: left out"
            ));
            continue;
        }
        let created = timestamp(r.get("createdAt"), report).unwrap_or(now);
        memberships.push((user, team, created));
    }
    let mut seen = HashSet::new();
    memberships.retain(|(u, t, _)| seen.insert((u.clone(), t.clone())));

    // Prompts.
    let v1_prompts = take("Prompt");
    let mut prompt_out = Vec::new();
    let mut prompt_ids: HashMap<String, usize> = HashMap::new();
    for r in &v1_prompts {
        let id = text(r, "id").unwrap_or_default();
        let owner = text(r, "userId").unwrap_or_default();
        if !user_ids.contains(&owner) {
            return Err(OpsError::Invalid(format!(
                "prompt {id} ({:?}) belongs to user {owner:?}, who is not in the file. Give it an \
                 existing owner in the 1.x file (sqlite3 FILE \"UPDATE Prompt SET userId = \
                 '<a user id>' WHERE id = '{id}';\") and start again",
                text(r, "title").unwrap_or_default()
            )));
        }
        let raw_vis = text(r, "visibility").unwrap_or_default();
        let vis = raw_vis.trim().to_uppercase();
        let visibility = match vis.as_str() {
            "PRIVATE" | "TEAM" | "PUBLIC" => vis.clone(),
            "" => "PRIVATE".to_string(),
            _ => {
                report.warnings.push(format!(
                    "prompt {id} had the visibility {raw_vis:?}: it is now PRIVATE"
                ));
                "PRIVATE".to_string()
            }
        };
        if vis != raw_vis && !vis.is_empty() {
            report.count("visibilities upper-cased");
        }
        let body = text(r, "body").unwrap_or_default();
        let declared = variables::from_text(text(r, "variables").as_deref());
        let vars = variables::to_text(&variables::sync(&body, &declared));
        let created = timestamp(r.get("createdAt"), report).unwrap_or(now);
        let updated = timestamp(r.get("updatedAt"), report).unwrap_or(created);
        let share_id = text(r, "publicShareId").filter(|s| !s.trim().is_empty());
        let mut shared = boolean(r.get("isPubliclyShared"), false, report);
        if shared && share_id.is_none() {
            report.warnings.push(format!(
                "prompt {id} was marked shared but had no share id: sharing is off"
            ));
            shared = false;
        }
        prompt_ids.insert(id.clone(), prompt_out.len());
        prompt_out.push(PromptOut {
            id,
            title: text(r, "title").unwrap_or_default(),
            body,
            variables: vars,
            notes: text(r, "notes"),
            model_hints: text(r, "modelHints"),
            visibility,
            owner,
            created,
            updated,
            shared,
            share_id,
        });
    }

    // Versions, numbered by createdAt, then id; the current text last.
    let mut versions: HashMap<String, Vec<(DateTime<Utc>, String, Row)>> = HashMap::new();
    for r in take("PromptVersion") {
        let pid = text(&r, "promptId").unwrap_or_default();
        let vid = text(&r, "id").unwrap_or_default();
        let Some(&p) = prompt_ids.get(&pid) else {
            report.warnings.push(format!(
                "version {vid} belongs to a prompt that is not in the file: left out"
            ));
            continue;
        };
        let created = timestamp(r.get("createdAt"), report).unwrap_or(prompt_out[p].created);
        versions.entry(pid).or_default().push((created, vid, r));
    }

    // Tags: trimmed, empty ones dropped, names equal ignoring case merged.
    let v1_tags = take("Tag");
    let links = take("PromptTag");
    let mut uses: HashMap<String, usize> = HashMap::new();
    for l in &links {
        *uses
            .entry(text(l, "tagId").unwrap_or_default())
            .or_default() += 1;
    }
    let mut tag_rows: Vec<(String, String)> = v1_tags
        .iter()
        .map(|r| {
            (
                text(r, "id").unwrap_or_default(),
                text(r, "name").unwrap_or_default(),
            )
        })
        .collect();
    tag_rows.sort_by(|a, b| {
        uses.get(&b.0)
            .unwrap_or(&0)
            .cmp(uses.get(&a.0).unwrap_or(&0))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut tag_out: Vec<(String, String)> = Vec::new();
    let mut tag_map: HashMap<String, String> = HashMap::new();
    let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, raw) in tag_rows {
        let mut name = raw.trim().to_string();
        if name.is_empty() {
            report.warnings.push(format!(
                "a tag with an empty name (on {} prompt(s)) was dropped",
                uses.get(&id).unwrap_or(&0)
            ));
            continue;
        }
        if name.chars().count() > 50 {
            name = name.chars().take(50).collect::<String>().trim().to_string();
            report.warnings.push(format!(
                "the tag {raw:?} was cut to 50 characters: {name:?}"
            ));
        }
        let key = fold(&name);
        if let Some((winner, wname)) = tag_out.iter().find(|(_, n)| fold(n) == key) {
            merged.entry(wname.clone()).or_default().push(raw.clone());
            tag_map.insert(id, winner.clone());
            continue;
        }
        tag_map.insert(id.clone(), id.clone());
        tag_out.push((id, name));
    }
    for (winner, losers) in merged {
        report.merged_tags.push(format!(
            "{} → {winner:?}",
            losers
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut link_out = Vec::new();
    let mut seen_links = HashSet::new();
    for l in &links {
        let pid = text(l, "promptId").unwrap_or_default();
        let Some(tid) = tag_map.get(&text(l, "tagId").unwrap_or_default()) else {
            continue;
        };
        if !prompt_ids.contains_key(&pid) {
            continue;
        }
        if seen_links.insert((pid.clone(), tid.clone())) {
            link_out.push((pid, tid.clone()));
        }
    }

    // Ratings: clamped into 1..5.
    let mut rating_out = Vec::new();
    let mut seen_ratings = HashSet::new();
    for r in take("Rating") {
        let rid = text(&r, "id").unwrap_or_default();
        let pid = text(&r, "promptId").unwrap_or_default();
        let uid = text(&r, "userId").unwrap_or_default();
        if !prompt_ids.contains_key(&pid) || !user_ids.contains(&uid) {
            report.warnings.push(format!(
                "rating {rid} names a missing prompt or user: left out"
            ));
            continue;
        }
        let Some(value) = text(&r, "value").and_then(|v| v.trim().parse::<f64>().ok()) else {
            report
                .warnings
                .push(format!("rating {rid} has no readable value: left out"));
            continue;
        };
        let value = value.round() as i64;
        let clamped = value.clamp(1, 5);
        if clamped != value {
            report.count("ratings clamped into 1..5");
        }
        if !seen_ratings.insert((uid.clone(), pid.clone())) {
            continue;
        }
        let created = timestamp(r.get("createdAt"), report).unwrap_or(now);
        let updated = timestamp(r.get("updatedAt"), report).unwrap_or(created);
        rating_out.push((rid, uid, pid, clamped, created, updated));
    }

    // Out with the old objects, in with schema version 1.
    let triggers: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(&mut *tx)
            .await?;
    for t in triggers {
        exec(
            &mut tx,
            format!("DROP TRIGGER IF EXISTS \"{}\"", t.replace('"', "\"\"")),
        )
        .await?;
    }
    for t in ["PromptSearch", "_meta", "_prisma_migrations"] {
        exec(&mut tx, format!("DROP TABLE IF EXISTS \"{t}\"")).await?;
    }
    for suffix in ["data", "idx", "content", "docsize", "config"] {
        exec(
            &mut tx,
            format!("DROP TABLE IF EXISTS \"PromptSearch_{suffix}\""),
        )
        .await?;
    }
    for t in LEGACY {
        exec(&mut tx, format!("DROP TABLE IF EXISTS \"{t}\"")).await?;
    }
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for t in left {
        report.warnings.push(format!(
            "the table {t:?} is not 1.x's: it was kept as it is"
        ));
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
    .bind(db::iso(&now))
    .execute(&mut *tx)
    .await?;

    sqlx::query("UPDATE \"Settings\" SET allowRegistration = ?, updatedAt = ? WHERE id = 1")
        .bind(allow_registration)
        .bind(settings_updated)
        .execute(&mut *tx)
        .await?;
    for t in &teams {
        sqlx::query("INSERT INTO \"Team\" (id, name, createdAt, updatedAt) VALUES (?, ?, ?, ?)")
            .bind(&t.id)
            .bind(&t.name)
            .bind(t.created)
            .bind(t.created)
            .execute(&mut *tx)
            .await?;
    }
    for (id, email, password, name, role, created, updated) in &users_out {
        let team_name = primary
            .get(id)
            .and_then(|tid| teams.iter().find(|t| &t.id == tid))
            .or_else(|| {
                let mut mine: Vec<&TeamOut> = memberships
                    .iter()
                    .filter(|(u, _, _)| u == id)
                    .filter_map(|(_, t, _)| teams.iter().find(|x| &x.id == t))
                    .collect();
                mine.sort_by(|a, b| a.name.cmp(&b.name));
                mine.first().copied()
            })
            .map(|t| t.name.clone());
        sqlx::query(
            "INSERT INTO \"User\" (id, email, password, name, team, role, createdAt, updatedAt) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(email)
        .bind(password)
        .bind(name)
        .bind(team_name)
        .bind(*role)
        .bind(created)
        .bind(updated)
        .execute(&mut *tx)
        .await?;
    }
    for (u, t, created) in &memberships {
        sqlx::query("INSERT INTO \"UserTeam\" (userId, teamId, createdAt) VALUES (?, ?, ?)")
            .bind(u)
            .bind(t)
            .bind(created)
            .execute(&mut *tx)
            .await?;
    }
    let mut version_rows = 0;
    for p in &prompt_out {
        sqlx::query(
            "INSERT INTO \"Prompt\" (id, title, body, variables, notes, modelHints, visibility, \
             userId, createdAt, updatedAt, isPubliclyShared, publicShareId, teamId) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        )
        .bind(&p.id)
        .bind(&p.title)
        .bind(&p.body)
        .bind(&p.variables)
        .bind(&p.notes)
        .bind(&p.model_hints)
        .bind(&p.visibility)
        .bind(&p.owner)
        .bind(p.created)
        .bind(p.updated)
        .bind(p.shared)
        .bind(&p.share_id)
        .execute(&mut *tx)
        .await?;
        let mut list = versions.remove(&p.id).unwrap_or_default();
        list.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let mut number = 0i64;
        let mut last: Option<(String, String, Option<String>)> = None;
        for (created, vid, r) in &list {
            number += 1;
            let title = text(r, "title").unwrap_or_default();
            let body = text(r, "body").unwrap_or_default();
            let notes = text(r, "notes");
            insert_version(
                &mut tx,
                p,
                vid,
                number,
                (&title, &body, &notes),
                None,
                *created,
            )
            .await?;
            last = Some((title, body, notes));
        }
        if list.len() > 1 {
            *report.converted.entry("versions numbered").or_default() += list.len();
        }
        let current = (p.title.clone(), p.body.clone(), p.notes.clone());
        if last.as_ref() != Some(&current) {
            number += 1;
            let message = if list.is_empty() {
                "Adopted from PromptVault 1.x"
            } else {
                "Current text at adoption from PromptVault 1.x"
            };
            insert_version(
                &mut tx,
                p,
                &db::new_id(),
                number,
                (&current.0, &current.1, &current.2),
                Some(message),
                p.updated,
            )
            .await?;
            report.count("versions added for the current text");
        }
        version_rows += number as usize;
    }
    let mut tag_created: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for (pid, tid) in &link_out {
        if let Some(&i) = prompt_ids.get(pid) {
            let c = prompt_out[i].created;
            tag_created
                .entry(tid.as_str())
                .and_modify(|t| *t = (*t).min(c))
                .or_insert(c);
        }
    }
    for (id, name) in &tag_out {
        sqlx::query("INSERT INTO \"Tag\" (id, name, createdAt) VALUES (?, ?, ?)")
            .bind(id)
            .bind(name)
            .bind(tag_created.get(id.as_str()).copied().unwrap_or(now))
            .execute(&mut *tx)
            .await?;
    }
    for (pid, tid) in &link_out {
        sqlx::query("INSERT INTO \"PromptTag\" (promptId, tagId) VALUES (?, ?)")
            .bind(pid)
            .bind(tid)
            .execute(&mut *tx)
            .await?;
    }
    for (id, uid, pid, value, created, updated) in &rating_out {
        sqlx::query(
            "INSERT INTO \"Rating\" (id, userId, promptId, value, createdAt, updatedAt) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(uid)
        .bind(pid)
        .bind(value)
        .bind(created)
        .bind(updated)
        .execute(&mut *tx)
        .await?;
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
    report.rows = vec![
        ("User", users_out.len()),
        ("Team", teams.len()),
        ("UserTeam", memberships.len()),
        ("Prompt", prompt_out.len()),
        ("PromptVersion", version_rows),
        ("Tag", tag_out.len()),
        ("PromptTag", link_out.len()),
        ("Rating", rating_out.len()),
        ("Settings", 1),
    ];
    Ok(())
}

struct PromptOut {
    id: String,
    title: String,
    body: String,
    variables: String,
    notes: Option<String>,
    model_hints: Option<String>,
    visibility: String,
    owner: String,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    shared: bool,
    share_id: Option<String>,
}

async fn insert_version(
    tx: &mut SqliteConnection,
    p: &PromptOut,
    id: &str,
    number: i64,
    (title, body, notes): (&str, &str, &Option<String>),
    message: Option<&str>,
    created: DateTime<Utc>,
) -> Result<()> {
    let declared = variables::from_text(Some(&p.variables));
    let vars = variables::to_text(&variables::sync(body, &declared));
    sqlx::query(
        "INSERT INTO \"PromptVersion\" (id, promptId, version, title, body, variables, notes, \
         modelHints, message, authorId, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&p.id)
    .bind(number)
    .bind(title)
    .bind(body)
    .bind(vars)
    .bind(notes)
    .bind(&p.model_hints)
    .bind(message)
    .bind(&p.owner)
    .bind(created)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn exec(conn: &mut SqliteConnection, text: String) -> Result<()> {
    sqlx::query(AssertSqlSafe(text)).execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(ty: &str, t: &str) -> Cell {
        Cell {
            ty: ty.into(),
            text: Some(t.into()),
        }
    }

    #[test]
    fn timestamps_of_every_kind() {
        let mut r = Report::default();
        let want = DateTime::parse_from_rfc3339("2026-11-27T07:16:34.586Z")
            .expect("iso")
            .with_timezone(&Utc);
        let ms = want.timestamp_millis().to_string();
        for c in [
            cell("integer", &ms),
            cell("text", "2026-11-27T07:16:34.586Z"),
            cell("text", "2026-11-27 07:16:34.586"),
            cell("real", &format!("{ms}.0")),
        ] {
            assert_eq!(timestamp(Some(&c), &mut r), Some(want), "{c:?}");
        }
        assert_eq!(
            timestamp(Some(&cell("text", "2026-11-27 07:16:34")), &mut r).map(|t| t.timestamp()),
            Some(want.timestamp())
        );
        assert_eq!(timestamp(Some(&cell("text", "soon")), &mut r), None);
        assert_eq!(timestamp(None, &mut r), None);
    }
}
