//! `/api/tags`: list (signed in), create/rename/delete/merge (administrators).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{TagRow, TagView};
use crate::auth::{AdminUser, CurrentUser};
use crate::error::Result;
use crate::http::Json;
use crate::openapi::schemas::{ErrorBody, Success};
use crate::state::AppState;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(rename, remove))
        .routes(routes!(merge))
}

#[derive(Deserialize, ToSchema)]
struct NameInput {
    /// 1–50 characters after trimming; unique ignoring case.
    name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
struct MergeInput {
    /// The id of the tag that receives the prompts.
    into: Option<String>,
}

#[utoipa::path(get, path = "/", tag = "tags",
    description = "Tags on prompts the caller can read (administrators: all), with prompt counts.",
    responses((status = 200, body = Vec<TagView>), (status = 401, body = ErrorBody)))]
async fn list(State(s): State<AppState>, me: CurrentUser) -> Result<Response> {
    Ok(axum::Json(super::list(&s.db, &me.user).await?).into_response())
}

#[utoipa::path(post, path = "/", tag = "tags", request_body = NameInput,
    description = "Administrators: a new tag.",
    responses((status = 201, body = TagRow), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let tag = super::create(&s.db, admin, i.name.as_deref().unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, axum::Json(tag)).into_response())
}

#[utoipa::path(put, path = "/{id}", tag = "tags", params(("id" = String, Path)),
    request_body = NameInput, description = "Administrators: rename.",
    responses((status = 200, body = TagRow), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn rename(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let tag = super::rename(&s.db, admin, &id, i.name.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(tag).into_response())
}

#[utoipa::path(delete, path = "/{id}", tag = "tags", params(("id" = String, Path)),
    description = "Administrators: delete an unused tag (400 with `usageCount` while in use).",
    responses((status = 200, body = Success), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, admin, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[utoipa::path(post, path = "/{id}/merge", tag = "tags", params(("id" = String, Path)),
    request_body = MergeInput,
    description = "Administrators: move the tag's prompts to `into`, then delete it.",
    responses((status = 200, body = TagRow), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn merge(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
    Json(i): Json<MergeInput>,
) -> Result<Response> {
    let tag = super::merge(&s.db, admin, &id, i.into.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(tag).into_response())
}
