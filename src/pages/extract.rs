//! The pages' extractors: every visitor's context ([`Ctx`]), a signed-in visitor ([`Me`],
//! others go to the sign-in page) and an administrator ([`AdminMe`], others get a 403 page).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::ctx::{AdminMe, Ctx, Me, THEME_COOKIE, Theme};
use super::flash::{FLASH_COOKIE, Flash};
use super::respond;
use crate::auth::MaybeUser;
use crate::error::Error;
use crate::http::extract::cookie;
use crate::state::AppState;

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let user = match MaybeUser::from_request_parts(parts, state).await {
            Ok(MaybeUser(u)) => u,
            Err(e) => return Err(respond::bare_error(&e)),
        };
        let theme = Theme::parse(&cookie(&parts.headers, THEME_COOKIE).unwrap_or_default());
        let flash = cookie(&parts.headers, FLASH_COOKIE).and_then(|v| Flash::decode(&v));
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
        Ok(Ctx {
            user,
            theme,
            flash,
            here,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Me
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.user_row().cloned() {
            Some(user) => Ok(Me { ctx, user }),
            None => Err(respond::to_sign_in(&ctx.here)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AdminMe
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Me { ctx, user } = Me::from_request_parts(parts, state).await?;
        if let Some(admin) = crate::auth::Admin::of(&user) {
            Ok(AdminMe { ctx, user, admin })
        } else {
            Err(respond::error_page(&ctx, &Error::forbidden()).into_response())
        }
    }
}
