//! `/api/auth`: register, login, logout, me, profile, team self-assignment, API tokens.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::json;

use super::extract::Via;
use super::{CurrentUser, MaybeUser, sessions, tokens};
use crate::app::AppState;
use crate::error::{Error, Result};
use crate::http::Json;
use crate::http::extract::ClientIp;
use crate::users::{self, NewUser, ProfileUpdate, PublicUser};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", post(register))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/profile", put(profile))
        .route("/team", post(self_assign_team))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

/// `Set-Cookie` for a session secret (or its removal with `None`).
pub fn session_cookie(state: &AppState, secret: Option<&str>) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let value = match secret {
        Some(s) => format!(
            "{}={s}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
            sessions::COOKIE,
            u64::from(state.config.session_days) * 86_400
        ),
        None => format!(
            "{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}",
            sessions::COOKIE
        ),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("token=; Max-Age=0"))
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
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(state, Some(&secret)));
    Ok(r)
}

async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(input): Json<NewUser>,
) -> Result<Response> {
    let user = users::register(&state.db, &input).await?;
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

#[derive(Deserialize)]
struct Login {
    email: Option<String>,
    password: Option<String>,
}

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
        .insert(header::SET_COOKIE, session_cookie(&state, None));
    Ok(r)
}

async fn me(MaybeUser(user): MaybeUser) -> Response {
    axum::Json(json!({ "user": user.map(|u| PublicUser::from(&u.user)) })).into_response()
}

async fn profile(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<ProfileUpdate>,
) -> Result<Response> {
    let keep = match &me.via {
        Via::Session(s) => Some(s.as_str()),
        Via::Token => None,
    };
    let (user, _) = users::update_profile(&state.db, me.id(), &input, keep).await?;
    Ok(axum::Json(json!({ "user": PublicUser::from(&user) })).into_response())
}

#[derive(Deserialize)]
struct TeamChoice {
    team: Option<String>,
    #[serde(rename = "teamId")]
    team_id: Option<String>,
}

/// 1.x let anyone put themselves in any team; now only administrators choose their own team.
async fn self_assign_team(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<TeamChoice>,
) -> Result<Response> {
    if !me.user.is_admin() {
        return Err(Error::Forbidden("Forbidden".into()));
    }
    let wanted = input.team_id.or(input.team).unwrap_or_default();
    let team = crate::teams::find(&state.db, &wanted).await?;
    crate::teams::add_member(&state.db, &team.id, me.id()).await?;
    crate::teams::make_primary(&state.db, me.id(), &team.name).await?;
    let user = users::get(&state.db, me.id()).await?;
    Ok(axum::Json(json!({ "user": PublicUser::from(&user) })).into_response())
}

#[derive(Deserialize)]
struct NewToken {
    name: Option<String>,
}

async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(input): Json<NewToken>,
) -> Result<Response> {
    // A token cannot mint tokens: a leaked one must not be able to outlive its own revocation.
    if matches!(me.via, Via::Token) {
        return Err(Error::Forbidden(
            "API tokens are created from a signed-in session, not with another token".into(),
        ));
    }
    let (info, secret) = tokens::create(&state.db, me.id(), input.name.as_deref()).await?;
    let mut body = serde_json::to_value(&info).map_err(|e| Error::Internal(e.to_string()))?;
    body["token"] = json!(secret);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

async fn list_tokens(State(state): State<AppState>, me: CurrentUser) -> Result<Response> {
    Ok(axum::Json(tokens::list(&state.db, me.id()).await?).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    tokens::revoke(&state.db, me.id(), &id).await?;
    Ok(axum::Json(json!({ "ok": true })).into_response())
}
