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
use crate::app::AppState;
use crate::error::Error;

/// A JSON body. Bad JSON and wrong types are 400 with the parser's explanation; an oversized
/// body is 413. The `Content-Type` is not required (1.x scripts sometimes omit it).
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
        serde_json::from_slice(&bytes)
            .map(Json)
            .map_err(|e| invalid_json(&e.to_string()))
    }
}

fn invalid_json(problem: &str) -> Response {
    Error::invalid_field("body", problem).into_response()
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

/// `limit` (default 50, at most 200) and `offset` of a list.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

impl Page {
    /// Clamps `limit` to 1..=200 and refuses a negative offset.
    pub fn checked(self) -> Result<Page, Error> {
        if self.offset < 0 {
            return Err(Error::invalid_field("offset", "must be 0 or more"));
        }
        if self.limit < 1 {
            return Err(Error::invalid_field("limit", "must be between 1 and 200"));
        }
        Ok(Page {
            limit: self.limit.min(200),
            offset: self.offset,
        })
    }
}

/// A JSON array with the total in `X-Total-Count`.
pub fn with_total<T: serde::Serialize>(items: T, total: i64) -> Response {
    let mut r = axum::Json(items).into_response();
    if let Ok(v) = total.to_string().parse() {
        r.headers_mut().insert("x-total-count", v);
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

/// The client's address: the socket peer, or the first `X-Forwarded-For` entry when the
/// configuration says a trusted proxy sits in front.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if state.config.trust_proxy
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ClientIp(ip));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        Ok(ClientIp(peer))
    }
}
