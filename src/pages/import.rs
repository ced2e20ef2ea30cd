//! `/prompts/import`: the import page (reachable from My prompts). An import tags its prompts
//! `imported-YYYY-MM-DD`; the page lists earlier imports as links to those prompts.

use askama::Template;
use axum::extract::State;

use super::ctx::{Layout, Me};
use super::form::Form;
use super::respond::{self, Flash, OrPage, PageResult, redirect_with, url_encode};
use crate::listing::Scope;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    l: &'a Layout,
    /// `(tag, prompts)` of earlier imports, newest first.
    past: Vec<(String, i64)>,
}

pub async fn page(State(state): State<AppState>, me: Me) -> PageResult {
    let mut past: Vec<(String, i64)> = crate::tags::in_scope(&state.db, &me.user, Scope::Own)
        .await
        .or_page(&me.ctx)?
        .into_iter()
        .filter(|t| t.name.starts_with("imported-"))
        .map(|t| (t.name, t.count.prompts))
        .collect();
    past.sort_by(|a, b| b.0.cmp(&a.0));
    let l = me.ctx.layout("Import prompts", "prompts");
    Ok(respond::ok(&me.ctx, &ImportPage { l: &l, past }))
}

/// The page's form without JavaScript: the pasted content of a file. Afterwards the imported
/// prompts are listed.
pub async fn submit(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let content = form.get("content");
    if content.trim().is_empty() {
        return Ok(redirect_with(
            "/prompts/import",
            Flash::error("Choose a file, or paste the content of one, to import."),
        ));
    }
    let csv = !content.trim_start().starts_with(['[', '{']);
    let report = crate::importexport::import_tagged(
        &state.db,
        &me.user,
        content.to_string().into(),
        csv,
        true,
    )
    .await
    .or_flash("/prompts/import")?;
    let message = format!(
        "Import finished: {} prompt(s) imported, {} skipped as duplicates.",
        report.imported, report.skipped
    );
    match report.tag {
        Some(tag) => Ok(redirect_with(
            &format!("/prompts?tag={}", url_encode(&tag)),
            Flash::ok(message),
        )),
        None => Ok(redirect_with("/prompts/import", Flash::ok(message))),
    }
}
