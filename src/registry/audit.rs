//! The audit trail: who did what to a prompt, when (edits, renames, label moves, deletions).
//! Written in the same transaction as the change it records; readable per prompt by the
//! prompt's readers and in full by administrators (JSON or CSV). Events outlive their prompt.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::dynamic::{Arg, execute, fetch_all};
use crate::db::{self, Tx};

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: String,
    #[schema(required = true)]
    pub prompt_id: Option<String>,
    /// Who acted (null once that account is deleted).
    #[schema(required = true)]
    pub actor_id: Option<String>,
    /// The actor's email at the time of reading (null when deleted).
    #[sqlx(default)]
    #[schema(required = true)]
    pub actor: Option<String>,
    /// `prompt.create`, `prompt.edit`, `prompt.rename`, `prompt.trash`, `prompt.restore`,
    /// `prompt.delete` (for good), `label.move`, `label.remove`.
    pub action: String,
    /// What changed, from → to (JSON text: `{"label":"production","from":3,"to":4}`).
    #[schema(required = true)]
    pub detail: Option<String>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
}

/// Records one event inside the change's transaction.
pub async fn record(
    tx: &mut Tx,
    prompt_id: Option<&str>,
    actor: Option<&str>,
    action: &str,
    detail: serde_json::Value,
) -> sqlx::Result<()> {
    execute(
        tx,
        "INSERT INTO \"AuditEvent\" (\"id\", \"promptId\", \"actorId\", \"action\", \"detail\", \"createdAt\") \
         VALUES (?, ?, ?, ?, ?, ?)"
            .into(),
        &[
            Arg::S(db::new_ordered_id()),
            Arg::N(prompt_id.map(str::to_string)),
            Arg::N(actor.map(str::to_string)),
            Arg::S(action.to_string()),
            Arg::S(detail.to_string()),
            Arg::T(db::now()),
        ],
    )
    .await
    .map(drop)
}

const SELECT: &str = "SELECT e.\"id\", e.\"promptId\", e.\"actorId\", u.\"email\" AS \"actor\", \
     e.\"action\", e.\"detail\", e.\"createdAt\" FROM \"AuditEvent\" e \
     LEFT JOIN \"User\" u ON u.\"id\" = e.\"actorId\"";

/// A prompt's events, newest first.
pub async fn for_prompt(tx: &mut Tx, prompt_id: &str, limit: i64) -> sqlx::Result<Vec<AuditEvent>> {
    fetch_all(
        tx,
        format!(
            "{SELECT} WHERE e.\"promptId\" = ? ORDER BY e.\"createdAt\" DESC, e.\"id\" DESC LIMIT ?"
        ),
        &[Arg::S(prompt_id.to_string()), Arg::I(limit)],
    )
    .await
}

/// Every event, newest first, a page at a time.
pub async fn all(tx: &mut Tx, limit: i64, offset: i64) -> sqlx::Result<Vec<AuditEvent>> {
    fetch_all(
        tx,
        format!("{SELECT} ORDER BY e.\"createdAt\" DESC, e.\"id\" DESC LIMIT ? OFFSET ?"),
        &[Arg::I(limit), Arg::I(offset)],
    )
    .await
}

/// Events as CSV (RFC 4180), with a header line.
pub fn to_csv(events: &[AuditEvent]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("createdAt,action,promptId,actorId,actor,detail\r\n");
    for e in events {
        let cells = [
            db::iso(&e.created_at),
            e.action.clone(),
            e.prompt_id.clone().unwrap_or_default(),
            e.actor_id.clone().unwrap_or_default(),
            e.actor.clone().unwrap_or_default(),
            e.detail.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
