//! The registry on the prompt page: the prompt's name, its labels (promote a version, roll a
//! label back, remove a custom one), its audit trail and the "use in code" snippets. The
//! actions are plain form posts answered with a redirect and a flash message; who may move
//! which label is the service's rule (`registry::move_label`), its refusal is the message.

use axum::extract::{Path, State};

use super::ctx::Me;
use super::detail::back;
use super::fmt;
use super::form::Form;
use super::respond::{Flash, OrPage, PageResult, redirect_with};
use crate::prompts::{PromptView, Visibility};
use crate::registry::{self, LATEST, audit::AuditEvent};
use crate::state::AppState;

/// How many audit events the page shows (the JSON export has them all).
pub const AUDIT_ON_PAGE: usize = 50;
/// The labels every prompt is offered, besides its own custom ones.
const STANDARD: &[&str] = &["production", "staging"];

pub struct LabelView {
    pub label: String,
    pub version: i32,
    pub protected: bool,
    /// Custom labels may be removed from the page.
    pub custom: bool,
    /// The version this label pointed at before its last move (a rollback target).
    pub previous: Option<i32>,
    /// The previous version is older (a rollback), not newer (undoing one).
    pub older: bool,
    pub updated: String,
    pub updated_iso: String,
}

pub struct AuditRow {
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub what: String,
    pub change: String,
}

/// The fetch of this prompt in three languages.
pub struct Snippets {
    pub label: String,
    pub curl: String,
    pub python: String,
    pub typescript: String,
    /// The fetch URL is under `$PROMPTVAULT_URL` (no public URL configured).
    pub env_base: bool,
}

/// What the prompt page shows of the registry.
#[derive(Default)]
pub struct Panel {
    /// `namespace/name`, empty when the prompt has none (never after migration 0008).
    pub full_name: String,
    /// Old names that still resolve to the prompt.
    pub aliases: Vec<String>,
    pub latest: i32,
    pub labels: Vec<LabelView>,
    /// The version numbers, newest first.
    pub numbers: Vec<i32>,
    /// Labels offered in the promote forms: production, staging, then the custom ones.
    pub choices: Vec<String>,
    /// Whether the label forms are shown (the owner, or a reader through a team).
    pub may_label: bool,
    pub audit: Vec<AuditRow>,
    pub audit_more: bool,
    pub code: Option<Snippets>,
}

fn detail_of(e: &AuditEvent) -> serde_json::Value {
    e.detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn version_text(v: &serde_json::Value) -> String {
    match v.as_i64() {
        Some(n) => format!("v{n}"),
        None => "—".into(),
    }
}

fn name_text(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| "—".into(), str::to_string)
}

/// One event as the page reads it: what happened, and from → to.
pub fn describe(e: &AuditEvent) -> (String, String) {
    let d = detail_of(e);
    let label = d["label"].as_str().unwrap_or("?");
    match e.action.as_str() {
        "prompt.create" => ("Created".into(), version_text(&d["version"])),
        "prompt.edit" => (
            match d["restored"].as_i64() {
                Some(n) => format!("Restored v{n}"),
                None => "Edited".into(),
            },
            format!("{} → {}", version_text(&d["from"]), version_text(&d["to"])),
        ),
        "prompt.rename" => (
            "Renamed".into(),
            format!("{} → {}", name_text(&d["from"]), name_text(&d["to"])),
        ),
        "label.move" => (
            format!("Moved label {label}"),
            format!("{} → {}", version_text(&d["from"]), version_text(&d["to"])),
        ),
        "label.remove" => (
            format!("Removed label {label}"),
            format!("{} → —", version_text(&d["from"])),
        ),
        "prompt.delete" => ("Deleted".into(), String::new()),
        "prompt.trash" => ("Moved to the trash".into(), String::new()),
        "prompt.restore" => ("Restored from the trash".into(), String::new()),
        other => (other.to_string(), String::new()),
    }
}

/// The version `label` pointed at before its last move, from the trail (newest first).
fn previous_of(events: &[AuditEvent], label: &str) -> Option<i32> {
    events
        .iter()
        .find(|e| {
            matches!(e.action.as_str(), "label.move" | "label.remove")
                && detail_of(e)["label"].as_str() == Some(label)
        })
        .filter(|e| e.action == "label.move")
        .and_then(|e| detail_of(e)["from"].as_i64())
        .and_then(|n| i32::try_from(n).ok())
}

/// The base of fetch URLs: the configured public URL, else `$PROMPTVAULT_URL` (never the
/// request's `Host` header, which the client controls).
pub fn snippets(public_url: Option<&str>, full_name: &str, label: &str) -> Snippets {
    let path = format!("/api/registry/{full_name}");
    let base = public_url.map(|u| u.trim_end_matches('/'));
    let auth = "Authorization: Bearer $PROMPTVAULT_TOKEN";
    let curl = match base {
        Some(b) => format!("curl -H \"{auth}\" \\\n  \"{b}{path}?label={label}\""),
        None => format!("curl -H \"{auth}\" \\\n  \"$PROMPTVAULT_URL{path}?label={label}\""),
    };
    let py_url = match base {
        Some(b) => format!("\"{b}{path}\""),
        None => format!("os.environ[\"PROMPTVAULT_URL\"] + \"{path}\""),
    };
    let python = format!(
        "import os, requests\n\n\
         r = requests.get(\n    {py_url},\n    params={{\"label\": \"{label}\"}},\n    \
         headers={{\"Authorization\": f\"Bearer {{os.environ['PROMPTVAULT_TOKEN']}}\"}},\n)\n\
         prompt = r.json()\nprint(prompt[\"version\"], prompt[\"body\"])"
    );
    let ts_base = base.map_or_else(
        || "${process.env.PROMPTVAULT_URL}".to_string(),
        str::to_string,
    );
    let typescript = format!(
        "const res = await fetch(`{ts_base}{path}?label={label}`, {{\n  \
         headers: {{ Authorization: `Bearer ${{process.env.PROMPTVAULT_TOKEN}}` }},\n}});\n\
         const prompt = await res.json();\nconsole.log(prompt.version, prompt.body);"
    );
    Snippets {
        label: label.to_string(),
        curl,
        python,
        typescript,
        env_base: base.is_none(),
    }
}

/// The registry panel of a readable prompt.
pub async fn panel(
    state: &AppState,
    me: &Me,
    v: &PromptView,
) -> Result<Panel, crate::error::Error> {
    let p = &v.prompt;
    let registry::Overview {
        labels,
        latest,
        mut events,
        aliases,
    } = registry::overview(
        &state.db,
        &me.user,
        &p.id,
        AUDIT_ON_PAGE as i64 + 1,
        state.config.protected(),
    )
    .await?;
    let audit_more = events.len() > AUDIT_ON_PAGE;
    events.truncate(AUDIT_ON_PAGE);
    let mut choices: Vec<String> = STANDARD.iter().map(|s| (*s).to_string()).collect();
    for l in &labels {
        if !choices.contains(&l.label) {
            choices.push(l.label.clone());
        }
    }
    let full_name = match (&v.namespace, &v.name) {
        (Some(ns), Some(n)) => format!("{ns}/{n}"),
        _ => String::new(),
    };
    let code_label = if labels.iter().any(|l| l.label == registry::DEFAULT_LABEL) {
        registry::DEFAULT_LABEL
    } else {
        LATEST
    };
    let code = (!full_name.is_empty())
        .then(|| snippets(state.config.public_url.as_deref(), &full_name, code_label));
    Ok(Panel {
        full_name,
        aliases,
        latest,
        numbers: (1..=latest).rev().collect(),
        labels: labels
            .into_iter()
            .map(|l| {
                let previous = previous_of(&events, &l.label).filter(|n| *n != l.version);
                LabelView {
                    older: previous.is_some_and(|n| n < l.version),
                    previous,
                    custom: !STANDARD.contains(&l.label.as_str()) && !l.protected,
                    protected: l.protected,
                    version: l.version,
                    updated: fmt::ago(&l.updated_at),
                    updated_iso: fmt::iso(&l.updated_at),
                    label: l.label,
                }
            })
            .collect(),
        choices,
        may_label: v.can_edit || p.team_id.is_some() || p.visibility == Visibility::Team,
        audit: events
            .iter()
            .map(|e| {
                let (what, change) = describe(e);
                AuditRow {
                    when: fmt::ago(&e.created_at),
                    when_iso: fmt::iso(&e.created_at),
                    who: e.actor.clone().unwrap_or_else(|| "a former user".into()),
                    what,
                    change,
                }
            })
            .collect(),
        audit_more,
        code,
    })
}

/// Writes on each version the labels pointing at it.
pub fn mark(versions: &mut [super::diffview::VersionView], panel: &Panel) {
    for v in versions {
        v.labels = panel
            .labels
            .iter()
            .filter(|l| l.version == v.version)
            .map(|l| l.label.clone())
            .collect();
    }
}

/// `POST /prompts/:id/labels`: points `label` at `version` (promote, or roll back).
pub async fn move_label(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let to = back(&form, &id);
    let label = form.get("label").trim().to_string();
    let version: i32 = form.get("version").trim().parse().unwrap_or(0);
    if version < 1 {
        return Ok(redirect_with(
            &to,
            Flash::error("Choose the version the label points at."),
        ));
    }
    let before = registry::labels(&state.db, &me.user, &id, state.config.protected())
        .await
        .or_flash(&to)?
        .0
        .into_iter()
        .find(|l| l.label == label)
        .map(|l| l.version);
    let l = registry::move_label(
        &state.db,
        &me.user,
        &id,
        &label,
        version,
        state.config.protected(),
    )
    .await
    .or_flash(&to)?;
    let message = match before {
        Some(b) if b == l.version => format!("{} already points at v{}.", l.label, l.version),
        Some(b) if b > l.version => format!("{} rolled back from v{b} to v{}.", l.label, l.version),
        Some(b) => format!("{} moved from v{b} to v{}.", l.label, l.version),
        None => format!("{} now points at v{}.", l.label, l.version),
    };
    Ok(redirect_with(&to, Flash::ok(message)))
}

/// `POST /prompts/:id/labels/remove`: removes a label.
pub async fn remove_label(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let to = back(&form, &id);
    let label = form.get("label").trim().to_string();
    registry::remove_label(&state.db, &me.user, &id, &label, state.config.protected())
        .await
        .or_flash(&to)?;
    Ok(redirect_with(
        &to,
        Flash::ok(format!("Label {label} removed.")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_use_the_public_url_or_the_environment() {
        let s = snippets(
            Some("https://p.example.com/"),
            "team-a/support/reply",
            "production",
        );
        assert!(s.curl.contains(
            "\"https://p.example.com/api/registry/team-a/support/reply?label=production\""
        ));
        assert!(
            s.python
                .contains("\"https://p.example.com/api/registry/team-a/support/reply\"")
        );
        assert!(!s.env_base);
        let s = snippets(None, "ann/outline", "latest");
        assert!(
            s.curl
                .contains("\"$PROMPTVAULT_URL/api/registry/ann/outline?label=latest\"")
        );
        assert!(
            s.typescript
                .contains("${process.env.PROMPTVAULT_URL}/api/registry/ann/outline")
        );
        assert!(s.env_base);
    }
}
