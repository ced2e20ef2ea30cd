//! `/api/ratings/:promptId`: rate and un-rate.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::RatingRow;
use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::Json;
use crate::openapi::{ErrorBody, Success};
use crate::state::AppState;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rate, unrate))
}

#[derive(Deserialize, ToSchema)]
struct RateInput {
    /// A whole number from 1 to 5.
    #[serde(default)]
    #[schema(value_type = i32, minimum = 1, maximum = 5)]
    value: serde_json::Value,
}

#[utoipa::path(post, path = "/{prompt_id}", tag = "ratings", params(("prompt_id" = String, Path)),
    request_body = RateInput,
    description = "Anyone who can read the prompt; a second rating replaces the first.",
    responses((status = 200, body = RatingRow), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Rated at the same time (`concurrent_rating`): try again", body = ErrorBody)))]
async fn rate(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(prompt_id): Path<String>,
    Json(i): Json<RateInput>,
) -> Result<Response> {
    let value = super::parse_value(&i.value).map_err(|p| Error::invalid_field("value", p))?;
    let r = super::rate(&s.db, &me.user, &prompt_id, value).await?;
    Ok(axum::Json(r).into_response())
}

#[utoipa::path(delete, path = "/{prompt_id}", tag = "ratings", params(("prompt_id" = String, Path)),
    responses((status = 200, body = Success), (status = 404, body = ErrorBody)))]
async fn unrate(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(prompt_id): Path<String>,
) -> Result<Response> {
    super::unrate(&s.db, &me.user, &prompt_id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}
