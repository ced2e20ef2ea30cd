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
    /// `full`, or `read`: may only fetch and render prompts by name (`/api/registry`).
    #[sqlx(try_from = "Option<String>")]
    #[schema(value_type = String)]
    pub access: Access,
    /// The namespaces the token may fetch from (JSON text of a list); null: every one.
    #[schema(required = true)]
    pub namespaces: Option<String>,
}

/// What a token may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    #[default]
    Full,
    Read,
}

impl From<Option<String>> for Access {
    fn from(v: Option<String>) -> Self {
        if v.as_deref() == Some("READ") {
            Access::Read
        } else {
            Access::Full
        }
    }
}

impl Access {
    pub fn parse(raw: &str) -> std::result::Result<Access, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Access::Full),
            "read" => Ok(Access::Read),
            _ => Err("must be full or read".into()),
        }
    }

    fn stored(self) -> Option<&'static str> {
        match self {
            Access::Full => None,
            Access::Read => Some("READ"),
        }
    }
}

/// What a limited token may reach. A token with limits is refused everywhere but the
/// registry's fetch and render (`auth::RegistryUser`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLimits {
    pub access: Access,
    /// Namespace names (current or old) the token may fetch from; `None`: every one.
    pub namespaces: Option<Vec<String>>,
}

impl TokenLimits {
    fn of(access: Access, namespaces: Option<&str>) -> Option<TokenLimits> {
        let namespaces: Option<Vec<String>> = namespaces.and_then(|n| serde_json::from_str(n).ok());
        (access != Access::Full || namespaces.is_some())
            .then_some(TokenLimits { access, namespaces })
    }

    /// Whether a prompt in `scope` (a user or team id) is within the token's namespaces.
    pub async fn allows_scope(&self, tx: &mut Tx, scope: &str) -> sqlx::Result<bool> {
        let Some(names) = &self.namespaces else {
            return Ok(true);
        };
        if names.is_empty() {
            return Ok(false);
        }
        let mut args = vec![crate::db::dynamic::Arg::S(scope.to_string())];
        args.extend(names.iter().map(|n| crate::db::dynamic::Arg::S(n.clone())));
        let n = crate::db::dynamic::fetch_count(
            tx,
            format!(
                "SELECT COUNT(*) FROM \"Namespace\" WHERE COALESCE(\"userId\", \"teamId\") = ? \
                 AND \"name\" IN ({})",
                crate::db::dynamic::marks(names.len())
            ),
            &args,
        )
        .await?;
        Ok(n > 0)
    }
}

/// Creates a token; returns its description and the secret (shown to the user once).
/// `namespaces`: limit it to these namespaces (each must exist).
pub async fn create(
    db: &Db,
    user_id: &str,
    name: Option<&str>,
    access: Access,
    namespaces: Option<&[String]>,
) -> Result<(TokenInfo, String)> {
    let name = crate::text::required_name(name.unwrap_or_default())
        .map_err(|p| Error::invalid_field("name", p))?;
    let namespaces = match namespaces {
        None => None,
        Some(list) => {
            let mut out = Vec::new();
            for n in list {
                let n = crate::registry::names::parse_namespace(n)
                    .map_err(|p| Error::invalid_field("namespaces", format!("{n:?} {p}")))?;
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            Some(serde_json::to_string(&out).unwrap_or_else(|_| "[]".into()))
        }
    };
    let secret = format!("{PREFIX}{}", super::new_secret());
    let info = TokenInfo {
        id: db::new_id(),
        name,
        prefix: secret.chars().take(10).collect(),
        created_at: db::now(),
        last_used_at: None,
        access,
        namespaces,
    };
    let mut tx = db.write().await?;
    on!(&mut tx, |conn, sql| {
        sqlx::query(sql(
        "INSERT INTO \"ApiToken\" (\"id\", \"userId\", \"name\", \"prefix\", \"tokenHash\", \"createdAt\", \
         \"access\", \"namespaces\") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&info.id)
    .bind(user_id)
    .bind(&info.name)
    .bind(&info.prefix)
    .bind(super::digest(&secret))
    .bind(crate::db::Ts(info.created_at))
    .bind(info.access.stored())
    .bind(info.namespaces.clone())
    .execute(conn)
    .await
    .map(drop)
    })?;
    tx.commit().await?;
    Ok((info, secret))
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<TokenInfo>> {
    let mut tx = db.read().await?;
    Ok(on!(&mut tx, |conn, sql| {
        sqlx::query_as(sql(
        "SELECT \"id\", \"name\", \"prefix\", \"createdAt\", \"lastUsedAt\", \"access\", \"namespaces\" FROM \"ApiToken\" \
         WHERE \"userId\" = ? ORDER BY \"createdAt\" DESC, \"id\""
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await
    })?)
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
    token_access: Option<String>,
    token_namespaces: Option<String>,
}

/// The user owning a token secret, with the token's limits; records when it was last used
/// (at most once a minute). A token resolved less than [`RESOLVED_MAX_AGE`] ago, with nothing
/// written through this process since ([`crate::db::writes`]), is not read again: a program
/// fetching prompts in a loop costs one statement per request instead of two. A token revoked,
/// or a user changed, through this instance is seen at once; through another instance or the
/// command line, within [`RESOLVED_MAX_AGE`].
pub async fn user_for(db: &Db, secret: &str) -> Result<Option<(UserRow, Option<TokenLimits>)>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let digest = super::digest(secret);
    if let Some(kept) = RESOLVED.get(&digest) {
        return Ok(Some(kept));
    }
    let generation = crate::db::writes::generation();
    let found: Option<TokenUser> = db
        .fetch_optional_by(
            "SELECT u.*, t.\"id\" AS \"tokenId\", t.\"lastUsedAt\", t.\"access\" AS \"tokenAccess\", \
             t.\"namespaces\" AS \"tokenNamespaces\" FROM \"ApiToken\" t \
             JOIN \"User\" u ON u.\"id\" = t.\"userId\" WHERE t.\"tokenHash\" = ?",
            &digest,
        )
        .await?;
    let Some(found) = found else { return Ok(None) };
    let access = Access::from(found.token_access);
    let resolved = (
        found.user,
        TokenLimits::of(access, found.token_namespaces.as_deref()),
    );
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
    } else {
        // Read within one generation (the update above starts a new one): kept.
        RESOLVED.put(digest, generation, resolved.clone());
    }
    Ok(Some(resolved))
}

/// The longest a resolved token is used again without reading it.
pub const RESOLVED_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(1);

/// Tokens resolved recently, keyed by the secret's digest.
static RESOLVED: crate::db::writes::Kept<(UserRow, Option<TokenLimits>)> =
    crate::db::writes::Kept::new(RESOLVED_MAX_AGE);
