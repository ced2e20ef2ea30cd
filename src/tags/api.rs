//! `/api/tags`: list (signed in), create/rename/delete/merge (administrators).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::auth::{AdminUser, CurrentUser};
use crate::error::Result;
use crate::http::Json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", put(rename).delete(remove))
        .route("/{id}/merge", post(merge))
}

#[derive(Deserialize)]
struct NameInput {
    name: Option<String>,
}

#[derive(Deserialize)]
struct MergeInput {
    into: Option<String>,
}

async fn list(State(s): State<AppState>, me: CurrentUser) -> Result<Response> {
    Ok(axum::Json(super::list(&s.db, &me.user).await?).into_response())
}

async fn create(
    State(s): State<AppState>,
    _: AdminUser,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let tag = super::create(&s.db, i.name.as_deref().unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, axum::Json(tag)).into_response())
}

async fn rename(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(i): Json<NameInput>,
) -> Result<Response> {
    let tag = super::rename(&s.db, &id, i.name.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(tag).into_response())
}

async fn remove(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

async fn merge(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(i): Json<MergeInput>,
) -> Result<Response> {
    let tag = super::merge(&s.db, &id, i.into.as_deref().unwrap_or_default()).await?;
    Ok(axum::Json(tag).into_response())
}
