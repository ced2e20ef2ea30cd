//! SQL for `Prompt` and the rows that hang off it (`PromptVersion`), plus the small helpers for
//! SQL assembled at run time (IN-lists, optional filters) shared by the library's stores.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Tx;
use crate::on;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct PromptRow {
    pub id: String,
    pub title: String,
    pub body: String,
    #[schema(required = true)]
    pub variables: Option<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(required = true)]
    pub model_hints: Option<String>,
    pub visibility: super::domain::Visibility,
    pub user_id: String,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
    pub is_publicly_shared: bool,
    #[schema(required = true)]
    pub public_share_id: Option<String>,
    #[schema(required = true)]
    pub team_id: Option<String>,
    /// `text` or `chat`.
    pub kind: super::chat::Kind,
    /// A chat version's messages (`body` is their plain text form); null for text.
    #[serde(serialize_with = "super::chat::ser_json_text")]
    #[schema(value_type = Option<Vec<super::chat::Message>>, required = true)]
    pub messages: Option<String>,
    /// The version's config object (model, temperature, …) or null.
    #[serde(serialize_with = "super::chat::ser_json_text")]
    #[schema(value_type = Option<Object>, required = true)]
    pub config: Option<String>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct VersionRow {
    pub id: String,
    pub prompt_id: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(required = true)]
    pub variables: Option<String>,
    #[schema(required = true)]
    pub model_hints: Option<String>,
    #[schema(required = true)]
    pub message: Option<String>,
    #[schema(required = true)]
    pub author_id: Option<String>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    /// `text` or `chat`.
    pub kind: super::chat::Kind,
    /// A chat version's messages (`body` is their plain text form); null for text.
    #[serde(serialize_with = "super::chat::ser_json_text")]
    #[schema(value_type = Option<Vec<super::chat::Message>>, required = true)]
    pub messages: Option<String>,
    /// The version's config object (model, temperature, …) or null.
    #[serde(serialize_with = "super::chat::ser_json_text")]
    #[schema(value_type = Option<Object>, required = true)]
    pub config: Option<String>,
}

use super::access::readable;
pub use crate::db::dynamic::{Arg, execute, fetch_all, fetch_count, insert_rows, marks};

pub async fn get(tx: &mut Tx, id: &str) -> sqlx::Result<Option<PromptRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Prompt\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// The prompt (not in the trash), locked for the rest of the transaction on PostgreSQL and
/// MySQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so version numbers are taken
/// in turn.
pub async fn get_for_update(tx: &mut Tx, id: &str) -> sqlx::Result<Option<PromptRow>> {
    let lock = if tx.backend() == crate::db::Backend::Sqlite {
        ""
    } else {
        " FOR UPDATE"
    };
    let rows = fetch_all(
        tx,
        format!(
            "SELECT * FROM \"Prompt\" p WHERE p.\"id\" = ? AND {}{lock}",
            super::access::LIVE
        ),
        &[Arg::S(id.into())],
    )
    .await?;
    Ok(rows.into_iter().next())
}

/// The prompt when `caller` may read it.
pub async fn get_readable(tx: &mut Tx, id: &str, caller: &str) -> sqlx::Result<Option<PromptRow>> {
    let (cond, mut args) = readable(caller);
    args.insert(0, Arg::S(id.into()));
    let rows = fetch_all(
        tx,
        format!("SELECT p.* FROM \"Prompt\" p WHERE p.\"id\" = ? AND {cond}"),
        &args,
    )
    .await?;
    Ok(rows.into_iter().next())
}

/// Whether the prompt exists and `caller` may read it (without reading the row).
pub async fn is_readable(tx: &mut Tx, id: &str, caller: &str) -> sqlx::Result<bool> {
    let (cond, mut args) = readable(caller);
    args.insert(0, Arg::S(id.into()));
    let n = crate::db::dynamic::fetch_count(
        tx,
        format!("SELECT COUNT(*) FROM \"Prompt\" p WHERE p.\"id\" = ? AND {cond}"),
        &args,
    )
    .await?;
    Ok(n > 0)
}

pub async fn insert(tx: &mut Tx, p: &PromptRow) -> sqlx::Result<()> {
    insert_many(tx, std::slice::from_ref(p)).await
}

const PROMPT_COLUMNS: &[&str] = &[
    "id",
    "title",
    "body",
    "variables",
    "notes",
    "modelHints",
    "visibility",
    "userId",
    "createdAt",
    "updatedAt",
    "isPubliclyShared",
    "publicShareId",
    "teamId",
    "kind",
    "messages",
    "config",
];

/// Inserts prompt rows, a few hundred per statement (imports write thousands at once).
pub async fn insert_many(tx: &mut Tx, rows: &[PromptRow]) -> sqlx::Result<()> {
    insert_rows(tx, "Prompt", PROMPT_COLUMNS, rows, |p| {
        vec![
            Arg::S(p.id.clone()),
            Arg::S(p.title.clone()),
            Arg::S(p.body.clone()),
            Arg::N(p.variables.clone()),
            Arg::N(p.notes.clone()),
            Arg::N(p.model_hints.clone()),
            Arg::S(p.visibility.as_str().to_string()),
            Arg::S(p.user_id.clone()),
            Arg::T(p.created_at),
            Arg::T(p.updated_at),
            Arg::B(p.is_publicly_shared),
            Arg::N(p.public_share_id.clone()),
            Arg::N(p.team_id.clone()),
            Arg::S(p.kind.as_str().to_string()),
            Arg::N(p.messages.clone()),
            Arg::N(p.config.clone()),
        ]
    })
    .await
}

/// Writes every mutable column of `p`.
pub async fn update(tx: &mut Tx, p: &PromptRow) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Prompt\" SET \"title\" = ?, \"body\" = ?, \"variables\" = ?, \"notes\" = ?, \
         \"modelHints\" = ?, \"visibility\" = ?, \"updatedAt\" = ?, \"isPubliclyShared\" = ?, \
         \"publicShareId\" = ?, \"teamId\" = ?, \"kind\" = ?, \"messages\" = ?, \"config\" = ? \
         WHERE \"id\" = ?"
    ))
    .bind(&p.title)
    .bind(&p.body)
    .bind(&p.variables)
    .bind(&p.notes)
    .bind(&p.model_hints)
    .bind(p.visibility)
    .bind(crate::db::Ts(p.updated_at))
    .bind(p.is_publicly_shared)
    .bind(&p.public_share_id)
    .bind(&p.team_id)
    .bind(p.kind)
    .bind(&p.messages)
    .bind(&p.config)
    .bind(&p.id)
    .execute(conn)
    .await
    .map(drop))
}

/// Deletes a prompt for good, and everything that hangs off it. The dependent rows are removed
/// explicitly (not only by ON DELETE CASCADE) so the result does not depend on the backend's
/// foreign-key settings.
pub async fn delete(tx: &mut Tx, id: &str) -> sqlx::Result<()> {
    for table in ["PromptVersion", "PromptTag", "Rating", "Favorite"] {
        execute(
            tx,
            format!("DELETE FROM \"{table}\" WHERE \"promptId\" = ?"),
            &[Arg::S(id.into())],
        )
        .await?;
    }
    execute(
        tx,
        "DELETE FROM \"Prompt\" WHERE \"id\" = ?".into(),
        &[Arg::S(id.into())],
    )
    .await
    .map(drop)
}

/// Deletes every prompt of a user (the trashed ones too) with their versions, tag links,
/// ratings and stars.
pub async fn delete_all_of_user(tx: &mut Tx, user_id: &str) -> sqlx::Result<()> {
    for table in ["PromptVersion", "PromptTag", "Rating", "Favorite"] {
        execute(
            tx,
            format!(
                "DELETE FROM \"{table}\" WHERE \"promptId\" IN \
                 (SELECT \"id\" FROM \"Prompt\" WHERE \"userId\" = ?)"
            ),
            &[Arg::S(user_id.into())],
        )
        .await?;
    }
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Prompt\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop))
}

/// Gives every prompt of `from` to `to`. Their team scoping is dropped (the teams were the old
/// owner's), so TEAM prompts follow the new owner's teams.
pub async fn transfer_all(tx: &mut Tx, from: &str, to: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Prompt\" SET \"userId\" = ?, \"teamId\" = NULL WHERE \"userId\" = ?"
    ))
    .bind(to)
    .bind(from)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn insert_version(tx: &mut Tx, v: &VersionRow) -> sqlx::Result<()> {
    insert_versions(tx, std::slice::from_ref(v)).await
}

const VERSION_COLUMNS: &[&str] = &[
    "id",
    "promptId",
    "version",
    "title",
    "body",
    "variables",
    "notes",
    "modelHints",
    "message",
    "authorId",
    "createdAt",
    "kind",
    "messages",
    "config",
];

/// Inserts version rows, a few hundred per statement.
pub async fn insert_versions(tx: &mut Tx, rows: &[VersionRow]) -> sqlx::Result<()> {
    insert_rows(tx, "PromptVersion", VERSION_COLUMNS, rows, |v| {
        vec![
            Arg::S(v.id.clone()),
            Arg::S(v.prompt_id.clone()),
            Arg::I(i64::from(v.version)),
            Arg::S(v.title.clone()),
            Arg::S(v.body.clone()),
            Arg::N(v.variables.clone()),
            Arg::N(v.notes.clone()),
            Arg::N(v.model_hints.clone()),
            Arg::N(v.message.clone()),
            Arg::N(v.author_id.clone()),
            Arg::T(v.created_at),
            Arg::S(v.kind.as_str().to_string()),
            Arg::N(v.messages.clone()),
            Arg::N(v.config.clone()),
        ]
    })
    .await
}

/// Versions of a prompt, newest first.
pub async fn versions(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<Vec<VersionRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"PromptVersion\" WHERE \"promptId\" = ? ORDER BY \"version\" DESC"
    ))
    .bind(prompt_id)
    .fetch_all(conn)
    .await)
}

pub async fn version_by_id(
    tx: &mut Tx,
    prompt_id: &str,
    id: &str,
) -> sqlx::Result<Option<VersionRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"PromptVersion\" WHERE \"promptId\" = ? AND \"id\" = ?"
    ))
    .bind(prompt_id)
    .bind(id)
    .fetch_optional(conn)
    .await)
}

pub async fn version_by_number(
    tx: &mut Tx,
    prompt_id: &str,
    number: i32,
) -> sqlx::Result<Option<VersionRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"PromptVersion\" WHERE \"promptId\" = ? AND \"version\" = ?"
    ))
    .bind(prompt_id)
    .bind(number)
    .fetch_optional(conn)
    .await)
}

pub async fn max_version(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<i32> {
    let n: Option<i32> = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT MAX(\"version\") FROM \"PromptVersion\" WHERE \"promptId\" = ?"
    ))
    .bind(prompt_id)
    .fetch_one(conn)
    .await)?;
    Ok(n.unwrap_or(0))
}

/// `(id, name, email)` of the owners of a page of prompts (one query).
pub async fn owners(
    tx: &mut Tx,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, Option<String>, String)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    fetch_all(
        tx,
        format!(
            "SELECT \"id\", \"name\", \"email\" FROM \"User\" WHERE \"id\" IN ({})",
            marks(user_ids.len())
        ),
        &user_ids.iter().cloned().map(Arg::S).collect::<Vec<_>>(),
    )
    .await
}

/// Is `user_id` a member of team `team_id`?
pub async fn is_member(tx: &mut Tx, user_id: &str, team_id: &str) -> sqlx::Result<bool> {
    let n: i64 = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"UserTeam\" WHERE \"userId\" = ? AND \"teamId\" = ?"
    ))
    .bind(user_id)
    .bind(team_id)
    .fetch_one(conn)
    .await)?;
    Ok(n > 0)
}

pub async fn team_count(tx: &mut Tx, user_id: &str) -> sqlx::Result<i64> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"UserTeam\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .fetch_one(conn)
    .await)
}
