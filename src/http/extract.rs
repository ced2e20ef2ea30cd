//! Request extractors whose rejections are JSON errors, never plain-text or HTML pages.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::json_error;
use crate::error::Error;
use crate::state::AppState;

/// A JSON body. Bad JSON and wrong types are 400 naming the field and the JSON type it takes
/// (never Rust type names); an oversized body is 413. The `Content-Type` is not required (1.x scripts sometimes omit it).
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Request body too large",
                    "payload_too_large",
                )
            } else {
                json_error(
                    StatusCode::BAD_REQUEST,
                    "Could not read the request body",
                    "bad_request",
                )
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(invalid_json(
                "the request body is empty: send a JSON object",
            ));
        }
        crate::text::check_json("body", &bytes).map_err(IntoResponse::into_response)?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let (field, problem) = json_problem(&path, e.inner());
            Error::invalid_field(&field, problem).into_response()
        })?;
        de.end()
            .map_err(|_| invalid_json("has text after the JSON value"))?;
        Ok(Json(value))
    }
}

fn invalid_json(problem: &str) -> Response {
    Error::invalid_field("body", problem).into_response()
}

/// A deserialisation error as (field path, problem in JSON terms): serde's own text names
/// Rust types (`i32`, `struct PromptInput`), which clients have no use for.
fn json_problem(path: &str, e: &serde_json::Error) -> (String, String) {
    use serde_json::error::Category;
    let field = |p: &str| {
        if p.is_empty() || p == "." {
            "body".to_string()
        } else {
            p.to_string()
        }
    };
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => (
            "body".into(),
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
        Category::Data => {
            let msg = e.to_string();
            if let Some(name) = between(&msg, "missing field `", "`") {
                let parent = field(path);
                let full = if parent == "body" {
                    name.to_string()
                } else {
                    format!("{parent}.{name}")
                };
                return (full, "is required".into());
            }
            if msg.starts_with("unknown field `") {
                return (field(path), "is not a known field".into());
            }
            let problem = match msg.split_once("expected ") {
                Some((_, want)) if msg.starts_with("invalid type") => {
                    format!("expected {}", json_type(want))
                }
                _ if msg.starts_with("unknown variant") || msg.starts_with("invalid value") => {
                    "has a value that is not allowed".into()
                }
                _ => "has the wrong type or value".into(),
            };
            let path = field(path);
            let problem = if path == "body" && problem.starts_with("expected") {
                format!("{problem} (the request body)")
            } else {
                problem
            };
            (path, problem)
        }
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = s.split_once(start)?.1;
    Some(rest.split_once(end)?.0)
}

/// serde's description of what it wanted, as a JSON type.
fn json_type(want: &str) -> &'static str {
    let want = want.split(" at line ").next().unwrap_or(want);
    if want.contains("bool") {
        "a boolean"
    } else if want.contains("string") || want.contains("char") {
        "a string"
    } else if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "integer",
    ]
    .iter()
    .any(|t| want.contains(t))
    {
        "a whole number"
    } else if want.contains("f32") || want.contains("f64") || want.contains("number") {
        "a number"
    } else if want.contains("sequence") || want.contains("tuple") || want.contains("array") {
        "an array"
    } else {
        "an object"
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string parameters; a malformed value (or a NUL character) is a 400 JSON error.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        crate::text::query_pairs(q).map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_str(q)
            .map(Query)
            .map_err(|e| Error::invalid_field("query", e.to_string()).into_response())
    }
}

/// `limit` and `offset` of an admin list (the bounds are `listing::check_page`'s).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: crate::listing::DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl Page {
    /// The one paging rule: see `listing::check_page`.
    pub fn checked(self) -> Result<Page, Error> {
        let (limit, offset) = crate::listing::check_page(self.limit, self.offset)?;
        Ok(Page { limit, offset })
    }
}

/// A JSON array with the total in `X-Total-Count`.
pub fn with_total<T: serde::Serialize>(items: T, total: crate::listing::Total) -> Response {
    let mut r = axum::Json(items).into_response();
    if let Ok(v) = total.count.to_string().parse() {
        r.headers_mut().insert("x-total-count", v);
    }
    if total.capped {
        r.headers_mut().insert(
            "x-total-count-capped",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    r
}

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

/// The client's address: the socket peer, or, when the configuration says trusted proxies
/// sit in front, the `X-Forwarded-For` entry `trusted_proxy_hops` places from the right (each
/// proxy appends the address it saw; entries further left are whatever the client sent).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        if !state.config.trust_proxy {
            return Ok(ClientIp(peer));
        }
        Ok(ClientIp(
            forwarded_client(&parts.headers, state.config.trusted_proxy_hops).unwrap_or(peer),
        ))
    }
}

/// The entry `hops` places from the right of all `X-Forwarded-For` values together; `None`
/// when the header has fewer entries (a request that did not pass every proxy) or the entry is
/// not an address.
pub fn forwarded_client(headers: &HeaderMap, hops: u32) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    let hops = usize::try_from(hops.max(1)).ok()?;
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_fields_and_json_types() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            n: i32,
        }
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            title: String,
            inner: Option<Inner>,
        }
        let problem = |text: &str| {
            let de = &mut serde_json::Deserializer::from_str(text);
            let e = serde_path_to_error::deserialize::<_, T>(de).expect_err("fails");
            json_problem(&e.path().to_string(), e.inner())
        };
        assert_eq!(
            problem(r#"{"title": 5}"#),
            ("title".into(), "expected a string".into())
        );
        assert_eq!(
            problem(r#"{"title": "x", "inner": {"n": "5"}}"#),
            ("inner.n".into(), "expected a whole number".into())
        );
        assert_eq!(problem(r#"{}"#), ("title".into(), "is required".into()));
        assert_eq!(
            problem(r#"{"title": "x", "zz": 1}"#),
            ("zz".into(), "is not a known field".into())
        );
        let (field, p) = problem(r#""text""#);
        assert_eq!(field, "body");
        assert!(!p.contains("struct") && !p.contains('T'), "{p}");
        assert_eq!(problem("{").0, "body");
    }

    #[test]
    fn the_client_is_counted_from_the_right() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "1.1.1.1, 2.2.2.2, 3.3.3.3".parse().expect("v"),
        );
        assert_eq!(forwarded_client(&h, 1), Some(IpAddr::from([3, 3, 3, 3])));
        assert_eq!(forwarded_client(&h, 2), Some(IpAddr::from([2, 2, 2, 2])));
        assert_eq!(forwarded_client(&h, 4), None);
        h.append("x-forwarded-for", "4.4.4.4".parse().expect("v"));
        assert_eq!(forwarded_client(&h, 1), Some(IpAddr::from([4, 4, 4, 4])));
        h.insert("x-forwarded-for", "junk".parse().expect("v"));
        assert_eq!(forwarded_client(&h, 1), None);
    }
}
