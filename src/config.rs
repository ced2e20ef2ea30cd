//! One typed configuration, layered: defaults -> TOML file -> `PROMPTVAULT_*` environment
//! (plus `DATABASE_URL` and `PORT`) -> command-line flags. Validated once at start with messages
//! that say what to fix. Secrets are redacted from `Debug` output.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::db::connect::{backend_of, redact};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/promptvault.db";

#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: IpAddr,
    pub port: u16,
    pub database_url: String,
    pub db_max_connections: u32,
    /// The address people use to reach this instance (share links, `Secure` cookies).
    pub public_url: Option<String>,
    /// First administrator created on start when the instance has no administrator.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Largest request body in bytes (JSON API and forms).
    pub max_body_bytes: usize,
    /// Largest import upload in bytes.
    pub import_max_bytes: usize,
    pub session_days: u32,
    /// Failed logins allowed per account and address inside the window before 429.
    pub login_max_failures: u32,
    pub login_window_secs: u64,
    /// Use `X-Forwarded-For` for the client address (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// How many proxies in front append to `X-Forwarded-For`: the client address is the entry
    /// this many places from the right (entries further left are client-supplied).
    pub trusted_proxy_hops: u32,
    /// Failed logins allowed per address (all accounts together) inside the window.
    pub login_max_failures_per_address: u32,
    /// Seconds a request waits for a database connection before 503 + Retry-After.
    pub db_acquire_timeout_secs: u64,
    pub log_format: LogFormat,
    pub log_level: String,
    /// Where `db backup` and scheduled backups write by default.
    pub backup_dir: PathBuf,
    /// Hours between scheduled backups inside the server (0: off).
    pub backup_interval_hours: u64,
    /// Seconds between scheduled backups; when > 0 it replaces `backup_interval_hours`.
    pub backup_interval_secs: u64,
    /// Scheduled backups older than this many days are deleted (0: keep regardless of age).
    pub backup_keep_days: u32,
    /// At most this many scheduled backups are kept (0: no limit).
    pub backup_keep_files: u32,
    pub backup_compress: bool,
    /// Bearer token that `GET /metrics` requires on the main address (unset: not served there).
    pub metrics_token: Option<String>,
    /// A separate address serving only `/metrics`, without a token (e.g. 127.0.0.1:9464).
    pub metrics_bind: Option<SocketAddr>,
    /// This instance's name in `/metrics` and logs (default: host name and port).
    pub instance: Option<String>,
    /// Seconds `/ready` answers 503 after SIGTERM before the server stops taking connections,
    /// so that a load balancer notices first (0: stop at once).
    pub shutdown_drain_secs: u64,
    /// Labels only a prompt's owner or a maintainer of its team may move (default
    /// `production`); `latest` cannot be among them (it is never moved by hand).
    pub protected_labels: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 3000,
            database_url: DEFAULT_DATABASE_URL.into(),
            db_max_connections: 8,
            public_url: None,
            admin_email: None,
            admin_password: None,
            max_body_bytes: 2 * 1024 * 1024,
            import_max_bytes: 64 * 1024 * 1024,
            session_days: 30,
            login_max_failures: 5,
            login_window_secs: 900,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            login_max_failures_per_address: 100,
            db_acquire_timeout_secs: 5,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            backup_dir: PathBuf::from("data/backups"),
            backup_interval_hours: 0,
            backup_interval_secs: 0,
            backup_keep_days: 30,
            backup_keep_files: 0,
            backup_compress: true,
            metrics_token: None,
            metrics_bind: None,
            instance: None,
            shutdown_drain_secs: 0,
            protected_labels: crate::registry::PROTECTED_BY_DEFAULT
                .iter()
                .map(|l| l.to_string())
                .collect(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("database_url", &redact(&self.database_url))
            .field("db_max_connections", &self.db_max_connections)
            .field("public_url", &self.public_url)
            .field("admin_email", &self.admin_email)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("session_days", &self.session_days)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_window_secs", &self.login_window_secs)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field(
                "login_max_failures_per_address",
                &self.login_max_failures_per_address,
            )
            .field("db_acquire_timeout_secs", &self.db_acquire_timeout_secs)
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("backup_dir", &self.backup_dir)
            .field("backup_interval_hours", &self.backup_interval_hours)
            .field("backup_interval_secs", &self.backup_interval_secs)
            .field("backup_keep_days", &self.backup_keep_days)
            .field("backup_keep_files", &self.backup_keep_files)
            .field("backup_compress", &self.backup_compress)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("metrics_bind", &self.metrics_bind)
            .field("instance", &self.instance)
            .field("shutdown_drain_secs", &self.shutdown_drain_secs)
            .field("protected_labels", &self.protected_labels)
            .finish()
    }
}

/// Every setting optional: one layer (file, environment or flags).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub bind: Option<String>,
    pub port: Option<u16>,
    pub database_url: Option<String>,
    pub db_max_connections: Option<u32>,
    pub public_url: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub import_max_bytes: Option<usize>,
    pub session_days: Option<u32>,
    pub login_max_failures: Option<u32>,
    pub login_window_secs: Option<u64>,
    pub trust_proxy: Option<bool>,
    pub trusted_proxy_hops: Option<u32>,
    pub login_max_failures_per_address: Option<u32>,
    pub db_acquire_timeout_secs: Option<u64>,
    pub log_format: Option<LogFormat>,
    pub log_level: Option<String>,
    pub backup_dir: Option<PathBuf>,
    pub backup_interval_hours: Option<u64>,
    pub backup_interval_secs: Option<u64>,
    pub backup_keep_days: Option<u32>,
    pub backup_keep_files: Option<u32>,
    pub backup_compress: Option<bool>,
    pub metrics_token: Option<String>,
    pub metrics_bind: Option<String>,
    pub instance: Option<String>,
    pub shutdown_drain_secs: Option<u64>,
    pub protected_labels: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("{name}={value:?} is not valid: {expected}")]
    Env {
        name: String,
        value: String,
        expected: String,
    },
    #[error("invalid setting `{setting}`: {problem}")]
    Invalid {
        setting: &'static str,
        problem: String,
    },
}

impl Layer {
    /// Reads a TOML file layer.
    pub fn from_file(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Reads `PROMPTVAULT_*` variables (and the common `DATABASE_URL`, `PORT`) through `get`.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Layer, ConfigError> {
        fn parse<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            name: &str,
            expected: &str,
        ) -> Result<Option<T>, ConfigError> {
            match get(name).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| ConfigError::Env {
                    name: name.into(),
                    value: v,
                    expected: expected.into(),
                }),
            }
        }
        let text = |name: &str| get(name).filter(|v| !v.is_empty());
        let log_format = match text("PROMPTVAULT_LOG_FORMAT").as_deref() {
            None => None,
            Some("text") => Some(LogFormat::Text),
            Some("json") => Some(LogFormat::Json),
            Some(other) => {
                return Err(ConfigError::Env {
                    name: "PROMPTVAULT_LOG_FORMAT".into(),
                    value: other.into(),
                    expected: "`text` or `json`".into(),
                });
            }
        };
        Ok(Layer {
            bind: text("PROMPTVAULT_BIND"),
            port: match parse(&get, "PROMPTVAULT_PORT", "a port number 0-65535")? {
                Some(p) => Some(p),
                None => parse(&get, "PORT", "a port number 0-65535")?,
            },
            database_url: text("PROMPTVAULT_DATABASE_URL").or_else(|| text("DATABASE_URL")),
            db_max_connections: parse(&get, "PROMPTVAULT_DB_MAX_CONNECTIONS", "a positive number")?,
            public_url: text("PROMPTVAULT_PUBLIC_URL"),
            admin_email: text("PROMPTVAULT_ADMIN_EMAIL"),
            admin_password: text("PROMPTVAULT_ADMIN_PASSWORD"),
            max_body_bytes: parse(&get, "PROMPTVAULT_MAX_BODY_BYTES", "a number of bytes")?,
            import_max_bytes: parse(&get, "PROMPTVAULT_IMPORT_MAX_BYTES", "a number of bytes")?,
            session_days: parse(&get, "PROMPTVAULT_SESSION_DAYS", "a number of days")?,
            login_max_failures: parse(&get, "PROMPTVAULT_LOGIN_MAX_FAILURES", "a number")?,
            login_window_secs: parse(&get, "PROMPTVAULT_LOGIN_WINDOW_SECS", "a number of seconds")?,
            trust_proxy: parse(&get, "PROMPTVAULT_TRUST_PROXY", "`true` or `false`")?,
            trusted_proxy_hops: parse(&get, "PROMPTVAULT_TRUSTED_PROXY_HOPS", "a number")?,
            login_max_failures_per_address: parse(
                &get,
                "PROMPTVAULT_LOGIN_MAX_FAILURES_PER_ADDRESS",
                "a number",
            )?,
            db_acquire_timeout_secs: parse(
                &get,
                "PROMPTVAULT_DB_ACQUIRE_TIMEOUT_SECS",
                "a number of seconds",
            )?,
            log_format,
            log_level: text("PROMPTVAULT_LOG_LEVEL"),
            backup_dir: text("PROMPTVAULT_BACKUP_DIR").map(PathBuf::from),
            backup_interval_hours: parse(
                &get,
                "PROMPTVAULT_BACKUP_INTERVAL_HOURS",
                "a number of hours",
            )?,
            backup_interval_secs: parse(
                &get,
                "PROMPTVAULT_BACKUP_INTERVAL_SECS",
                "a number of seconds",
            )?,
            backup_keep_days: parse(&get, "PROMPTVAULT_BACKUP_KEEP_DAYS", "a number of days")?,
            backup_keep_files: parse(&get, "PROMPTVAULT_BACKUP_KEEP_FILES", "a number")?,
            backup_compress: parse(&get, "PROMPTVAULT_BACKUP_COMPRESS", "`true` or `false`")?,
            metrics_token: text("PROMPTVAULT_METRICS_TOKEN"),
            metrics_bind: text("PROMPTVAULT_METRICS_BIND"),
            instance: text("PROMPTVAULT_INSTANCE"),
            shutdown_drain_secs: parse(
                &get,
                "PROMPTVAULT_SHUTDOWN_DRAIN_SECS",
                "a number of seconds",
            )?,
            // A comma-separated list; `none` for no protected label at all.
            protected_labels: text("PROMPTVAULT_PROTECTED_LABELS").map(|v| {
                if v.trim().eq_ignore_ascii_case("none") {
                    Vec::new()
                } else {
                    v.split(',')
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect()
                }
            }),
        })
    }
}

impl Config {
    /// The labels only a prompt's owner or a maintainer of its team may move.
    pub fn protected(&self) -> crate::registry::Protected<'_> {
        crate::registry::Protected(&self.protected_labels)
    }

    /// Applies `layer` on top of `self`, later layers winning.
    pub fn apply(mut self, layer: Layer) -> Result<Config, ConfigError> {
        if let Some(bind) = layer.bind {
            self.bind = parse_bind(&bind)?;
        }
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = layer.$field { self.$field = v; } )* };
        }
        take!(
            port,
            database_url,
            db_max_connections,
            max_body_bytes,
            import_max_bytes,
            session_days,
            login_max_failures,
            login_window_secs,
            trust_proxy,
            trusted_proxy_hops,
            login_max_failures_per_address,
            db_acquire_timeout_secs,
            log_format,
            log_level,
            backup_dir,
            backup_interval_hours,
            backup_interval_secs,
            backup_keep_days,
            backup_keep_files,
            backup_compress,
            shutdown_drain_secs,
            protected_labels
        );
        if let Some(name) = layer.instance {
            self.instance = Some(name.trim().to_string()).filter(|n| !n.is_empty());
        }
        if layer.metrics_token.is_some() {
            self.metrics_token = layer.metrics_token;
        }
        if let Some(addr) = layer.metrics_bind {
            self.metrics_bind = Some(addr.trim().parse().map_err(|_| ConfigError::Invalid {
                setting: "metrics_bind",
                problem: format!("{addr:?} is not an address with a port (e.g. 127.0.0.1:9464)"),
            })?);
        }
        if layer.public_url.is_some() {
            self.public_url = layer.public_url;
        }
        if layer.admin_email.is_some() {
            self.admin_email = layer.admin_email;
        }
        if layer.admin_password.is_some() {
            self.admin_password = layer.admin_password;
        }
        Ok(self)
    }

    /// Checks the whole configuration; the message names the setting and what to do.
    pub fn validate(mut self) -> Result<Config, ConfigError> {
        let invalid = |setting, problem: &str| ConfigError::Invalid {
            setting,
            problem: problem.into(),
        };
        if backend_of(&self.database_url).is_none() {
            return Err(invalid(
                "database_url",
                "must start with sqlite://, postgres:// or mysql:// (e.g. sqlite://data/promptvault.db)",
            ));
        }
        if self.db_max_connections == 0 {
            return Err(invalid("db_max_connections", "must be at least 1"));
        }
        if self.max_body_bytes < 1024 {
            return Err(invalid("max_body_bytes", "must be at least 1024"));
        }
        if self.import_max_bytes < self.max_body_bytes {
            return Err(invalid(
                "import_max_bytes",
                "must be at least max_body_bytes",
            ));
        }
        if self.session_days == 0 || self.session_days > 3650 {
            return Err(invalid("session_days", "must be between 1 and 3650"));
        }
        if self.login_max_failures == 0 {
            return Err(invalid("login_max_failures", "must be at least 1"));
        }
        if self.login_max_failures_per_address < self.login_max_failures {
            return Err(invalid(
                "login_max_failures_per_address",
                "must be at least login_max_failures",
            ));
        }
        if self.trust_proxy && self.trusted_proxy_hops == 0 {
            return Err(invalid(
                "trusted_proxy_hops",
                "must be at least 1 when trust_proxy is on",
            ));
        }
        if self.db_acquire_timeout_secs == 0 || self.db_acquire_timeout_secs > 300 {
            return Err(invalid(
                "db_acquire_timeout_secs",
                "must be between 1 and 300",
            ));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid("public_url", "must start with http:// or https://"));
        }
        match (&self.admin_email, &self.admin_password) {
            (Some(_), None) | (None, Some(_)) => {
                return Err(invalid(
                    "admin_email",
                    "set both PROMPTVAULT_ADMIN_EMAIL and PROMPTVAULT_ADMIN_PASSWORD, or neither",
                ));
            }
            (Some(_), Some(p)) if p.chars().count() < 8 => {
                return Err(invalid("admin_password", "must be at least 8 characters"));
            }
            _ => {}
        }
        if self
            .instance
            .as_ref()
            .is_some_and(|n| n.len() > 100 || n.chars().any(char::is_control))
        {
            return Err(invalid(
                "instance",
                "must be at most 100 characters, without control characters",
            ));
        }
        if self.shutdown_drain_secs > 300 {
            return Err(invalid("shutdown_drain_secs", "must be at most 300"));
        }
        let mut protected = Vec::with_capacity(self.protected_labels.len());
        for raw in &self.protected_labels {
            let label = crate::registry::parse_label(raw)
                .map_err(|e| invalid("protected_labels", &format!("{raw:?} {e}")))?;
            if label == crate::registry::LATEST {
                return Err(invalid(
                    "protected_labels",
                    "`latest` follows the newest version and is never moved by hand: leave it out",
                ));
            }
            if !protected.contains(&label) {
                protected.push(label);
            }
        }
        self.protected_labels = protected;
        if self.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(invalid("metrics_token", "must be at least 16 characters"));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log_level).map_err(|e| {
            invalid(
                "log_level",
                &format!("{e} (try `info` or `promptvault=debug`)"),
            )
        })?;
        Ok(self)
    }

    /// Time between scheduled backups, `None` when they are off.
    pub fn backup_interval(&self) -> Option<std::time::Duration> {
        let secs = if self.backup_interval_secs > 0 {
            self.backup_interval_secs
        } else {
            self.backup_interval_hours.saturating_mul(3600)
        };
        (secs > 0).then(|| std::time::Duration::from_secs(secs))
    }

    /// The instance name in `/metrics`: the configured one, else `<host name>:<port>`.
    pub fn instance_name(&self, port: u16) -> String {
        self.instance.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .or_else(|| std::env::var("HOSTNAME").ok())
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "localhost".into());
            format!("{host}:{port}")
        })
    }

    pub fn listen_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// Cookies get `Secure` when the instance is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// Loads the layers in order. `file` is the `--config` path (or `PROMPTVAULT_CONFIG`); when
    /// absent, `promptvault.toml` in the working directory is read if it exists.
    pub fn load(file: Option<PathBuf>, flags: Layer) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let file = file.or_else(|| {
            let default = PathBuf::from("promptvault.toml");
            default.exists().then_some(default)
        });
        if let Some(path) = file {
            config = config.apply(Layer::from_file(&path)?)?;
        }
        config = config.apply(Layer::from_env(|k| std::env::var(k).ok())?)?;
        config.apply(flags)?.validate()
    }
}

fn parse_bind(value: &str) -> Result<IpAddr, ConfigError> {
    let v = value.trim();
    let v = if v == "localhost" { "127.0.0.1" } else { v };
    v.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| ConfigError::Invalid {
            setting: "bind",
            problem: format!("{value:?} is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)"),
        })
}

/// `promptvault config example`: every setting with its default, commented.
pub const EXAMPLE: &str = r#"# PromptVault configuration (promptvault.toml).
# Every setting is optional. Order of precedence: defaults < this file < environment
# (PROMPTVAULT_<SETTING IN UPPER CASE>, plus DATABASE_URL and PORT) < command-line flags.

# Address and port to listen on. Use 0.0.0.0 to listen on every interface.
bind = "127.0.0.1"
port = 3000

# sqlite://PATH (default, file created when missing), postgres://user:pass@host/db
# or mysql://user:pass@host/db (MySQL 8 or MariaDB 10.6+).
database_url = "sqlite://data/promptvault.db"
db_max_connections = 8
# Seconds a request waits for a free database connection; past it the answer is 503 with
# Retry-After (code `busy`) rather than a hang.
db_acquire_timeout_secs = 5

# The address people use to reach this instance; https:// makes cookies Secure.
# public_url = "https://prompts.example.com"

# First administrator, created at start when the instance has no administrator yet.
# Prefer the environment (PROMPTVAULT_ADMIN_EMAIL / PROMPTVAULT_ADMIN_PASSWORD) for the password.
# admin_email = "admin@example.com"
# admin_password = "change-me-please"

# Largest request body, and largest import upload, in bytes.
max_body_bytes = 2097152
import_max_bytes = 67108864

# Sessions last this many days.
session_days = 30

# Failed logins allowed per account and address within the window before answering 429,
# and per address for all accounts together (a shared office NAT must not lock everyone out).
login_max_failures = 5
login_max_failures_per_address = 100
login_window_secs = 900

# Only behind a reverse proxy you control: take the client address from X-Forwarded-For.
# trusted_proxy_hops is how many proxies you run in front, each appending to the header: the
# client address is that many entries from the right (entries further left are client-supplied
# and ignored).
trust_proxy = false
trusted_proxy_hops = 1

# Logs: "text" or "json"; level as a filter, e.g. "info" or "promptvault=debug,info".
log_format = "text"
log_level = "info"

# Backups: `promptvault db backup` writes into backup_dir; with backup_interval_hours > 0 the
# server also takes one every N hours (never two at once) and deletes scheduled backups older
# than backup_keep_days days and beyond the newest backup_keep_files files (0: no limit).
# backup_interval_secs > 0 sets the interval in seconds instead. With several instances on one
# PostgreSQL or MySQL database only the elected leader runs the schedule.
backup_dir = "data/backups"
backup_interval_hours = 0
backup_interval_secs = 0
backup_keep_days = 30
backup_keep_files = 0
backup_compress = true

# Prometheus metrics: GET /metrics on the main address with `Authorization: Bearer <token>`
# (at least 16 characters), and/or on a separate address without a token.
# metrics_token = "a-long-random-secret"
# metrics_bind = "127.0.0.1:9464"

# Several instances: this instance's name (the `instance` label of every metric; default:
# host name and port), and how many seconds /ready answers 503 after SIGTERM before the server
# stops taking connections (give the load balancer time to notice; in-flight requests finish).
# instance = "web-1"
shutdown_drain_secs = 0

# Registry labels only a prompt's owner or a maintainer of its team may move (promote to,
# roll back); other labels any member of the prompt's team moves. [] protects none.
# Environment: PROMPTVAULT_PROTECTED_LABELS=production,staging (or `none`).
protected_labels = ["production"]
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_example_is_a_valid_config() {
        let layer: Layer = toml::from_str(EXAMPLE).expect("example parses");
        let c = Config::default()
            .apply(layer)
            .and_then(Config::validate)
            .expect("valid");
        assert_eq!(c.port, 3000);
    }

    #[test]
    fn env_overrides_and_aliases() {
        let env = |k: &str| match k {
            "PORT" => Some("8080".to_string()),
            "DATABASE_URL" => Some("postgres://u:pw@h/db".to_string()),
            _ => None,
        };
        let c = Config::default()
            .apply(Layer::from_env(env).expect("env"))
            .expect("apply");
        assert_eq!(c.port, 8080);
        assert_eq!(c.database_url, "postgres://u:pw@h/db");
        assert!(!format!("{c:?}").contains("pw"), "secrets are redacted");
    }

    #[test]
    fn backup_interval_in_hours_or_seconds() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            let env = |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            };
            Config::default()
                .apply(Layer::from_env(env).expect("env"))
                .and_then(Config::validate)
                .expect("valid")
        };
        assert_eq!(with(&[]).backup_interval(), None);
        let hours = with(&[("PROMPTVAULT_BACKUP_INTERVAL_HOURS", "2")]);
        assert_eq!(hours.backup_interval(), Some(Duration::from_secs(7200)));
        let secs = with(&[
            ("PROMPTVAULT_BACKUP_INTERVAL_HOURS", "2"),
            ("PROMPTVAULT_BACKUP_INTERVAL_SECS", "5"),
        ]);
        assert_eq!(secs.backup_interval(), Some(Duration::from_secs(5)));
        let named = with(&[("PROMPTVAULT_INSTANCE", " web-1 ")]);
        assert_eq!(named.instance_name(3000), "web-1");
        assert!(with(&[]).instance_name(3001).ends_with(":3001"));
    }

    #[test]
    fn protected_labels_from_file_and_environment() {
        let valid = |layer: Layer| {
            Config::default()
                .apply(layer)
                .and_then(Config::validate)
                .expect("valid")
                .protected_labels
        };
        assert_eq!(valid(Layer::default()), ["production"]);
        let env = |k: &str| {
            (k == "PROMPTVAULT_PROTECTED_LABELS").then(|| " production, staging,,staging ".into())
        };
        assert_eq!(
            valid(Layer::from_env(env).expect("env")),
            ["production", "staging"]
        );
        let none = |k: &str| (k == "PROMPTVAULT_PROTECTED_LABELS").then(|| "none".to_string());
        assert!(valid(Layer::from_env(none).expect("env")).is_empty());
        let file: Layer =
            toml::from_str("protected_labels = [\"prod\", \"eu.prod\"]").expect("toml");
        assert_eq!(valid(file), ["prod", "eu.prod"]);
    }

    #[test]
    fn bad_values_say_what_to_fix() {
        let env = |k: &str| (k == "PROMPTVAULT_PORT").then(|| "eighty".to_string());
        let e = Layer::from_env(env).expect_err("bad port");
        assert!(e.to_string().contains("PROMPTVAULT_PORT"));
        let c = Config {
            database_url: "oracle://x".into(),
            ..Config::default()
        };
        assert!(
            c.validate()
                .expect_err("bad url")
                .to_string()
                .contains("database_url")
        );
        for bad in ["latest", "Prod uction", ""] {
            let c = Config {
                protected_labels: vec![bad.to_string()],
                ..Config::default()
            };
            let e = c.validate().expect_err(bad).to_string();
            assert!(e.contains("protected_labels"), "{e}");
        }
        let unknown: Result<Layer, _> = toml::from_str("prot = 1");
        assert!(unknown.is_err(), "unknown keys are rejected");
    }
}
