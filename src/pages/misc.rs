//! `/`, `/about`, the theme switch and the 404 page.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ctx::{Ctx, Layout, THEME_COOKIE, Theme};
use super::form::Form;
use super::respond::{self, redirect, safe_next};

pub async fn home(ctx: Ctx) -> Response {
    if ctx.user.is_some() {
        redirect(super::HOME)
    } else {
        redirect("/auth")
    }
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage<'a> {
    l: &'a Layout,
    version: &'static str,
}

pub async fn about(ctx: Ctx) -> Response {
    let l = ctx.layout("About", "about");
    respond::ok(
        &ctx,
        &AboutPage {
            l: &l,
            version: env!("CARGO_PKG_VERSION"),
        },
    )
}

/// `POST /theme`: stores `light`, `dark` or `system` in a cookie and goes back.
pub async fn theme(form: Form) -> Response {
    let theme = Theme::parse(form.get("theme"));
    let cookie = match theme {
        Theme::System => format!("{THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
        t => format!(
            "{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            t.as_str()
        ),
    };
    let mut r = redirect(safe_next(form.opt("next")).unwrap_or("/"));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct NotFoundPage<'a> {
    l: &'a Layout,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// The fallback: JSON 404 under `/api`, the HTML 404 page everywhere else.
pub async fn not_found(uri: axum::http::Uri, ctx: Result<Ctx, Response>) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::http::middleware::api_not_found().await;
    }
    let Ok(ctx) = ctx else {
        return respond::bare(StatusCode::NOT_FOUND, "Page not found.");
    };
    let l = ctx.layout("Page not found", "");
    respond::render(
        &ctx,
        StatusCode::NOT_FOUND,
        &NotFoundPage {
            l: &l,
            status: 404,
            heading: "Page not found",
            message: "There is nothing at this address. It may have moved, or the link may be mistyped.",
        },
    )
    .into_response()
}

/// Wrong method: JSON 405 under `/api`, an HTML page elsewhere (e.g. `GET /auth/logout` typed
/// into the address bar).
/// The pages' guard for path parameters (see [`crate::http::middleware::api_path_ids`]): a
/// value that cannot be an id is the "page not found" page, without a query.
pub async fn path_ids(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = req.into_parts();
    let params = axum::extract::RawPathParams::from_request_parts(&mut parts, &state).await;
    if !crate::http::middleware::path_ids_valid(params.as_ref().ok()) {
        let ctx = Ctx::from_request_parts(&mut parts, &state).await;
        return not_found(parts.uri.clone(), ctx).await;
    }
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

pub async fn method_not_allowed(uri: axum::http::Uri, ctx: Result<Ctx, Response>) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::http::middleware::method_not_allowed().await;
    }
    let Ok(ctx) = ctx else {
        return respond::bare(
            StatusCode::METHOD_NOT_ALLOWED,
            "This address only accepts forms.",
        );
    };
    let l = ctx.layout("Not available here", "");
    respond::render(
        &ctx,
        StatusCode::METHOD_NOT_ALLOWED,
        &NotFoundPage {
            l: &l,
            status: 405,
            heading: "Not available here",
            message: "This address is used by a form on another page and cannot be opened directly.",
        },
    )
}
