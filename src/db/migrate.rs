//! Schema migrations: plain SQL per backend under `migrations/`, embedded in the binary, applied
//! in order at start-up and by `promptvault migrate`.
//!
//! Two instances starting at once are safe: SQLite takes the write lock (`BEGIN IMMEDIATE`),
//! PostgreSQL a transaction-scoped advisory lock, MySQL/MariaDB a named `GET_LOCK` with a timeout
//! (MariaDB ignores a negative one). A database whose schema is newer than this binary is refused.

use sqlx::AssertSqlSafe;

use super::{Backend, Db, Tx};
use crate::on;

/// A migration's Rust step: run after its SQL, in the same transaction, for work the database
/// cannot do the same way on every backend (e.g. `text::fold` over existing rows).
pub type Step =
    for<'a> fn(&'a mut Tx) -> std::pin::Pin<Box<dyn Future<Output = sqlx::Result<()>> + Send + 'a>>;

/// One schema step, written once per backend.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    mysql: &'static str,
    then: Option<Step>,
}

macro_rules! migration {
    ($version:expr, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!("../../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../../migrations/postgres/", $file, ".sql")),
            mysql: include_str!(concat!("../../migrations/mysql/", $file, ".sql")),
            then: None,
        }
    };
    ($version:expr, $file:literal, then $step:path) => {
        Migration {
            then: Some($step),
            ..migration!($version, $file)
        }
    };
}

pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_init"),
    migration!(2, "0002_search"),
    migration!(3, "0003_case_keys", then super::casefold::migrate),
    migration!(4, "0004_login_failures"),
    migration!(5, "0005_list_order"),
    migration!(8, "0008_registry", then crate::registry::migrate::migrate),
    migration!(9, "0009_favorites_trash", then crate::prompts::trash::migrate),
    migration!(10, "0010_chat_config"),
    migration!(11, "0011_scale"),
    migration!(12, "0012_search_count"),
];

/// The newest schema version this binary knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database schema is at version {found}, newer than this PromptVault knows ({known}); \
         upgrade PromptVault instead of running an older binary against it"
    )]
    Newer { found: i64, known: i64 },
    #[error("another PromptVault instance held the migration lock for 60 s; try again")]
    Locked,
    #[error("migration {name} failed: {source}")]
    Step {
        name: &'static str,
        source: sqlx::Error,
    },
    #[error("database error while migrating: {0}")]
    Db(#[from] sqlx::Error),
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
            Backend::MySql => self.mysql,
        }
    }
}

/// Applies every pending migration; returns the versions applied.
pub async fn run(db: &Db) -> Result<Vec<i64>, MigrateError> {
    run_until(db, latest()).await
}

/// Applies the pending migrations up to version `last` only (tests build databases the way an
/// older release left them).
pub async fn run_until(db: &Db, last: i64) -> Result<Vec<i64>, MigrateError> {
    let mut tx = db.write().await?;
    lock(&mut tx).await?;
    let result = apply_pending(&mut tx, last).await;
    unlock(&mut tx).await;
    let applied = result?;
    tx.commit().await?;
    Ok(applied)
}

/// The schema version recorded in the database (0 when none).
pub async fn current(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    ensure_table(tx).await?;
    let v: Option<i64> = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT MAX(version) FROM _promptvault_migrations"
    ))
    .fetch_one(conn)
    .await)?;
    Ok(v.unwrap_or(0))
}

/// The schema version recorded in the database, read without creating anything (`/ready`).
pub async fn applied(db: &Db) -> Result<i64, sqlx::Error> {
    let mut tx = db.read().await?;
    let v: Option<i64> = on!(&mut tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT MAX(version) FROM _promptvault_migrations"
    ))
    .fetch_one(conn)
    .await)?;
    tx.commit().await?;
    Ok(v.unwrap_or(0))
}

async fn apply_pending(tx: &mut Tx, last: i64) -> Result<Vec<i64>, MigrateError> {
    let found = current(tx).await?;
    if found > latest() {
        return Err(MigrateError::Newer {
            found,
            known: latest(),
        });
    }
    let backend = tx.backend();
    let mut applied = Vec::new();
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version > found && m.version <= last)
    {
        let step = |source| MigrateError::Step {
            name: m.name,
            source,
        };
        on!(tx, |conn, sql| sqlx::raw_sql(AssertSqlSafe(m.sql(backend)))
            .execute(conn)
            .await
            .map(drop))
        .map_err(step)?;
        if let Some(then) = m.then {
            then(tx).await.map_err(step)?;
        }
        let now = super::iso(&super::now());
        on!(tx, |conn, sql| sqlx::query(sql(
            "INSERT INTO _promptvault_migrations (version, name, appliedAt) VALUES (?, ?, ?)"
        ))
        .bind(m.version)
        .bind(m.name)
        .bind(&now)
        .execute(conn)
        .await
        .map(drop))
        .map_err(step)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

async fn ensure_table(tx: &mut Tx) -> Result<(), sqlx::Error> {
    on!(tx, |conn, sql| {
        sqlx::query(sql(
        "CREATE TABLE IF NOT EXISTS _promptvault_migrations (\
         version BIGINT PRIMARY KEY NOT NULL, name VARCHAR(200) NOT NULL, appliedAt VARCHAR(40) NOT NULL)"
    ))
    .execute(conn)
    .await
    .map(drop)
    })
}

async fn lock(tx: &mut Tx) -> Result<(), MigrateError> {
    match tx {
        // BEGIN IMMEDIATE already holds SQLite's write lock.
        Tx::Sqlite(_) => Ok(()),
        Tx::Postgres(t) => {
            sqlx::query("SELECT pg_advisory_xact_lock(727365001)")
                .execute(&mut **t)
                .await?;
            Ok(())
        }
        Tx::MySql(t) => {
            let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK('promptvault_migrate', 60)")
                .fetch_one(&mut **t)
                .await?;
            if got == Some(1) {
                Ok(())
            } else {
                Err(MigrateError::Locked)
            }
        }
    }
}

async fn unlock(tx: &mut Tx) {
    if let Tx::MySql(t) = tx {
        let released = sqlx::query("SELECT RELEASE_LOCK('promptvault_migrate')")
            .execute(&mut **t)
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not release the migration lock");
        }
    }
}
