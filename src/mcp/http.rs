//! `/mcp`: the Streamable HTTP transport, stateless. POST carries a JSON-RPC message or a
//! batch and gets the answer as JSON (202 when there is nothing to answer); GET and DELETE
//! answer 405 (no server-initiated stream, no session to end).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::rpc::{self, RpcError};
use super::{PROTOCOL_VERSIONS, Session};
use crate::auth::RegistryUser;
use crate::auth::extract::Via;
use crate::error::Error;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Options {
    /// The label `prompts/get` answers by default (default `production`).
    label: Option<String>,
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn refused(status: StatusCode, code: i64, message: &str) -> Response {
    let mut r = json_response(
        status,
        &rpc::error(Value::Null, RpcError::new(code, message)),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"PromptVault\""),
        );
    }
    r
}

/// JSON-RPC code for "no valid credentials" (in the range left to servers).
const UNAUTHORIZED: i64 = -32001;

pub async fn post(
    State(s): State<AppState>,
    who: Result<RegistryUser, Error>,
    Query(o): Query<Options>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let me = match who {
        Ok(RegistryUser(me)) if matches!(me.via, Via::Token(_)) => me,
        Ok(_) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                UNAUTHORIZED,
                "The MCP server takes an API token: Authorization: Bearer <token> \
                 (create one under Settings → API tokens)",
            );
        }
        Err(Error::Db(e)) => return Error::Db(e).into_response(),
        Err(_) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                UNAUTHORIZED,
                "A valid API token is required: Authorization: Bearer <token>",
            );
        }
    };
    if let Some(v) = headers
        .get("mcp-protocol-version")
        .and_then(|v| v.to_str().ok())
        && !PROTOCOL_VERSIONS.contains(&v)
    {
        return refused(
            StatusCode::BAD_REQUEST,
            rpc::INVALID_REQUEST,
            &format!(
                "Unsupported MCP protocol version {v:?}; this server speaks {}",
                PROTOCOL_VERSIONS.join(", ")
            ),
        );
    }
    let default_label = match o.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => crate::registry::DEFAULT_LABEL.to_string(),
        Some(l) => match crate::registry::parse_label(l) {
            Ok(l) => l,
            Err(p) => {
                return refused(
                    StatusCode::BAD_REQUEST,
                    rpc::INVALID_REQUEST,
                    &format!("label={l:?} in the URL: {p}"),
                );
            }
        },
    };
    let session = Session {
        db: &s.db,
        user: &me.user,
        limits: me.limits(),
        default_label,
    };
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return refused(
                StatusCode::BAD_REQUEST,
                rpc::PARSE_ERROR,
                &format!("Parse error: {e}"),
            );
        }
    };
    let answer = match parsed {
        Value::Array(batch) if batch.is_empty() => Some(rpc::error(
            Value::Null,
            RpcError::new(rpc::INVALID_REQUEST, "An empty batch"),
        )),
        Value::Array(batch) => {
            let mut out = Vec::with_capacity(batch.len());
            for m in batch {
                if let Some(a) = super::handle(&session, rpc::parse(m)).await {
                    out.push(a);
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        single => super::handle(&session, rpc::parse(single)).await,
    };
    match answer {
        Some(a) => json_response(StatusCode::OK, &a),
        None => StatusCode::ACCEPTED.into_response(),
    }
}

/// GET (a server stream) and DELETE (ending a session): neither exists here.
pub async fn not_offered() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, HeaderValue::from_static("POST"))],
        axum::Json(json!({
            "error": "This MCP server is stateless: POST JSON-RPC messages to /mcp",
            "code": "method_not_allowed",
        })),
    )
        .into_response()
}
