//! `/api/prompts`: JSON handlers over the prompt service (thin: parse, call, answer).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use super::{ListQuery, PromptInput, versions};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::extract::with_total;
use crate::http::{Json, Query};

/// Prompt bodies may reach 1 MiB, which JSON escaping can double: the request limit of these
/// routes leaves room for that, so an oversized body gets a 400 naming the field.
pub fn body_limit(config: &Config) -> usize {
    config.max_body_bytes.max(3 * super::domain::MAX_BODY_BYTES)
}

pub fn routes(config: &Config) -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/feed/team", get(feed))
        .route("/{id}", get(one).put(update).delete(remove))
        .route("/{id}/visibility", put(visibility))
        .route("/{id}/versions", get(version_list))
        .route("/{id}/versions/{version_id}", get(version_one))
        .route("/{id}/versions/{version_id}/restore", post(restore))
        .route("/{id}/diff", get(diff))
        .route("/{id}/render", post(render))
        .layer(DefaultBodyLimit::max(body_limit(config)))
}

async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response> {
    let q = ListQuery::from_pairs(&pairs)?;
    let (items, total) = super::list_own(&s.db, &me.user, &q).await?;
    Ok(with_total(items, total))
}

async fn feed(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response> {
    let q = ListQuery::from_pairs(&pairs)?;
    let (items, total) = super::team_feed(&s.db, &me.user, &q).await?;
    Ok(with_total(items, total))
}

async fn create(
    State(s): State<AppState>,
    me: CurrentUser,
    Json(input): Json<PromptInput>,
) -> Result<Response> {
    let p = super::create(&s.db, &me.user, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(p)).into_response())
}

async fn one(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(super::get(&s.db, &me.user, &id).await?).into_response())
}

async fn update(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<PromptInput>,
) -> Result<Response> {
    Ok(axum::Json(super::update(&s.db, &me.user, &id, &input).await?).into_response())
}

async fn remove(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    super::delete(&s.db, &me.user, &id).await?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VisibilityInput {
    visibility: Option<String>,
    #[serde(default, deserialize_with = "present")]
    team_id: Option<Option<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

async fn visibility(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(i): Json<VisibilityInput>,
) -> Result<Response> {
    let p = super::set_visibility(&s.db, &me.user, &id, i.visibility.as_deref(), i.team_id).await?;
    Ok(axum::Json(p).into_response())
}

async fn version_list(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(axum::Json(versions::list(&s.db, &me.user, &id).await?).into_response())
}

async fn version_one(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, version_id)): Path<(String, String)>,
) -> Result<Response> {
    Ok(axum::Json(versions::get(&s.db, &me.user, &id, &version_id).await?).into_response())
}

#[derive(Deserialize, Default)]
struct RestoreInput {
    message: Option<String>,
}

async fn restore(
    State(s): State<AppState>,
    me: CurrentUser,
    Path((id, version_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let input: RestoreInput = if body.iter().all(u8::is_ascii_whitespace) {
        RestoreInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| Error::invalid_field("body", e.to_string()))?
    };
    let p = versions::restore(&s.db, &me.user, &id, &version_id, input.message).await?;
    Ok(axum::Json(p).into_response())
}

#[derive(Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<Response> {
    let d = versions::diff(&s.db, &me.user, &id, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(axum::Json(d).into_response())
}

#[derive(Deserialize)]
struct RenderInput {
    #[serde(default)]
    values: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    strict: bool,
}

async fn render(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(i): Json<RenderInput>,
) -> Result<Response> {
    let mut values = BTreeMap::new();
    for (k, v) in i.values {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => {
                return Err(Error::invalid_field(
                    &format!("values.{k}"),
                    "must be a string, number or boolean",
                ));
            }
        };
        values.insert(k, text);
    }
    let out = super::render(&s.db, &me.user, &id, &values, i.strict).await?;
    Ok(axum::Json(out).into_response())
}
