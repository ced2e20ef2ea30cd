//! `/api/admin/users`: user administration (role ADMIN). Responses never carry password hashes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminUpdate, NewUser, PromptFate, UserRow};
use crate::auth::AdminUser;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::http::extract::with_total;
use crate::http::{Json, Page, Query};
use crate::openapi::schemas::{ErrorBody, OkBody, PageParams};
use crate::state::AppState;
use crate::teams;

/// The routes with their description (under `/api/admin`).
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, update, remove))
}

/// A user as administrators see it: the public object plus teams and dates.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminView {
    id: String,
    email: String,
    #[schema(required = true)]
    name: Option<String>,
    /// The name of the primary team, or null.
    #[schema(required = true)]
    team: Option<String>,
    role: super::Role,
    teams: Vec<TeamRef>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
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

#[utoipa::path(get, path = "/users", tag = "admin", params(PageParams),
    description = "Administrators: every account, paginated (the total is in `X-Total-Count`).",
    responses((status = 200, body = Vec<AdminView>, headers(("x-total-count" = i64))),
              (status = 400, body = ErrorBody),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Query(page): Query<Page>,
) -> Result<Response> {
    let page = page.checked()?;
    let (users, total) = super::list(&s.db, admin, page.limit, page.offset).await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        out.push(view(&s.db, u).await?);
    }
    Ok(with_total(out, crate::listing::Total::exact(total)))
}

#[utoipa::path(get, path = "/users/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AdminView),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn one(State(s): State<AppState>, _: AdminUser, Path(id): Path<String>) -> Result<Response> {
    let user = super::get(&s.db, &id).await?;
    Ok(axum::Json(view(&s.db, user).await?).into_response())
}

#[utoipa::path(post, path = "/users", tag = "admin", request_body = NewUser,
    description = "Administrators: a new account with a role, teams (`teams`: ids) and a primary team (`team`: id or name).",
    responses((status = 201, body = AdminView),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "Email in use", body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Json(input): Json<NewUser>,
) -> Result<Response> {
    let user = super::create(&s.db, admin, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&s.db, user).await?)).into_response())
}

#[utoipa::path(put, path = "/users/{id}", tag = "admin", params(("id" = String, Path)),
    request_body = AdminUpdate,
    description = "Administrators: name, role, teams, primary team (`team`: id or name; `\"\"` or null removes it) and password reset.",
    responses((status = 200, body = AdminView),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "Cannot demote the last administrator", body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
    Path(id): Path<String>,
    Json(input): Json<AdminUpdate>,
) -> Result<Response> {
    let user = super::admin_update(&s.db, admin, &id, &input).await?;
    Ok(axum::Json(view(&s.db, user).await?).into_response())
}

/// What happens to the user's prompts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    /// Needed when the user has prompts: `delete` them, or `transfer` them to `to`.
    #[param(value_type = Option<PromptFateName>, inline)]
    prompts: Option<String>,
    /// The user id that receives the prompts (with `prompts=transfer`).
    to: Option<String>,
}

/// Values of `prompts` when deleting a user.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum PromptFateName {
    Delete,
    Transfer,
}

#[utoipa::path(delete, path = "/users/{id}", tag = "admin", params(("id" = String, Path), DeleteQuery),
    description = "Administrators: deletes the account (never the last administrator).",
    responses((status = 200, body = OkBody), (status = 400, body = ErrorBody),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "Last administrator, or the user has prompts and no `prompts` choice", body = ErrorBody)))]
async fn remove(
    State(s): State<AppState>,
    AdminUser(_, admin): AdminUser,
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
    super::delete(&s.db, admin, &id, fate).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
