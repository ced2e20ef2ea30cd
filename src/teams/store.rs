//! SQL for `Team` and `UserTeam`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Tx;
use crate::db::dynamic::{Arg, fetch_all, marks};
use crate::on;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TeamWithCount {
    pub id: String,
    pub name: String,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
    pub member_count: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub id: String,
    pub email: String,
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(value_type = crate::users::Role)]
    pub role: String,
}

pub async fn list(tx: &mut Tx) -> sqlx::Result<Vec<TeamWithCount>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT t.\"id\", t.\"name\", t.\"createdAt\", t.\"updatedAt\", \
         (SELECT COUNT(*) FROM \"UserTeam\" ut WHERE ut.\"teamId\" = t.\"id\") AS \"memberCount\" \
         FROM \"Team\" t ORDER BY t.\"nameKey\", t.\"name\""
    ))
    .fetch_all(conn)
    .await)
}

pub async fn by_id(tx: &mut Tx, id: &str) -> sqlx::Result<Option<TeamRow>> {
    if !crate::text::is_id(id) {
        return Ok(None);
    }
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Team\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// The team with this name under the folding rule (`text::fold`, compared with `nameKey`).
pub async fn by_name(tx: &mut Tx, name: &str) -> sqlx::Result<Option<TeamRow>> {
    let key = crate::text::fold(name);
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"id\", \"name\", \"createdAt\", \"updatedAt\" FROM \"Team\" WHERE \"nameKey\" = ?"
    ))
    .bind(&key)
    .fetch_optional(conn)
    .await)
}

pub async fn insert(tx: &mut Tx, t: &TeamRow) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "INSERT INTO \"Team\" (\"id\", \"name\", \"nameKey\", \"createdAt\", \"updatedAt\") \
         VALUES (?, ?, ?, ?, ?)"
    ))
    .bind(&t.id)
    .bind(&t.name)
    .bind(crate::text::fold(&t.name))
    .bind(crate::db::Ts(t.created_at))
    .bind(crate::db::Ts(t.updated_at))
    .execute(conn)
    .await
    .map(drop))
}

pub async fn rename(tx: &mut Tx, id: &str, name: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Team\" SET \"name\" = ?, \"nameKey\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?"
    ))
    .bind(name)
    .bind(crate::text::fold(name))
    .bind(crate::db::Ts(now))
    .bind(id)
    .execute(conn)
    .await
    .map(drop))
}

/// Renames the primary team name held in `User.team`.
pub async fn rename_user_team(tx: &mut Tx, old: &str, new: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"User\" SET \"team\" = ? WHERE \"team\" = ?"
    ))
    .bind(new)
    .bind(old)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn delete(tx: &mut Tx, id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Team\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .execute(conn)
    .await
    .map(drop))
}

/// TEAM prompts shared with this team become PRIVATE (before the team goes away).
pub async fn privatise_prompts(tx: &mut Tx, team_id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Prompt\" SET \"visibility\" = 'PRIVATE', \"teamId\" = NULL \
         WHERE \"teamId\" = ? AND \"visibility\" = 'TEAM'"
    ))
    .bind(team_id)
    .execute(conn)
    .await
    .map(drop))?;
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Prompt\" SET \"teamId\" = NULL WHERE \"teamId\" = ?"
    ))
    .bind(team_id)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn members(tx: &mut Tx, team_id: &str) -> sqlx::Result<Vec<Member>> {
    on!(tx, |conn, sql| {
        sqlx::query_as(sql(
        "SELECT u.\"id\", u.\"email\", u.\"name\", u.\"role\" FROM \"User\" u \
         JOIN \"UserTeam\" ut ON ut.\"userId\" = u.\"id\" WHERE ut.\"teamId\" = ? ORDER BY u.\"email\""
    ))
    .bind(team_id)
    .fetch_all(conn)
    .await
    })
}

pub async fn member_ids(tx: &mut Tx, team_id: &str) -> sqlx::Result<Vec<String>> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT \"userId\" FROM \"UserTeam\" WHERE \"teamId\" = ?"
    ))
    .bind(team_id)
    .fetch_all(conn)
    .await)
}

pub async fn of_user(tx: &mut Tx, user_id: &str) -> sqlx::Result<Vec<TeamRow>> {
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT t.\"id\", t.\"name\", t.\"createdAt\", t.\"updatedAt\" FROM \"Team\" t \
         JOIN \"UserTeam\" ut ON ut.\"teamId\" = t.\"id\" \
         WHERE ut.\"userId\" = ? ORDER BY t.\"nameKey\", t.\"name\""
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)
}

pub async fn add_member(
    tx: &mut Tx,
    team_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let exists: i64 = on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"UserTeam\" WHERE \"teamId\" = ? AND \"userId\" = ?"
    ))
    .bind(team_id)
    .bind(user_id)
    .fetch_one(conn)
    .await)?;
    if exists > 0 {
        return Ok(());
    }
    on!(tx, |conn, sql| sqlx::query(sql(
        "INSERT INTO \"UserTeam\" (\"userId\", \"teamId\", \"createdAt\") VALUES (?, ?, ?)"
    ))
    .bind(user_id)
    .bind(team_id)
    .bind(crate::db::Ts(now))
    .execute(conn)
    .await
    .map(drop))
}

pub async fn remove_member(tx: &mut Tx, team_id: &str, user_id: &str) -> sqlx::Result<u64> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"UserTeam\" WHERE \"teamId\" = ? AND \"userId\" = ?"
    ))
    .bind(team_id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}

pub async fn remove_all_memberships(tx: &mut Tx, user_id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"UserTeam\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn set_primary(tx: &mut Tx, user_id: &str, team: Option<&str>) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"User\" SET \"team\" = ? WHERE \"id\" = ?"
    ))
    .bind(team)
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop))
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
pub struct Membership {
    pub user_id: String,
    pub name: String,
}

/// The team names of each of these users (one query), ordered by name.
pub async fn of_users(tx: &mut Tx, user_ids: &[String]) -> sqlx::Result<Vec<Membership>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let args: Vec<Arg> = user_ids.iter().map(|id| Arg::S(id.clone())).collect();
    let sql = format!(
        "SELECT ut.\"userId\" AS \"userId\", t.\"name\" AS \"name\" FROM \"Team\" t \
         JOIN \"UserTeam\" ut ON ut.\"teamId\" = t.\"id\" WHERE ut.\"userId\" IN ({}) \
         ORDER BY t.\"name\"",
        marks(args.len())
    );
    fetch_all(tx, sql, &args).await
}

/// A member's role in a team (`None`: a plain member, or not a member).
pub async fn role(tx: &mut Tx, team_id: &str, user_id: &str) -> sqlx::Result<Option<String>> {
    let rows: Vec<(Option<String>,)> = on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"role\" FROM \"UserTeam\" WHERE \"teamId\" = ? AND \"userId\" = ?"
    ))
    .bind(team_id)
    .bind(user_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows.into_iter().next().and_then(|r| r.0))
}

/// Sets a member's role; the rows changed (0: not a member).
pub async fn set_role(
    tx: &mut Tx,
    team_id: &str,
    user_id: &str,
    role: Option<&str>,
) -> sqlx::Result<u64> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"UserTeam\" SET \"role\" = ? WHERE \"teamId\" = ? AND \"userId\" = ?"
    ))
    .bind(role)
    .bind(team_id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}
