//! Ordinary HTML form bodies (`application/x-www-form-urlencoded`), read as name/value pairs so
//! repeated fields (checkboxes) work. A body that cannot be read is a 400 page, never JSON.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;

use super::respond;

pub struct Form(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                respond::bare(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.")
            } else {
                respond::bare(StatusCode::BAD_REQUEST, "The form could not be read.")
            }
        })?;
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map_err(|_| respond::bare(StatusCode::BAD_REQUEST, "The form could not be read."))?;
        if pairs
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(respond::bare(
                StatusCode::BAD_REQUEST,
                "The form contains a NUL character.",
            ));
        }
        Ok(Form(pairs))
    }
}

impl Form {
    /// The first value of `name` (`""` when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, `None` when absent.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (checkbox groups, repeated inputs).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checkbox: present with any value but `false`/`off`/`0`.
    pub fn checked(&self, name: &str) -> bool {
        self.opt(name)
            .is_some_and(|v| !matches!(v, "false" | "off" | "0"))
    }
}

/// Query-string parameters for a page; a malformed query string (or one with a NUL character)
/// counts as empty (a page never answers a bad bookmark with an error).
pub struct PageQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> axum::extract::FromRequestParts<S>
    for PageQuery<T>
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        if crate::text::query_pairs(q).is_err() {
            return Ok(PageQuery(T::default()));
        }
        Ok(PageQuery(serde_urlencoded::from_str(q).unwrap_or_default()))
    }
}
