//! The trash: deleting a prompt sets its `deletedAt` instead of removing it. From then on no
//! read of the library sees it (`access::LIVE` is part of `access::READABLE` and of every list
//! scope), its owner can restore it or delete it for good here, and the leader purges what has
//! been in the trash for [`KEEP_DAYS`] days (`auth::housekeeping`).
//!
//! Rules: only the owner trashes, lists, restores or deletes their trashed prompts; someone else
//! gets 404 for a trashed prompt (it is not readable). The prompt keeps everything while in the
//! trash (versions, tags, ratings, stars, name, labels, share link), so a restore gives it back
//! whole; its name stays taken meanwhile.

use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::store::{self, Arg, execute, fetch_all, fetch_count};
use crate::db::{self, Backend, Db, Tx, schema};
use crate::error::{Error, Result};
use crate::listing::{Total, check_page};
use crate::users::UserRow;

/// How long a prompt stays in the trash before it is deleted for good.
pub const KEEP_DAYS: i64 = 30;

/// A prompt in the caller's trash.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TrashedPrompt {
    pub id: String,
    pub title: String,
    pub visibility: super::Visibility,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub deleted_at: DateTime<Utc>,
    /// When it will be deleted for good.
    #[sqlx(skip)]
    #[serde(serialize_with = "crate::db::ser_ts")]
    #[schema(value_type = String)]
    pub purge_at: DateTime<Utc>,
}

fn keep() -> chrono::Duration {
    chrono::Duration::days(KEEP_DAYS)
}

/// Owner only: moves a live prompt to the trash (404 unreadable, 403 not the owner).
pub async fn move_to_trash(db: &Db, caller: &UserRow, id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    let row = super::owned_row(&mut tx, &caller.id, id).await?;
    execute(
        &mut tx,
        "UPDATE \"Prompt\" SET \"deletedAt\" = ? WHERE \"id\" = ?".into(),
        &[Arg::T(db::now()), Arg::S(id.into())],
    )
    .await?;
    crate::registry::audit::record(
        &mut tx,
        Some(id),
        Some(&caller.id),
        "prompt.trash",
        serde_json::json!({ "title": row.title }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A page of the caller's trash, most recently deleted first, with the total.
pub async fn list(
    db: &Db,
    caller: &UserRow,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TrashedPrompt>, Total)> {
    let (limit, offset) = check_page(limit, offset)?;
    let mut tx = db.read().await?;
    let total = fetch_count(
        &mut tx,
        "SELECT COUNT(*) FROM \"Prompt\" WHERE \"userId\" = ? AND \"deletedAt\" IS NOT NULL".into(),
        &[Arg::S(caller.id.clone())],
    )
    .await?;
    let mut rows: Vec<TrashedPrompt> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"title\", \"visibility\", \"updatedAt\", \"deletedAt\" FROM \"Prompt\" \
         WHERE \"userId\" = ? AND \"deletedAt\" IS NOT NULL \
         ORDER BY \"deletedAt\" DESC, \"id\" DESC LIMIT ? OFFSET ?"
            .into(),
        &[Arg::S(caller.id.clone()), Arg::I(limit), Arg::I(offset)],
    )
    .await?;
    for r in &mut rows {
        r.purge_at = r.deleted_at + keep();
    }
    Ok((rows, Total::exact(total)))
}

/// The caller's trashed prompt `id`, locked for the transaction (404 otherwise).
async fn trashed_row(tx: &mut Tx, caller: &str, id: &str) -> Result<String> {
    if !crate::text::is_id(id) {
        return Err(Error::not_found());
    }
    let lock = if tx.backend() == Backend::Sqlite {
        ""
    } else {
        " FOR UPDATE"
    };
    let rows: Vec<(String, String)> = fetch_all(
        tx,
        format!(
            "SELECT \"id\", \"title\" FROM \"Prompt\" WHERE \"id\" = ? AND \"userId\" = ? \
             AND \"deletedAt\" IS NOT NULL{lock}"
        ),
        &[Arg::S(id.into()), Arg::S(caller.into())],
    )
    .await?;
    rows.into_iter()
        .next()
        .map(|(_, title)| title)
        .ok_or_else(Error::not_found)
}

/// Owner only: takes prompts out of the trash, as they were. Any id that is not in the caller's
/// trash is a 404 and nothing changes. Returns how many came back.
pub async fn restore(db: &Db, caller: &UserRow, ids: &[String]) -> Result<usize> {
    if ids.len() > super::BULK_MAX {
        return Err(Error::invalid_field(
            "ids",
            format!("at most {} prompts at once", super::BULK_MAX),
        ));
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut tx = db.write().await?;
    for id in &ids {
        let title = trashed_row(&mut tx, &caller.id, id).await?;
        execute(
            &mut tx,
            "UPDATE \"Prompt\" SET \"deletedAt\" = NULL WHERE \"id\" = ?".into(),
            &[Arg::S(id.clone())],
        )
        .await?;
        crate::registry::audit::record(
            &mut tx,
            Some(id),
            Some(&caller.id),
            "prompt.restore",
            serde_json::json!({ "title": title }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Owner only: deletes a trashed prompt for good, with everything that hangs off it.
pub async fn delete_forever(db: &Db, caller: &UserRow, id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    let title = trashed_row(&mut tx, &caller.id, id).await?;
    destroy(&mut tx, Some(&caller.id), id, &title).await?;
    tx.commit().await?;
    Ok(())
}

/// Owner only: deletes everything in the caller's trash for good. Returns how many went.
pub async fn empty(db: &Db, caller: &UserRow) -> Result<usize> {
    let mut tx = db.write().await?;
    let rows: Vec<(String, String)> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"title\" FROM \"Prompt\" WHERE \"userId\" = ? AND \"deletedAt\" IS NOT NULL"
            .into(),
        &[Arg::S(caller.id.clone())],
    )
    .await?;
    for (id, title) in &rows {
        destroy(&mut tx, Some(&caller.id), id, title).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

async fn destroy(tx: &mut Tx, actor: Option<&str>, id: &str, title: &str) -> Result<()> {
    store::delete(tx, id).await?;
    crate::registry::audit::record(
        tx,
        Some(id),
        actor,
        "prompt.delete",
        serde_json::json!({ "title": title }),
    )
    .await?;
    Ok(())
}

/// Deletes for good the prompts that have been in the trash longer than [`KEEP_DAYS`] days
/// (at most 500 per call, each in its own transaction). Returns how many went.
pub async fn purge_expired(db: &Db) -> Result<usize> {
    purge_older_than(db, db::now() - keep()).await
}

/// [`purge_expired`] with the cut-off given (tests).
pub async fn purge_older_than(db: &Db, before: DateTime<Utc>) -> Result<usize> {
    let old: Vec<(String, String)> = {
        let mut tx = db.read().await?;
        fetch_all(
            &mut tx,
            "SELECT \"id\", \"title\" FROM \"Prompt\" WHERE \"deletedAt\" IS NOT NULL \
             AND \"deletedAt\" < ? ORDER BY \"deletedAt\" LIMIT 500"
                .into(),
            &[Arg::T(before)],
        )
        .await?
    };
    let mut n = 0;
    for (id, title) in old {
        let mut tx = db.write().await?;
        // Still there and still old (it may have been restored meanwhile).
        let still = fetch_count(
            &mut tx,
            "SELECT COUNT(*) FROM \"Prompt\" WHERE \"id\" = ? AND \"deletedAt\" IS NOT NULL \
             AND \"deletedAt\" < ?"
                .into(),
            &[Arg::S(id.clone()), Arg::T(before)],
        )
        .await?;
        if still > 0 {
            destroy(&mut tx, None, &id, &title).await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// The Rust step of migration 0009 (`0009_favorites_trash`): on MySQL the `deletedAt` column
/// and its indexes (checked first: MySQL DDL is not transactional, a retried run is harmless).
pub fn migrate(tx: &mut Tx) -> Pin<Box<dyn Future<Output = sqlx::Result<()>> + Send + '_>> {
    Box::pin(async move {
        if tx.backend() != Backend::MySql {
            return Ok(());
        }
        if !schema::has_column(tx, "Prompt", "deletedAt").await? {
            execute(
                tx,
                "ALTER TABLE \"Prompt\" ADD COLUMN \"deletedAt\" DATETIME(3) NULL".into(),
                &[],
            )
            .await?;
        }
        for (index, columns) in [
            ("idx_prompt_deleted", "\"deletedAt\""),
            ("idx_prompt_user_deleted", "\"userId\", \"deletedAt\""),
        ] {
            if !schema::has_index(tx, "Prompt", index).await? {
                execute(
                    tx,
                    format!("CREATE INDEX {index} ON \"Prompt\"({columns})"),
                    &[],
                )
                .await?;
            }
        }
        Ok(())
    })
}
