//! The MCP tools: `search_prompts` and `render_prompt`. A tool's failure the caller can act on
//! (no such prompt, a wrong value) is a result with `isError: true`, as the protocol asks, so
//! the model reads it; only malformed calls are JSON-RPC errors.

use serde_json::{Value, json};

use super::rpc::RpcError;
use super::{Session, from_error, internal, parse_name, text_values};
use crate::listing::{ListQuery, Scope};
use crate::registry::{self, fetchable};

/// Most results `search_prompts` returns.
const MAX_RESULTS: i64 = 50;

pub fn list() -> Value {
    json!([
        {
            "name": "search_prompts",
            "title": "Search prompts",
            "description": "Full-text search over the titles, texts, notes and tags of the prompts you \
                may read. Words are matched by stem; \"quoted phrases\", -excluded words and tag:name \
                filters work. Answers each match's name (namespace/name, for prompts/get and \
                render_prompt), title and a snippet, best first.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": { "type": "string", "description": "Words to look for" },
                    "limit": { "type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "default": 10,
                               "description": "How many results (1–50)" },
                },
                "required": ["query"],
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false },
        },
        {
            "name": "render_prompt",
            "title": "Render a prompt",
            "description": "Fills a prompt's variables and answers the text. The version is the one \
                labelled production (or the newest when none is) unless a label or version is given. \
                Values are checked against the prompt's typed variables.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "description": "namespace/name of the prompt" },
                    "label": { "type": "string", "description": "A label (production, staging, latest, …)" },
                    "version": { "type": "integer", "minimum": 1, "description": "A version number instead of a label" },
                    "values": { "type": "object", "description": "Variable name -> value (text, number or boolean)",
                                "additionalProperties": { "type": ["string", "number", "boolean"] } },
                },
                "required": ["name"],
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false },
        },
    ])
}

pub async fn call(s: &Session<'_>, params: &Value) -> Result<Value, RpcError> {
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("tools/call needs a tool \"name\""))?;
    let args = match params.get("arguments") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(RpcError::invalid_params("\"arguments\" must be an object")),
    };
    let outcome = match name {
        "search_prompts" => search(s, &args).await,
        "render_prompt" => render(s, &args).await,
        _ => return Err(RpcError::invalid_params(format!("Unknown tool: {name}"))),
    };
    Ok(match outcome {
        Ok((text, structured)) => json!({
            "content": [{ "type": "text", "text": text }],
            "structuredContent": structured,
            "isError": false,
        }),
        Err(e) => {
            if e.code == super::rpc::INTERNAL_ERROR {
                return Err(e);
            }
            let mut text = e.message.clone();
            if let Some(d) = &e.data {
                text.push_str(&format!(" {d}"));
            }
            json!({ "content": [{ "type": "text", "text": text }], "isError": true })
        }
    })
}

async fn search(s: &Session<'_>, args: &Value) -> Result<(String, Value), RpcError> {
    let query = args
        .get("query")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| RpcError::invalid_params("search_prompts needs a \"query\""))?;
    let limit = match args.get("limit") {
        None | Some(Value::Null) => 10,
        Some(v) => v
            .as_i64()
            .filter(|n| (1..=MAX_RESULTS).contains(n))
            .ok_or_else(|| RpcError::invalid_params("\"limit\" must be an integer from 1 to 50"))?,
    };
    let q = ListQuery {
        q: Some(query.to_string()),
        limit,
        ..ListQuery::default()
    };
    let found = crate::search::search(s.db, &s.user.id, Scope::Readable, &q)
        .await
        .map_err(from_error)?;
    let ids: Vec<String> = found.hits.iter().map(|h| h.id.clone()).collect();
    let mut tx = s.db.read().await.map_err(internal)?;
    let entries = fetchable::by_ids(&mut tx, &s.user.id, s.limits, &s.default_label, &ids)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let results: Vec<Value> = entries
        .iter()
        .map(|e| {
            let snippet = found
                .hits
                .iter()
                .find(|h| h.id == e.prompt_id)
                .map(|h| plain(&h.snippet))
                .unwrap_or_default();
            json!({ "name": e.full_name(), "title": e.title, "snippet": snippet })
        })
        .collect();
    let text = if results.is_empty() {
        format!("No prompt matches {query:?}.")
    } else {
        results
            .iter()
            .map(|r| {
                format!(
                    "{} — {}\n  {}",
                    r["name"].as_str().unwrap_or_default(),
                    r["title"].as_str().unwrap_or_default(),
                    r["snippet"].as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok((text, json!({ "results": results })))
}

/// A search snippet (HTML with `<mark>`) as plain text, matches in **bold**.
fn plain(html: &str) -> String {
    html.replace("<mark>", "**")
        .replace("</mark>", "**")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

async fn render(s: &Session<'_>, args: &Value) -> Result<(String, Value), RpcError> {
    let raw = args
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("render_prompt needs a \"name\""))?;
    let (namespace, name, mut sel) = parse_name(raw, &s.default_label)?;
    let label = args.get("label").filter(|v| !v.is_null());
    let version = args.get("version").filter(|v| !v.is_null());
    match (label, version) {
        (Some(_), Some(_)) => {
            return Err(RpcError::invalid_params(
                "Give a label or a version, not both",
            ));
        }
        (Some(l), None) => {
            let l = l
                .as_str()
                .ok_or_else(|| RpcError::invalid_params("\"label\" must be text"))?;
            sel = registry::Selector::Label {
                label: registry::parse_label(l)
                    .map_err(|p| RpcError::invalid_params(format!("Label {l:?}: {p}")))?,
                fallback_latest: false,
            };
        }
        (None, Some(v)) => {
            let n = v
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| RpcError::invalid_params("\"version\" must be 1, 2, …"))?;
            sel = registry::Selector::Version(n);
        }
        (None, None) => {}
    }
    let values = text_values(args.get("values"))?;
    let (f, rendered) =
        registry::render(s.db, &s.caller(), &namespace, &name, &sel, &values, false)
            .await
            .map_err(from_error)?;
    let structured = json!({
        "name": format!("{}/{}", f.namespace, f.name),
        "version": f.version,
        "labels": f.labels,
        "text": rendered.text,
        "missing": rendered.missing,
        "kind": f.kind,
        "messages": rendered.messages,
        "config": f.config,
    });
    Ok((rendered.text, structured))
}
