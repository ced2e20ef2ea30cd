//! Version history: list, fetch one, diff two, restore one (as a new version).

use serde::Serialize;

use super::diff::{self, TextDiffView};
use super::store::{self, VersionRow};
use super::{PromptView, content_of, owned_row, readable_row, view};
use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
use crate::users::UserRow;

/// Versions of a readable prompt, newest first.
pub async fn list(db: &Db, caller: &UserRow, prompt_id: &str) -> Result<Vec<VersionRow>> {
    let mut tx = db.read().await?;
    readable_row(&mut tx, &caller.id, prompt_id).await?;
    Ok(store::versions(&mut tx, prompt_id).await?)
}

/// A version by its id, or by its number (`3`) when no id matches.
async fn find(tx: &mut Tx, prompt_id: &str, reference: &str) -> Result<VersionRow> {
    if !crate::text::is_id(reference) {
        return Err(Error::NotFound("Version not found".into()));
    }
    if let Some(v) = store::version_by_id(tx, prompt_id, reference).await? {
        return Ok(v);
    }
    let number = reference
        .trim_start_matches('v')
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0);
    if let Some(n) = number
        && let Some(v) = store::version_by_number(tx, prompt_id, n).await?
    {
        return Ok(v);
    }
    Err(Error::NotFound("Version not found".into()))
}

/// One version of a readable prompt.
pub async fn get(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    reference: &str,
) -> Result<VersionRow> {
    let mut tx = db.read().await?;
    readable_row(&mut tx, &caller.id, prompt_id).await?;
    find(&mut tx, prompt_id, reference).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionRef {
    pub id: String,
    pub version: i32,
}

/// The answer of `GET /:id/diff`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffView {
    pub from: VersionRef,
    pub to: VersionRef,
    /// Fields whose value differs: title, body, notes, variables, modelHints, kind, messages,
    /// config.
    pub changed: Vec<&'static str>,
    /// The body's line diff (a chat version's body is its messages' plain text form, so
    /// messages show as changes under their `## role` lines).
    #[serde(flatten)]
    pub body: TextDiffView,
    /// The titles when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<TitleChange>,
    /// The kinds when they differ (`text` → `chat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<TitleChange>,
    /// The configs when they differ (objects, or null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigChange>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConfigChange {
    #[schema(value_type = Option<Object>)]
    pub from: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub to: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TitleChange {
    pub from: String,
    pub to: String,
}

/// Diff between two versions of a readable prompt. Defaults: `to` = newest, `from` = the one
/// before `to` (or `to` itself for a prompt with one version).
pub async fn diff(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<DiffView> {
    let mut tx = db.read().await?;
    readable_row(&mut tx, &caller.id, prompt_id).await?;
    let to = match to.filter(|s| !s.is_empty()) {
        Some(r) => find(&mut tx, prompt_id, r).await?,
        None => {
            let n = store::max_version(&mut tx, prompt_id).await?;
            find(&mut tx, prompt_id, &n.to_string()).await?
        }
    };
    let from = match from.filter(|s| !s.is_empty()) {
        Some(r) => find(&mut tx, prompt_id, r).await?,
        None => {
            let prev = (to.version - 1).max(1);
            match store::version_by_number(&mut tx, prompt_id, prev).await? {
                Some(v) => v,
                None => to.clone(),
            }
        }
    };
    let mut changed = Vec::new();
    if from.title != to.title {
        changed.push("title");
    }
    if from.body != to.body {
        changed.push("body");
    }
    if from.notes != to.notes {
        changed.push("notes");
    }
    if from.variables != to.variables {
        changed.push("variables");
    }
    if from.model_hints != to.model_hints {
        changed.push("modelHints");
    }
    if from.kind != to.kind {
        changed.push("kind");
    }
    if from.messages != to.messages {
        changed.push("messages");
    }
    if from.config != to.config {
        changed.push("config");
    }
    tx.commit().await?;
    let body = diff::diff_off_runtime(
        from.body.clone(),
        to.body.clone(),
        format!("v{}", from.version),
        format!("v{}", to.version),
    )
    .await?;
    Ok(DiffView {
        title: (from.title != to.title).then(|| TitleChange {
            from: from.title.clone(),
            to: to.title.clone(),
        }),
        kind: (from.kind != to.kind).then(|| TitleChange {
            from: from.kind.as_str().to_string(),
            to: to.kind.as_str().to_string(),
        }),
        config: (from.config != to.config).then(|| ConfigChange {
            from: super::chat::config_value(from.config.as_deref()),
            to: super::chat::config_value(to.config.as_deref()),
        }),
        from: VersionRef {
            id: from.id,
            version: from.version,
        },
        to: VersionRef {
            id: to.id,
            version: to.version,
        },
        changed,
        body,
    })
}

/// Owner-only: makes a version's content current again, recorded as a new version (history is
/// never rewritten). Restoring content equal to the current one records nothing.
pub async fn restore(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    reference: &str,
    message: Option<String>,
) -> Result<PromptView> {
    let mut tx = db.write().await?;
    let mut row = owned_row(&mut tx, &caller.id, prompt_id).await?;
    let v = find(&mut tx, prompt_id, reference).await?;
    let before = content_of(&row);
    row.title = v.title.clone();
    row.body = v.body.clone();
    row.notes = v.notes.clone();
    row.model_hints = v.model_hints.clone();
    row.variables = v.variables.clone();
    row.kind = v.kind;
    row.messages = v.messages.clone();
    row.config = v.config.clone();
    if content_of(&row) != before {
        row.updated_at = db::now();
        store::update(&mut tx, &row).await?;
        let message = message
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| format!("Restored version {}", v.version));
        let new = super::record_version(&mut tx, &row, Some(&caller.id), Some(message)).await?;
        crate::registry::audit::record(
            &mut tx,
            Some(&row.id),
            Some(&caller.id),
            "prompt.edit",
            serde_json::json!({ "from": new.version - 1, "to": new.version, "restored": v.version }),
        )
        .await?;
    }
    let view = view::full(&mut tx, &caller.id, row).await?;
    tx.commit().await?;
    Ok(view)
}
