//! `/api/admin/teams`: team administration (role ADMIN).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{Member, TeamRow, TeamWithCount};
use crate::auth::AdminUser;
use crate::error::Result;
use crate::http::Json;
use crate::openapi::schemas::{ErrorBody, OkBody};
use crate::state::AppState;

/// The routes with their description (under `/api/admin`).
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(rename, remove))
        .routes(routes!(members, add_member))
        .routes(routes!(remove_member))
}

#[derive(Deserialize, ToSchema)]
struct TeamInput {
    /// 1–100 characters after trimming; unique.
    name: Option<String>,
}

#[utoipa::path(get, path = "/teams", tag = "admin",
    description = "Administrators: every team with its member count.",
    responses((status = 200, body = Vec<TeamWithCount>),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list(State(s): State<AppState>, _: AdminUser) -> Result<Response> {
    Ok(axum::Json(super::list(&s.db).await?).into_response())
}

#[utoipa::path(post, path = "/teams", tag = "admin", request_body = TeamInput,
    responses((status = 201, body = TeamRow),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "A team with this name already exists", body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Json(i): Json<TeamInput>,
) -> Result<Response> {
    let team = super::create(&s.db, admin, i.name.as_deref().unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, axum::Json(team)).into_response())
}

#[utoipa::path(put, path = "/teams/{id}", tag = "admin", params(("id" = String, Path)),
    request_body = TeamInput,
    responses((status = 200, body = TeamRow),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "A team with this name already exists", body = ErrorBody)))]
async fn rename(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
    Json(i): Json<TeamInput>,
) -> Result<Response> {
    let team = super::rename(&s.db, admin, &id, i.name.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(team).into_response())
}

#[utoipa::path(delete, path = "/teams/{id}", tag = "admin", params(("id" = String, Path)),
    description = "Administrators: memberships go, TEAM prompts of the team become PRIVATE.",
    responses((status = 200, body = OkBody),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn remove(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, admin, &id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}

#[utoipa::path(get, path = "/teams/{id}/members", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Member>),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn members(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(super::members(&s.db, &id).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct MemberInput {
    /// Required: the user to add.
    user_id: Option<String>,
}

#[utoipa::path(post, path = "/teams/{id}/members", tag = "admin", params(("id" = String, Path)),
    request_body = MemberInput,
    responses((status = 201, body = OkBody),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn add_member(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
    Json(i): Json<MemberInput>,
) -> Result<Response> {
    let Some(user_id) = i.user_id.filter(|u| !u.is_empty()) else {
        return Err(crate::error::Error::invalid_field("userId", "is required"));
    };
    super::add_member(&s.db, admin, &id, &user_id).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "ok": true }))).into_response())
}

#[utoipa::path(delete, path = "/teams/{id}/members/{user_id}", tag = "admin",
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = OkBody),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn remove_member(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response> {
    super::remove_member(&s.db, admin, &id, &user_id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
