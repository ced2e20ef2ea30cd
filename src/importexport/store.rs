//! Whole-library reads for export: one query per table, scoped by owner (no IN-lists).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::on;
use crate::prompts::store::{Arg, PromptRow, VersionRow, fetch_all};

pub async fn prompts_of(tx: &mut Tx, user_id: &str) -> sqlx::Result<Vec<PromptRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Prompt\" WHERE \"userId\" = ? ORDER BY \"createdAt\", \"id\""
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)
}

pub async fn versions_of(tx: &mut Tx, user_id: &str) -> sqlx::Result<Vec<VersionRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT v.* FROM \"PromptVersion\" v JOIN \"Prompt\" p ON p.\"id\" = v.\"promptId\" \
         WHERE p.\"userId\" = ? ORDER BY v.\"promptId\", v.\"version\""
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)
}

pub async fn tags_of(tx: &mut Tx, user_id: &str) -> sqlx::Result<Vec<(String, String, String)>> {
    fetch_all(
        tx,
        "SELECT pt.\"promptId\", t.\"id\", t.\"name\" FROM \"PromptTag\" pt \
         JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" JOIN \"Prompt\" p ON p.\"id\" = pt.\"promptId\" \
         WHERE p.\"userId\" = ? ORDER BY t.\"name\""
            .into(),
        &[Arg::S(user_id.into())],
    )
    .await
}

pub async fn ratings_of(
    tx: &mut Tx,
    user_id: &str,
) -> sqlx::Result<Vec<(String, String, String, i32, DateTime<Utc>)>> {
    fetch_all(
        tx,
        "SELECT r.\"promptId\", r.\"userId\", u.\"email\", r.\"value\", r.\"createdAt\" \
         FROM \"Rating\" r JOIN \"Prompt\" p ON p.\"id\" = r.\"promptId\" \
         JOIN \"User\" u ON u.\"id\" = r.\"userId\" \
         WHERE p.\"userId\" = ? ORDER BY r.\"createdAt\", r.\"id\""
            .into(),
        &[Arg::S(user_id.into())],
    )
    .await
}

/// The caller's `(title, body)` pairs whose title is one of `titles` (an import's duplicates
/// check: it reads only the titles a file brings, not the whole library).
pub async fn titles_and_bodies(
    tx: &mut Tx,
    user_id: &str,
    titles: &[&str],
) -> sqlx::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in titles.chunks(500) {
        let mut args = vec![Arg::S(user_id.into())];
        args.extend(chunk.iter().map(|t| Arg::S((*t).to_string())));
        let sql = format!(
            "SELECT \"title\", \"body\" FROM \"Prompt\" WHERE \"userId\" = ? AND \"title\" IN ({})",
            crate::db::dynamic::marks(chunk.len())
        );
        out.extend(fetch_all::<(String, String)>(tx, sql, &args).await?);
    }
    Ok(out)
}
