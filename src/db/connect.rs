//! Opening the pool named by `DATABASE_URL`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Executor;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Backend, Db};

/// What a database URL says before we connect.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "unsupported database URL scheme in {0:?}: use sqlite://PATH, postgres://… or mysql://…"
    )]
    Scheme(String),
    #[error("cannot create the folder {path} for the SQLite database: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the {backend} database: {source}")]
    Open {
        backend: Backend,
        source: sqlx::Error,
    },
}

/// Which backend a URL names, without connecting.
pub fn backend_of(url: &str) -> Option<Backend> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Some(Backend::Sqlite),
        "postgres" | "postgresql" => Some(Backend::Postgres),
        "mysql" | "mariadb" => Some(Backend::MySql),
        _ => None,
    }
}

/// The file behind a `sqlite://` URL (`None` for in-memory databases).
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Opens a pool of at most `max_connections` to the database at `url`.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
    connect_with(url, max_connections, Duration::from_secs(10)).await
}

/// Like `connect`, a request waiting longer than `acquire` for a connection fails with
/// `PoolTimedOut` (answered 503 + Retry-After at the HTTP edge).
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    acquire: Duration,
) -> Result<Db, ConnectError> {
    let backend = backend_of(url).ok_or_else(|| ConnectError::Scheme(redact(url)))?;
    let open = |source| ConnectError::Open { backend, source };
    match backend {
        Backend::Sqlite => {
            if let Some(parent) = sqlite_path(url).and_then(|p| Path::new(p).parent())
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|source| ConnectError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(open)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // SQLite's own page cache per connection (the default, 2 MiB): the operating
                // system caches the file too, and 20 MiB per connection cost 160 MiB of RSS at
                // 100,000 prompts without making reads faster.
                .pragma("cache_size", "-2000");
            // Two processes opening a new file at once race to switch it to WAL; SQLite then
            // answers "database is locked" at once (deadlock avoidance, no busy wait). Retry.
            let mut tries = 0;
            let pool = loop {
                // No ping before handing out a connection: a local file does not drop it, and
                // the ping is one more round trip to the connection's thread per request.
                match SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire)
                    .test_before_acquire(false)
                    .connect_with(opts.clone())
                    .await
                {
                    Err(e) if tries < 50 && is_locked(&e) => {
                        tries += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => break other.map_err(open)?,
                }
            };
            // The file exists and is in WAL mode now; the writer opens lazily.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(acquire)
                .test_before_acquire(false)
                .connect_lazy_with(opts);
            Ok(Db::Sqlite(pool, super::group::Writer::start(writer)))
        }
        Backend::Postgres => {
            // No JIT: it compiles a plan whose estimated cost passes `jit_above_cost` on every
            // run, 30 ms for a page of 50 whose execution takes 3 ms (PostgreSQL's own advice for
            // short queries). Set at connection start: no extra round trip.
            let opts = PgConnectOptions::from_str(url)
                .map_err(open)?
                .application_name("promptvault")
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(acquire)
                .connect_with(opts)
                .await
                .map_err(open)?;
            Ok(Db::Postgres(pool))
        }
        Backend::MySql => {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let opts = MySqlConnectOptions::from_str(&url)
                .map_err(open)?
                .charset("utf8mb4")
                .timezone(Some("+00:00".into()));
            let pool = MySqlPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(acquire)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // Standard double-quoted identifiers, so one SQL text serves all backends.
                        // READ COMMITTED: no gap locks between writers inserting unrelated
                        // prompts and tags (fewer deadlocks than REPEATABLE READ).
                        conn.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')")
                            .await?;
                        conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                            .await?;
                        // "Not in the trash and of this owner" matched nearly every row of one
                        // index and a tenth of another: MariaDB intersected both (1.3 s for a
                        // page of 50 at 100,000 prompts) instead of reading the page in order
                        // from (userId, updatedAt, id) (0.3 ms).
                        conn.execute(
                            "SET SESSION optimizer_switch = 'index_merge_intersection=off'",
                        )
                        .await?;
                        // JSON_ARRAYAGG (`Backend::json_rows`) is cut at this length, silently
                        // (1 MiB on MariaDB, 1 KiB on MySQL by default).
                        conn.execute("SET SESSION group_concat_max_len = 4294967295")
                            .await
                            .map(drop)
                    })
                })
                .connect_with(opts)
                .await
                .map_err(open)?;
            Ok(Db::MySql(pool))
        }
    }
}

/// The URL with any password replaced, fit for logs and error messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// SQLite's "database is locked" (`SQLITE_BUSY`) while opening.
fn is_locked(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if d.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_recognised_from_the_scheme() {
        assert_eq!(backend_of("sqlite://data/x.db"), Some(Backend::Sqlite));
        assert_eq!(backend_of("postgresql://h/db"), Some(Backend::Postgres));
        assert_eq!(backend_of("mariadb://h/db"), Some(Backend::MySql));
        assert_eq!(backend_of("oracle://h/db"), None);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/p.db?mode=rwc"),
            Some("data/p.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
