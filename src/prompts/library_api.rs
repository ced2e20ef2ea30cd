//! `/api/prompts/{id}/favorite` and `/api/trash`: the caller's stars and trash (thin handlers
//! over [`super::favorites`] and [`super::trash`]).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{favorites, trash};
use crate::auth::CurrentUser;
use crate::error::Result;
use crate::http::Query;
use crate::http::extract::with_total;
use crate::openapi::schemas::{ErrorBody, Success};
use crate::state::AppState;

/// The favourite routes, nested under `/prompts`.
pub fn favorite_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(star, unstar))
}

/// The trash routes, nested under `/trash`.
pub fn trash_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(trash_list, empty_trash))
        .routes(routes!(trash_restore))
        .routes(routes!(trash_delete))
}

/// A prompt's star for the caller.
#[derive(Serialize, ToSchema)]
struct Favorite {
    ok: bool,
    favorite: bool,
}

#[utoipa::path(put, path = "/{id}/favorite", tag = "prompts", params(("id" = String, Path)),
    description = "Stars a prompt the caller can read (theirs, their teams', public) for the caller. Idempotent. List them with `GET /api/prompts?favorites=true`.",
    responses((status = 200, body = Favorite), (status = 404, body = ErrorBody)))]
async fn star(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let favorite = favorites::set(&s.db, &me.user, &id, true).await?;
    Ok(axum::Json(Favorite { ok: true, favorite }).into_response())
}

#[utoipa::path(delete, path = "/{id}/favorite", tag = "prompts", params(("id" = String, Path)),
    description = "Removes the caller's star from a prompt they can read. Idempotent.",
    responses((status = 200, body = Favorite), (status = 404, body = ErrorBody)))]
async fn unstar(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let favorite = favorites::set(&s.db, &me.user, &id, false).await?;
    Ok(axum::Json(Favorite { ok: true, favorite }).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrashQuery {
    /// 1–200, default 50.
    limit: Option<i64>,
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/", tag = "trash", params(TrashQuery),
    description = "The caller's deleted prompts, most recently deleted first. Each is deleted for good at `purgeAt` (30 days after `deletedAt`).",
    responses((status = 200, body = Vec<trash::TrashedPrompt>, headers(("x-total-count" = i64, description = "Prompts in the trash"))),
              (status = 400, body = ErrorBody)))]
async fn trash_list(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(q): Query<TrashQuery>,
) -> Result<Response> {
    let (items, total) = trash::list(
        &s.db,
        &me.user,
        q.limit.unwrap_or(crate::listing::DEFAULT_LIMIT),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(with_total(items, total))
}

/// How many prompts an action on the trash touched.
#[derive(Serialize, ToSchema)]
struct TrashCount {
    ok: bool,
    count: usize,
}

#[utoipa::path(delete, path = "/", tag = "trash",
    description = "Empties the caller's trash: its prompts are deleted for good.",
    responses((status = 200, body = TrashCount)))]
async fn empty_trash(State(s): State<AppState>, me: CurrentUser) -> Result<Response> {
    let count = trash::empty(&s.db, &me.user).await?;
    Ok(axum::Json(TrashCount { ok: true, count }).into_response())
}

#[utoipa::path(post, path = "/{id}/restore", tag = "trash", params(("id" = String, Path)),
    description = "Takes a prompt out of the caller's trash, as it was (versions, tags, ratings, stars, name, labels).",
    responses((status = 200, body = Success), (status = 404, body = ErrorBody)))]
async fn trash_restore(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    trash::restore(&s.db, &me.user, std::slice::from_ref(&id)).await?;
    Ok(axum::Json(serde_json::json!({ "success": true })).into_response())
}

#[utoipa::path(delete, path = "/{id}", tag = "trash", params(("id" = String, Path)),
    description = "Deletes a prompt in the caller's trash for good, with its versions, ratings and stars.",
    responses((status = 200, body = Success), (status = 404, body = ErrorBody)))]
async fn trash_delete(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    trash::delete_forever(&s.db, &me.user, &id).await?;
    Ok(axum::Json(serde_json::json!({ "success": true })).into_response())
}
