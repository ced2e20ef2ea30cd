//! Keeping the search index whole: detect a missing or stale index (a database filled by other
//! means, a restore, a backend without triggers on cascades) and rebuild it.

use std::time::Instant;

use crate::db::{Backend, Db, Tx};
use crate::error::Result;
use crate::on;

/// Prompts without a search document, plus documents without a prompt.
pub async fn stale_rows(tx: &mut Tx) -> sqlx::Result<i64> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT (SELECT COUNT(*) FROM \"Prompt\" p WHERE NOT EXISTS \
               (SELECT 1 FROM PromptSearchKey k WHERE k.promptId = p.\"id\")) \
             + ABS((SELECT COUNT(*) FROM PromptSearchKey) - (SELECT COUNT(*) FROM \"Prompt\")) \
             + ABS((SELECT COUNT(*) FROM PromptSearch_docsize) - (SELECT COUNT(*) FROM PromptSearchKey))"
        }
        _ => {
            "SELECT (SELECT COUNT(*) FROM \"Prompt\" p WHERE NOT EXISTS \
               (SELECT 1 FROM \"PromptSearch\" s WHERE s.\"promptId\" = p.\"id\")) \
             + ABS((SELECT COUNT(*) FROM \"PromptSearch\") - (SELECT COUNT(*) FROM \"Prompt\"))"
        }
    };
    let n: i64 = on!(tx, |conn, q| sqlx::query_scalar(q(sql))
        .fetch_one(conn)
        .await)?;
    Ok(n)
}

const SQLITE_REBUILD: &[&str] = &[
    "DELETE FROM PromptSearch",
    "DELETE FROM PromptSearchKey",
    "INSERT INTO PromptSearchKey (promptId) SELECT id FROM Prompt",
    "INSERT INTO PromptSearch (rowid, promptId, title, body, notes, tags) \
     SELECT k.rowid, p.id, p.title, p.body, coalesce(p.notes, ''), \
       coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt JOIN Tag t ON t.id = pt.tagId \
                 WHERE pt.promptId = p.id), '') \
     FROM Prompt p JOIN PromptSearchKey k ON k.promptId = p.id",
    "INSERT INTO PromptSearch (PromptSearch) VALUES ('optimize')",
];

const POSTGRES_REBUILD: &[&str] = &[
    "DELETE FROM \"PromptSearch\"",
    "INSERT INTO \"PromptSearch\" (\"promptId\", \"tags\", \"document\") \
     SELECT p.\"id\", coalesce(tg.names, ''), \
       setweight(to_tsvector('english', p.\"title\"), 'A') \
       || setweight(to_tsvector('english', coalesce(tg.names, '')), 'B') \
       || setweight(to_tsvector('english', coalesce(p.\"notes\", '')), 'C') \
       || setweight(to_tsvector('english', p.\"body\"), 'D') \
     FROM \"Prompt\" p LEFT JOIN LATERAL (SELECT string_agg(t.\"name\", ' ' ORDER BY t.\"name\") AS names \
       FROM \"PromptTag\" pt JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" WHERE pt.\"promptId\" = p.\"id\") tg ON TRUE",
];

const MYSQL_REBUILD: &[&str] = &[
    "DELETE FROM \"PromptSearch\"",
    "INSERT INTO \"PromptSearch\" (\"promptId\", \"title\", \"body\", \"notes\", \"tags\") \
     SELECT p.\"id\", p.\"title\", p.\"body\", coalesce(p.\"notes\", ''), \
       coalesce((SELECT GROUP_CONCAT(t.\"name\" ORDER BY t.\"name\" SEPARATOR ' ') FROM \"PromptTag\" pt \
                 JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" WHERE pt.\"promptId\" = p.\"id\"), '') \
     FROM \"Prompt\" p",
];

/// Rebuilds the whole index in one transaction; returns the number of documents.
pub async fn reindex(db: &Db) -> Result<i64> {
    let started = Instant::now();
    let mut tx = db.write().await?;
    let steps = match tx.backend() {
        Backend::Sqlite => SQLITE_REBUILD,
        Backend::Postgres => POSTGRES_REBUILD,
        Backend::MySql => MYSQL_REBUILD,
    };
    for step in steps {
        on!(&mut tx, |conn, q| sqlx::query(q(step))
            .execute(conn)
            .await
            .map(drop))?;
    }
    let n: i64 = on!(&mut tx, |conn, q| sqlx::query_scalar(q(
        "SELECT COUNT(*) FROM \"Prompt\""
    ))
    .fetch_one(conn)
    .await)?;
    tx.commit().await?;
    tracing::info!(
        documents = n,
        ms = started.elapsed().as_millis() as u64,
        "search index rebuilt"
    );
    Ok(n)
}

/// Documents minus prompts, from counts only (milliseconds at 100,000 prompts; the full check of
/// [`stale_rows`] reads every prompt's key).
async fn count_difference(tx: &mut Tx) -> sqlx::Result<i64> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT ABS((SELECT COUNT(*) FROM PromptSearchKey) - (SELECT COUNT(*) FROM \"Prompt\")) \
             + ABS((SELECT COUNT(*) FROM PromptSearch_docsize) - (SELECT COUNT(*) FROM PromptSearchKey))"
        }
        _ => {
            "SELECT ABS((SELECT COUNT(*) FROM \"PromptSearch\") - (SELECT COUNT(*) FROM \"Prompt\"))"
        }
    };
    on!(tx, |conn, q| sqlx::query_scalar(q(sql))
        .fetch_one(conn)
        .await)
}

/// When the server starts: an index whose size does not match the prompts is rebuilt before
/// the first request; the full check (a prompt without its document, hidden by an extra
/// document elsewhere) runs in the background, so start-up does not read every prompt.
pub async fn ensure_fresh_at_start(db: &Db) -> Result<()> {
    let mut tx = db.read().await?;
    let differ = count_difference(&mut tx).await?;
    drop(tx);
    if differ != 0 {
        tracing::warn!(differ, "search index out of date; rebuilding");
        reindex(db).await?;
        return Ok(());
    }
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(e) = ensure_fresh(&db).await {
            tracing::warn!(error = %e, "search index check failed");
        }
    });
    Ok(())
}

/// Rebuilds the index when it does not match the prompts. Returns whether it did.
pub async fn ensure_fresh(db: &Db) -> Result<bool> {
    let mut tx = db.read().await?;
    let stale = stale_rows(&mut tx).await?;
    drop(tx);
    if stale == 0 {
        return Ok(false);
    }
    tracing::warn!(stale, "search index out of date; rebuilding");
    reindex(db).await?;
    Ok(true)
}

/// Bulk writes (imports): on PostgreSQL the search documents of the prompts this transaction
/// adds are written once, by [`catch_up`], instead of once per insert statement of prompts and
/// once more per statement of their tag links. Elsewhere nothing changes.
pub async fn later(tx: &mut Tx) -> sqlx::Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT set_config('promptvault.search_later', 'on', true)")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Writes the search documents of `ids` after [`later`] (PostgreSQL; a no-op elsewhere), and
/// ends the deferral for the rest of the transaction.
pub async fn catch_up(tx: &mut Tx, ids: &[&str]) -> sqlx::Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT set_config('promptvault.search_later', 'off', true)")
            .execute(&mut **t)
            .await?;
        for chunk in ids.chunks(5_000) {
            sqlx::query("SELECT prompt_search_refresh_many($1)")
                .bind(chunk)
                .execute(&mut **t)
                .await?;
        }
    }
    Ok(())
}
