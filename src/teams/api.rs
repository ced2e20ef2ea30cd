//! `/api/admin/teams`: team administration (role ADMIN).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::auth::AdminUser;
use crate::error::Result;
use crate::http::Json;

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list).post(create))
        .route("/teams/{id}", put(rename).delete(remove))
        .route("/teams/{id}/members", get(members).post(add_member))
        .route("/teams/{id}/members/{user_id}", delete(remove_member))
}

#[derive(Deserialize)]
struct TeamInput {
    name: Option<String>,
}

async fn list(State(s): State<AppState>, _: AdminUser) -> Result<Response> {
    Ok(axum::Json(super::list(&s.db).await?).into_response())
}

async fn create(
    State(s): State<AppState>,
    _: AdminUser,
    Json(i): Json<TeamInput>,
) -> Result<Response> {
    let team = super::create(&s.db, i.name.as_deref().unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, axum::Json(team)).into_response())
}

async fn rename(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(i): Json<TeamInput>,
) -> Result<Response> {
    let team = super::rename(&s.db, &id, i.name.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(team).into_response())
}

async fn remove(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, &id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}

async fn members(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(super::members(&s.db, &id).await?).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberInput {
    user_id: Option<String>,
}

async fn add_member(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(i): Json<MemberInput>,
) -> Result<Response> {
    let Some(user_id) = i.user_id.filter(|u| !u.is_empty()) else {
        return Err(crate::error::Error::invalid_field("userId", "is required"));
    };
    super::add_member(&s.db, &id, &user_id).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "ok": true }))).into_response())
}

async fn remove_member(
    State(s): State<AppState>,
    _: AdminUser,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response> {
    super::remove_member(&s.db, &id, &user_id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
