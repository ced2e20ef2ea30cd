//! `/account`: my name, my password, my teams, my API tokens, my theme.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ctx::{Layout, Me};
use super::fmt;
use super::form::Form;
use super::respond::{self, Flash, OrPage, PageResult, redirect_with};
use crate::auth::tokens;
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::users::{self, ProfileUpdate};

pub struct TokenView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    l: &'a Layout,
    name: &'a str,
    email: &'a str,
    role: &'a str,
    teams: Vec<String>,
    tokens: Vec<TokenView>,
    new_token: Option<(String, String)>,
    token_name: &'a str,
    errors: FieldErrors,
}

/// What the page shows besides its forms' current values.
#[derive(Default)]
struct Shown<'a> {
    name: Option<&'a str>,
    token_name: &'a str,
    new_token: Option<(String, String)>,
    errors: FieldErrors,
}

async fn show(state: &AppState, me: &Me, status: StatusCode, shown: Shown<'_>) -> PageResult {
    let teams = crate::teams::of_user(&state.db, &me.user.id)
        .await
        .or_page(&me.ctx)?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let tokens = tokens::list(&state.db, &me.user.id)
        .await
        .or_page(&me.ctx)?
        .into_iter()
        .map(|t| TokenView {
            created: fmt::date(&t.created_at),
            last_used: t
                .last_used_at
                .as_ref()
                .map_or_else(|| "never".into(), fmt::ago),
            id: t.id,
            name: t.name,
            prefix: t.prefix,
        })
        .collect();
    let l = me.ctx.layout("Account", "account");
    let name = shown
        .name
        .unwrap_or_else(|| me.user.name.as_deref().unwrap_or(""));
    Ok(respond::render(
        &me.ctx,
        status,
        &AccountPage {
            l: &l,
            name,
            email: &me.user.email,
            role: me.user.role.as_str(),
            teams,
            tokens,
            new_token: shown.new_token,
            token_name: shown.token_name,
            errors: shown.errors,
        },
    ))
}

pub async fn page(State(state): State<AppState>, me: Me) -> PageResult {
    show(&state, &me, StatusCode::OK, Shown::default()).await
}

fn failed(e: &Error) -> Option<(StatusCode, FieldErrors)> {
    match e {
        Error::Invalid { details, .. } => Some((e.status(), details.clone())),
        _ => None,
    }
}

pub async fn profile(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let input = ProfileUpdate {
        name: Some(form.get("name").to_string()),
        ..ProfileUpdate::default()
    };
    match users::update_profile(&state.db, &me.user.id, &input, None).await {
        Ok(_) => Ok(redirect_with("/account", Flash::ok("Your name was saved."))),
        Err(e) => match failed(&e) {
            Some((status, errors)) => {
                let shown = Shown {
                    name: Some(form.get("name")),
                    errors,
                    ..Shown::default()
                };
                show(&state, &me, status, shown).await
            }
            None => Err(respond::error_page(&me.ctx, &e).into()),
        },
    }
}

pub async fn password(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let new = form.get("password");
    if new != form.get("passwordConfirm") {
        let mut errors = FieldErrors::new();
        errors.insert(
            "passwordConfirm".into(),
            "does not match the new password".into(),
        );
        let shown = Shown {
            errors,
            ..Shown::default()
        };
        return show(&state, &me, StatusCode::BAD_REQUEST, shown).await;
    }
    let input = ProfileUpdate {
        password: Some(new.to_string()),
        current_password: Some(form.get("currentPassword").to_string()),
        ..ProfileUpdate::default()
    };
    match users::update_profile(&state.db, &me.user.id, &input, me.ctx.session_secret()).await {
        Ok(_) => Ok(redirect_with(
            "/account",
            Flash::ok("Password changed. Your other sessions and your API tokens were ended."),
        )),
        Err(e) => match failed(&e) {
            Some((status, errors)) => {
                let shown = Shown {
                    errors,
                    ..Shown::default()
                };
                show(&state, &me, status, shown).await
            }
            None => Err(respond::error_page(&me.ctx, &e).into()),
        },
    }
}

/// Creates a token and shows its secret on this response only (never stored, never redirected).
pub async fn create_token(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    match tokens::create(&state.db, &me.user.id, Some(form.get("name"))).await {
        Ok((info, secret)) => {
            let shown = Shown {
                new_token: Some((info.name, secret)),
                ..Shown::default()
            };
            show(&state, &me, StatusCode::CREATED, shown).await
        }
        Err(e) => match failed(&e) {
            Some((status, mut errors)) => {
                if let Some(p) = errors.remove("name") {
                    errors.insert("tokenName".into(), p);
                }
                let shown = Shown {
                    token_name: form.get("name"),
                    errors,
                    ..Shown::default()
                };
                show(&state, &me, status, shown).await
            }
            None => Err(respond::error_page(&me.ctx, &e).into()),
        },
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> PageResult {
    tokens::revoke(&state.db, &me.user.id, &id)
        .await
        .or_flash("/account#tokens")?;
    Ok(redirect_with(
        "/account#tokens",
        Flash::ok("Token revoked."),
    ))
}

/// `POST /account/import` without JavaScript: the file's content pasted in a text box. (With
/// JavaScript the page uploads the chosen file to `POST /api/import-export/import` and shows
/// the progress and the same summary.)
pub async fn import(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let content = form.get("content");
    if content.trim().is_empty() {
        return Ok(redirect_with(
            "/account#import",
            Flash::error("Choose a file, or paste the content of one, to import."),
        ));
    }
    let csv = !content.trim_start().starts_with(['[', '{']);
    let report = crate::importexport::import(&state.db, &me.user, content.to_string().into(), csv)
        .await
        .or_flash("/account#import")?;
    Ok(redirect_with(
        "/account#import",
        Flash::ok(format!(
            "Import finished: {} prompt(s) imported, {} skipped as duplicates.",
            report.imported, report.skipped
        )),
    ))
}
