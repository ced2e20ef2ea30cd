//! `GET /settings`, `GET /api/settings` (public) and `/api/admin/settings`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::SettingsUpdate;
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::error::Result;
use crate::http::Json;

pub async fn public(State(s): State<AppState>) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db).await?).into_response())
}

pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/settings", get(admin_get).put(admin_put))
}

async fn admin_get(State(s): State<AppState>, _: AdminUser) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db).await?).into_response())
}

async fn admin_put(
    State(s): State<AppState>,
    _: AdminUser,
    Json(i): Json<SettingsUpdate>,
) -> Result<Response> {
    Ok(axum::Json(super::update(&s.db, &i).await?).into_response())
}
