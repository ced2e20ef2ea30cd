//! Personal API tokens for programs: `Authorization: Bearer pv_…`. The secret is shown once;
//! only its SHA-256 is stored, with a short prefix so people can tell tokens apart.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
use crate::on;
use crate::users::store::UserRow;

pub const PREFIX: &str = "pv_";

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_opt_ts")]
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Creates a token; returns its description and the secret (shown to the user once).
pub async fn create(db: &Db, user_id: &str, name: Option<&str>) -> Result<(TokenInfo, String)> {
    let name = crate::text::required_name(name.unwrap_or_default())
        .map_err(|p| Error::invalid_field("name", p))?;
    let secret = format!("{PREFIX}{}", super::new_secret());
    let info = TokenInfo {
        id: db::new_id(),
        name,
        prefix: secret.chars().take(10).collect(),
        created_at: db::now(),
        last_used_at: None,
    };
    let mut tx = db.write().await?;
    on!(&mut tx, |conn, sql| {
        sqlx::query(sql(
        "INSERT INTO \"ApiToken\" (\"id\", \"userId\", \"name\", \"prefix\", \"tokenHash\", \"createdAt\") \
         VALUES (?, ?, ?, ?, ?, ?)"
    ))
    .bind(&info.id)
    .bind(user_id)
    .bind(&info.name)
    .bind(&info.prefix)
    .bind(super::digest(&secret))
    .bind(crate::db::Ts(info.created_at))
    .execute(conn)
    .await
    .map(drop)
    })?;
    tx.commit().await?;
    Ok((info, secret))
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<TokenInfo>> {
    let mut tx = db.read().await?;
    Ok(on!(&mut tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"id\", \"name\", \"prefix\", \"createdAt\", \"lastUsedAt\" FROM \"ApiToken\" \
         WHERE \"userId\" = ? ORDER BY \"createdAt\" DESC, \"id\""
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)?)
}

/// Ends every API token of a user (any password change or reset).
pub async fn revoke_all(tx: &mut Tx, user_id: &str) -> sqlx::Result<u64> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"ApiToken\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}

pub async fn revoke(db: &Db, user_id: &str, id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    let n = on!(&mut tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"ApiToken\" WHERE \"id\" = ? AND \"userId\" = ?"
    ))
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    if n == 0 {
        Err(Error::not_found())
    } else {
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct TokenUser {
    #[sqlx(flatten)]
    user: UserRow,
    token_id: String,
    last_used_at: Option<DateTime<Utc>>,
}

/// The user owning a token secret; records when it was last used (at most once a minute).
pub async fn user_for(db: &Db, secret: &str) -> Result<Option<UserRow>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found: Option<TokenUser> = db
        .fetch_optional_by(
            "SELECT u.*, t.\"id\" AS \"tokenId\", t.\"lastUsedAt\" FROM \"ApiToken\" t \
             JOIN \"User\" u ON u.\"id\" = t.\"userId\" WHERE t.\"tokenHash\" = ?",
            &super::digest(secret),
        )
        .await?;
    let Some(found) = found else { return Ok(None) };
    let now = db::now();
    if found
        .last_used_at
        .is_none_or(|t| now - t > Duration::seconds(60))
    {
        let mut tx = db.write().await?;
        on!(&mut tx, |conn, sql| sqlx::query(sql(
            "UPDATE \"ApiToken\" SET \"lastUsedAt\" = ? WHERE \"id\" = ?"
        ))
        .bind(crate::db::Ts(now))
        .bind(&found.token_id)
        .execute(conn)
        .await
        .map(drop))?;
        tx.commit().await?;
    }
    Ok(Some(found.user))
}
