//! Whole-library reads for export: one query per table, scoped by owner (an IN-list only for
//! an export of selected prompts). Prompts in the trash are left out.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::prompts::store::{Arg, PromptRow, VersionRow, fetch_all, marks};

/// `AND …` limiting prompt `p` to live prompts (not in the trash) and, with `only`, to those
/// ids; the binds follow the owner's id.
fn selection(only: Option<&[String]>, args: &mut Vec<Arg>) -> String {
    let mut sql = format!(" AND {}", crate::prompts::access::LIVE);
    if let Some(ids) = only {
        sql.push_str(&format!(" AND p.\"id\" IN ({})", marks(ids.len())));
        args.extend(ids.iter().cloned().map(Arg::S));
    }
    sql
}

/// The owner's live prompts (with `only`, those of them), oldest first.
pub async fn prompts_of(
    tx: &mut Tx,
    user_id: &str,
    only: Option<&[String]>,
) -> sqlx::Result<Vec<PromptRow>> {
    let mut args = vec![Arg::S(user_id.into())];
    let sel = selection(only, &mut args);
    fetch_all(
        tx,
        format!(
            "SELECT p.* FROM \"Prompt\" p WHERE p.\"userId\" = ?{sel} \
             ORDER BY p.\"createdAt\", p.\"id\""
        ),
        &args,
    )
    .await
}

pub async fn versions_of(
    tx: &mut Tx,
    user_id: &str,
    only: Option<&[String]>,
) -> sqlx::Result<Vec<VersionRow>> {
    let mut args = vec![Arg::S(user_id.into())];
    let sel = selection(only, &mut args);
    fetch_all(
        tx,
        format!(
            "SELECT v.* FROM \"PromptVersion\" v JOIN \"Prompt\" p ON p.\"id\" = v.\"promptId\" \
             WHERE p.\"userId\" = ?{sel} ORDER BY v.\"promptId\", v.\"version\""
        ),
        &args,
    )
    .await
}

pub async fn tags_of(
    tx: &mut Tx,
    user_id: &str,
    only: Option<&[String]>,
) -> sqlx::Result<Vec<(String, String, String)>> {
    let mut args = vec![Arg::S(user_id.into())];
    let sel = selection(only, &mut args);
    fetch_all(
        tx,
        format!(
            "SELECT pt.\"promptId\", t.\"id\", t.\"name\" FROM \"PromptTag\" pt \
             JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" JOIN \"Prompt\" p ON p.\"id\" = pt.\"promptId\" \
             WHERE p.\"userId\" = ?{sel} ORDER BY t.\"name\""
        ),
        &args,
    )
    .await
}

pub async fn ratings_of(
    tx: &mut Tx,
    user_id: &str,
    only: Option<&[String]>,
) -> sqlx::Result<Vec<(String, String, String, i32, DateTime<Utc>)>> {
    let mut args = vec![Arg::S(user_id.into())];
    let sel = selection(only, &mut args);
    fetch_all(
        tx,
        format!(
            "SELECT r.\"promptId\", r.\"userId\", u.\"email\", r.\"value\", r.\"createdAt\" \
             FROM \"Rating\" r JOIN \"Prompt\" p ON p.\"id\" = r.\"promptId\" \
             JOIN \"User\" u ON u.\"id\" = r.\"userId\" \
             WHERE p.\"userId\" = ?{sel} ORDER BY r.\"createdAt\", r.\"id\""
        ),
        &args,
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
            "SELECT \"title\", \"body\" FROM \"Prompt\" WHERE \"userId\" = ? \
             AND \"deletedAt\" IS NULL AND \"title\" IN ({})",
            crate::db::dynamic::marks(chunk.len())
        );
        out.extend(fetch_all::<(String, String)>(tx, sql, &args).await?);
    }
    Ok(out)
}
