//! Public share links: an owner turns an anonymous link on or off. The share id is 128 bits
//! from the operating system's CSPRNG, base64url (22 characters); it stays the same while
//! sharing is on, and turning sharing off removes it, so the old link is 404 at once (turning
//! it on again makes a new one).

pub mod api;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::on;
use crate::prompts::store::{self as prompts, PromptRow};
use crate::users::UserRow;

/// A new share id: 16 random bytes (128 bits), base64url without padding.
pub fn new_share_id() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(db::random_bytes::<16>())
}

/// Owner-only: turns the link on (keeping an existing id) and returns the share id.
pub async fn enable(db: &Db, caller: &UserRow, prompt_id: &str) -> Result<String> {
    let mut tx = db.write().await?;
    let mut row = crate::prompts::owned_row(&mut tx, &caller.id, prompt_id).await?;
    if let (true, Some(id)) = (row.is_publicly_shared, &row.public_share_id) {
        return Ok(id.clone());
    }
    let id = new_share_id();
    row.is_publicly_shared = true;
    row.public_share_id = Some(id.clone());
    prompts::update(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(id)
}

/// Owner-only: turns the link off; the old id stops working immediately.
pub async fn disable(db: &Db, caller: &UserRow, prompt_id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    let mut row = crate::prompts::owned_row(&mut tx, &caller.id, prompt_id).await?;
    row.is_publicly_shared = false;
    row.public_share_id = None;
    prompts::update(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Author {
    #[schema(required = true)]
    pub name: Option<String>,
}

/// What an anonymous visitor of a share link sees — nothing more.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharedPrompt {
    pub id: String,
    pub title: String,
    pub body: String,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(required = true)]
    pub model_hints: Option<String>,
    #[schema(required = true)]
    pub variables: Option<String>,
    /// `chat` for a chat prompt; absent for text (the 1.x shape of this answer is kept for
    /// every text prompt without a config).
    #[serde(skip_serializing_if = "is_text")]
    #[schema(value_type = Option<crate::prompts::chat::Kind>)]
    pub kind: crate::prompts::chat::Kind,
    /// A chat prompt's messages (`body` is their plain text form); absent for text.
    #[serde(
        serialize_with = "crate::prompts::chat::ser_json_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<crate::prompts::chat::Message>>)]
    pub messages: Option<String>,
    /// The config object; absent when there is none.
    #[serde(
        serialize_with = "crate::prompts::chat::ser_json_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Object>)]
    pub config: Option<String>,
    pub tags: Vec<String>,
    pub author: Author,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
}

fn is_text(kind: &crate::prompts::chat::Kind) -> bool {
    *kind == crate::prompts::chat::Kind::Text
}

/// The shared prompt behind `share_id`, or 404 when there is none or sharing is off.
pub async fn public(db: &Db, share_id: &str) -> Result<SharedPrompt> {
    if share_id.is_empty() || share_id.len() > 64 {
        return Err(Error::not_found());
    }
    let mut tx = db.read().await?;
    let row: Option<PromptRow> = on!(&mut tx, |conn, sql| sqlx::query_as(sql(
        "SELECT * FROM \"Prompt\" WHERE \"publicShareId\" = ? AND \"isPubliclyShared\" = ? \
         AND \"deletedAt\" IS NULL"
    ))
    .bind(share_id)
    .bind(true)
    .fetch_optional(conn)
    .await)?;
    let row = row.ok_or_else(Error::not_found)?;
    let tags = crate::tags::store::for_prompts(&mut tx, std::slice::from_ref(&row.id))
        .await?
        .into_iter()
        .map(|(_, _, name)| name)
        .collect();
    let author = prompts::owners(&mut tx, std::slice::from_ref(&row.user_id))
        .await?
        .into_iter()
        .next()
        .and_then(|(_, name, _)| name);
    Ok(SharedPrompt {
        id: row.id,
        title: row.title,
        body: row.body,
        kind: row.kind,
        messages: row.messages,
        config: row.config,
        notes: row.notes,
        model_hints: row.model_hints,
        variables: row.variables,
        tags,
        author: Author { name: author },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The answer of `POST /api/share/:id/public`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    pub public_url: String,
    pub share_id: String,
}

/// The public URL of a share id: `public_url` from the configuration when set, else the
/// request's host.
/// The link to a shared prompt: under the configured `public_url`, else relative
/// (`/share/<id>`). Never built from the request's `Host` header, which the client controls.
pub fn public_url(config_url: Option<&str>, share_id: &str) -> String {
    let base = config_url.map_or("", |u| u.trim_end_matches('/'));
    format!("{base}/share/{share_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_ids_are_long_and_url_safe() {
        let a = new_share_id();
        assert_eq!(a.len(), 22);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, new_share_id());
    }

    #[test]
    fn urls() {
        assert_eq!(
            public_url(Some("https://p.example.com/"), "abc"),
            "https://p.example.com/share/abc"
        );
        assert_eq!(public_url(None, "abc"), "/share/abc");
    }
}
