//! `/api/import-export`.

use axum::Router;

use crate::app::AppState;
use crate::config::Config;

pub fn routes(_config: &Config) -> Router<AppState> {
    Router::new()
}
