//! JSON-RPC 2.0 messages as MCP uses them: requests (with an `id`), notifications (without),
//! results and errors. Parsing never fails on odd input: a message that is not a request is
//! answered with the JSON-RPC error it deserves.

use serde_json::{Value, json};

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC request object.
pub const INVALID_REQUEST: i64 = -32600;
/// A method this server does not have.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Parameters that do not fit the method (an unknown prompt, a wrong argument).
pub const INVALID_PARAMS: i64 = -32602;
/// Something failed on our side (details in the log, never in the answer).
pub const INTERNAL_ERROR: i64 = -32603;

/// One incoming message.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A request: it gets an answer with the same id.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    /// A notification (no id) or a response to something we never ask: no answer.
    Notification { method: String },
    /// Not a JSON-RPC message: answered with this error (id `null` when none was readable).
    Invalid { id: Value, error: RpcError },
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError::new(INVALID_PARAMS, message)
    }
}

/// Reads one message (an element of a batch, or the whole body).
pub fn parse(v: Value) -> Incoming {
    let Value::Object(mut m) = v else {
        return Incoming::Invalid {
            id: Value::Null,
            error: RpcError::new(INVALID_REQUEST, "a JSON-RPC message is an object"),
        };
    };
    let id = m.remove("id");
    let valid_id = |id: &Value| matches!(id, Value::String(_) | Value::Number(_));
    if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Incoming::Invalid {
            id: id.filter(valid_id).unwrap_or(Value::Null),
            error: RpcError::new(INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\""),
        };
    }
    let method = m.remove("method");
    match (id, method) {
        (Some(id), Some(Value::String(method))) if valid_id(&id) => Incoming::Request {
            id,
            method,
            params: m.remove("params").unwrap_or(Value::Null),
        },
        (Some(id), Some(_)) => Incoming::Invalid {
            id: if valid_id(&id) { id } else { Value::Null },
            error: RpcError::new(
                INVALID_REQUEST,
                "a request has a string or number \"id\" and a string \"method\"",
            ),
        },
        (None, Some(Value::String(method))) => Incoming::Notification { method },
        // A response (result or error) from the client: nothing we asked for; no answer.
        (Some(_), None) if m.contains_key("result") || m.contains_key("error") => {
            Incoming::Notification {
                method: String::new(),
            }
        }
        (id, _) => Incoming::Invalid {
            id: id.filter(valid_id).unwrap_or(Value::Null),
            error: RpcError::new(INVALID_REQUEST, "a JSON-RPC message needs a \"method\""),
        },
    }
}

pub fn result(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

pub fn error(id: Value, e: RpcError) -> Value {
    let mut err = json!({ "code": e.code, "message": e.message });
    if let Some(d) = e.data {
        err["data"] = d;
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": err })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_told_apart() {
        assert_eq!(
            parse(json!({"jsonrpc":"2.0","id":1,"method":"ping"})),
            Incoming::Request {
                id: json!(1),
                method: "ping".into(),
                params: Value::Null
            }
        );
        assert_eq!(
            parse(json!({"jsonrpc":"2.0","method":"notifications/initialized"})),
            Incoming::Notification {
                method: "notifications/initialized".into()
            }
        );
        assert!(matches!(
            parse(json!({"jsonrpc":"2.0","id":3,"result":{}})),
            Incoming::Notification { .. }
        ));
        for bad in [
            json!([1]),
            json!("x"),
            json!({"id":1,"method":"ping"}),
            json!({"jsonrpc":"2.0","id":{"a":1},"method":"ping"}),
            json!({"jsonrpc":"2.0","id":1,"method":7}),
            json!({"jsonrpc":"2.0","id":1}),
        ] {
            assert!(
                matches!(parse(bad.clone()), Incoming::Invalid { ref error, .. } if error.code == INVALID_REQUEST),
                "{bad}"
            );
        }
    }
}
