//! Prometheus metrics in the text exposition format, kept by hand (a few counters and one
//! histogram need no framework): requests by route and status, request latency by route, the
//! database pool, query errors, backups, and prompt/user counts read at scrape time.
//!
//! Every series carries an `instance` label (`instance` setting, default host name and port),
//! so that the series of several instances behind one balancer stay apart.
//!
//! `GET /metrics` is served on the main address only when `metrics_token` is set (callers send
//! `Authorization: Bearer <token>`), and without a token on `metrics_bind` when that is set.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::db::Db;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Registry {
    /// (method, route, status) -> requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route -> latency.
    latency: BTreeMap<String, Histogram>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);
static DB_ERRORS: AtomicU64 = AtomicU64::new(0);

/// Middleware: counts every request by matched route and status, and times it.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let response = next.run(req).await;
    if response
        .extensions()
        .get::<crate::http::error::DatabaseFailed>()
        .is_some()
    {
        DB_ERRORS.fetch_add(1, Ordering::Relaxed);
    }
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    *reg.requests
        .entry((method, route.clone(), status))
        .or_default() += 1;
    let h = reg.latency.entry(route).or_default();
    for (i, bound) in BUCKETS.iter().enumerate() {
        if seconds <= *bound {
            h.counts[i] += 1;
        }
    }
    h.sum += seconds;
    h.count += 1;
    response
}

/// `GET /metrics` on the main address: needs the configured bearer token.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return crate::http::error::json_error(StatusCode::NOT_FOUND, "Not found", "not_found");
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return crate::http::error::json_error(
            StatusCode::UNAUTHORIZED,
            "A valid metrics token is required",
            "unauthorized",
        );
    }
    open(State(state)).await
}

/// `GET /metrics` without a token (the separate metrics address).
pub async fn open(State(state): State<AppState>) -> Response {
    let body = render(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The whole exposition text.
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    {
        let reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP promptvault_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE promptvault_http_requests_total counter\n");
        for ((method, route, status), n) in &reg.requests {
            let _ = writeln!(
                out,
                "promptvault_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP promptvault_http_request_duration_seconds Request latency by route.\n",
        );
        out.push_str("# TYPE promptvault_http_request_duration_seconds histogram\n");
        for (route, h) in &reg.latency {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "promptvault_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "promptvault_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 promptvault_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 promptvault_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
    }
    let (size, idle) = match &state.db {
        Db::Sqlite(p, _) => (p.size(), p.num_idle()),
        Db::Postgres(p) => (p.size(), p.num_idle()),
        Db::MySql(p) => (p.size(), p.num_idle()),
    };
    let _ = writeln!(
        out,
        "# HELP promptvault_db_pool_connections Open database connections.\n\
         # TYPE promptvault_db_pool_connections gauge\n\
         promptvault_db_pool_connections {size}\n\
         # HELP promptvault_db_pool_idle Idle database connections.\n\
         # TYPE promptvault_db_pool_idle gauge\n\
         promptvault_db_pool_idle {idle}\n\
         # HELP promptvault_db_pool_max Largest allowed pool.\n\
         # TYPE promptvault_db_pool_max gauge\n\
         promptvault_db_pool_max {}\n\
         # HELP promptvault_db_query_errors_total Database errors answered with a 5xx.\n\
         # TYPE promptvault_db_query_errors_total counter\n\
         promptvault_db_query_errors_total {}",
        state.config.db_max_connections,
        DB_ERRORS.load(Ordering::Relaxed)
    );
    let status = state
        .ops
        .backups
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let age = status.last_success_at.map_or(-1.0, |t| {
        (crate::db::now() - t).num_milliseconds() as f64 / 1000.0
    });
    let _ = writeln!(
        out,
        "# HELP promptvault_backup_last_success_age_seconds Seconds since the last successful backup (-1: none yet).\n\
         # TYPE promptvault_backup_last_success_age_seconds gauge\n\
         promptvault_backup_last_success_age_seconds {age}\n\
         # HELP promptvault_backup_last_ok 1 when the last backup succeeded, 0 when it failed, -1 before the first.\n\
         # TYPE promptvault_backup_last_ok gauge\n\
         promptvault_backup_last_ok {}\n\
         # HELP promptvault_backups_total Backups taken by this server, by result.\n\
         # TYPE promptvault_backups_total counter\n\
         promptvault_backups_total{{result=\"ok\"}} {}\n\
         promptvault_backups_total{{result=\"failed\"}} {}",
        status.last_ok.map_or(-1, i32::from),
        status.succeeded,
        status.failed
    );
    let counts = async {
        let mut tx = state.db.read().await?;
        let users = super::count(&mut tx, "User").await?;
        let prompts = super::count(&mut tx, "Prompt").await?;
        Ok::<_, sqlx::Error>((users, prompts))
    }
    .await;
    match counts {
        Ok((users, prompts)) => {
            let _ = writeln!(
                out,
                "# HELP promptvault_users Accounts.\n# TYPE promptvault_users gauge\npromptvault_users {users}\n\
                 # HELP promptvault_prompts Prompts.\n# TYPE promptvault_prompts gauge\npromptvault_prompts {prompts}\n\
                 # HELP promptvault_db_up 1 when the database answers.\n# TYPE promptvault_db_up gauge\npromptvault_db_up 1"
            );
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database unavailable");
            out.push_str("# HELP promptvault_db_up 1 when the database answers.\n# TYPE promptvault_db_up gauge\npromptvault_db_up 0\n");
        }
    }
    let _ = writeln!(
        out,
        "# HELP promptvault_leader 1 when this instance runs the scheduled work.\n\
         # TYPE promptvault_leader gauge\n\
         promptvault_leader {}\n\
         # HELP promptvault_ready 1 when this instance takes traffic (0 while draining).\n\
         # TYPE promptvault_ready gauge\n\
         promptvault_ready {}",
        i32::from(state.leader.is_leader()),
        i32::from(!state.life.is_draining())
    );
    with_instance(&out, state.life.instance())
}

/// Adds `instance="…"` to every series line of an exposition text.
fn with_instance(text: &str, instance: &str) -> String {
    let label = format!("instance=\"{}\"", escape(instance));
    let mut out = String::with_capacity(text.len() + text.lines().count() * (label.len() + 3));
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            out.push_str(line);
        } else {
            match line.find(['{', ' ']) {
                Some(i) if line[i..].starts_with('{') => {
                    let _ = write!(out, "{}{label},{}", &line[..=i], &line[i + 1..]);
                }
                Some(i) => {
                    let _ = write!(out, "{}{{{label}}}{}", &line[..i], &line[i..]);
                }
                None => out.push_str(line),
            }
        }
        out.push('\n');
    }
    out
}

/// Serves `/metrics` alone on `metrics_bind`, when configured.
pub async fn spawn_listener(state: &AppState) -> std::io::Result<()> {
    let Some(addr) = state.config.metrics_bind else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(open))
        .with_state(state.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_series_gets_the_instance_label() {
        let text = "# HELP a A.\n# TYPE a gauge\na 1\nb{route=\"/x\"} 2\n";
        assert_eq!(
            super::with_instance(text, "web\"1"),
            "# HELP a A.\n# TYPE a gauge\na{instance=\"web\\\"1\"} 1\n\
             b{instance=\"web\\\"1\",route=\"/x\"} 2\n"
        );
    }
}
