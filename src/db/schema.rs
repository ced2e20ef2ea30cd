//! The declared schema: every table PromptVault keeps, its columns (name, portable type class,
//! nullability), primary key, unique keys, indexes and foreign keys, written once for the three
//! backends.
//!
//! The migrations under `migrations/` create this schema on each backend; `tests/api/schema.rs`
//! migrates a fresh database, reads the real catalogue ([`actual`]) and compares it with this
//! description ([`differences`]), so a migration that drifts on one backend fails the tests.
//! The portable dump carries the tables of [`TABLES`] (`ops::TABLES` is this list).
//!
//! Case-insensitive names follow one rule, [`crate::text::fold`]: the folded form is stored
//! (in place for emails, in a `…Key` column for tag and team names, see [`Table::folded`]) and
//! unique keys compare it byte for byte on every backend.

use std::collections::{BTreeMap, BTreeSet};

use super::{Backend, Tx};
use crate::on;

/// A column's portable type class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
    /// The value a row gets when a dump written before the column existed leaves it out.
    pub default: Option<&'static str>,
}

/// A column that holds [`crate::text::fold`] of another one (or of itself: `column == of`
/// means the value is stored folded in place). Folded columns are computed in Rust at every
/// write and are what the case-insensitive unique keys compare. A separate key column is not
/// carried by dumps: imports compute it.
#[derive(Clone, Copy, Debug)]
pub struct Folded {
    pub column: &'static str,
    pub of: &'static str,
}

/// A named, non-unique index.
#[derive(Clone, Copy, Debug)]
pub struct Index {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// What deleting a parent row does to the rows that reference it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OnDelete {
    /// Refused while referenced (`NO ACTION`/`RESTRICT`: the same for non-deferred keys).
    Restrict,
    Cascade,
    SetNull,
}

/// A foreign key: `column` references `table`.`id`.
#[derive(Clone, Copy, Debug)]
pub struct Reference {
    pub column: &'static str,
    pub table: &'static str,
    pub on_delete: OnDelete,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// The columns a dump carries (every column but the separate folded keys).
    pub columns: &'static [Column],
    /// Primary key columns: also the order dumps write rows in.
    pub key: &'static [&'static str],
    pub folded: &'static [Folded],
    /// Unique keys other than the primary key (compared by their columns: names differ by backend).
    pub unique: &'static [&'static [&'static str]],
    pub indexes: &'static [Index],
    pub references: &'static [Reference],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The separate folded key columns (`nameKey`), not carried by dumps.
    pub fn key_columns(&self) -> impl Iterator<Item = &Folded> {
        self.folded.iter().filter(|f| f.column != f.of)
    }

    /// Every column the table has in the database: the dumped ones and the folded keys.
    pub fn stored_columns(&self) -> Vec<Column> {
        let mut out = self.columns.to_vec();
        out.extend(self.key_columns().map(|f| c(f.column, Kind::Text)));
        out
    }
}

const fn c(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: false,
        default: None,
    }
}

/// A NOT NULL text column with a default (added to a table that already had rows).
const fn d(name: &'static str, kind: Kind, default: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable: false,
        default: Some(default),
    }
}

const fn n(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: true,
        default: None,
    }
}

const fn ix(name: &'static str, columns: &'static [&'static str]) -> Index {
    Index { name, columns }
}

const fn r(column: &'static str, table: &'static str, on_delete: OnDelete) -> Reference {
    Reference {
        column,
        table,
        on_delete,
    }
}

use Kind::{Bool, Int, Text, Ts};
use OnDelete::{Cascade, Restrict, SetNull};

/// Every table a dump carries, parents before children. `Session` ([`SESSION`]) is left out on
/// purpose: sessions are bound to one running instance and are not worth moving.
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
        folded: &[Folded {
            column: "email",
            of: "email",
        }],
        unique: &[&["email"]],
        indexes: &[
            ix("idx_user_team", &["team"]),
            ix("idx_user_role", &["role"]),
        ],
        references: &[],
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
        folded: &[Folded {
            column: "nameKey",
            of: "name",
        }],
        unique: &[&["name"], &["nameKey"]],
        indexes: &[],
        references: &[],
    },
    Table {
        name: "UserTeam",
        columns: &[
            c("userId", Text),
            c("teamId", Text),
            c("createdAt", Ts),
            n("role", Text),
        ],
        key: &["userId", "teamId"],
        folded: &[],
        unique: &[],
        indexes: &[ix("idx_userteam_team", &["teamId"])],
        references: &[r("userId", "User", Cascade), r("teamId", "Team", Cascade)],
    },
    Table {
        name: "Settings",
        columns: &[
            c("id", Int),
            c("allowRegistration", Bool),
            c("updatedAt", Ts),
        ],
        key: &["id"],
        folded: &[],
        unique: &[],
        indexes: &[],
        references: &[],
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
            n("deletedAt", Ts),
            d("kind", Text, "text"),
            n("messages", Text),
            n("config", Text),
        ],
        key: &["id"],
        folded: &[],
        unique: &[&["publicShareId"]],
        indexes: &[
            ix("idx_prompt_user_id", &["userId"]),
            ix("idx_prompt_visibility", &["visibility"]),
            ix("idx_prompt_created_at", &["createdAt"]),
            ix("idx_prompt_updated_at", &["updatedAt"]),
            ix("idx_prompt_public_share_id", &["publicShareId"]),
            ix("idx_prompt_user_visibility", &["userId", "visibility"]),
            ix("idx_prompt_user_created", &["userId", "createdAt"]),
            ix("idx_prompt_user_updated_id", &["userId", "updatedAt", "id"]),
            ix("idx_prompt_user_created_id", &["userId", "createdAt", "id"]),
            ix("idx_prompt_updated_id", &["updatedAt", "id"]),
            ix("idx_prompt_created_id", &["createdAt", "id"]),
            ix("idx_prompt_team", &["teamId"]),
            ix("idx_prompt_deleted", &["deletedAt"]),
            ix("idx_prompt_user_deleted", &["userId", "deletedAt"]),
        ],
        references: &[r("userId", "User", Restrict), r("teamId", "Team", SetNull)],
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
            d("kind", Text, "text"),
            n("messages", Text),
            n("config", Text),
        ],
        key: &["id"],
        folded: &[],
        unique: &[&["promptId", "version"]],
        indexes: &[ix("idx_promptversion_author", &["authorId"])],
        references: &[
            r("promptId", "Prompt", Cascade),
            r("authorId", "User", SetNull),
        ],
    },
    Table {
        name: "Tag",
        columns: &[c("id", Text), c("name", Text), c("createdAt", Ts)],
        key: &["id"],
        folded: &[Folded {
            column: "nameKey",
            of: "name",
        }],
        unique: &[&["name"], &["nameKey"]],
        indexes: &[],
        references: &[],
    },
    Table {
        name: "PromptTag",
        columns: &[c("promptId", Text), c("tagId", Text)],
        key: &["promptId", "tagId"],
        folded: &[],
        unique: &[],
        indexes: &[ix("idx_prompttag_tag", &["tagId"])],
        references: &[r("promptId", "Prompt", Cascade), r("tagId", "Tag", Cascade)],
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
        folded: &[],
        unique: &[&["userId", "promptId"]],
        indexes: &[ix("idx_rating_prompt", &["promptId"])],
        references: &[
            r("userId", "User", Cascade),
            r("promptId", "Prompt", Cascade),
        ],
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
            n("access", Text),
            n("namespaces", Text),
        ],
        key: &["id"],
        folded: &[],
        unique: &[&["tokenHash"]],
        indexes: &[ix("idx_apitoken_user", &["userId"])],
        references: &[r("userId", "User", Cascade)],
    },
    Table {
        name: "Namespace",
        columns: &[
            c("name", Text),
            n("userId", Text),
            n("teamId", Text),
            c("isCurrent", Bool),
            c("createdAt", Ts),
        ],
        key: &["name"],
        folded: &[],
        unique: &[],
        indexes: &[
            ix("idx_namespace_user", &["userId"]),
            ix("idx_namespace_team", &["teamId"]),
        ],
        references: &[r("userId", "User", Cascade), r("teamId", "Team", Cascade)],
    },
    Table {
        name: "PromptName",
        columns: &[
            c("scope", Text),
            c("name", Text),
            c("promptId", Text),
            c("isCurrent", Bool),
            c("createdAt", Ts),
        ],
        key: &["scope", "name"],
        folded: &[],
        unique: &[],
        indexes: &[ix("idx_promptname_prompt", &["promptId"])],
        references: &[r("promptId", "Prompt", Cascade)],
    },
    Table {
        name: "PromptLabel",
        columns: &[
            c("promptId", Text),
            c("label", Text),
            c("version", Int),
            c("updatedAt", Ts),
            n("updatedBy", Text),
        ],
        key: &["promptId", "label"],
        folded: &[],
        unique: &[],
        indexes: &[ix("idx_promptlabel_updatedby", &["updatedBy"])],
        references: &[
            r("promptId", "Prompt", Cascade),
            r("updatedBy", "User", SetNull),
        ],
    },
    Table {
        name: "AuditEvent",
        columns: &[
            c("id", Text),
            n("promptId", Text),
            n("actorId", Text),
            c("action", Text),
            n("detail", Text),
            c("createdAt", Ts),
        ],
        key: &["id"],
        folded: &[],
        unique: &[],
        indexes: &[
            ix("idx_auditevent_prompt", &["promptId", "createdAt"]),
            ix("idx_auditevent_created", &["createdAt"]),
            ix("idx_auditevent_actor", &["actorId"]),
        ],
        references: &[r("actorId", "User", SetNull)],
    },
    Table {
        name: "Favorite",
        columns: &[c("userId", Text), c("promptId", Text), c("createdAt", Ts)],
        key: &["userId", "promptId"],
        folded: &[],
        unique: &[],
        indexes: &[ix("idx_favorite_prompt", &["promptId"])],
        references: &[
            r("userId", "User", Cascade),
            r("promptId", "Prompt", Cascade),
        ],
    },
];

/// Sign-in sessions: in the schema, not in dumps.
pub const SESSION: Table = Table {
    name: "Session",
    columns: &[
        c("id", Text),
        c("userId", Text),
        c("createdAt", Ts),
        c("expiresAt", Ts),
        c("lastSeenAt", Ts),
        n("userAgent", Text),
    ],
    key: &["id"],
    folded: &[],
    unique: &[],
    indexes: &[ix("idx_session_user", &["userId"])],
    references: &[r("userId", "User", Cascade)],
};

/// Failed sign-ins shared by the instances (`auth::limiter`): in the schema, not in dumps.
pub const LOGIN_FAILURE: Table = Table {
    name: "LoginFailure",
    columns: &[c("id", Text), c("subject", Text), c("failedAt", Ts)],
    key: &["id"],
    folded: &[],
    unique: &[],
    indexes: &[
        ix("idx_loginfailure_subject", &["subject", "failedAt"]),
        ix("idx_loginfailure_failedat", &["failedAt"]),
    ],
    references: &[],
};

/// The migrations' own bookkeeping table (not part of the contract's comparison).
pub const MIGRATIONS_TABLE: &str = "_promptvault_migrations";

/// Every table of the schema.
pub fn all() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().chain([&SESSION, &LOGIN_FAILURE])
}

pub fn table(name: &str) -> Option<&'static Table> {
    all().find(|t| t.name == name)
}

/// The full-text search objects of one backend (migration 0002; `src/search`). Their insides
/// differ by design, so the contract checks that they exist, not their columns.
pub struct SearchObjects {
    /// Tables that belong to search (SQLite's FTS5 shadow tables included).
    pub tables: &'static [&'static str],
    /// `(table, index)`: indexes the column declarations cannot describe: search indexes (some
    /// of them on ordinary tables) and indexes on expressions (`LOWER(title)` for lists sorted
    /// by title, migration 0011; MariaDB's count index of the search table, 0012).
    pub indexes: &'static [(&'static str, &'static str)],
}

pub fn search_objects(backend: Backend) -> SearchObjects {
    match backend {
        Backend::Sqlite => SearchObjects {
            tables: &[
                "PromptSearch",
                "PromptSearchKey",
                "PromptSearch_config",
                "PromptSearch_content",
                "PromptSearch_data",
                "PromptSearch_docsize",
                "PromptSearch_idx",
            ],
            indexes: &[
                ("Prompt", "idx_prompt_access"),
                ("Prompt", "idx_prompt_title"),
                ("Prompt", "idx_prompt_user_title"),
            ],
        },
        Backend::Postgres => SearchObjects {
            tables: &["PromptSearch"],
            indexes: &[
                ("Prompt", "idx_prompt_fts"),
                ("PromptSearch", "idx_promptsearch_document"),
                ("Prompt", "idx_prompt_title"),
                ("Prompt", "idx_prompt_user_title"),
            ],
        },
        Backend::MySql => SearchObjects {
            tables: &["PromptSearch"],
            indexes: &[
                ("PromptSearch", "ft_promptsearch_all"),
                ("PromptSearch", "ft_promptsearch_title"),
                ("PromptSearch", "idx_promptsearch_count"),
            ],
        },
    }
}

/// One table as a catalogue shows it (or as the declaration describes it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// name → (type class, nullable); `None` for a type that has no class.
    pub columns: BTreeMap<String, (Option<Kind>, bool)>,
    /// Database type names, for messages.
    pub types: BTreeMap<String, String>,
    pub primary_key: Vec<String>,
    pub unique: BTreeSet<Vec<String>>,
    /// Non-unique indexes by name.
    pub indexes: BTreeMap<String, Vec<String>>,
    /// Foreign keys: (column, parent table, parent column, on delete; `None` for another rule).
    pub references: BTreeSet<(String, String, String, Option<OnDelete>)>,
}

impl Shape {
    fn declared(t: &Table) -> Shape {
        let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Shape {
            columns: t
                .stored_columns()
                .iter()
                .map(|c| (c.name.to_string(), (Some(c.kind), c.nullable)))
                .collect(),
            types: BTreeMap::new(),
            primary_key: strs(t.key),
            unique: t.unique.iter().map(|u| strs(u)).collect(),
            indexes: t
                .indexes
                .iter()
                .map(|i| (i.name.to_string(), strs(i.columns)))
                .collect(),
            references: t
                .references
                .iter()
                .map(|r| {
                    (
                        r.column.to_string(),
                        r.table.to_string(),
                        "id".to_string(),
                        Some(r.on_delete),
                    )
                })
                .collect(),
        }
    }
}

/// The type class of a column type as a backend's catalogue names it.
pub fn kind_of(backend: Backend, data_type: &str, column_type: &str) -> Option<Kind> {
    let t = data_type.to_ascii_lowercase();
    let full = column_type.to_ascii_lowercase();
    match backend {
        Backend::Sqlite => match t.as_str() {
            "text" => Some(Text),
            "integer" => Some(Int),
            "boolean" => Some(Bool),
            "datetime" => Some(Ts),
            _ => None,
        },
        Backend::Postgres => match t.as_str() {
            "text" => Some(Text),
            "integer" | "bigint" => Some(Int),
            "boolean" => Some(Bool),
            "timestamp with time zone" => Some(Ts),
            _ => None,
        },
        Backend::MySql => match t.as_str() {
            "varchar" | "text" | "mediumtext" | "longtext" => Some(Text),
            "tinyint" if full == "tinyint(1)" => Some(Bool),
            "int" | "bigint" => Some(Int),
            "datetime" => Some(Ts),
            _ => None,
        },
    }
}

/// The real catalogue of the connected database: every base table and its shape.
pub async fn actual(tx: &mut Tx) -> sqlx::Result<BTreeMap<String, Shape>> {
    let mut out = BTreeMap::new();
    for name in table_names(tx).await? {
        let shape = shape_of(tx, &name).await?;
        out.insert(name, shape);
    }
    Ok(out)
}

async fn table_names(tx: &mut Tx) -> sqlx::Result<Vec<String>> {
    match tx {
        Tx::Sqlite(t) => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 ORDER BY name",
            )
            .fetch_all(&mut **t)
            .await
        }
        Tx::Postgres(t) => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name",
            )
            .fetch_all(&mut **t)
            .await
        }
        Tx::MySql(t) => {
            sqlx::query_scalar(
                "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' \
                 ORDER BY TABLE_NAME",
            )
            .fetch_all(&mut **t)
            .await
        }
    }
}

/// One table's columns, keys and indexes from the catalogue (`pragma_table_info` /
/// `pragma_index_list` / `pragma_index_info` on SQLite, `information_schema` and `pg_index` on
/// PostgreSQL, `information_schema.COLUMNS` / `STATISTICS` on MySQL/MariaDB).
pub async fn shape_of(tx: &mut Tx, table: &str) -> sqlx::Result<Shape> {
    let backend = tx.backend();
    let mut shape = Shape::default();
    // (name, type, full type, nullable, primary-key position)
    let columns: Vec<(String, String, String, i64, i64)> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(
                "SELECT name, type, type, \"notnull\" = 0, pk FROM pragma_table_info(?) ORDER BY cid",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as(
                "SELECT column_name::text, data_type::text, data_type::text, \
                 CAST(CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT), 0::bigint FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?
        }
        Tx::MySql(t) => {
            sqlx::query_as(
                "SELECT CAST(COLUMN_NAME AS CHAR), CAST(DATA_TYPE AS CHAR), \
                 CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE = 'YES' AS SIGNED), CAST(0 AS SIGNED) \
                 FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?
        }
    };
    let mut pk: Vec<(i64, String)> = Vec::new();
    for (name, data_type, full, nullable, pk_pos) in columns {
        let kind = kind_of(backend, &data_type, &full);
        shape.columns.insert(name.clone(), (kind, nullable != 0));
        shape.types.insert(name.clone(), full);
        if pk_pos > 0 {
            pk.push((pk_pos, name));
        }
    }
    pk.sort();
    shape.primary_key = pk.into_iter().map(|(_, n)| n).collect();
    // (index name, unique, primary, column, position)
    let index_rows: Vec<(String, i64, i64, String, i64)> = match tx {
        Tx::Sqlite(t) => sqlx::query_as(
            "SELECT l.name, l.\"unique\" = 1, l.origin = 'pk', coalesce(i.name, '(expression)'), \
                 i.seqno FROM pragma_index_list(?1) l JOIN pragma_index_info(l.name) i \
                 ORDER BY l.name, i.seqno",
        )
        .bind(table)
        .fetch_all(&mut **t)
        .await?,
        Tx::Postgres(t) => sqlx::query_as(
            "SELECT i.relname::text, CAST(CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS BIGINT), \
                 CAST(CASE WHEN ix.indisprimary THEN 1 ELSE 0 END AS BIGINT), \
                 coalesce(a.attname::text, '(expression)'), k.n \
                 FROM pg_index ix \
                 JOIN pg_class i ON i.oid = ix.indexrelid \
                 JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                 CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE ns.nspname = current_schema() AND t.relname = $1 \
                 ORDER BY i.relname, k.n",
        )
        .bind(table)
        .fetch_all(&mut **t)
        .await?,
        Tx::MySql(t) => {
            sqlx::query_as(
                "SELECT CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE = 0 AS SIGNED), \
                 CAST(INDEX_NAME = 'PRIMARY' AS SIGNED), \
                 CAST(COLUMN_NAME AS CHAR), CAST(SEQ_IN_INDEX AS SIGNED) \
                 FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
                 ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?
        }
    };
    let mut indexes: BTreeMap<String, (bool, bool, Vec<String>)> = BTreeMap::new();
    for (name, unique, primary, column, _) in index_rows {
        indexes
            .entry(name)
            .or_insert_with(|| (unique != 0, primary != 0, Vec::new()))
            .2
            .push(column);
    }
    for (name, (unique, primary, cols)) in indexes {
        if primary {
            // SQLite reports the key through `pragma_table_info` as well (and has no index for
            // an INTEGER PRIMARY KEY); the others only here.
            if backend != Backend::Sqlite {
                shape.primary_key = cols;
            }
        } else if unique {
            shape.unique.insert(cols);
        } else {
            shape.indexes.insert(name, cols);
        }
    }
    // (column, parent table, parent column, delete rule)
    let references: Vec<(String, String, String, String)> =
        match tx {
            Tx::Sqlite(t) => {
                sqlx::query_as(
                    "SELECT \"from\", \"table\", coalesce(\"to\", 'id'), on_delete \
                 FROM pragma_foreign_key_list(?)",
                )
                .bind(table)
                .fetch_all(&mut **t)
                .await?
            }
            Tx::Postgres(t) => sqlx::query_as(
                "SELECT a.attname::text, p.relname::text, pa.attname::text, c.confdeltype::text \
                 FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                 JOIN pg_class p ON p.oid = c.confrelid \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                 JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] \
                 WHERE c.contype = 'f' AND ns.nspname = current_schema() AND t.relname = $1",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?,
            Tx::MySql(t) => {
                sqlx::query_as(
                    "SELECT CAST(k.COLUMN_NAME AS CHAR), CAST(k.REFERENCED_TABLE_NAME AS CHAR), \
                 CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(rc.DELETE_RULE AS CHAR) \
                 FROM information_schema.KEY_COLUMN_USAGE k \
                 JOIN information_schema.REFERENTIAL_CONSTRAINTS rc \
                   ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
                  AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND rc.TABLE_NAME = k.TABLE_NAME \
                 WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? \
                   AND k.REFERENCED_TABLE_NAME IS NOT NULL",
                )
                .bind(table)
                .fetch_all(&mut **t)
                .await?
            }
        };
    shape.references = references
        .into_iter()
        .map(|(column, parent, parent_column, rule)| {
            (column, parent, parent_column, on_delete_of(&rule))
        })
        .collect();
    Ok(shape)
}

/// A delete rule as the catalogues spell it (`pg_constraint.confdeltype` uses one letter).
fn on_delete_of(rule: &str) -> Option<OnDelete> {
    match rule.to_ascii_uppercase().as_str() {
        "NO ACTION" | "RESTRICT" | "A" | "R" => Some(Restrict),
        "CASCADE" | "C" => Some(Cascade),
        "SET NULL" | "N" => Some(SetNull),
        _ => None,
    }
}

/// Does the table have this column?
pub async fn has_column(tx: &mut Tx, table: &str, column: &str) -> sqlx::Result<bool> {
    Ok(shape_of(tx, table).await?.columns.contains_key(column))
}

/// Does the table have an index with this name (unique or not)?
pub async fn has_index(tx: &mut Tx, table: &str, index: &str) -> sqlx::Result<bool> {
    let backend = tx.backend();
    let q: &'static str = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM pragma_index_list(?) WHERE name = ?",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename = ? AND indexname = ?"
        }
        Backend::MySql => {
            "SELECT COUNT(*) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?"
        }
    };
    let n: i64 = on!(tx, |conn, sql| sqlx::query_scalar(sql(q))
        .bind(table)
        .bind(index)
        .fetch_one(conn)
        .await)?;
    Ok(n > 0)
}

/// What the declaration says the catalogue holds (search objects left out).
pub fn declared() -> BTreeMap<String, Shape> {
    all()
        .map(|t| (t.name.to_string(), Shape::declared(t)))
        .collect()
}

/// How the real catalogue differs from the declaration, one readable line per difference
/// (empty when they agree). Search objects must exist; their insides are not compared.
pub fn differences(backend: Backend, real: &BTreeMap<String, Shape>) -> Vec<String> {
    compare(backend, real, true)
}

/// [`differences`] for a database in service: tables of its own (kept by an adoption, added
/// by an operator) are not PromptVault's business.
pub fn differences_in_declared(backend: Backend, real: &BTreeMap<String, Shape>) -> Vec<String> {
    compare(backend, real, false)
}

fn compare(backend: Backend, real: &BTreeMap<String, Shape>, extra_tables: bool) -> Vec<String> {
    let mut out = Vec::new();
    let search = search_objects(backend);
    let want = declared();
    for (name, _) in real.iter().filter(|_| extra_tables) {
        if !want.contains_key(name)
            && name != MIGRATIONS_TABLE
            && !search.tables.contains(&name.as_str())
        {
            out.push(format!("table {name} exists but is not declared"));
        }
    }
    for t in search.tables {
        if !real.contains_key(*t) {
            out.push(format!("search table {t} is missing"));
        }
    }
    for (table, index) in search.indexes {
        if !real
            .get(*table)
            .is_some_and(|s| s.indexes.contains_key(*index))
        {
            out.push(format!("search index {table}.{index} is missing"));
        }
    }
    for (name, w) in &want {
        let Some(r) = real.get(name) else {
            out.push(format!("table {name} is missing"));
            continue;
        };
        for (col, (kind, nullable)) in &w.columns {
            match r.columns.get(col) {
                None => out.push(format!("column {name}.{col} is missing")),
                Some((k, nl)) => {
                    if k != kind {
                        let ty = r.types.get(col).map_or("?", String::as_str);
                        let class = |k: &Option<Kind>| {
                            k.map_or("no type class".into(), |k| format!("{k:?}"))
                        };
                        out.push(format!(
                            "column {name}.{col} is {ty} ({}), declared {}",
                            class(k),
                            class(kind)
                        ));
                    }
                    if nl != nullable {
                        out.push(format!(
                            "column {name}.{col} is {}, declared {}",
                            if *nl { "nullable" } else { "NOT NULL" },
                            if *nullable { "nullable" } else { "NOT NULL" }
                        ));
                    }
                }
            }
        }
        for col in r.columns.keys() {
            if !w.columns.contains_key(col) {
                out.push(format!("column {name}.{col} exists but is not declared"));
            }
        }
        if r.primary_key != w.primary_key {
            out.push(format!(
                "primary key of {name} is {:?}, declared {:?}",
                r.primary_key, w.primary_key
            ));
        }
        for u in w.unique.difference(&r.unique) {
            out.push(format!("unique key {name}{u:?} is missing"));
        }
        for u in r.unique.difference(&w.unique) {
            out.push(format!("unique key {name}{u:?} exists but is not declared"));
        }
        for (ix, cols) in &w.indexes {
            match r.indexes.get(ix) {
                None => out.push(format!("index {name}.{ix} is missing")),
                Some(c) if c != cols => {
                    out.push(format!("index {name}.{ix} is on {c:?}, declared {cols:?}"))
                }
                Some(_) => {}
            }
        }
        for fk in w.references.difference(&r.references) {
            out.push(format!("foreign key {name}{fk:?} is missing"));
        }
        for fk in r.references.difference(&w.references) {
            out.push(format!(
                "foreign key {name}{fk:?} exists but is not declared"
            ));
        }
        for ix in r.indexes.keys() {
            let is_search = search.indexes.contains(&(name.as_str(), ix.as_str()));
            if !w.indexes.contains_key(ix) && !is_search {
                out.push(format!("index {name}.{ix} exists but is not declared"));
            }
        }
    }
    out
}
