//! `/api/ratings/:promptId`: rate and un-rate.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::Json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/{prompt_id}", post(rate).delete(unrate))
}

#[derive(Deserialize)]
struct RateInput {
    #[serde(default)]
    value: serde_json::Value,
}

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

async fn unrate(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(prompt_id): Path<String>,
) -> Result<Response> {
    super::unrate(&s.db, &me.user, &prompt_id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}
