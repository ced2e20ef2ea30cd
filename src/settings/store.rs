//! SQL for `Settings`.

use serde::Serialize;

use crate::db::{self, Backend, Tx};
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

/// Locks the settings row until `tx` ends, creating it with its defaults when missing: the one
/// place where transactions that must not overlap (the first registration, which makes the
/// administrator) queue behind each other. SQLite's `BEGIN IMMEDIATE` already serialises writers;
/// PostgreSQL and MySQL take the row lock, so a count read after this call sees every account
/// committed before it.
pub async fn lock(tx: &mut Tx) -> sqlx::Result<()> {
    if tx.backend() == Backend::Sqlite {
        return Ok(());
    }
    // Lock first: inserting over an existing row would take a shared lock on it (MySQL), and two
    // transactions holding it would deadlock on the upgrade.
    if lock_row(tx).await? {
        return Ok(());
    }
    let insert = match tx.backend() {
        Backend::MySql => {
            "INSERT IGNORE INTO \"Settings\" (\"id\", \"allowRegistration\", \"updatedAt\") \
             VALUES (1, TRUE, ?)"
        }
        _ => {
            "INSERT INTO \"Settings\" (\"id\", \"allowRegistration\", \"updatedAt\") \
             VALUES (1, TRUE, ?) ON CONFLICT DO NOTHING"
        }
    };
    db::dynamic::execute(tx, insert.into(), &[db::dynamic::Arg::T(db::now())]).await?;
    lock_row(tx).await.map(drop)
}

/// `SELECT … FOR UPDATE` of the settings row; false when there is none.
async fn lock_row(tx: &mut Tx) -> sqlx::Result<bool> {
    let found: Option<bool> = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT \"allowRegistration\" FROM \"Settings\" WHERE \"id\" = 1 FOR UPDATE"
    ))
    .fetch_optional(conn)
    .await)?;
    Ok(found.is_some())
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
