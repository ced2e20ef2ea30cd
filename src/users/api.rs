//! `/api/admin/users`: user administration (role ADMIN). Responses never carry password hashes.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AdminUpdate, NewUser, PromptFate, UserRow};
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::http::extract::with_total;
use crate::http::{Json, Page, Query};
use crate::teams;

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(one).put(update).delete(remove))
}

/// A user as administrators see it: the public object plus teams and dates.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminView {
    id: String,
    email: String,
    name: Option<String>,
    team: Option<String>,
    role: String,
    teams: Vec<TeamRef>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct TeamRef {
    id: String,
    name: String,
}

async fn view(db: &Db, u: UserRow) -> Result<AdminView> {
    let mut tx = db.read().await?;
    let teams = teams::store::of_user(&mut tx, &u.id)
        .await?
        .into_iter()
        .map(|t| TeamRef {
            id: t.id,
            name: t.name,
        })
        .collect();
    Ok(AdminView {
        id: u.id,
        email: u.email,
        name: u.name,
        team: u.team,
        role: u.role,
        teams,
        created_at: u.created_at,
        updated_at: u.updated_at,
    })
}

async fn list(
    State(s): State<AppState>,
    _: AdminUser,
    Query(page): Query<Page>,
) -> Result<Response> {
    let page = page.checked()?;
    let (users, total) = super::list(&s.db, page.limit, page.offset).await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        out.push(view(&s.db, u).await?);
    }
    Ok(with_total(out, total))
}

async fn one(State(s): State<AppState>, _: AdminUser, Path(id): Path<String>) -> Result<Response> {
    let user = super::get(&s.db, &id).await?;
    Ok(axum::Json(view(&s.db, user).await?).into_response())
}

async fn create(
    State(s): State<AppState>,
    _: AdminUser,
    Json(input): Json<NewUser>,
) -> Result<Response> {
    let user = super::create(&s.db, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&s.db, user).await?)).into_response())
}

async fn update(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(input): Json<AdminUpdate>,
) -> Result<Response> {
    let user = super::admin_update(&s.db, &id, &input).await?;
    Ok(axum::Json(view(&s.db, user).await?).into_response())
}

#[derive(Deserialize)]
struct DeleteQuery {
    prompts: Option<String>,
    to: Option<String>,
}

async fn remove(
    State(s): State<AppState>,
    _: AdminUser,
    Path(id): Path<String>,
    Query(q): Query<DeleteQuery>,
) -> Result<Response> {
    let fate = match (q.prompts.as_deref(), q.to) {
        (None, _) => PromptFate::Keep,
        (Some("delete"), _) => PromptFate::Delete,
        (Some("transfer"), Some(to)) if !to.is_empty() => PromptFate::TransferTo(to),
        (Some("transfer"), _) => {
            return Err(Error::invalid_field(
                "to",
                "is required with prompts=transfer",
            ));
        }
        (Some(_), _) => {
            return Err(Error::invalid_field(
                "prompts",
                "must be delete or transfer",
            ));
        }
    };
    super::delete(&s.db, &id, fate).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
