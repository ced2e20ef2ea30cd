//! Turning page outcomes into responses: rendered templates, redirects (Post/Redirect/Get with a
//! flash message in a short-lived cookie), and HTML error pages — never a raw error.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::ctx::Ctx;
use crate::error::{Error, FieldErrors};

pub const FLASH_COOKIE: &str = "flash";

/// A one-time message shown on the next page: `kind` is `ok`, `error` or `info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub kind: &'static str,
    pub message: String,
}

impl Flash {
    pub fn ok(message: impl Into<String>) -> Flash {
        Flash {
            kind: "ok",
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Flash {
        Flash {
            kind: "error",
            message: message.into(),
        }
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.kind, self.message))
    }

    pub fn decode(raw: &str) -> Option<Flash> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, message) = text.split_once('\n')?;
        let kind = match kind {
            "ok" => "ok",
            "error" => "error",
            _ => "info",
        };
        let message: String = message.chars().take(300).collect();
        (!message.is_empty()).then_some(Flash { kind, message })
    }
}

/// The error page template.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: &'a super::ctx::Layout,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// Renders `t` with `status`; a pending flash message is consumed (its cookie cleared).
pub fn render<T: Template>(ctx: &Ctx, status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if ctx.flash.is_some() {
                h.append(header::SET_COOKIE, flash_cookie(None));
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            bare(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
        }
    }
}

pub fn ok<T: Template>(ctx: &Ctx, t: &T) -> Response {
    render(ctx, StatusCode::OK, t)
}

fn flash_cookie(flash: Option<&Flash>) -> HeaderValue {
    let value = match flash {
        Some(f) => format!(
            "{FLASH_COOKIE}={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax",
            f.encode()
        ),
        None => format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("flash=; Max-Age=0"))
}

/// 303 See Other to a local address.
pub fn redirect(to: &str) -> Response {
    let to = safe_next(Some(to)).unwrap_or("/");
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// 303 See Other with a flash message for the next page.
pub fn redirect_with(to: &str, flash: Flash) -> Response {
    let mut r = redirect(to);
    r.headers_mut()
        .append(header::SET_COOKIE, flash_cookie(Some(&flash)));
    r
}

/// To the sign-in page, coming back to `here` afterwards.
pub fn to_sign_in(here: &str) -> Response {
    let next: String = url_encode(here);
    redirect(&format!("/auth?next={next}"))
}

pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// `next` when it is a local path (`/x`, not `//host` or `/\host`), else `None`.
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && !n.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(n)
}

/// A minimal page for failures that happen before a layout exists.
pub fn bare(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>PromptVault</title>\
         <p>{}</p><p><a href=\"/\">PromptVault</a></p></html>",
        escape(message)
    );
    (status, Html(html)).into_response()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn bare_error(e: &Error) -> Response {
    if e.status().is_server_error() {
        tracing::error!(error = %e, detail = ?e, "page request failed");
    }
    bare(e.status(), &e.public_message())
}

/// The HTML page for a service error (sign-in redirect for `Unauthorized`).
pub fn error_page(ctx: &Ctx, e: &Error) -> Response {
    let status = e.status();
    if matches!(e, Error::Unauthorized) {
        return to_sign_in(&ctx.here);
    }
    if status.is_server_error() {
        tracing::error!(error = %e, detail = ?e, "page request failed");
    }
    let (heading, message) = match e {
        Error::NotFound(_) => (
            "Page not found",
            "There is nothing at this address, or you do not have access to it.".to_string(),
        ),
        Error::Forbidden(m) if m == "Forbidden" => (
            "Not allowed",
            "Your account may not open this page.".to_string(),
        ),
        Error::Forbidden(m) => ("Not allowed", m.clone()),
        Error::RateLimited { .. } => ("Slow down", e.public_message()),
        Error::Db(_) | Error::Internal(_) => (
            "Something went wrong",
            "The server could not finish this request. Please try again.".to_string(),
        ),
        other => ("That did not work", describe(other)),
    };
    let l = ctx.layout(heading, "");
    let page = ErrorPage {
        l: &l,
        status: status.as_u16(),
        heading,
        message: &message,
    };
    let mut r = render(ctx, status, &page);
    crate::http::error::set_retry_after(e, &mut r);
    r
}

/// A sentence for a flash message: the error plus each field problem.
pub fn describe(e: &Error) -> String {
    match e {
        Error::Invalid { details, .. } if !details.is_empty() => details
            .iter()
            .map(|(field, problem)| format!("{}: {problem}", field_label(field)))
            .collect::<Vec<_>>()
            .join("; "),
        Error::InvalidCredentials => "Invalid email or password.".into(),
        other => other.public_message(),
    }
}

fn field_label(field: &str) -> String {
    let mut out = String::new();
    for (i, c) in field.chars().enumerate() {
        if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Field problems of a validation error (empty for other errors).
pub fn field_errors(e: &Error) -> FieldErrors {
    match e {
        Error::Invalid { details, .. } => details.clone(),
        _ => FieldErrors::new(),
    }
}

/// A page handler's early exit: an already rendered error page or redirect.
pub struct Failure(pub Box<Response>);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Response> for Failure {
    fn from(r: Response) -> Self {
        Failure(Box::new(r))
    }
}

pub type PageResult = Result<Response, Failure>;

/// `result.or_page(&ctx)?`: a service error becomes its HTML error page.
pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, Failure>;
    /// A service error becomes a redirect to `to` with the error as a flash message.
    fn or_flash(self, to: &str) -> Result<T, Failure>;
}

impl<T> OrPage<T> for Result<T, Error> {
    fn or_page(self, ctx: &Ctx) -> Result<T, Failure> {
        self.map_err(|e| Failure::from(error_page(ctx, &e)))
    }

    fn or_flash(self, to: &str) -> Result<T, Failure> {
        self.map_err(|e| {
            if e.status().is_server_error() {
                tracing::error!(error = %e, detail = ?e, "page action failed");
            }
            Failure::from(redirect_with(to, Flash::error(describe(&e))))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_round_trip_and_tampering() {
        let f = Flash::ok("Saved <b>it</b>");
        assert_eq!(Flash::decode(&f.encode()), Some(f));
        assert_eq!(Flash::decode("!!!"), None);
        let odd = URL_SAFE_NO_PAD.encode("weird\nhello");
        assert_eq!(Flash::decode(&odd).map(|f| f.kind), Some("info"));
    }

    #[test]
    fn only_local_next_addresses() {
        assert_eq!(safe_next(Some("/prompts?x=1")), Some("/prompts?x=1"));
        for bad in [
            "//evil.io",
            "/\\evil.io",
            "https://evil.io",
            "",
            "javascript:x",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(url_encode("/a b?c=d&e"), "%2Fa+b%3Fc%3Dd%26e");
    }

    #[test]
    fn field_labels_read_well() {
        assert_eq!(field_label("currentPassword"), "Current password");
        assert_eq!(field_label("email"), "Email");
    }
}
