//! What every page knows about the request: who is signed in, the theme, a pending flash
//! message, the current address. `Ctx` for any page, `Me` for signed-in pages (others are sent
//! to `/auth?next=…`), `AdminMe` for administrators.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::assets;
use super::respond::{self, Flash};
use crate::auth::extract::Via;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::Error;
use crate::http::extract::cookie;
use crate::state::AppState;
use crate::users::UserRow;

pub const THEME_COOKIE: &str = "theme";

/// The colour theme chosen by the visitor; `System` follows `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(raw: &str) -> Theme {
        match raw {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme the toggle switches to: system → light → dark → system.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
}

/// The signed-in user as the layout shows them.
#[derive(Clone, Debug)]
pub struct NavUser {
    pub id: String,
    pub label: String,
    /// First letter of the label, for the avatar.
    pub initial: String,
    pub email: String,
    pub is_admin: bool,
}

impl NavUser {
    fn from_row(u: &UserRow) -> Self {
        let label = u.name.clone().unwrap_or_else(|| u.email.clone());
        NavUser {
            id: u.id.clone(),
            initial: label.chars().next().unwrap_or('?').to_uppercase().collect(),
            label,
            email: u.email.clone(),
            is_admin: u.is_admin(),
        }
    }
}

/// Request context for rendering a page.
#[derive(Clone)]
pub struct Ctx {
    pub user: Option<CurrentUser>,
    pub theme: Theme,
    pub flash: Option<Flash>,
    /// Path and query of this request (for `next=` links).
    pub here: String,
}

/// Data the base template needs.
pub struct Layout {
    pub title: String,
    pub nav: &'static str,
    pub user: Option<NavUser>,
    pub theme: &'static str,
    pub theme_next: &'static str,
    pub flash: Option<Flash>,
    pub here: String,
    pub v: &'static str,
    pub q: String,
}

impl Ctx {
    pub fn user_row(&self) -> Option<&UserRow> {
        self.user.as_ref().map(|u| &u.user)
    }

    pub fn session_secret(&self) -> Option<&str> {
        match self.user.as_ref().map(|u| &u.via) {
            Some(Via::Session(s)) => Some(s),
            _ => None,
        }
    }

    pub fn layout(&self, title: impl Into<String>, nav: &'static str) -> Layout {
        Layout {
            title: title.into(),
            nav,
            user: self.user_row().map(NavUser::from_row),
            theme: self.theme.as_str(),
            theme_next: self.theme.next().as_str(),
            flash: self.flash.clone(),
            here: self.here.clone(),
            v: assets::version(),
            q: String::new(),
        }
    }
}

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
        let flash = cookie(&parts.headers, respond::FLASH_COOKIE).and_then(|v| Flash::decode(&v));
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

/// A signed-in visitor. Anonymous visitors are redirected to the sign-in page.
pub struct Me {
    pub ctx: Ctx,
    pub user: UserRow,
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

/// A signed-in administrator; others get a 403 page.
pub struct AdminMe {
    pub ctx: Ctx,
    pub user: UserRow,
}

impl<S: Send + Sync> FromRequestParts<S> for AdminMe
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Me { ctx, user } = Me::from_request_parts(parts, state).await?;
        if user.is_admin() {
            Ok(AdminMe { ctx, user })
        } else {
            Err(respond::error_page(&ctx, &Error::forbidden()).into_response())
        }
    }
}
