//! Prompts: the heart of PromptVault.

pub mod access;
pub mod store;

use crate::db::Db;
use crate::error::Result;
use crate::users::UserRow;

#[derive(serde::Serialize, sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
struct HitRow {
    id: String,
    title: String,
    body: String,
    visibility: String,
    user_id: String,
    team_id: Option<String>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    created_at: chrono::DateTime<chrono::Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// Search hits as prompt objects (in hit order) with `snippet` and `score`.
pub async fn hits_json(
    db: &Db,
    _caller: &UserRow,
    hits: &[crate::search::Hit],
) -> Result<Vec<serde_json::Value>> {
    let mut tx = db.read().await?;
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let row: Option<HitRow> = crate::on!(&mut tx, |conn, sql| {
            sqlx::query_as(sql(
            "SELECT \"id\", \"title\", \"body\", \"visibility\", \"userId\", \"teamId\", \"createdAt\", \"updatedAt\" \
             FROM \"Prompt\" WHERE \"id\" = ?"
        ))
        .bind(&hit.id)
        .fetch_optional(conn)
        .await
        })?;
        if let Some(row) = row {
            let mut v = serde_json::to_value(row)
                .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
            v["snippet"] = serde_json::json!(hit.snippet);
            v["score"] = serde_json::json!(hit.score);
            out.push(v);
        }
    }
    Ok(out)
}
