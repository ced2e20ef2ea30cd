//! The MCP server: agents list, get and render prompts through the Model Context Protocol
//! (JSON-RPC 2.0 over the Streamable HTTP transport, at `/mcp`).
//!
//! Rules:
//! - Only an API token opens it (`Authorization: Bearer …`; read-only and namespace-limited
//!   tokens too); the token's user sees exactly the prompts they may read, within the token's
//!   namespaces. Without a valid token: 401 and a JSON-RPC error.
//! - Stateless: no session id; every POST carries one message (or a batch) and gets its answer
//!   as `application/json`; notifications get 202. The server never starts a stream of its
//!   own (GET answers 405).
//! - Prompts are named `namespace/name`. `prompts/get` answers the version labelled
//!   `production` (the default label: `?label=` on the endpoint URL changes it for the
//!   connection), or the newest version when the prompt has no such label: the description
//!   says which. A name may choose for itself: `namespace/name@staging`, `namespace/name@7`
//!   (version 7), `namespace/name@latest`; an explicit label never falls back.
//! - Arguments are the prompt's typed variables (MCP arguments are text: the type, allowed
//!   values and default are in each argument's description); values are checked as for the
//!   JSON render (wrong ones: error -32602 with one message per field).
//! - Tools: `search_prompts` (full-text search, the same engine and limits as `/api/search`)
//!   and `render_prompt` (a name, an optional label or version, values).
//! - Prompts are text; the rendered text is one `user` message.

pub mod http;
pub mod rpc;
mod tools;

use serde_json::{Value, json};

use crate::auth::TokenLimits;
use crate::db::Db;
use crate::error::Error;
use crate::prompts::chat::Role;
use crate::prompts::variables::{Declaration, VarType};
use crate::registry::fetchable::{self, Entry};
use crate::registry::{self, Caller, Selector};
use crate::users::UserRow;
use rpc::{Incoming, RpcError};

/// Protocol revisions this server speaks (all through the `initialize` handshake), newest
/// first. A client asking for another one is offered the first.
pub const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// Prompts per `prompts/list` page.
const PAGE: i64 = 100;

/// Who is asking, and how.
pub struct Session<'a> {
    pub db: &'a Db,
    pub user: &'a UserRow,
    pub limits: Option<&'a TokenLimits>,
    /// The label `prompts/get` uses when a name does not choose one.
    pub default_label: String,
}

impl Session<'_> {
    fn caller(&self) -> Caller<'_> {
        Caller {
            user: self.user,
            limits: self.limits,
        }
    }
}

/// Answers one message: `None` for a notification.
pub async fn handle(s: &Session<'_>, message: Incoming) -> Option<Value> {
    match message {
        Incoming::Notification { .. } => None,
        Incoming::Invalid { id, error } => Some(rpc::error(id, error)),
        Incoming::Request { id, method, params } => Some(match call(s, &method, &params).await {
            Ok(result) => rpc::result(id, result),
            Err(e) => rpc::error(id, e),
        }),
    }
}

async fn call(s: &Session<'_>, method: &str, params: &Value) -> Result<Value, RpcError> {
    match method {
        "initialize" => Ok(initialize(params)),
        "ping" => Ok(json!({})),
        "prompts/list" => list_prompts(s, params).await,
        "prompts/get" => get_prompt(s, params).await,
        "tools/list" => Ok(json!({ "tools": tools::list() })),
        "tools/call" => tools::call(s, params).await,
        _ => Err(RpcError::new(
            rpc::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )),
    }
}

fn initialize(params: &Value) -> Value {
    let asked = params.get("protocolVersion").and_then(Value::as_str);
    let version = asked
        .filter(|v| PROTOCOL_VERSIONS.contains(v))
        .unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {
            "prompts": { "listChanged": false },
            "tools": { "listChanged": false },
        },
        "serverInfo": {
            "name": "promptvault",
            "title": "PromptVault",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "instructions": "Prompts from a PromptVault library, named namespace/name. \
            prompts/get answers the version labelled production (or the newest when a prompt has \
            none); add @label or @version to a name to choose (support/reply@staging, \
            support/reply@7). Tools: search_prompts finds prompts by words; render_prompt fills \
            a prompt's variables.",
    })
}

/// A cursor is the last prompt id of the previous page.
fn cursor_of(params: &Value) -> Result<Option<String>, RpcError> {
    match params.get("cursor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(c)) => c
            .strip_prefix("after:")
            .filter(|id| !id.is_empty() && id.len() <= 64)
            .map(|id| Some(id.to_string()))
            .ok_or_else(|| RpcError::invalid_params("Invalid cursor")),
        Some(_) => Err(RpcError::invalid_params("Invalid cursor")),
    }
}

async fn list_prompts(s: &Session<'_>, params: &Value) -> Result<Value, RpcError> {
    let after = cursor_of(params)?;
    let mut tx = s.db.read().await.map_err(internal)?;
    let page = fetchable::page(
        &mut tx,
        &s.user.id,
        s.limits,
        &s.default_label,
        after.as_deref(),
        PAGE + 1,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let more = page.len() as i64 > PAGE;
    let shown = &page[..page.len().min(PAGE as usize)];
    let mut out = json!({
        "prompts": shown.iter().map(|e| describe(e, &s.default_label)).collect::<Vec<_>>(),
    });
    if more && let Some(last) = shown.last() {
        out["nextCursor"] = json!(format!("after:{}", last.prompt_id));
    }
    Ok(out)
}

/// A prompt as `prompts/list` shows it.
fn describe(e: &Entry, label: &str) -> Value {
    let which = match e.labelled_version {
        Some(v) => format!("Version {v} (labelled {label})."),
        None => format!("No version is labelled {label}: the newest version is served."),
    };
    let notes = e
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| format!(" {}", clip(n, 300)))
        .unwrap_or_default();
    json!({
        "name": e.full_name(),
        "title": e.title,
        "description": format!("{}{notes} {which}", e.title),
        "arguments": e.variables.iter().map(argument).collect::<Vec<_>>(),
    })
}

/// A variable as an MCP prompt argument: its type, values and default are told in words.
fn argument(d: &Declaration) -> Value {
    let mut words: Vec<String> = Vec::new();
    if let Some(desc) = d.description.as_deref().filter(|x| !x.trim().is_empty()) {
        words.push(desc.trim().to_string());
    }
    let kind = match d.kind {
        None | Some(VarType::Text) => "text".to_string(),
        Some(VarType::String) => "one line of text".to_string(),
        Some(VarType::Number) => "a number".to_string(),
        Some(VarType::Integer) => "an integer".to_string(),
        Some(VarType::Boolean) => "true or false".to_string(),
        Some(VarType::Enum) => format!(
            "one of: {}",
            d.values.as_deref().unwrap_or_default().join(", ")
        ),
    };
    words.push(format!("Type: {kind}."));
    if let Some(def) = &d.default {
        words.push(format!("Default: {}.", clip(def, 200)));
    }
    json!({
        "name": d.name,
        "description": words.join(" "),
        "required": d.is_required(),
    })
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// The MCP messages of a rendered version: a text version is one `user` message; a chat
/// version keeps its messages in order. MCP prompt messages are only `user` or `assistant`:
/// a `system` message is sent as a `user` message (and the description says so,
/// [`system_note`]).
fn mcp_messages(rendered: &crate::prompts::variables::Rendered) -> Vec<Value> {
    let text = |role: &str, text: &str| json!({ "role": role, "content": { "type": "text", "text": text } });
    match &rendered.messages {
        None => vec![text("user", &rendered.text)],
        Some(ms) => ms
            .iter()
            .map(|m| match m.role {
                Role::Assistant => text("assistant", &m.content),
                Role::User | Role::System => text("user", &m.content),
            })
            .collect(),
    }
}

/// What the description says about system messages sent as user messages.
fn system_note(rendered: &crate::prompts::variables::Rendered) -> Option<String> {
    let at: Vec<String> = rendered
        .messages
        .as_ref()?
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == Role::System)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    (!at.is_empty()).then(|| {
        format!(
            "A chat prompt: MCP has no system role, so its system message{} (message{} {}) {} sent with the user role.",
            if at.len() == 1 { "" } else { "s" },
            if at.len() == 1 { "" } else { "s" },
            at.join(", "),
            if at.len() == 1 { "is" } else { "are" },
        )
    })
}

/// `namespace/name[@label|@version]` with the session's default label.
pub(crate) fn parse_name(
    raw: &str,
    default_label: &str,
) -> Result<(String, String, Selector), RpcError> {
    let (path, choice) = match raw.rsplit_once('@') {
        Some((p, c)) => (p, Some(c)),
        None => (raw, None),
    };
    let (namespace, name) = path.split_once('/').ok_or_else(|| {
        RpcError::invalid_params(format!(
            "A prompt is named namespace/name (for example team/support/reply), not {raw:?}"
        ))
    })?;
    let sel = match choice {
        None => Selector::Label {
            label: default_label.to_string(),
            fallback_latest: true,
        },
        Some(c) => {
            let c = c
                .strip_prefix('v')
                .filter(|n| n.parse::<i32>().is_ok())
                .unwrap_or(c);
            match c.parse::<i32>() {
                Ok(n) if n >= 1 => Selector::Version(n),
                Ok(_) => return Err(RpcError::invalid_params("Versions start at 1")),
                Err(_) => Selector::Label {
                    label: registry::parse_label(c)
                        .map_err(|p| RpcError::invalid_params(format!("Label {c:?}: {p}")))?,
                    fallback_latest: false,
                },
            }
        }
    };
    Ok((namespace.to_string(), name.to_string(), sel))
}

/// Text arguments as the render takes them.
pub(crate) fn text_values(
    v: Option<&Value>,
) -> Result<std::collections::BTreeMap<String, String>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(Default::default()),
        Some(Value::Object(m)) => {
            registry::api::value_texts(m.clone().into_iter().collect()).map_err(from_error)
        }
        Some(_) => Err(RpcError::invalid_params(
            "arguments must be an object of name: value",
        )),
    }
}

async fn get_prompt(s: &Session<'_>, params: &Value) -> Result<Value, RpcError> {
    let raw = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("prompts/get needs a \"name\""))?;
    let (namespace, name, sel) = parse_name(raw, &s.default_label)?;
    let values = text_values(params.get("arguments"))?;
    let (f, rendered) =
        registry::render(s.db, &s.caller(), &namespace, &name, &sel, &values, false)
            .await
            .map_err(from_error)?;
    let which = match &sel {
        Selector::Version(n) => format!("version {n}"),
        Selector::Label { label, .. } if f.labels.iter().any(|l| l == label) => {
            format!("version {} (labelled {label})", f.version)
        }
        Selector::Label { label, .. } => format!(
            "version {} (the newest: no version is labelled {label})",
            f.version
        ),
    };
    let mut description = format!("{}: {which}.", f.title);
    if !rendered.missing.is_empty() {
        description.push_str(&format!(
            " No value for: {} (left as placeholders).",
            rendered.missing.join(", ")
        ));
    }
    let messages = mcp_messages(&rendered);
    if let Some(note) = system_note(&rendered) {
        description.push(' ');
        description.push_str(&note);
    }
    Ok(json!({
        "description": description,
        "messages": messages,
        "_meta": {
            "promptvault/name": format!("{}/{}", f.namespace, f.name),
            "promptvault/version": f.version,
            "promptvault/labels": f.labels,
        },
    }))
}

/// A service error as a JSON-RPC error: the caller's mistakes are invalid params (with the
/// per-field details), our failures are internal (logged, never described).
pub(crate) fn from_error(e: Error) -> RpcError {
    match e {
        Error::Invalid { message, details } => {
            RpcError::invalid_params(message).with_data(json!({ "fields": details }))
        }
        Error::Unprocessable {
            message,
            code,
            details,
        } => {
            RpcError::invalid_params(message).with_data(json!({ "code": code, "details": details }))
        }
        Error::NotFound(m) | Error::Forbidden(m) => RpcError::invalid_params(m),
        Error::Conflict { message, .. } => RpcError::invalid_params(message),
        Error::Unauthorized | Error::InvalidCredentials => RpcError::invalid_params("Not allowed"),
        Error::RateLimited { retry_after_secs } => RpcError::new(
            rpc::INTERNAL_ERROR,
            format!("Busy: try again in {retry_after_secs} s"),
        ),
        Error::Db(sqlx::Error::PoolTimedOut) => {
            RpcError::new(rpc::INTERNAL_ERROR, "The server is busy; try again shortly")
        }
        other => internal(other),
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> RpcError {
    tracing::error!(error = %e, "mcp request failed");
    RpcError::new(rpc::INTERNAL_ERROR, "Internal error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_choose_their_version() {
        let (ns, n, sel) = parse_name("team/support/reply", "production").expect("ok");
        assert_eq!((ns.as_str(), n.as_str()), ("team", "support/reply"));
        assert_eq!(
            sel,
            Selector::Label {
                label: "production".into(),
                fallback_latest: true
            }
        );
        assert_eq!(
            parse_name("a/b@7", "production").expect("ok").2,
            Selector::Version(7)
        );
        assert_eq!(
            parse_name("a/b@v7", "production").expect("ok").2,
            Selector::Version(7)
        );
        assert_eq!(
            parse_name("a/b@staging", "production").expect("ok").2,
            Selector::Label {
                label: "staging".into(),
                fallback_latest: false
            }
        );
        assert!(parse_name("nonamespace", "production").is_err());
        assert!(parse_name("a/b@0", "production").is_err());
        assert!(parse_name("a/b@Bad Label", "production").is_err());
    }
}
