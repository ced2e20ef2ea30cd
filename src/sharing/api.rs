//! `/api/share`: owner turns public links on/off; anonymous read of a shared prompt.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::Result;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/{share_id}", get(public))
        .route("/{id}/public", post(enable).delete(disable))
}

async fn enable(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let share_id = super::enable(&s.db, &me.user, &id).await?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let url = super::public_url(s.config.public_url.as_deref(), host, &share_id);
    Ok(axum::Json(json!({ "publicUrl": url, "shareId": share_id })).into_response())
}

async fn disable(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::disable(&s.db, &me.user, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

/// Anonymous: no session or token needed.
async fn public(State(s): State<AppState>, Path(share_id): Path<String>) -> Result<Response> {
    Ok(axum::Json(super::public(&s.db, &share_id).await?).into_response())
}
