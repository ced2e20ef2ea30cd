//! The web UI: server-rendered pages (askama templates in `templates/`, auto-escaped), one
//! stylesheet and one small script embedded from `static/`. Handlers here are thin: they read
//! forms, call the same service functions as the JSON API and render or redirect.
//!
//! Forms work without JavaScript: they post to page addresses, and success answers with a
//! redirect (Post/Redirect/Get) carrying a flash message; a validation failure re-renders the
//! form with what was typed and the problem next to each field.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod cards;
pub mod ctx;
pub mod detail;
pub mod diffview;
pub mod extract;
pub mod feed;
pub mod flash;
pub mod fmt;
pub mod form;
pub mod import;
pub mod library;
pub mod markdown;
pub mod misc;
pub mod prompts;
pub mod registry;
pub mod respond;
pub mod search;
pub mod share;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Where a signed-in visitor lands.
pub const HOME: &str = "/prompts";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(misc::home))
        .route("/about", get(misc::about))
        .route("/search", get(search::page))
        .route("/prompts", get(prompts::list))
        .route("/prompts/new", get(prompts::new_page).post(prompts::create))
        .route("/prompts/import", get(import::page).post(import::submit))
        .route("/prompts/bulk", post(prompts::bulk))
        .route("/prompts/{id}", get(detail::page).post(detail::fill))
        .route(
            "/prompts/{id}/edit",
            get(prompts::edit_page).post(prompts::update),
        )
        .route("/prompts/{id}/raw", get(detail::raw))
        .route("/prompts/{id}/history", get(detail::history))
        .route(
            "/prompts/{id}/versions/{version_id}/restore",
            post(detail::restore),
        )
        .route("/prompts/{id}/labels", post(registry::move_label))
        .route("/prompts/{id}/labels/remove", post(registry::remove_label))
        .route("/prompts/{id}/rate", post(detail::rate))
        .route("/prompts/{id}/share", post(detail::share))
        .route("/prompts/{id}/delete", post(detail::delete))
        .route("/prompts/{id}/duplicate", post(detail::duplicate))
        .route("/prompts/{id}/favorite", post(library::favorite))
        .route("/trash", get(library::page))
        .route("/trash/restore", post(library::restore))
        .route("/trash/empty", post(library::empty))
        .route("/trash/{id}/delete", post(library::delete_forever))
        .route("/team-feed", get(feed::feed))
        .route(
            "/team-feed/{id}",
            get(detail::feed_page).post(detail::feed_fill),
        )
        .route("/share/{share_id}", get(share::page).post(share::fill))
        .route("/theme", post(misc::theme))
        .route("/auth", get(auth::page).post(auth::submit))
        .route("/auth/logout", post(auth::logout))
        .route("/account", get(account::page))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/import", post(account::import))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/backups", post(admin::back_up_now))
        .route(
            "/admin/users/{id}",
            get(admin::user_page).post(admin::update_user),
        )
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/delete", post(admin::delete_user))
        .route("/admin/teams", post(admin::create_team))
        .route(
            "/admin/teams/{id}",
            get(admin::team_page).post(admin::rename_team),
        )
        .route("/admin/teams/{id}/delete", post(admin::delete_team))
        .route("/admin/teams/{id}/members", post(admin::add_member))
        .route(
            "/admin/teams/{id}/members/{user_id}/remove",
            post(admin::remove_member),
        )
        .route("/admin/settings", post(admin::save_settings))
        .route("/admin/tags", post(admin::create_tag))
        .route("/admin/tags/{id}", post(admin::rename_tag))
        .route("/admin/tags/{id}/merge", post(admin::merge_tag))
        .route("/admin/tags/{id}/delete", post(admin::delete_tag))
        .merge(assets::routes())
}
