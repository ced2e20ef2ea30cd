//! The state every handler receives: the database pool, the configuration, the login limiter
//! and what the server remembers about backups. It sits low (config, db, the limiter and the
//! backup status only), so features depend on it and `app` assembles them on top.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::limiter::LoginLimiter;
use crate::config::Config;
use crate::db::Db;
use crate::ops::status::OpsState;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub limiter: Arc<LoginLimiter>,
    pub ops: Arc<OpsState>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let limiter = LoginLimiter::new(
            config.login_max_failures,
            config.login_max_failures_per_address,
            Duration::from_secs(config.login_window_secs),
        );
        AppState {
            db,
            config: Arc::new(config),
            limiter: Arc::new(limiter),
            ops: Arc::default(),
        }
    }
}
