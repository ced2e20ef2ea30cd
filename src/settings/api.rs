//! `GET /settings`, `GET /api/settings` (public) and `/api/admin/settings`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Settings, SettingsUpdate};
use crate::auth::AdminUser;
use crate::error::Result;
use crate::http::Json;
use crate::openapi::schemas::ErrorBody;
use crate::state::AppState;

/// `GET /settings` for anyone (under `/api`).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public))
}

/// The administrators' settings (under `/api/admin`).
pub fn admin_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(admin_get, admin_put))
}

#[utoipa::path(get, path = "/settings", tag = "settings", security(()),
    description = "Anyone: whether self-registration is open.",
    responses((status = 200, body = Settings)))]
pub async fn public(State(s): State<AppState>) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db).await?).into_response())
}

#[utoipa::path(get, path = "/settings", tag = "admin",
    responses((status = 200, body = Settings),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn admin_get(State(s): State<AppState>, _: AdminUser) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db).await?).into_response())
}

#[utoipa::path(put, path = "/settings", tag = "admin", request_body = SettingsUpdate,
    description = "Administrators: change settings (absent fields are kept; unknown fields are a 400).",
    responses((status = 200, body = Settings),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn admin_put(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Json(i): Json<SettingsUpdate>,
) -> Result<Response> {
    Ok(axum::Json(super::update(&s.db, admin, &i).await?).into_response())
}
