//! `/api/share`: owner turns public links on/off; anonymous read of a shared prompt.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ShareLink, SharedPrompt};
use crate::auth::CurrentUser;
use crate::error::Result;
use crate::openapi::{ErrorBody, Success};
use crate::state::AppState;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public))
        .routes(routes!(enable, disable))
}

#[utoipa::path(post, path = "/{id}/public", tag = "sharing", params(("id" = String, Path)),
    description = "Owner: turn the anonymous link on (the id stays the same while on).",
    responses((status = 200, body = ShareLink), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn enable(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let share_id = super::enable(&s.db, &me.user, &id).await?;
    let url = super::public_url(s.config.public_url.as_deref(), &share_id);
    Ok(axum::Json(ShareLink {
        public_url: url,
        share_id,
    })
    .into_response())
}

#[utoipa::path(delete, path = "/{id}/public", tag = "sharing", params(("id" = String, Path)),
    description = "Owner: turn the link off; the old link is 404 at once.",
    responses((status = 200, body = Success), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn disable(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::disable(&s.db, &me.user, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[utoipa::path(get, path = "/public/{share_id}", tag = "sharing", security(()),
    params(("share_id" = String, Path)),
    description = "Anonymous: the shared prompt, only these fields; 404 unless shared.",
    responses((status = 200, body = SharedPrompt), (status = 404, body = ErrorBody)))]
async fn public(State(s): State<AppState>, Path(share_id): Path<String>) -> Result<Response> {
    Ok(axum::Json(super::public(&s.db, &share_id).await?).into_response())
}
