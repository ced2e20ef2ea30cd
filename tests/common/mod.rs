//! Shared test harness: a fresh database per test on each backend, the real server on
//! `127.0.0.1:0`, and a small HTTP client.
//!
//! Backends: SQLite always; PostgreSQL when `PROMPTVAULT_TEST_POSTGRES_URL` is set (an admin URL,
//! e.g. `postgres://postgres@127.0.0.1:5432/postgres`); MySQL/MariaDB when
//! `PROMPTVAULT_TEST_MYSQL_URL` is set (e.g. `mysql://root@127.0.0.1:3306/`). Without them those
//! tests say SKIPPED on stderr and pass; with `PROMPTVAULT_TEST_REQUIRE_ALL=1` (CI) they fail.
#![allow(dead_code)]

pub mod client;
pub mod library;
pub mod pages;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use promptvault::app::{self, AppState};
use promptvault::config::Config;
use promptvault::db::Backend;
use tokio::sync::oneshot;

pub use client::Client;

/// Runs the listed `async fn name(app: TestApp)` scenarios on SQLite, PostgreSQL and MySQL.
#[macro_export]
macro_rules! on_all_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::common::TestApp::start(promptvault::db::Backend::Sqlite).await {
                    super::$name(app).await
                }
            } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::common::TestApp::start(promptvault::db::Backend::Postgres).await {
                    super::$name(app).await
                }
            } )*
        }
        mod mysql {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::common::TestApp::start(promptvault::db::Backend::MySql).await {
                    super::$name(app).await
                }
            } )*
        }
    };
}

fn env_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "PROMPTVAULT_TEST_POSTGRES_URL",
        Backend::MySql => "PROMPTVAULT_TEST_MYSQL_URL",
    }
}

fn random_suffix() -> String {
    let id = promptvault::db::new_id();
    id[1..13].to_string()
}

/// A throw-away database, dropped (or deleted) when this value is dropped.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    admin_url: Option<String>,
    name: String,
    pub dir: Option<PathBuf>,
}

impl TestDb {
    /// A new empty database, or `None` (after saying SKIPPED) when the backend is not configured.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        // Every test builds HTTP clients, and they need a TLS provider first.
        promptvault::client::install_tls();
        let name = format!("pvt_{}", random_suffix());
        if backend == Backend::Sqlite {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}/promptvault.db", dir.display());
            return Some(TestDb {
                backend,
                url,
                admin_url: None,
                name,
                dir: Some(dir),
            });
        }
        let var = env_name(backend);
        let Some(admin_url) = std::env::var(var).ok().filter(|v| !v.is_empty()) else {
            if std::env::var("PROMPTVAULT_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("{backend} tests are required but {var} is not set");
            }
            say_skipped(backend, var);
            return None;
        };
        let statement = format!("CREATE DATABASE {name}");
        admin_exec(backend, &admin_url, &statement).await;
        let url = with_database(&admin_url, &name);
        Some(TestDb {
            backend,
            url,
            admin_url: Some(admin_url),
            name,
            dir: None,
        })
    }
}

impl TestDb {
    /// The URL of a database that outlives the run (a benchmark seeds it once and reuses it):
    /// created when missing, never dropped.
    pub async fn kept(backend: Backend, name: &str) -> String {
        use sqlx::Connection;
        let admin_url = std::env::var(env_name(backend)).expect("the backend's admin URL");
        let url = with_database(&admin_url, name);
        let exists = match backend {
            Backend::Postgres => sqlx::PgConnection::connect(&url).await.is_ok(),
            Backend::MySql => sqlx::MySqlConnection::connect(&url).await.is_ok(),
            Backend::Sqlite => true,
        };
        if !exists {
            admin_exec(backend, &admin_url, &format!("CREATE DATABASE {name}")).await;
        }
        url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
            return;
        }
        let (Some(admin_url), backend, name) =
            (self.admin_url.clone(), self.backend, self.name.clone())
        else {
            return;
        };
        let statement = match backend {
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            _ => format!("DROP DATABASE IF EXISTS {name}"),
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(admin_exec(backend, &admin_url, &statement));
        })
        .join();
    }
}

fn say_skipped(backend: Backend, var: &str) {
    static PG: Once = Once::new();
    static MY: Once = Once::new();
    let once = if backend == Backend::Postgres {
        &PG
    } else {
        &MY
    };
    once.call_once(|| {
        // Written past the test harness's capture so it shows in every run.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {backend} tests (set {var} to run them against a real server)"
        );
    });
}

/// Replaces the database name (the path) of a server URL.
fn with_database(admin_url: &str, name: &str) -> String {
    let (scheme, rest) = admin_url.split_once("://").expect("URL with scheme");
    let (authority, query) = match rest.split_once('/') {
        Some((a, path)) => (a, path.split_once('?').map(|(_, q)| q)),
        None => (rest, None),
    };
    match query {
        Some(q) => format!("{scheme}://{authority}/{name}?{q}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

async fn admin_exec(backend: Backend, admin_url: &str, statement: &str) {
    use sqlx::{AssertSqlSafe, Connection};
    let sql = AssertSqlSafe(statement.to_string());
    match backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .expect("admin statement");
        }
        Backend::MySql => {
            let mut c = sqlx::MySqlConnection::connect(admin_url)
                .await
                .expect("connect to MySQL");
            sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .expect("admin statement");
        }
        Backend::Sqlite => {}
    }
}

/// The real server on a free port over a fresh database.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pub db: TestDb,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with a configuration adjusted by `tweak`.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = TestDb::create(backend).await?;
        let mut config = Config {
            database_url: db.url.clone(),
            db_max_connections: 5,
            ..Config::default()
        };
        tweak(&mut config);
        // Search slots are per process (the first configuration wins): the whole suite shares
        // one process, so fix them at the defaults instead of whichever test starts first.
        promptvault::search::configure(&Config::default());
        let state = app::start(config).await.expect("server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let server_state = state.clone();
        let server = tokio::spawn(async move {
            app::serve(server_state, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        Some(TestApp {
            base,
            state,
            shutdown: Some(tx),
            server: Some(server),
            db,
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    /// A client with its own cookie jar (one browser, one person).
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// Registers and signs in a user; the first one of an instance is its administrator.
    pub async fn user(&self, email: &str) -> Client {
        let c = self.client();
        let (status, body) = c
            .post(
                "/api/auth/register",
                &serde_json::json!({ "email": email, "password": "password-123", "name": email }),
            )
            .await;
        assert_eq!(status, 201, "register {email}: {body}");
        c
    }

    /// Stops the server and waits for it (pool closed) before the database is dropped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A `/metrics` text without the `instance` label every series carries (so tests can look for
/// series by their other labels).
pub fn without_instance(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let cleaned = match line.find("instance=\"") {
            Some(start) if !line.starts_with('#') => {
                let rest = &line[start + "instance=\"".len()..];
                let end = rest.find('"').map_or(line.len(), |e| start + 10 + e + 1);
                let (before, after) = (&line[..start], &line[end..]);
                match (before.ends_with('{'), after.strip_prefix(',')) {
                    (_, Some(more)) => format!("{before}{more}"),
                    (true, None) => format!(
                        "{}{}",
                        &before[..before.len() - 1],
                        after.strip_prefix('}').unwrap_or(after)
                    ),
                    (false, None) => format!("{before}{after}"),
                }
            }
            _ => line.to_string(),
        };
        out.push_str(&cleaned);
        out.push('\n');
    }
    out
}
