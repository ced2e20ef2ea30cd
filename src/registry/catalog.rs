//! The catalogue: every prompt in the caller's namespaces with its name, newest content,
//! labels and tags, page by page — what `promptvault pull` writes and `push --check` compares.
//!
//! Rules:
//! - A prompt is in the catalogue when it lives in one of the caller's namespaces and the caller
//!   can read it: their own prompts (in their handle's namespace or a team's) and the readable
//!   prompts of the teams they belong to. Other people's prompts outside a team are left out,
//!   even when readable (`PUBLIC`, or `TEAM` without a team): they live in their owners'
//!   namespaces, not the caller's.
//! - A token limited to namespaces sees only those.
//! - Pages are in prompt id order; `after` is the last id of the previous page (keyset paging:
//!   a prompt created meanwhile cannot shift a page). A page may be shorter than asked (a
//!   prompt being created has no name yet): the last page is the empty one.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Caller;
use crate::db::Db;
use crate::db::dynamic::{Arg, fetch_all, marks};
use crate::error::Result;
use crate::prompts::Visibility;
use crate::prompts::access::READABLE;
use crate::prompts::chat::{self, Kind, Message};
use crate::prompts::store::PromptRow;
use crate::prompts::variables::{self, Declaration};

/// Most prompts in one page.
pub const MAX_PAGE: i64 = 1000;

/// A prompt of the catalogue: its current name and its newest version.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
    pub namespace: String,
    pub name: String,
    pub prompt_id: String,
    /// The newest version's number.
    pub version: i32,
    pub title: String,
    /// The text; for a chat prompt, its messages' plain text form.
    pub body: String,
    /// `text` or `chat`.
    #[serde(default)]
    pub kind: Kind,
    /// A chat prompt's messages (null for text).
    #[serde(default)]
    #[schema(required = true)]
    pub messages: Option<Vec<Message>>,
    /// The config object, or null.
    #[serde(default)]
    #[schema(value_type = Option<Object>, required = true)]
    pub config: serde_json::Value,
    /// The variables schema (untyped declarations are optional text).
    pub variables: Vec<Declaration>,
    /// Tag names, in their stored spelling.
    pub tags: Vec<String>,
    pub visibility: Visibility,
    #[schema(required = true)]
    pub team_id: Option<String>,
    #[schema(required = true)]
    pub model_hints: Option<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Label -> the version it points at (`latest` is implicit and not listed).
    pub labels: BTreeMap<String, i32>,
    /// Whether the caller owns the prompt (only the owner changes it).
    pub owned: bool,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct NameRow {
    prompt_id: String,
    name: String,
    namespace: Option<String>,
}

/// A page of the caller's catalogue: at most `limit` prompts with ids after `after`.
pub async fn page(
    db: &Db,
    caller: &Caller<'_>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CatalogEntry>> {
    let me = caller.user.id.clone();
    let mut tx = db.read().await?;
    let mut args = vec![Arg::S(me.clone()), Arg::S(me.clone())];
    args.extend((0..crate::prompts::access::READABLE_BINDS).map(|_| Arg::S(me.clone())));
    args.push(Arg::S(after.unwrap_or_default().to_string()));
    // A token limited to namespaces: only prompts whose scope has one of those names.
    let mut limit_sql = String::new();
    if let Some(names) = caller.limits.and_then(|l| l.namespaces.as_ref()) {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        limit_sql = format!(
            " AND COALESCE(p.\"teamId\", p.\"userId\") IN (SELECT COALESCE(ns.\"userId\", ns.\"teamId\") \
             FROM \"Namespace\" ns WHERE ns.\"name\" IN ({}))",
            marks(names.len())
        );
        args.extend(names.iter().map(|n| Arg::S(n.clone())));
    }
    let kept: Vec<PromptRow> = fetch_all(
        &mut tx,
        format!(
            "SELECT p.* FROM \"Prompt\" p WHERE (p.\"userId\" = ? OR p.\"teamId\" IN \
             (SELECT \"teamId\" FROM \"UserTeam\" WHERE \"userId\" = ?)) AND {READABLE} \
             AND p.\"id\" > ?{limit_sql} ORDER BY p.\"id\" LIMIT {}",
            limit.clamp(1, MAX_PAGE)
        ),
        &args,
    )
    .await?;
    if kept.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Arg> = kept.iter().map(|r| Arg::S(r.id.clone())).collect();
    let in_list = marks(ids.len());
    let mut name_args = vec![Arg::B(true), Arg::B(true)];
    name_args.extend(ids.iter().cloned());
    let names: HashMap<String, NameRow> = fetch_all::<NameRow>(
        &mut tx,
        format!(
            "SELECT n.\"promptId\", n.\"name\", (SELECT ns.\"name\" FROM \"Namespace\" ns \
             WHERE ns.\"isCurrent\" = ? AND (ns.\"userId\" = n.\"scope\" OR ns.\"teamId\" = n.\"scope\")) \
             AS \"namespace\" FROM \"PromptName\" n WHERE n.\"isCurrent\" = ? AND n.\"promptId\" IN ({in_list})"
        ),
        &name_args,
    )
    .await?
    .into_iter()
    .map(|n| (n.prompt_id.clone(), n))
    .collect();
    let mut labels: HashMap<String, BTreeMap<String, i32>> = HashMap::new();
    for (id, label, version) in fetch_all::<(String, String, i32)>(
        &mut tx,
        format!(
            "SELECT \"promptId\", \"label\", \"version\" FROM \"PromptLabel\" WHERE \"promptId\" IN ({in_list})"
        ),
        &ids,
    )
    .await?
    {
        labels.entry(id).or_default().insert(label, version);
    }
    let newest: HashMap<String, i32> = fetch_all::<(String, i32)>(
        &mut tx,
        format!(
            "SELECT \"promptId\", MAX(\"version\") FROM \"PromptVersion\" WHERE \"promptId\" IN ({in_list}) \
             GROUP BY \"promptId\""
        ),
        &ids,
    )
    .await?
    .into_iter()
    .collect();
    let id_list: Vec<String> = kept.iter().map(|r| r.id.clone()).collect();
    let mut tags: HashMap<String, Vec<String>> = HashMap::new();
    for (id, _, name) in crate::tags::store::for_prompts(&mut tx, &id_list).await? {
        tags.entry(id).or_default().push(name);
    }
    Ok(kept
        .into_iter()
        .filter_map(|r| {
            // A prompt without a current name cannot be fetched by name: `names::repair`
            // gives every prompt one, so this is only a prompt being created right now.
            let n = names.get(&r.id)?;
            Some(CatalogEntry {
                namespace: n.namespace.clone()?,
                name: n.name.clone(),
                version: newest.get(&r.id).copied().unwrap_or(0),
                variables: variables::sync(&r.body, &variables::from_text(r.variables.as_deref())),
                tags: tags.remove(&r.id).unwrap_or_default(),
                labels: labels.remove(&r.id).unwrap_or_default(),
                owned: r.user_id == me,
                prompt_id: r.id,
                title: r.title,
                body: r.body,
                kind: r.kind,
                messages: chat::messages_from_text(r.messages.as_deref()),
                config: chat::config_value(r.config.as_deref()),
                visibility: r.visibility,
                team_id: r.team_id,
                model_hints: r.model_hints,
                notes: r.notes,
                updated_at: r.updated_at,
            })
        })
        .collect())
}
