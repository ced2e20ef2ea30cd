//! The registry's JSON API: fetch and render by name (`/api/registry`), labels and the audit
//! trail of a prompt (`/api/prompts/{id}/labels`, `/audit`), namespaces, team roles and the
//! administrators' audit export.
//!
//! A name may contain `/` (folders). The fetch URL is `/api/registry/{namespace}/{name}` with
//! the name as the whole rest of the path; the two actions on it are told apart by the method
//! (GET fetches, POST renders), never by a path segment, so no name can be read as an action.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Caller, Fetched, Label, NamespaceInfo, Selector, audit::AuditEvent};
use crate::auth::{AdminUser, CurrentUser, RegistryUser};
use crate::error::{Error, Result};
use crate::http::{Json, Query};
use crate::openapi::schemas::{ErrorBody, Success};
use crate::prompts::variables::Rendered;
use crate::state::AppState;

/// `/api/registry`: fetch and render by name.
pub fn registry_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalog))
        .routes(routes!(fetch, render))
}

/// Under `/api/prompts`: labels and the audit trail of one prompt.
pub fn prompt_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(labels))
        .routes(routes!(move_label, remove_label))
        .routes(routes!(prompt_audit))
}

/// `/api/namespaces`, `/api/teams/{id}/members/{userId}/role`.
pub fn namespace_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(namespaces))
        .routes(routes!(rename_mine))
        .routes(routes!(rename_team))
        .routes(routes!(team_role))
}

/// Under `/api/admin`: the whole audit trail.
pub fn admin_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(admin_audit))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CatalogQuery {
    /// The last `promptId` of the previous page (pages are in id order).
    after: Option<String>,
    /// 1–1000, default 500.
    limit: Option<String>,
}

#[utoipa::path(get, path = "/", tag = "registry", params(CatalogQuery),
    description = "Every prompt in the caller's namespaces (their own, and the readable prompts of their teams) with its \
                   name, newest content, tags and labels, in pages ordered by id: ask again with `after` set to the last \
                   `promptId` until a page is empty. Read-only and namespace-limited API tokens may call it \
                   (the latter see their namespaces only). `promptvault pull` and `push --check` read it.",
    responses((status = 200, body = Vec<super::catalog::CatalogEntry>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn catalog(
    State(s): State<AppState>,
    RegistryUser(me): RegistryUser,
    Query(q): Query<CatalogQuery>,
) -> Result<Response> {
    let limit = match q.limit.as_deref() {
        None | Some("") => 500,
        Some(t) => t
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=super::catalog::MAX_PAGE).contains(n))
            .ok_or_else(|| Error::invalid_field("limit", "must be a number from 1 to 1000"))?,
    };
    let caller = Caller {
        user: &me.user,
        limits: me.limits(),
    };
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let page = super::catalog::page(&s.db, &caller, after, limit).await?;
    Ok(axum::Json(page).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
struct FetchQuery {
    /// A label (default `production`; `latest` is the newest version).
    label: Option<String>,
    /// A version number (instead of a label).
    version: Option<String>,
    /// `latest`: when the label is missing, answer the newest version instead of 404.
    fallback: Option<String>,
}

impl FetchQuery {
    fn selector(&self) -> Result<Selector> {
        if let Some(v) = &self.version {
            if self.label.is_some() {
                return Err(Error::invalid_field(
                    "version",
                    "give a label or a version, not both",
                ));
            }
            let n: i32 = v.trim().parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Error::invalid_field("version", "must be a version number (1, 2, …)")
            })?;
            return Ok(Selector::Version(n));
        }
        let label = match &self.label {
            Some(l) => super::parse_label(l).map_err(|p| Error::invalid_field("label", p))?,
            None => super::DEFAULT_LABEL.to_string(),
        };
        let fallback_latest = match self.fallback.as_deref() {
            None | Some("") => false,
            Some("latest") => true,
            Some(_) => return Err(Error::invalid_field("fallback", "must be latest")),
        };
        Ok(Selector::Label {
            label,
            fallback_latest,
        })
    }
}

fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// Headers that say which version an answer is, on 200 and 304 alike.
fn describe(f: &super::Located, tag: &str) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut out = vec![
        (header::ETAG, HeaderValue::from_str(tag).ok()),
        (
            header::CACHE_CONTROL,
            Some(HeaderValue::from_static("private, no-cache")),
        ),
        (
            header::VARY,
            Some(HeaderValue::from_static("Authorization, Cookie")),
        ),
        (
            header::HeaderName::from_static("x-prompt-version"),
            HeaderValue::from_str(&f.version.to_string()).ok(),
        ),
        (
            header::HeaderName::from_static("x-prompt-name"),
            HeaderValue::from_str(&format!("{}/{}", f.namespace, f.name)).ok(),
        ),
        (
            header::HeaderName::from_static("x-prompt-id"),
            HeaderValue::from_str(&f.prompt_id).ok(),
        ),
        (
            header::HeaderName::from_static("x-prompt-labels"),
            HeaderValue::from_str(&f.labels.join(",")).ok(),
        ),
    ];
    if let Some(r) = &f.requested {
        out.push((
            header::HeaderName::from_static("x-prompt-alias"),
            HeaderValue::from_str(&format!("{r} is an old name of {}/{}", f.namespace, f.name))
                .ok(),
        ));
    }
    out.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

#[utoipa::path(get, path = "/{namespace}/{*name}", tag = "registry",
    params(("namespace" = String, Path, description = "A user's handle or a team's slug"),
           ("name" = String, Path, description = "The prompt's name; may contain `/` (folders), sent as is or as %2F"),
           FetchQuery,
           ("if-none-match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 when unchanged")),
    description = "A prompt version by name, for programs: by label (default `production`), by `version`, or `label=latest`. \
                   Read-only and namespace-limited API tokens may call it. Every answer names its version in `x-prompt-version` \
                   and carries an `ETag`; `If-None-Match` with it answers 304. An old name (after a rename) still resolves and \
                   says so in `requested` and `x-prompt-alias`.",
    responses((status = 200, body = Fetched, headers(("etag" = String), ("x-prompt-version" = i32), ("x-prompt-name" = String), ("x-prompt-labels" = String))),
              (status = 304, description = "Not modified: the ETag matches", headers(("etag" = String), ("x-prompt-version" = i32))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, description = "No such prompt, or no version with that label (the message says how to ask for `latest`)", body = ErrorBody)))]
async fn fetch(
    State(s): State<AppState>,
    RegistryUser(me): RegistryUser,
    Path((namespace, name)): Path<(String, String)>,
    Query(q): Query<FetchQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let sel = q.selector()?;
    let caller = Caller {
        user: &me.user,
        limits: me.limits(),
    };
    let mut tx = s.db.read().await?;
    let at = super::locate(&mut tx, &caller, &namespace, &name, &sel).await?;
    let tag = at.etag();
    let mut head = describe(&at, &tag);
    if matches(&headers, &tag) {
        // The cache's copy is still the answer: the version itself is not even read.
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut().extend(head.drain(..));
        return Ok(r);
    }
    let f = super::load(&mut tx, at).await?;
    let body = serde_json::to_vec(&f).map_err(|e| Error::Internal(e.to_string()))?;
    head.push((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    ));
    let mut r = body.into_response();
    r.headers_mut().extend(head);
    Ok(r)
}

#[derive(Deserialize, ToSchema, Default)]
struct RenderInput {
    /// Variable name -> value (string, number or boolean), checked against the typed schema.
    #[serde(default)]
    values: BTreeMap<String, serde_json::Value>,
    /// Missing values are a 422 instead of being listed.
    #[serde(default)]
    strict: bool,
}

/// The version rendered, with which version it was.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct RenderedByName {
    #[serde(flatten)]
    rendered: Rendered,
    namespace: String,
    name: String,
    version: i32,
    labels: Vec<String>,
}

/// JSON values as the text put in the template.
pub fn value_texts(
    values: BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in values {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => {
                return Err(Error::invalid_field(
                    &format!("values.{k}"),
                    "must be a string, number or boolean",
                ));
            }
        };
        out.insert(k, text);
    }
    Ok(out)
}

#[utoipa::path(post, path = "/{namespace}/{*name}", tag = "registry",
    params(("namespace" = String, Path), ("name" = String, Path, description = "May contain `/`"), FetchQuery),
    request_body = RenderInput,
    description = "Renders a prompt version chosen as for the fetch. Values are checked against the version's typed variables: \
                   422 `invalid_values` with one error per field (`details.fields`). Read-only tokens may call it.",
    responses((status = 200, body = RenderedByName, headers(("x-prompt-version" = i32))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "Values that do not fit the variables, or strict and values missing", body = ErrorBody)))]
async fn render(
    State(s): State<AppState>,
    RegistryUser(me): RegistryUser,
    Path((namespace, name)): Path<(String, String)>,
    Query(q): Query<FetchQuery>,
    Json(i): Json<RenderInput>,
) -> Result<Response> {
    let sel = q.selector()?;
    let caller = Caller {
        user: &me.user,
        limits: me.limits(),
    };
    let values = value_texts(i.values)?;
    let (f, rendered) =
        super::render(&s.db, &caller, &namespace, &name, &sel, &values, i.strict).await?;
    let out = RenderedByName {
        rendered,
        namespace: f.namespace.clone(),
        name: f.name.clone(),
        version: f.version,
        labels: f.labels.clone(),
    };
    let mut r = axum::Json(out).into_response();
    if let Ok(v) = HeaderValue::from_str(&f.version.to_string()) {
        r.headers_mut()
            .insert(header::HeaderName::from_static("x-prompt-version"), v);
    }
    Ok(r)
}

/// A prompt's labels.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct LabelList {
    /// The newest version (`latest` points at it).
    latest: i32,
    labels: Vec<Label>,
}

#[utoipa::path(get, path = "/{id}/labels", tag = "registry", params(("id" = String, Path)),
    description = "The prompt's labels and the version each points at; `latest` is the newest version.",
    responses((status = 200, body = LabelList), (status = 404, body = ErrorBody)))]
async fn labels(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let (labels, latest) = super::labels(&s.db, &me.user, &id, s.config.protected()).await?;
    Ok(axum::Json(LabelList { latest, labels }).into_response())
}

#[derive(Deserialize, ToSchema)]
struct MoveInput {
    /// The version number the label points at from now on (moving it back is a rollback).
    version: Option<i64>,
}

#[utoipa::path(put, path = "/{id}/labels/{label}", tag = "registry",
    params(("id" = String, Path), ("label" = String, Path, description = "e.g. production, staging")),
    request_body = MoveInput,
    description = "Points a label at a version (promote, or roll back by moving it back). The owner moves any label, a member of \
                   the prompt's team the unprotected ones; the protected ones (the instance's `protected_labels`, by default \
                   `production`; `protected` in the answer) only the owner or a team maintainer. Recorded in the audit trail.",
    responses((status = 200, body = Label), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn move_label(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, label)): Path<(String, String)>,
    Json(i): Json<MoveInput>,
) -> Result<Response> {
    let version = i
        .version
        .and_then(|v| i32::try_from(v).ok())
        .filter(|v| *v >= 1)
        .ok_or_else(|| {
            Error::invalid_field("version", "is required: a version number (1, 2, …)")
        })?;
    let l = super::move_label(&s.db, &me.user, &id, &label, version, s.config.protected()).await?;
    Ok(axum::Json(l).into_response())
}

#[utoipa::path(delete, path = "/{id}/labels/{label}", tag = "registry",
    params(("id" = String, Path), ("label" = String, Path)),
    description = "Removes a label (same permissions as moving it).",
    responses((status = 200, body = Success), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_label(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, label)): Path<(String, String)>,
) -> Result<Response> {
    super::remove_label(&s.db, &me.user, &id, &label, s.config.protected()).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[utoipa::path(get, path = "/{id}/audit", tag = "registry", params(("id" = String, Path)),
    description = "The prompt's audit trail, newest first (edits, renames, label moves): readable by whoever reads the prompt.",
    responses((status = 200, body = Vec<AuditEvent>), (status = 404, body = ErrorBody)))]
async fn prompt_audit(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(super::prompt_audit(&s.db, &me.user, &id).await?).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// 1–10000, default 1000.
    limit: Option<String>,
    offset: Option<String>,
    /// `json` (default) or `csv` (a download).
    format: Option<String>,
}

#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery),
    description = "The whole audit trail, newest first, as JSON or CSV.",
    responses((status = 200, body = Vec<AuditEvent>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn admin_audit(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    let num = |v: &Option<String>, field: &str, default: i64, max: i64| -> Result<i64> {
        match v {
            None => Ok(default),
            Some(t) => t
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or_else(|| {
                    Error::invalid_field(field, format!("must be a number from 0 to {max}"))
                }),
        }
    };
    let limit = num(&q.limit, "limit", 1000, 10_000)?.max(1);
    let offset = num(&q.offset, "offset", 0, i64::MAX)?;
    let events = super::all_audit(&s.db, admin, limit, offset).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(axum::Json(events).into_response()),
        Some("csv") => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"promptvault-audit.csv\"",
                ),
            ],
            super::audit::to_csv(&events),
        )
            .into_response()),
        Some(_) => Err(Error::invalid_field("format", "must be json or csv")),
    }
}

#[utoipa::path(get, path = "/namespaces", tag = "registry",
    description = "The caller's namespaces: their handle and their teams' slugs, with old names (aliases).",
    responses((status = 200, body = Vec<NamespaceInfo>)))]
async fn namespaces(State(s): State<AppState>, me: CurrentUser) -> Result<Response> {
    Ok(axum::Json(super::my_namespaces(&s.db, &me.user).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
struct NameInput {
    /// The new name: lower-case letters, digits, `-`, `_`.
    name: Option<String>,
}

#[utoipa::path(put, path = "/namespaces/me", tag = "registry", request_body = NameInput,
    description = "Renames the caller's handle; the old one stays as an alias.",
    responses((status = 200, body = NamespaceInfo), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn rename_mine(
    State(s): State<AppState>,
    me: CurrentUser,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let wanted = i
        .name
        .ok_or_else(|| Error::invalid_field("name", "is required"))?;
    let name = super::rename_namespace(&s.db, &me.user, None, &wanted).await?;
    Ok(axum::Json(NamespaceInfo {
        name,
        user_id: Some(me.user.id.clone()),
        team_id: None,
        is_current: true,
    })
    .into_response())
}

#[utoipa::path(put, path = "/namespaces/teams/{team_id}", tag = "registry",
    params(("team_id" = String, Path)), request_body = NameInput,
    description = "Renames a team's slug (its maintainers and administrators); the old one stays as an alias.",
    responses((status = 200, body = NamespaceInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn rename_team(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(team_id): Path<String>,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let wanted = i
        .name
        .ok_or_else(|| Error::invalid_field("name", "is required"))?;
    let name = super::rename_namespace(&s.db, &me.user, Some(&team_id), &wanted).await?;
    Ok(axum::Json(NamespaceInfo {
        name,
        user_id: None,
        team_id: Some(team_id),
        is_current: true,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
struct RoleInput {
    /// `maintainer` or `member`.
    role: Option<String>,
}

#[utoipa::path(put, path = "/teams/{team_id}/members/{user_id}/role", tag = "registry",
    params(("team_id" = String, Path), ("user_id" = String, Path)), request_body = RoleInput,
    description = "Makes a member a maintainer (may move protected labels of the team's prompts) or a plain member again. \
                   Administrators and the team's maintainers only.",
    responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn team_role(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((team_id, user_id)): Path<(String, String)>,
    Json(i): Json<RoleInput>,
) -> Result<Response> {
    let maintainer = match i.role.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("maintainer") => true,
        Some("member") => false,
        _ => return Err(Error::invalid_field("role", "must be maintainer or member")),
    };
    crate::teams::set_role(&s.db, &me.user, &team_id, &user_id, maintainer).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}
