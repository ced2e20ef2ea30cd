//! `/api/prompts`: JSON handlers over the prompt service (thin: parse, call, answer). Each
//! handler's `#[utoipa::path]` registers its route and describes it in `/api/openapi.json`.

use std::collections::BTreeMap;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::variables::Rendered;
use super::versions::DiffView;
use super::{ListQuery, PromptInput, PromptView, VersionRow, Visibility, versions};
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::extract::with_total;
use crate::http::{Json, Query};
use crate::openapi::schemas::{ErrorBody, ListParams, Success};
use crate::state::AppState;

/// Prompt bodies may reach 1 MiB, which JSON escaping can double: the request limit of these
/// routes leaves room for that, so an oversized body gets a 400 naming the field.
pub fn body_limit(config: &Config) -> usize {
    config.max_body_bytes.max(3 * super::domain::MAX_BODY_BYTES)
}

/// The routes with their description.
pub fn api_router(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(feed))
        .routes(routes!(one, update, remove))
        .routes(routes!(visibility))
        .routes(routes!(version_list))
        .routes(routes!(version_one))
        .routes(routes!(restore))
        .routes(routes!(diff))
        .routes(routes!(render))
        .merge(crate::registry::api::prompt_router())
        .routes(routes!(duplicate))
        .routes(routes!(bulk))
        .merge(super::library_api::favorite_router())
        .layer(DefaultBodyLimit::max(body_limit(config)))
}

#[utoipa::path(get, path = "/", tag = "prompts", params(ListParams),
    description = "The caller's own prompts, newest `updatedAt` first. With `favorites=true`: the caller's starred prompts among all they can read (their own, their teams', public).",
    responses((status = 200, body = Vec<PromptView>, headers(("x-total-count" = i64, description = "Matching prompts, counted up to 10000"), ("x-total-count-capped" = bool, description = "Present (true) when more than 10000 match: the total is at least x-total-count"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response> {
    let q = ListQuery::from_pairs(&pairs, me.id())?;
    let (items, total) = super::list_own(&s.db, &me.user, &q).await?;
    Ok(with_total(items, total))
}

#[utoipa::path(get, path = "/feed/team", tag = "prompts", params(ListParams),
    description = "TEAM and PUBLIC prompts across all the caller's teams.",
    responses((status = 200, body = Vec<PromptView>, headers(("x-total-count" = i64, description = "Matching prompts, counted up to 10000"), ("x-total-count-capped" = bool, description = "Present (true) when more than 10000 match: the total is at least x-total-count"))),
              (status = 404, description = "No team assigned", body = ErrorBody)))]
async fn feed(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response> {
    let q = ListQuery::from_pairs(&pairs, me.id())?;
    let (items, total) = super::team_feed(&s.db, &me.user, &q).await?;
    Ok(with_total(items, total))
}

#[utoipa::path(post, path = "/", tag = "prompts", request_body = PromptInput,
    responses((status = 201, body = PromptView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    me: CurrentUser,
    Json(input): Json<PromptInput>,
) -> Result<Response> {
    let p = super::create(&s.db, &me.user, &input.to_new()?).await?;
    Ok((StatusCode::CREATED, axum::Json(p)).into_response())
}

/// A bulk action on some of the caller's prompts.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct BulkInput {
    /// Ids of the caller's own prompts (at most 200).
    ids: Vec<String>,
    /// `tag` (add `tag`), `visibility` (set `visibility`) or `delete`.
    action: String,
    tag: Option<String>,
    #[schema(value_type = Option<Visibility>)]
    visibility: Option<String>,
}

/// What a bulk action did.
#[derive(serde::Serialize, ToSchema)]
struct BulkResult {
    ok: bool,
    /// Prompts changed (an added tag they already had does not count).
    count: usize,
}

/// Reads a bulk action from its edge fields (API and pages).
pub fn bulk_action(
    action: &str,
    tag: Option<&str>,
    visibility: Option<&str>,
) -> Result<super::BulkAction> {
    match action.trim() {
        "tag" => {
            let t = tag.unwrap_or_default();
            let t = super::domain::parse_tag(t).map_err(|p| Error::invalid_field("tag", p))?;
            Ok(super::BulkAction::AddTag(t))
        }
        "visibility" => Visibility::parse(visibility.unwrap_or_default())
            .map(super::BulkAction::SetVisibility)
            .map_err(|p| Error::invalid_field("visibility", p)),
        "delete" => Ok(super::BulkAction::Delete),
        _ => Err(Error::invalid_field(
            "action",
            "must be tag, visibility or delete",
        )),
    }
}

#[utoipa::path(post, path = "/bulk", tag = "prompts", request_body = BulkInput,
    description = "Owner only: adds a tag to, sets the visibility of, or moves to the trash several of the caller's prompts. Any id that is not the caller's is a 404 and nothing changes.",
    responses((status = 200, body = BulkResult), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn bulk(
    State(s): State<AppState>,
    me: CurrentUser,
    Json(input): Json<BulkInput>,
) -> Result<Response> {
    let action = bulk_action(
        &input.action,
        input.tag.as_deref(),
        input.visibility.as_deref(),
    )?;
    let count = super::bulk(&s.db, &me.user, &input.ids, &action).await?;
    Ok(axum::Json(BulkResult { ok: true, count }).into_response())
}

#[utoipa::path(post, path = "/{id}/duplicate", tag = "prompts", params(("id" = String, Path)),
    description = "Save a copy: a new PRIVATE prompt of the caller's with the content, variables and tags of a prompt the caller can read, titled \"Copy of …\".",
    responses((status = 201, body = PromptView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn duplicate(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let p = super::duplicate(&s.db, &me.user, &id).await?;
    Ok((StatusCode::CREATED, axum::Json(p)).into_response())
}

#[utoipa::path(get, path = "/{id}", tag = "prompts", params(("id" = String, Path)),
    description = "Full prompt with `versions` (newest first) and `ratings`; 404 unless readable.",
    responses((status = 200, body = PromptView), (status = 404, body = ErrorBody)))]
async fn one(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db, &me.user, &id).await?).into_response())
}

#[utoipa::path(put, path = "/{id}", tag = "prompts", params(("id" = String, Path)),
    request_body = PromptInput,
    description = "Owner only. A new version is recorded only when the content changes.",
    responses((status = 200, body = PromptView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Changed at the same time (`concurrent_edit`): try again", body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<PromptInput>,
) -> Result<Response> {
    let changes = input.to_changes()?;
    Ok(axum::Json(super::update(&s.db, &me.user, &id, &changes).await?).into_response())
}

#[utoipa::path(delete, path = "/{id}", tag = "prompts", params(("id" = String, Path)),
    description = "Owner only: moves the prompt to the trash (`GET /api/trash`), where it can be restored for 30 days.",
    responses((status = 200, body = Success), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, &me.user, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct VisibilityInput {
    /// PRIVATE, TEAM or PUBLIC.
    visibility: Option<String>,
    /// One of the owner's teams (TEAM); null = all the owner's teams.
    #[serde(default, deserialize_with = "super::domain::present")]
    #[schema(value_type = Option<String>)]
    team_id: Option<Option<String>>,
}

#[utoipa::path(put, path = "/{id}/visibility", tag = "prompts", params(("id" = String, Path)),
    request_body = VisibilityInput,
    responses((status = 200, body = PromptView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn visibility(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(i): Json<VisibilityInput>,
) -> Result<Response> {
    let Some(v) = i.visibility.as_deref() else {
        return Err(Error::invalid_field("visibility", "is required"));
    };
    let v = Visibility::parse(v).map_err(|p| Error::invalid_field("visibility", p))?;
    let p = super::set_visibility(&s.db, &me.user, &id, v, i.team_id).await?;
    Ok(axum::Json(p).into_response())
}

#[utoipa::path(get, path = "/{id}/versions", tag = "versions", params(("id" = String, Path)),
    responses((status = 200, description = "Newest first", body = Vec<VersionRow>),
              (status = 404, body = ErrorBody)))]
async fn version_list(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(versions::list(&s.db, &me.user, &id).await?).into_response())
}

#[utoipa::path(get, path = "/{id}/versions/{version_id}", tag = "versions",
    params(("id" = String, Path), ("version_id" = String, Path, description = "Version id, or its number")),
    responses((status = 200, body = VersionRow), (status = 404, body = ErrorBody)))]
async fn version_one(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, version_id)): Path<(String, String)>,
) -> Result<Response> {
    Ok(axum::Json(versions::get(&s.db, &me.user, &id, &version_id).await?).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
struct RestoreInput {
    /// Change note; default "Restored version N".
    message: Option<String>,
}

#[utoipa::path(post, path = "/{id}/versions/{version_id}/restore", tag = "versions",
    params(("id" = String, Path), ("version_id" = String, Path)),
    request_body(content = Option<RestoreInput>, description = "Optional"),
    description = "Owner only: the version's content becomes current, recorded as a new version.",
    responses((status = 200, body = PromptView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Changed at the same time (`concurrent_edit`): try again", body = ErrorBody)))]
async fn restore(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, version_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let input: RestoreInput = if body.iter().all(u8::is_ascii_whitespace) {
        RestoreInput::default()
    } else {
        crate::text::check_json("body", &body)?;
        serde_json::from_slice(&body).map_err(|e| Error::invalid_field("body", e.to_string()))?
    };
    let p = versions::restore(&s.db, &me.user, &id, &version_id, input.message).await?;
    Ok(axum::Json(p).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// Version id or number; default: the one before `to`.
    from: Option<String>,
    /// Version id or number; default: the newest.
    to: Option<String>,
}

#[utoipa::path(get, path = "/{id}/diff", tag = "versions",
    params(("id" = String, Path), DiffQuery),
    responses((status = 200, body = DiffView), (status = 404, body = ErrorBody)))]
async fn diff(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<Response> {
    let d = versions::diff(&s.db, &me.user, &id, q.from.as_deref(), q.to.as_deref()).await?;
    // A diff of large bodies is megabytes of JSON: written off the async workers too.
    let body = crate::cpu::run(move || serde_json::to_vec(&d))
        .await?
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
struct RenderInput {
    /// Variable name -> value (string, number or boolean).
    #[serde(default)]
    values: BTreeMap<String, serde_json::Value>,
    /// Missing values are a 422 instead of being listed.
    #[serde(default)]
    strict: bool,
}

#[utoipa::path(post, path = "/{id}/render", tag = "prompts", params(("id" = String, Path)),
    request_body = RenderInput,
    description = "Fills `{{name}}` placeholders (values, then declared defaults). `\\{{` is a literal `{{`.",
    responses((status = 200, body = Rendered), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "strict and values missing", body = ErrorBody)))]
async fn render(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(i): Json<RenderInput>,
) -> Result<Response> {
    let mut values = BTreeMap::new();
    for (k, v) in i.values {
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
        values.insert(k, text);
    }
    let out = super::render(&s.db, &me.user, &id, &values, i.strict).await?;
    Ok(axum::Json(out).into_response())
}
