//! The state every handler receives: the database pool, the configuration, the login limiter,
//! what the server remembers about backups, whether this instance leads the scheduled work and
//! whether it is draining. It sits low (config, db, the limiter and the backup status only), so
//! features depend on it and `app` assembles them on top.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::watch;

use crate::auth::limiter::LoginLimiter;
use crate::config::Config;
use crate::db::Db;
use crate::db::leader::{self, Leadership};
use crate::ops::status::OpsState;

/// Cheap to clone: one reference count. Every middleware layer and every route holds a copy
/// and axum clones them for each request; with its six shared parts cloned one by one, those
/// reference counts (contended between cores) were about a sixth of the server's CPU time
/// serving a static file.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] shares; its fields read through the state (`state.db`).
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    pub limiter: Arc<LoginLimiter>,
    pub ops: Arc<OpsState>,
    /// Whether this instance runs the scheduled work (several instances on one database).
    pub leader: Leadership,
    pub life: Arc<Lifecycle>,
}

/// The instance's name and whether it is draining (shutting down: `/ready` answers 503).
pub struct Lifecycle {
    draining: watch::Sender<bool>,
    instance: OnceLock<String>,
}

impl Lifecycle {
    pub fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    /// Turns not-ready (idempotent); the election gives leadership up.
    pub fn start_draining(&self) {
        self.draining.send_replace(true);
    }

    pub fn draining(&self) -> watch::Receiver<bool> {
        self.draining.subscribe()
    }

    /// The `instance` label: the configured name, else host name and the port served.
    pub fn instance(&self) -> &str {
        self.instance.get().map_or("unknown", String::as_str)
    }

    /// Names the instance once its port is known (the first call wins).
    pub fn name_instance(&self, name: String) {
        let _ = self.instance.set(name);
    }
}

impl AppState {
    /// Needs a Tokio runtime: the leader election starts here.
    pub fn new(db: Db, config: Config) -> Self {
        let limiter = LoginLimiter::new(
            config.login_max_failures,
            config.login_max_failures_per_address,
            Duration::from_secs(config.login_window_secs),
        );
        let (draining, _) = watch::channel(false);
        let leader = leader::elect(&db, draining.subscribe());
        let life = Lifecycle {
            draining,
            instance: OnceLock::new(),
        };
        if let Some(name) = &config.instance {
            life.name_instance(name.clone());
        }
        AppState(Arc::new(Shared {
            db,
            config: Arc::new(config),
            limiter: Arc::new(limiter),
            ops: Arc::default(),
            leader,
            life: Arc::new(life),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
