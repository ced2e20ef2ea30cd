//! SQL for `Settings`.

use serde::Serialize;

use crate::db::{self, Tx};
use crate::on;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub allow_registration: bool,
}

/// The settings row; defaults when it is missing (a database filled by other means).
pub async fn get(tx: &mut Tx) -> sqlx::Result<Settings> {
    let row: Option<Settings> = on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"allowRegistration\" FROM \"Settings\" WHERE \"id\" = 1"
    ))
    .fetch_optional(conn)
    .await)?;
    Ok(row.unwrap_or(Settings {
        allow_registration: true,
    }))
}

pub async fn save(tx: &mut Tx, s: &Settings) -> sqlx::Result<()> {
    let now = db::now();
    let exists: i64 = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"Settings\" WHERE \"id\" = 1"
    ))
    .fetch_one(conn)
    .await)?;
    let statement = if exists > 0 {
        "UPDATE \"Settings\" SET \"allowRegistration\" = ?, \"updatedAt\" = ? WHERE \"id\" = 1"
    } else {
        "INSERT INTO \"Settings\" (\"allowRegistration\", \"updatedAt\", \"id\") VALUES (?, ?, 1)"
    };
    on!(tx, |conn, sql| sqlx::query(sql(statement))
        .bind(s.allow_registration)
        .bind(crate::db::Ts(now))
        .execute(conn)
        .await
        .map(drop))
}
