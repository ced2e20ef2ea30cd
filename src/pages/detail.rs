//! A prompt's page (`/prompts/:id`, read-only from the team feed at `/team-feed/:id`), its
//! history with diffs, and the actions on it: rate, share, restore, delete, raw text.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;

use super::cards::{stars, visibility_label};
use super::ctx::{Layout, Me};
use super::diffview::{self, DiffPage, VersionView};
use super::fmt;
use super::form::{Form, PageQuery};
use super::registry::Panel;
use super::respond::{self, Flash, OrPage, PageResult, redirect_with, safe_next};
use crate::error::{Error, FieldErrors};
use crate::prompts::variables::{Declaration, VarType};
use crate::prompts::{self, PromptView, VersionRow, variables};
use crate::state::AppState;

/// One variable of the fill-in form, with the input its declared type asks for.
pub struct VarView {
    pub name: String,
    pub description: String,
    pub value: String,
    pub default: String,
    /// `text` (also untyped), `string`, `number`, `integer`, `boolean` or `enum`.
    pub kind: &'static str,
    pub required: bool,
    /// The values of an enum.
    pub options: Vec<String>,
    /// Why the value sent does not fit (empty when it does).
    pub error: String,
    /// The id of the note under the field (the error, else the default), if any.
    pub described: String,
}

impl VarView {
    /// The form field of `d`: the value sent, else (typed one-line inputs) its default.
    pub fn new(
        d: Declaration,
        values: Option<&BTreeMap<String, String>>,
        errors: &FieldErrors,
    ) -> VarView {
        let kind = match d.kind {
            None | Some(VarType::Text) => "text",
            Some(VarType::String) => "string",
            Some(VarType::Number) => "number",
            Some(VarType::Integer) => "integer",
            Some(VarType::Boolean) => "boolean",
            Some(VarType::Enum) => "enum",
        };
        let value = match values {
            Some(m) => m.get(&d.name).cloned().unwrap_or_default(),
            None if kind != "text" => d.default.clone().unwrap_or_default(),
            None => String::new(),
        };
        let error = errors.get(&d.name).cloned().unwrap_or_default();
        let described = if !error.is_empty() {
            format!("v-{}-e", d.name)
        } else if d.default.as_deref().is_some_and(|x| !x.is_empty()) {
            format!("v-{}-d", d.name)
        } else {
            String::new()
        };
        VarView {
            value,
            kind,
            described,
            required: d.is_required(),
            options: d.values.clone().unwrap_or_default(),
            error,
            description: d.description.unwrap_or_default(),
            default: d.default.unwrap_or_default(),
            name: d.name,
        }
    }
}

/// The per-variable problems of a refused render (`values.NAME` → message), by name.
fn value_errors(e: &Error) -> Option<FieldErrors> {
    match e {
        Error::Unprocessable {
            code: "invalid_values",
            details,
            ..
        } => Some(
            details["fields"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let name = k.strip_prefix("values.").unwrap_or(k).to_string();
                            (name, v.as_str().unwrap_or("does not fit").to_string())
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "prompt.html")]
struct PromptPage<'a> {
    l: &'a Layout,
    base: &'static str,
    id: String,
    title: String,
    body: String,
    body_html: String,
    /// A chat prompt's messages, rendered (empty: a text prompt).
    chat: Vec<ChatView>,
    /// The config, pretty JSON (empty: none).
    config: String,
    raw: bool,
    notes_html: String,
    model_hints: String,
    tags: Vec<String>,
    visibility: &'static str,
    vis_icon: &'static str,
    team: String,
    author: String,
    updated: String,
    updated_iso: String,
    can_edit: bool,
    /// The viewer has starred it.
    favorite: bool,
    avg: String,
    avg_stars: Vec<bool>,
    rating_count: i64,
    my_rating: i32,
    shared: bool,
    share_url: String,
    vars: Vec<VarView>,
    filled: Option<String>,
    versions: Vec<VersionView>,
    version_count: usize,
    r: Panel,
}

/// One message of a chat prompt as the pages show it: its role and its content as Markdown.
pub struct ChatView {
    pub role: &'static str,
    pub html: String,
}

/// The messages of a chat prompt for the page (empty for a text prompt, or in raw view).
pub fn chat_views(messages: Option<&str>, raw: bool) -> Vec<ChatView> {
    if raw {
        return Vec::new();
    }
    crate::prompts::chat::messages_from_text(messages)
        .unwrap_or_default()
        .into_iter()
        .map(|m| ChatView {
            role: m.role.as_str(),
            html: super::markdown::to_html(&m.content),
        })
        .collect()
}

/// A stored config as the pages show it: pretty JSON, or empty when there is none.
pub fn config_text(config: Option<&str>) -> String {
    match crate::prompts::chat::config_value(config) {
        serde_json::Value::Null => String::new(),
        v => serde_json::to_string_pretty(&v).unwrap_or_default(),
    }
}

/// Display names of version authors, in one query; a deleted author is "a former user".
async fn author_names(state: &AppState, versions: &[VersionRow]) -> HashMap<String, String> {
    let mut ids: Vec<String> = versions
        .iter()
        .filter_map(|v| v.author_id.clone())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = crate::users::display_names(&state.db, &ids)
        .await
        .unwrap_or_default();
    for id in ids {
        names
            .entry(id)
            .or_insert_with(|| "a former user".to_string());
    }
    names
}

pub async fn version_views(state: &AppState, versions: &[VersionRow]) -> Vec<VersionView> {
    let names = author_names(state, versions).await;
    let newest = versions.iter().map(|v| v.version).max().unwrap_or(0);
    versions
        .iter()
        .map(|v| VersionView {
            id: v.id.clone(),
            version: v.version,
            author: v
                .author_id
                .as_ref()
                .and_then(|a| names.get(a).cloned())
                .unwrap_or_else(|| "unknown".into()),
            when: fmt::ago(&v.created_at),
            when_iso: fmt::iso(&v.created_at),
            message: v.message.clone().unwrap_or_default(),
            current: v.version == newest,
            labels: Vec::new(),
            kind: v.kind.as_str(),
        })
        .collect()
}

/// `fill=1&v.name=value` (the variables form posted without JavaScript, or an older link).
pub fn fill_values(pairs: &[(String, String)]) -> Option<BTreeMap<String, String>> {
    if !pairs.iter().any(|(k, _)| k == "fill") {
        return None;
    }
    Some(
        pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("v.")
                    .filter(|_| !v.is_empty())
                    .map(|n| (n.to_string(), v.clone()))
            })
            .collect(),
    )
}

async fn show(
    state: &AppState,
    me: &Me,
    id: &str,
    pairs: &[(String, String)],
    base: &'static str,
) -> PageResult {
    let v: PromptView = prompts::get(&state.db, &me.user, id)
        .await
        .or_page(&me.ctx)?;
    let p = &v.prompt;
    let values = fill_values(pairs);
    let raw = pairs.iter().any(|(k, v)| k == "view" && v == "raw");
    let mut var_errors = FieldErrors::new();
    let filled = match &values {
        Some(vals) => match prompts::render(&state.db, &me.user, id, vals, false).await {
            Ok(r) => Some(r.text),
            Err(e) => match value_errors(&e) {
                Some(errors) => {
                    var_errors = errors;
                    None
                }
                None => return Err(respond::error_page(&me.ctx, &e).into()),
            },
        },
        None => None,
    };
    let vars = variables::from_text(p.variables.as_deref())
        .into_iter()
        .map(|d| VarView::new(d, values.as_ref(), &var_errors))
        .collect();
    let r = super::registry::panel(state, me, &v)
        .await
        .or_page(&me.ctx)?;
    let team = match &p.team_id {
        Some(t) => crate::teams::of_user(&state.db, &me.user.id)
            .await
            .or_page(&me.ctx)?
            .into_iter()
            .find(|x| &x.id == t)
            .map(|x| x.name)
            .unwrap_or_else(|| "a team".into()),
        None if p.visibility == crate::prompts::Visibility::Team => "all the owner's teams".into(),
        None => String::new(),
    };
    let mut versions = version_views(state, v.versions.as_deref().unwrap_or_default()).await;
    super::registry::mark(&mut versions, &r);
    let (visibility, vis_icon) = visibility_label(p.visibility);
    let share_url = match (&p.public_share_id, p.is_publicly_shared && v.can_edit) {
        (Some(sid), true) => crate::sharing::public_url(state.config.public_url.as_deref(), sid),
        _ => String::new(),
    };
    let l = me.ctx.layout(
        p.title.clone(),
        if base == "/team-feed" {
            "feed"
        } else {
            "prompts"
        },
    );
    let status = if var_errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond::render(
        &me.ctx,
        status,
        &PromptPage {
            l: &l,
            base,
            id: p.id.clone(),
            title: p.title.clone(),
            body: p.body.clone(),
            chat: chat_views(p.messages.as_deref(), raw),
            config: config_text(p.config.as_deref()),
            body_html: if raw {
                String::new()
            } else {
                super::markdown::to_html(&p.body)
            },
            raw,
            notes_html: p
                .notes
                .as_deref()
                .map(super::markdown::to_html)
                .unwrap_or_default(),
            model_hints: p.model_hints.clone().unwrap_or_default(),
            tags: v.tag_names(),
            visibility,
            vis_icon,
            team,
            author: v
                .user
                .as_ref()
                .map(|u| u.name.clone().unwrap_or_else(|| u.email.clone()))
                .unwrap_or_default(),
            updated: fmt::ago(&p.updated_at),
            updated_iso: fmt::iso(&p.updated_at),
            can_edit: v.can_edit,
            favorite: v.favorite,
            avg: format!("{:.1}", v.avg_rating),
            avg_stars: stars(v.avg_rating),
            rating_count: v.rating_count,
            my_rating: v.my_rating.unwrap_or(0),
            shared: !share_url.is_empty(),
            share_url,
            vars,
            filled,
            version_count: versions.len(),
            versions: versions.into_iter().take(5).collect(),
            r,
        },
    ))
}

pub async fn page(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    show(&state, &me, &id, &pairs, "/prompts").await
}

/// `POST /prompts/:id`: the variables form without JavaScript (values stay out of the address
/// and the browser history).
pub async fn fill(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    show(&state, &me, &id, &form.0, "/prompts").await
}

pub async fn feed_fill(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    show(&state, &me, &id, &form.0, "/team-feed").await
}

pub async fn feed_page(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    show(&state, &me, &id, &pairs, "/team-feed").await
}

/// `GET /prompts/:id/raw`: the body as plain text (copy buttons fetch it; without JavaScript
/// it opens as a text page).
pub async fn raw(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> PageResult {
    let v = prompts::get(&state.db, &me.user, &id)
        .await
        .or_page(&me.ctx)?;
    let mut r = v.prompt.body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// Where an action goes back to: the form's `back` when local, else the prompt page.
pub(super) fn back(form: &Form, id: &str) -> String {
    safe_next(form.opt("back")).map_or_else(|| format!("/prompts/{id}"), str::to_string)
}

pub async fn rate(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let to = back(&form, &id);
    let value: i32 = form.get("value").parse().unwrap_or(-1);
    if value == 0 {
        crate::ratings::unrate(&state.db, &me.user, &id)
            .await
            .or_flash(&to)?;
        return Ok(redirect_with(&to, Flash::ok("Rating removed.")));
    }
    crate::ratings::rate(&state.db, &me.user, &id, value)
        .await
        .or_flash(&to)?;
    Ok(redirect_with(
        &to,
        Flash::ok(format!("Rated {value} of 5.")),
    ))
}

pub async fn share(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let to = back(&form, &id);
    if form.get("action") == "off" {
        crate::sharing::disable(&state.db, &me.user, &id)
            .await
            .or_flash(&to)?;
        return Ok(redirect_with(
            &to,
            Flash::ok("Public link turned off: it no longer opens."),
        ));
    }
    crate::sharing::enable(&state.db, &me.user, &id)
        .await
        .or_flash(&to)?;
    Ok(redirect_with(
        &to,
        Flash::ok("Public link on: anyone with the link can read this prompt."),
    ))
}

/// "Duplicate" (own prompt) or "Save a copy" (someone else's): opens the new copy.
pub async fn duplicate(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> PageResult {
    let v = prompts::duplicate(&state.db, &me.user, &id)
        .await
        .or_flash(&format!("/prompts/{id}"))?;
    Ok(redirect_with(
        &format!("/prompts/{}", v.prompt.id),
        Flash::ok("Copy saved in your prompts: it is private until you share it."),
    ))
}

pub async fn delete(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> PageResult {
    prompts::delete(&state.db, &me.user, &id)
        .await
        .or_flash(&format!("/prompts/{id}"))?;
    Ok(redirect_with(
        "/prompts",
        Flash::ok_undo("Prompt moved to the trash.", std::slice::from_ref(&id)),
    ))
}

pub async fn history(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let v = prompts::get(&state.db, &me.user, &id)
        .await
        .or_page(&me.ctx)?;
    let d = prompts::versions::diff(&state.db, &me.user, &id, get("from"), get("to"))
        .await
        .or_page(&me.ctx)?;
    let mut versions = version_views(&state, v.versions.as_deref().unwrap_or_default()).await;
    let r = super::registry::panel(&state, &me, &v)
        .await
        .or_page(&me.ctx)?;
    super::registry::mark(&mut versions, &r);
    let split = get("mode") != Some("inline");
    let l = me
        .ctx
        .layout(format!("History of {}", v.prompt.title), "prompts");
    let page = DiffPage {
        l: &l,
        id: id.clone(),
        title: v.prompt.title.clone(),
        can_edit: v.can_edit,
        versions,
        d: diffview::build(&d, split),
        choices: if r.may_label { r.choices } else { Vec::new() },
    };
    Ok(respond::ok(&me.ctx, &page))
}

pub async fn restore(
    State(state): State<AppState>,
    me: Me,
    Path((id, version_id)): Path<(String, String)>,
) -> PageResult {
    let to = format!("/prompts/{id}/history");
    let v = prompts::versions::restore(&state.db, &me.user, &id, &version_id, None)
        .await
        .or_flash(&to)?;
    let n = v.count.versions;
    Ok(redirect_with(
        &to,
        Flash::ok(format!("Restored: the prompt now has {n} versions.")),
    ))
}
