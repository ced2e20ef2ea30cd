//! What every page knows about the request: who is signed in, the theme, a pending flash
//! message, the current address. `Ctx` for any page, `Me` for signed-in pages (others are sent
//! to `/auth?next=…`), `AdminMe` for administrators.

use super::assets;
use super::flash::Flash;
use crate::auth::CurrentUser;
use crate::auth::extract::Via;
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

/// A signed-in visitor. Anonymous visitors are redirected to the sign-in page.
pub struct Me {
    pub ctx: Ctx,
    pub user: UserRow,
}

/// A signed-in administrator; others get a 403 page.
pub struct AdminMe {
    pub ctx: Ctx,
    pub user: UserRow,
    /// The proof admin-only services ask for.
    pub admin: crate::auth::Admin,
}
