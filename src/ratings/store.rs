//! SQL for `Rating`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Tx;
use crate::on;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct RatingRow {
    pub id: String,
    pub user_id: String,
    pub prompt_id: String,
    pub value: i32,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
}

pub async fn find(tx: &mut Tx, user_id: &str, prompt_id: &str) -> sqlx::Result<Option<RatingRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Rating\" WHERE \"userId\" = ? AND \"promptId\" = ?"
    ))
    .bind(user_id)
    .bind(prompt_id)
    .fetch_optional(conn)
    .await)
}

pub async fn insert(tx: &mut Tx, r: &RatingRow) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "INSERT INTO \"Rating\" (\"id\", \"userId\", \"promptId\", \"value\", \"createdAt\", \
         \"updatedAt\") VALUES (?, ?, ?, ?, ?, ?)"
    ))
    .bind(&r.id)
    .bind(&r.user_id)
    .bind(&r.prompt_id)
    .bind(r.value)
    .bind(crate::db::Ts(r.created_at))
    .bind(crate::db::Ts(r.updated_at))
    .execute(conn)
    .await
    .map(drop))
}

pub async fn set_value(tx: &mut Tx, id: &str, value: i32, now: DateTime<Utc>) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Rating\" SET \"value\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?"
    ))
    .bind(value)
    .bind(crate::db::Ts(now))
    .bind(id)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn delete(tx: &mut Tx, user_id: &str, prompt_id: &str) -> sqlx::Result<u64> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Rating\" WHERE \"userId\" = ? AND \"promptId\" = ?"
    ))
    .bind(user_id)
    .bind(prompt_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}

/// Ratings of one prompt, oldest first.
pub async fn of_prompt(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<Vec<RatingRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Rating\" WHERE \"promptId\" = ? ORDER BY \"createdAt\", \"id\""
    ))
    .bind(prompt_id)
    .fetch_all(conn)
    .await)
}
