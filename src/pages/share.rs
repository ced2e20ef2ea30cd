//! `/share/:id`: the public page of a shared prompt. No sign-in; a clean 404 page when the link
//! is off or unknown.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};

use super::ctx::{Ctx, Layout};
use super::detail::VarView;
use super::form::PageQuery;
use super::respond::{self, OrPage, PageResult};
use crate::prompts::variables;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage<'a> {
    l: &'a Layout,
    share_id: String,
    title: String,
    body: String,
    body_html: String,
    chat: Vec<super::detail::ChatView>,
    config: String,
    raw: bool,
    notes_html: String,
    tags: Vec<String>,
    author: String,
    updated: String,
    vars: Vec<VarView>,
    filled: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(share_id): Path<String>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    show(&state, &ctx, share_id, &pairs).await
}

/// The variables form posted without JavaScript.
pub async fn fill(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(share_id): Path<String>,
    form: super::form::Form,
) -> PageResult {
    show(&state, &ctx, share_id, &form.0).await
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    share_id: String,
    pairs: &[(String, String)],
) -> PageResult {
    let p = crate::sharing::public(&state.db, &share_id)
        .await
        .or_page(ctx)?;
    let decls = variables::from_text(p.variables.as_deref());
    let values: Option<BTreeMap<String, String>> = super::detail::fill_values(pairs);
    let raw = pairs.iter().any(|(k, v)| k == "view" && v == "raw");
    let messages = crate::prompts::chat::messages_from_text(p.messages.as_deref());
    let filled = values.as_ref().map(|vals| {
        crate::prompts::render_version(&p.body, messages.as_deref(), &decls, vals, false)
            .map(|r| r.text)
            .unwrap_or_else(|_| variables::render(&p.body, &decls, vals).text)
    });
    let vars = decls
        .into_iter()
        .map(|d| VarView::new(d, values.as_ref(), &Default::default()))
        .collect();
    let l = ctx.layout(p.title.clone(), "share");
    Ok(respond::ok(
        ctx,
        &SharePage {
            l: &l,
            share_id,
            title: p.title,
            chat: super::detail::chat_views(p.messages.as_deref(), raw),
            config: super::detail::config_text(p.config.as_deref()),
            body_html: if raw {
                String::new()
            } else {
                super::markdown::to_html(&p.body)
            },
            raw,
            body: p.body,
            notes_html: p
                .notes
                .as_deref()
                .map(super::markdown::to_html)
                .unwrap_or_default(),
            tags: p.tags,
            author: p.author.name.unwrap_or_else(|| "a PromptVault user".into()),
            updated: super::fmt::date(&p.updated_at),
            vars,
            filled,
        },
    ))
}
