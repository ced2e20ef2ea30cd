//! Database operations built into the binary: backups (online SQLite copies, logical dumps for
//! PostgreSQL/MySQL), restores, the portable dump format, transfers between backends, integrity
//! checks, statistics, optimisation, recovery of damaged SQLite files, adoption of 1.x
//! databases, scheduled backups and the Prometheus metrics.
//!
//! The CLI (`promptvault db …`) and the admin API are thin doors onto these functions.

pub mod adopt;
pub mod api;
pub mod backup;
pub mod check;
pub mod dump;
pub mod files;
pub mod metrics;
pub mod optimize;
pub mod recover;
pub mod restore;
pub mod schedule;
pub mod stats;
pub mod status;
pub mod system;
pub mod transfer;

use crate::db::{Backend, Tx};
use crate::on;

/// The shape of a column as the portable dump carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Bool,
    Ts,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

/// A table moved by dumps, in foreign-key order (parents first).
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    /// Primary key columns: the order rows are written in.
    pub key: &'static [&'static str],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn c(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: false,
    }
}

const fn n(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: true,
    }
}

use Kind::{Bool, Int, Text, Ts};

/// Every table a dump carries, parents before children. `Session` is left out on purpose:
/// sessions are bound to one running instance and are not worth moving.
pub const TABLES: &[Table] = &[
    Table {
        name: "User",
        columns: &[
            c("id", Text),
            c("email", Text),
            c("password", Text),
            n("name", Text),
            n("team", Text),
            c("role", Text),
            c("createdAt", Ts),
            c("updatedAt", Ts),
        ],
        key: &["id"],
    },
    Table {
        name: "Team",
        columns: &[
            c("id", Text),
            c("name", Text),
            c("createdAt", Ts),
            c("updatedAt", Ts),
        ],
        key: &["id"],
    },
    Table {
        name: "UserTeam",
        columns: &[c("userId", Text), c("teamId", Text), c("createdAt", Ts)],
        key: &["userId", "teamId"],
    },
    Table {
        name: "Settings",
        columns: &[
            c("id", Int),
            c("allowRegistration", Bool),
            c("updatedAt", Ts),
        ],
        key: &["id"],
    },
    Table {
        name: "Prompt",
        columns: &[
            c("id", Text),
            c("title", Text),
            c("body", Text),
            n("variables", Text),
            n("notes", Text),
            n("modelHints", Text),
            c("visibility", Text),
            c("userId", Text),
            c("createdAt", Ts),
            c("updatedAt", Ts),
            c("isPubliclyShared", Bool),
            n("publicShareId", Text),
            n("teamId", Text),
        ],
        key: &["id"],
    },
    Table {
        name: "PromptVersion",
        columns: &[
            c("id", Text),
            c("promptId", Text),
            c("version", Int),
            c("title", Text),
            c("body", Text),
            n("variables", Text),
            n("notes", Text),
            n("modelHints", Text),
            n("message", Text),
            n("authorId", Text),
            c("createdAt", Ts),
        ],
        key: &["id"],
    },
    Table {
        name: "Tag",
        columns: &[c("id", Text), c("name", Text), c("createdAt", Ts)],
        key: &["id"],
    },
    Table {
        name: "PromptTag",
        columns: &[c("promptId", Text), c("tagId", Text)],
        key: &["promptId", "tagId"],
    },
    Table {
        name: "Rating",
        columns: &[
            c("id", Text),
            c("userId", Text),
            c("promptId", Text),
            c("value", Int),
            c("createdAt", Ts),
            c("updatedAt", Ts),
        ],
        key: &["id"],
    },
    Table {
        name: "ApiToken",
        columns: &[
            c("id", Text),
            c("userId", Text),
            c("name", Text),
            c("prefix", Text),
            c("tokenHash", Text),
            c("createdAt", Ts),
            n("lastUsedAt", Ts),
        ],
        key: &["id"],
    },
];

/// Tables that exist in the schema but are not carried by dumps (cleared on a forced import).
pub const NOT_DUMPED: &[&str] = &["Session"];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Errors of the operations layer: a message fit for an administrator's terminal.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("a backup is already running")]
    Busy,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Migrate(#[from] crate::db::migrate::MigrateError),
    #[error(transparent)]
    Connect(#[from] crate::db::connect::ConnectError),
}

pub type Result<T> = std::result::Result<T, OpsError>;

/// An operations error as the service error the HTTP edge and the pages understand.
impl From<OpsError> for crate::error::Error {
    fn from(e: OpsError) -> Self {
        use crate::error::Error;
        match e {
            OpsError::Busy => Error::conflict("A backup is already running", "backup_running"),
            OpsError::Refused(m) => Error::conflict(m, "backup_exists"),
            OpsError::Db(e) => Error::Db(e),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// `SELECT COUNT(*)` for every dumped table, in [`TABLES`] order.
pub async fn row_counts(tx: &mut Tx) -> sqlx::Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        out.push((t.name, count(tx, t.name).await?));
    }
    Ok(out)
}

/// `SELECT COUNT(*) FROM "<table>"` (`table` is one of our fixed names, never user input).
pub async fn count(tx: &mut Tx, table: &str) -> sqlx::Result<i64> {
    let text = format!("SELECT COUNT(*) FROM \"{table}\"");
    let backend = tx.backend();
    on!(tx, |conn, sql| sqlx::query_scalar::<_, i64>(
        backend.dynamic_sql(text)
    )
    .fetch_one(conn)
    .await)
}

/// Does a table (or view, or virtual table) with this exact name exist?
pub async fn table_exists(tx: &mut Tx, name: &str) -> sqlx::Result<bool> {
    let q: &'static str = match tx.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name = ?",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = ?"
        }
        Backend::MySql => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?"
        }
    };
    let n: i64 = on!(tx, |conn, sql| sqlx::query_scalar(sql(q))
        .bind(name)
        .fetch_one(conn)
        .await)?;
    Ok(n > 0)
}
