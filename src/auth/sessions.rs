//! Server-side sessions: the cookie holds a random secret, the database its SHA-256.

use chrono::{DateTime, Duration, Utc};

use axum::http::HeaderValue;

use crate::config::Config;
use crate::db::{self, Db, Tx};
use crate::error::Result;
use crate::on;
use crate::users::store::UserRow;

pub const COOKIE: &str = "token";

/// Starts a session for `user_id`; returns the secret for the cookie.
pub async fn create(db: &Db, user_id: &str, days: u32, user_agent: Option<&str>) -> Result<String> {
    let secret = super::new_secret();
    let now = db::now();
    let expires = now + Duration::days(i64::from(days));
    let agent: Option<String> = user_agent.map(|a| a.chars().take(500).collect());
    let mut tx = db.write().await?;
    on!(&mut tx, |conn, sql| {
        sqlx::query(sql(
        "INSERT INTO \"Session\" (\"id\", \"userId\", \"createdAt\", \"expiresAt\", \"lastSeenAt\", \"userAgent\") \
         VALUES (?, ?, ?, ?, ?, ?)"
    ))
    .bind(super::digest(&secret))
    .bind(user_id)
    .bind(crate::db::Ts(now))
    .bind(crate::db::Ts(expires))
    .bind(crate::db::Ts(now))
    .bind(&agent)
    .execute(conn)
    .await
    .map(drop)
    })?;
    tx.commit().await?;
    Ok(secret)
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct SessionUser {
    #[sqlx(flatten)]
    user: UserRow,
    expires_at: DateTime<Utc>,
}

/// The user behind a live session secret, read fresh from the database (role included).
pub async fn user_for(db: &Db, secret: &str) -> Result<Option<UserRow>> {
    let found: Option<SessionUser> = db
        .fetch_optional_by(
            "SELECT u.*, s.\"expiresAt\" FROM \"Session\" s JOIN \"User\" u ON u.\"id\" = s.\"userId\" \
             WHERE s.\"id\" = ?",
            &super::digest(secret),
        )
        .await?;
    Ok(found.filter(|s| s.expires_at > Utc::now()).map(|s| s.user))
}

/// Ends one session (logout).
pub async fn revoke(db: &Db, secret: &str) -> Result<()> {
    let mut tx = db.write().await?;
    on!(&mut tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Session\" WHERE \"id\" = ?"
    ))
    .bind(super::digest(secret))
    .execute(conn)
    .await
    .map(drop))?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user (password reset by an admin).
pub async fn revoke_all(tx: &mut Tx, user_id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Session\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop))
}

/// Ends every session of a user but the one with `keep_secret` (own password change).
pub async fn revoke_others(
    tx: &mut Tx,
    user_id: &str,
    keep_secret: Option<&str>,
) -> sqlx::Result<()> {
    let keep = keep_secret.map(super::digest).unwrap_or_default();
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Session\" WHERE \"userId\" = ? AND \"id\" <> ?"
    ))
    .bind(user_id)
    .bind(&keep)
    .execute(conn)
    .await
    .map(drop))
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let mut tx = db.write().await?;
    let n = on!(&mut tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Session\" WHERE \"expiresAt\" < ?"
    ))
    .bind(crate::db::Ts(db::now()))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n)
}

/// `Set-Cookie` for a session secret (or its removal with `None`).
pub fn cookie(config: &Config, secret: Option<&str>) -> HeaderValue {
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let value = match secret {
        Some(s) => format!(
            "{}={s}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
            COOKIE,
            u64::from(config.session_days) * 86_400
        ),
        None => format!(
            "{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}",
            COOKIE
        ),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("token=; Max-Age=0"))
}
