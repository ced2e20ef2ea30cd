//! `/api/auth`: register, login, logout, me, profile, team self-assignment, API tokens.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::Via;
use super::{CurrentUser, MaybeUser, sessions, tokens};
use crate::error::{Error, Result};
use crate::http::Json;
use crate::http::extract::ClientIp;
use crate::openapi::schemas::{ErrorBody, OkBody};
use crate::state::AppState;
use crate::users::{self, NewUser, ProfileUpdate, PublicUser};

/// The routes with their description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(profile))
        .routes(routes!(self_assign_team))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// `{"user": {...}}`, or `{"user": null}` from `GET /me` when nobody is signed in.
#[derive(Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: Option<PublicUser>,
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// Starts a session and answers with the user object and the cookie.
pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    user: &users::UserRow,
    status: StatusCode,
) -> Result<Response> {
    let secret = sessions::create(
        &state.db,
        &user.id,
        state.config.session_days,
        user_agent(headers),
    )
    .await?;
    let mut r = (status, axum::Json(PublicUser::from(user))).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        sessions::cookie(&state.config, Some(&secret)),
    );
    Ok(r)
}

#[utoipa::path(post, path = "/register", tag = "auth", security(()), request_body = NewUser,
    description = "A new account and its session. The very first account becomes the administrator (even when registration is closed); `role`, `teams` and `team` are ignored here.",
    responses((status = 201, body = PublicUser,
               headers(("set-cookie" = String, description = "The session cookie `token`"))),
              (status = 403, description = "Registration disabled", body = ErrorBody),
              (status = 409, description = "Email in use", body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(input): Json<NewUser>,
) -> Result<Response> {
    let user = users::register(&state.db, &input).await?;
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

#[derive(Deserialize, ToSchema)]
struct Login {
    email: Option<String>,
    password: Option<String>,
}

#[utoipa::path(post, path = "/login", tag = "auth", security(()), request_body = Login,
    description = "Signs in: the user object and a new session cookie. Any failure is the same 401.",
    responses((status = 200, body = PublicUser,
               headers(("set-cookie" = String, description = "The session cookie `token`"))),
              (status = 401, description = "Invalid credentials", body = ErrorBody),
              (status = 429, description = "Too many failed attempts", body = ErrorBody,
               headers(("retry-after" = i64, description = "Seconds to wait")))))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(input): Json<Login>,
) -> Result<Response> {
    let email = input.email.unwrap_or_default();
    let password = input.password.unwrap_or_default();
    let user = super::login::sign_in(&state, &email, &password, ip).await?;
    signed_in(&state, &headers, &user, StatusCode::OK).await
}

#[utoipa::path(post, path = "/logout", tag = "auth",
    security((), ("session" = []), ("token" = [])),
    description = "Revokes the session (if any) and clears the cookie; always `{\"ok\":true}`.",
    responses((status = 200, body = OkBody,
               headers(("set-cookie" = String, description = "Clears the cookie `token`")))))]
async fn logout(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response> {
    if let Some(CurrentUser {
        via: Via::Session(secret),
        ..
    }) = &user
    {
        sessions::revoke(&state.db, secret).await?;
    }
    let mut r = axum::Json(json!({ "ok": true })).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, sessions::cookie(&state.config, None));
    Ok(r)
}

#[utoipa::path(get, path = "/me", tag = "auth",
    security((), ("session" = []), ("token" = [])),
    description = "The signed-in user, or `{\"user\": null}`; always 200.",
    responses((status = 200, body = UserEnvelope)))]
async fn me(MaybeUser(user): MaybeUser) -> Response {
    axum::Json(json!({ "user": user.map(|u| PublicUser::from(&u.user)) })).into_response()
}

#[utoipa::path(put, path = "/profile", tag = "auth", request_body = ProfileUpdate,
    description = "Changes the caller's name or password (`currentPassword` required for the latter; other sessions are then revoked).",
    responses((status = 200, body = UserEnvelope)))]
async fn profile(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<ProfileUpdate>,
) -> Result<Response> {
    let keep = match &me.via {
        Via::Session(s) => Some(s.as_str()),
        Via::Token(_) => None,
    };
    let (user, _) = users::update_profile(&state.db, me.id(), &input, keep).await?;
    Ok(axum::Json(json!({ "user": PublicUser::from(&user) })).into_response())
}

#[derive(Deserialize, ToSchema)]
struct TeamChoice {
    /// A team id or name.
    team: Option<String>,
    /// A team id or name (wins over `team`).
    #[serde(rename = "teamId")]
    team_id: Option<String>,
}

#[utoipa::path(post, path = "/team", tag = "auth", request_body = TeamChoice,
    description = "1.x's team self-assignment: administrators only (they join the team and make it their primary one).",
    responses((status = 200, body = UserEnvelope),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 404, description = "Team not found", body = ErrorBody)))]
/// 1.x let anyone put themselves in any team; now only administrators choose their own team.
async fn self_assign_team(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<TeamChoice>,
) -> Result<Response> {
    let Some(admin) = crate::auth::Admin::of(&me.user) else {
        return Err(Error::Forbidden("Forbidden".into()));
    };
    let wanted = input.team_id.or(input.team).unwrap_or_default();
    let team = crate::teams::find(&state.db, &wanted).await?;
    crate::teams::add_member(&state.db, admin, &team.id, me.id()).await?;
    crate::teams::make_primary(&state.db, me.id(), &team.name).await?;
    let user = users::get(&state.db, me.id()).await?;
    Ok(axum::Json(json!({ "user": PublicUser::from(&user) })).into_response())
}

#[derive(Deserialize, ToSchema)]
struct NewToken {
    /// 1–100 characters.
    name: Option<String>,
    /// `full` (default) or `read`: a read-only token may only fetch and render prompts by
    /// name (`/api/registry`, `/mcp`).
    access: Option<String>,
    /// Limit the token to these namespaces (user handles or team slugs); a limited token may
    /// only fetch and render.
    namespaces: Option<Vec<String>>,
}

/// A new API token: its description plus the secret, shown this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CreatedToken {
    #[serde(flatten)]
    info: tokens::TokenInfo,
    /// The secret (`pv_…`), to send as `Authorization: Bearer <token>`.
    token: String,
}

#[utoipa::path(post, path = "/tokens", tag = "auth", request_body = NewToken,
    description = "A personal API token; the secret is in the answer only (the server keeps its hash). \
                   Only a signed-in session can create one: a request made with an API token gets 403.",
    responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<NewToken>,
) -> Result<Response> {
    // A token cannot mint tokens: a leaked one must not be able to outlive its own revocation.
    if matches!(me.via, Via::Token(_)) {
        return Err(Error::Forbidden(
            "API tokens are created from a signed-in session, not with another token".into(),
        ));
    }
    let access = match input.access.as_deref() {
        None => tokens::Access::Full,
        Some(a) => tokens::Access::parse(a).map_err(|p| Error::invalid_field("access", p))?,
    };
    let (info, token) = tokens::create(
        &state.db,
        me.id(),
        input.name.as_deref(),
        access,
        input.namespaces.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedToken { info, token }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/tokens", tag = "auth",
    description = "The caller's API tokens (name, prefix, dates; never the secret).",
    responses((status = 200, body = Vec<tokens::TokenInfo>)))]
async fn list_tokens(State(state): State<AppState>, me: CurrentUser) -> Result<Response> {
    Ok(axum::Json(tokens::list(&state.db, me.id()).await?).into_response())
}

#[utoipa::path(delete, path = "/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    description = "Revokes one of the caller's tokens.",
    responses((status = 200, body = OkBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    tokens::revoke(&state.db, me.id(), &id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
