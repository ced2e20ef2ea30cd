//! `/auth`: sign in, register (`?register=true`), first-run administrator, sign out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::ctx::{Ctx, Layout};
use super::form::{Form, PageQuery};
use super::respond::{self, Flash, OrPage, PageResult, redirect, redirect_with, safe_next};
use crate::auth::sessions;
use crate::error::{Error, FieldErrors};
use crate::http::extract::ClientIp;
use crate::state::AppState;
use crate::users::{self, NewUser};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuthQuery {
    next: Option<String>,
    register: Option<String>,
}

#[derive(Template)]
#[template(path = "auth.html")]
struct AuthPage<'a> {
    l: &'a Layout,
    register: bool,
    first_run: bool,
    can_register: bool,
    next: &'a str,
    email: &'a str,
    name: &'a str,
    errors: FieldErrors,
    error: Option<String>,
}

struct Situation {
    first_run: bool,
    can_register: bool,
}

async fn situation(state: &AppState) -> crate::error::Result<Situation> {
    let first_run = users::count(&state.db).await? == 0;
    let open = crate::settings::get(&state.db).await?.allow_registration;
    Ok(Situation {
        first_run,
        can_register: first_run || open,
    })
}

fn wants_register(q: &AuthQuery) -> bool {
    matches!(q.register.as_deref(), Some("true" | "1" | "yes"))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    PageQuery(q): PageQuery<AuthQuery>,
) -> PageResult {
    let next = safe_next(q.next.as_deref()).unwrap_or("");
    if ctx.user.is_some() {
        return Ok(redirect(if next.is_empty() { super::HOME } else { next }));
    }
    let s = situation(&state).await.or_page(&ctx)?;
    let register = s.first_run || (wants_register(&q) && s.can_register);
    let error = (wants_register(&q) && !s.can_register).then(|| {
        "Registration is turned off on this instance: ask an administrator for an account."
            .to_string()
    });
    Ok(show(
        &ctx,
        StatusCode::OK,
        &s,
        register,
        next,
        "",
        "",
        FieldErrors::new(),
        error,
    ))
}

#[allow(clippy::too_many_arguments)]
fn show(
    ctx: &Ctx,
    status: StatusCode,
    s: &Situation,
    register: bool,
    next: &str,
    email: &str,
    name: &str,
    errors: FieldErrors,
    error: Option<String>,
) -> Response {
    let title = if s.first_run {
        "Create the administrator"
    } else if register {
        "Create an account"
    } else {
        "Sign in"
    };
    let l = ctx.layout(title, "auth");
    respond::render(
        ctx,
        status,
        &AuthPage {
            l: &l,
            register,
            first_run: s.first_run,
            can_register: s.can_register,
            next,
            email,
            name,
            errors,
            error,
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ctx: Ctx,
    PageQuery(q): PageQuery<AuthQuery>,
    form: Form,
) -> PageResult {
    let register = wants_register(&q) || form.get("mode") == "register";
    let next = safe_next(form.opt("next").or(q.next.as_deref()))
        .unwrap_or("")
        .to_string();
    let s = situation(&state).await.or_page(&ctx)?;
    let email = form.get("email").trim();
    let name = form.get("name");
    let password = form.get("password");
    let result = if register || s.first_run {
        let input = NewUser {
            email: Some(email.to_string()),
            password: Some(password.to_string()),
            name: Some(name.to_string()),
            ..NewUser::default()
        };
        users::register(&state.db, &input).await
    } else {
        crate::auth::login::sign_in(&state, email, password, ip).await
    };
    let user = match result {
        Ok(u) => u,
        Err(e) if e.status().is_server_error() => return Err(respond::error_page(&ctx, &e).into()),
        Err(e) => {
            let status = e.status();
            let errors = respond::field_errors(&e);
            let message = match &e {
                Error::Invalid { .. } => None,
                Error::InvalidCredentials => Some("Invalid email or password.".to_string()),
                Error::Forbidden(_) => Some(
                    "Registration is turned off on this instance: ask an administrator for an account."
                        .to_string(),
                ),
                other => Some(other.public_message()),
            };
            let mut r = show(
                &ctx,
                status,
                &s,
                register || s.first_run,
                &next,
                email,
                name,
                errors,
                message,
            );
            crate::http::error::set_retry_after(&e, &mut r);
            return Ok(r);
        }
    };
    if let Some(old) = ctx.session_secret() {
        sessions::revoke(&state.db, old).await.or_page(&ctx)?;
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let secret = sessions::create(&state.db, &user.id, state.config.session_days, agent)
        .await
        .or_page(&ctx)?;
    let to = if next.is_empty() { super::HOME } else { &next };
    let welcome = if register || s.first_run {
        if user.is_admin() {
            "Welcome! Your administrator account is ready."
        } else {
            "Welcome! Your account is ready."
        }
    } else {
        "Signed in."
    };
    let mut r = redirect_with(to, Flash::ok(welcome));
    r.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::sessions::cookie(&state.config, Some(&secret)),
    );
    Ok(r)
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    if let Some(secret) = ctx.session_secret() {
        sessions::revoke(&state.db, secret).await.or_page(&ctx)?;
    }
    let mut r = redirect_with("/auth", Flash::ok("Signed out."));
    r.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::sessions::cookie(&state.config, None),
    );
    Ok(r)
}
