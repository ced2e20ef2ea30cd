//! Middleware: security headers on every response, the CSRF check for cookie-authenticated
//! unsafe requests, and JSON answers for panics and unknown API paths.

use std::any::Any;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::error::json_error;
use super::extract::cookie;
use crate::auth::sessions::COOKIE;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

/// The headers every response carries.
pub fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ]
}

/// Rejects cross-site unsafe requests that would ride on the session cookie. Browsers send
/// `Sec-Fetch-Site` (and `Origin`); a same-origin 1.x page passes, a foreign page does not.
/// Requests with a Bearer token or without the cookie are not cookie-authenticated and pass.
/// Signing in and registering are refused cross-site even without a cookie (login CSRF would
/// sign the victim into the attacker's account); clients that send neither `Origin` nor
/// `Sec-Fetch-Site` (curl, SDKs) still pass.
pub async fn csrf(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = req.headers();
    let uses_cookie =
        cookie(headers, COOKIE).is_some() && !headers.contains_key(header::AUTHORIZATION);
    let signs_in = SIGN_IN_PATHS.contains(&req.uri().path());
    if unsafe_method && (uses_cookie || signs_in) && is_cross_site(headers) {
        return json_error(
            StatusCode::FORBIDDEN,
            "Cross-site request refused",
            "csrf_rejected",
        );
    }
    next.run(req).await
}

/// A request that may write (any method but GET, HEAD and OPTIONS): what was read and kept
/// before it, or while it runs (list totals, resolved tokens), is not used again
/// (`db::writes`).
pub async fn writes_refresh_caches(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    crate::db::writes::changed();
    let response = next.run(req).await;
    crate::db::writes::changed();
    response
}

/// Paths that create a session from credentials (JSON API and the sign-in page's form).
const SIGN_IN_PATHS: [&str; 3] = ["/api/auth/login", "/api/auth/register", "/auth"];

fn is_cross_site(headers: &axum::http::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !origin_host.eq_ignore_ascii_case(host)
}

/// A panic becomes a generic JSON 500 (the panic is logged, its text is not sent).
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal server error",
        "internal_error",
    )
}

/// Path parameters name rows (ids, share ids, version numbers, backup files). A value that is
/// not id syntax ([`crate::text::is_id`]) names nothing: 404 before any handler or query runs.
pub async fn api_path_ids(
    params: Result<RawPathParams, RawPathParamsRejection>,
    req: Request,
    next: Next,
) -> Response {
    if !path_ids_valid(params.as_ref().ok()) {
        return api_not_found().await;
    }
    next.run(req).await
}

/// Are all the matched path parameters (if readable) ids? A registry prompt name (`{*name}`,
/// folders included) may be longer than an id: up to `registry::names::MAX_NAME` characters.
pub fn path_ids_valid(params: Option<&RawPathParams>) -> bool {
    params.is_some_and(|p| {
        p.iter().all(|(k, v)| {
            crate::text::is_id(v)
                || (k == "name"
                    && v.len() <= crate::registry::names::MAX_NAME
                    && v.bytes().all(|b| b.is_ascii_graphic()))
        })
    })
}

pub async fn api_not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "Not found", "not_found")
}

pub async fn method_not_allowed() -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "method_not_allowed",
    )
}

/// The log span of one request: method, the matched route (`/api/prompts/{id}`, never the
/// raw path with its ids) and, once known, the signed-in user's id.
pub fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |m| m.as_str());
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        user = tracing::field::Empty,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().expect("header"));
        }
        m
    }

    #[test]
    fn cross_site_detection() {
        assert!(!is_cross_site(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_cross_site(&h(&[
            ("origin", "http://a.io:3000"),
            ("host", "a.io:3000")
        ])));
        assert!(is_cross_site(&h(&[
            ("origin", "http://evil.io"),
            ("host", "a.io:3000")
        ])));
        assert!(
            !is_cross_site(&h(&[])),
            "non-browser clients send neither header"
        );
    }
}
