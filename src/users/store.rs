//! SQL for the `User` table.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::domain::Role;
use crate::db::Tx;
use crate::db::dynamic::{Arg, fetch_all, marks};
use crate::on;

#[derive(Clone, Debug, sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password: String,
    pub name: Option<String>,
    pub team: Option<String>,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The user object of the API: `{id, email, name, team, role}` — never the password hash.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicUser {
    pub id: String,
    pub email: String,
    #[schema(required = true)]
    pub name: Option<String>,
    /// The name of the user's primary team, or null.
    #[schema(required = true)]
    pub team: Option<String>,
    pub role: Role,
}

impl From<&UserRow> for PublicUser {
    fn from(u: &UserRow) -> Self {
        PublicUser {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            team: u.team.clone(),
            role: u.role,
        }
    }
}

impl UserRow {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

pub async fn count(tx: &mut Tx) -> sqlx::Result<i64> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"User\""
    ))
    .fetch_one(conn)
    .await)
}

pub async fn count_admins(tx: &mut Tx) -> sqlx::Result<i64> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"User\" WHERE \"role\" = 'ADMIN'"
    ))
    .fetch_one(conn)
    .await)
}

pub async fn by_id(tx: &mut Tx, id: &str) -> sqlx::Result<Option<UserRow>> {
    if !crate::text::is_id(id) {
        return Ok(None);
    }
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"User\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// The account with this address under the folding rule (`text::fold`): emails are stored
/// folded, so this is an exact, indexed comparison on every backend.
pub async fn by_email(tx: &mut Tx, email: &str) -> sqlx::Result<Option<UserRow>> {
    let key = crate::text::fold(email.trim());
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"User\" WHERE \"email\" = ?"
    ))
    .bind(&key)
    .fetch_optional(conn)
    .await)
}

pub async fn insert(tx: &mut Tx, u: &UserRow) -> sqlx::Result<()> {
    on!(tx, |conn, sql| {
        sqlx::query(sql(
        "INSERT INTO \"User\" (\"id\", \"email\", \"password\", \"name\", \"team\", \"role\", \"createdAt\", \"updatedAt\") \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&u.id)
    .bind(crate::text::fold(&u.email))
    .bind(&u.password)
    .bind(&u.name)
    .bind(&u.team)
    .bind(u.role)
    .bind(crate::db::Ts(u.created_at))
    .bind(crate::db::Ts(u.updated_at))
    .execute(conn)
    .await
    .map(drop)
    })
}

/// A column of `User` that changes on its own (profile and admin updates write only what
/// changes, so they cannot undo a concurrent change to another column).
#[derive(Clone, Copy, Debug)]
pub enum Field<'a> {
    Name(Option<&'a str>),
    /// A password hash.
    Password(&'a str),
    Role(&'a str),
}

/// Sets one column of one user, and `updatedAt`.
pub async fn set(tx: &mut Tx, id: &str, field: Field<'_>) -> sqlx::Result<()> {
    let (sql, value) = match field {
        Field::Name(v) => (
            "UPDATE \"User\" SET \"name\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?",
            Arg::N(v.map(str::to_string)),
        ),
        Field::Password(v) => (
            "UPDATE \"User\" SET \"password\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?",
            Arg::S(v.to_string()),
        ),
        Field::Role(v) => (
            "UPDATE \"User\" SET \"role\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?",
            Arg::S(v.to_string()),
        ),
    };
    let args = [value, Arg::T(crate::db::now()), Arg::S(id.to_string())];
    crate::db::dynamic::execute(tx, sql.into(), &args)
        .await
        .map(drop)
}

pub async fn list(tx: &mut Tx, limit: i64, offset: i64) -> sqlx::Result<Vec<UserRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"User\" ORDER BY \"createdAt\", \"id\" LIMIT ? OFFSET ?"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await)
}

pub async fn delete(tx: &mut Tx, id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"User\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn prompt_count(tx: &mut Tx, user_id: &str) -> sqlx::Result<i64> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"Prompt\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .fetch_one(conn)
    .await)
}

/// The users with these ids (one query; unknown ids are left out).
pub async fn by_ids(tx: &mut Tx, ids: &[String]) -> sqlx::Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let args: Vec<Arg> = ids.iter().map(|id| Arg::S(id.clone())).collect();
    let sql = format!(
        "SELECT * FROM \"User\" WHERE \"id\" IN ({})",
        marks(args.len())
    );
    fetch_all(tx, sql, &args).await
}
