//! Application state, router assembly and the server loop. Tests call [`start`] and [`serve`]
//! with a listener on `127.0.0.1:0`.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::db::{self, Db};
use crate::http::middleware;
pub use crate::state::AppState;

/// Opens the database, applies migrations and creates the configured first administrator.
pub async fn start(config: Config) -> anyhow::Result<AppState> {
    crate::ops::adopt::adopt_at_start(&config.database_url).await?;
    let db = db::connect_with(
        &config.database_url,
        config.db_max_connections,
        std::time::Duration::from_secs(config.db_acquire_timeout_secs),
    )
    .await?;
    let applied = db::migrate::run(&db).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, backend = %db.backend(), "database schema migrated");
    }
    crate::search::index::ensure_fresh_at_start(&db).await?;
    crate::db::statistics::refresh(&db);
    if let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password)
        && let Some(admin) = crate::users::bootstrap_admin(&db, email, password).await?
    {
        tracing::info!(email = %admin.email, "administrator created from the configuration");
    }
    warn_default_admin_password(&db).await;
    crate::search::configure(&config);
    let state = AppState::new(db, config);
    crate::ops::schedule::spawn(&state);
    crate::auth::housekeeping::spawn(&state);
    Ok(state)
}

/// Says loudly, at every start, that 1.x's default administrator still has its default password.
async fn warn_default_admin_password(db: &Db) {
    if let Ok(true) = crate::users::default_admin_password_in_use(db).await {
        tracing::warn!(
            "the account {} still accepts PromptVault 1.x's default password {:?}: change it now \
             (Admin > Users, or `promptvault user set-password {}`)",
            crate::users::password::DEFAULT_ADMIN_EMAIL,
            crate::users::password::DEFAULT_ADMIN_PASSWORD,
            crate::users::password::DEFAULT_ADMIN_EMAIL
        );
    }
}

pub fn router(state: AppState) -> Router {
    // Every `/api` route comes from the routers that also write `/api/openapi.json`
    // (`openapi::routers` nests these same ones under `/api`): none exists undescribed.
    let (api, _) = crate::openapi::api_routers(&state.config).split_for_parts();
    let api = api
        .route_layer(axum::middleware::from_fn(middleware::api_path_ids))
        .fallback(middleware::api_not_found)
        // API answers carry private content: never stored by browsers or shared caches.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let mut app = Router::new()
        .nest("/api", api)
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(crate::ops::metrics::guarded))
        .route("/settings", get(crate::settings::api::public))
        .route(
            "/mcp",
            axum::routing::post(crate::mcp::http::post)
                .get(crate::mcp::http::not_offered)
                .delete(crate::mcp::http::not_offered)
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                )),
        )
        .merge(
            crate::pages::routes().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::pages::misc::path_ids,
            )),
        )
        .fallback(crate::pages::misc::not_found)
        .method_not_allowed_fallback(crate::pages::misc::method_not_allowed)
        .layer(axum::middleware::from_fn(middleware::writes_refresh_caches))
        .layer(axum::middleware::from_fn(middleware::csrf))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    for (name, value) in middleware::security_headers() {
        app = app.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        close_while_draining,
    ))
    .layer(CompressionLayer::new())
    .layer(CatchPanicLayer::custom(middleware::panic_response))
    .layer(axum::middleware::from_fn(crate::ops::metrics::track))
    .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span))
    .with_state(state)
}

/// `GET /health`: 200 `{"ok":true}` when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => {
            axum::Json(json!({ "ok": true, "database": state.db.backend().name(), "backup": crate::ops::schedule::health(&state) })).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "ok": false, "database": state.db.backend().name(), "error": "database unavailable" })),
            )
                .into_response()
        }
    }
}

/// `GET /ready`: may this instance take traffic? 200 when the database answers with the schema
/// this binary needs and the instance is not draining; 503 (with the reason) otherwise.
async fn ready(State(state): State<AppState>) -> Response {
    let instance = state.life.instance();
    let not_ready = |reason: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "ready": false, "reason": reason, "instance": instance })),
        )
            .into_response()
    };
    if state.life.is_draining() {
        return not_ready("draining");
    }
    match db::migrate::applied(&state.db).await {
        Ok(v) if v >= db::migrate::latest() => axum::Json(json!({
            "ready": true,
            "instance": instance,
            "leader": state.leader.is_leader(),
        }))
        .into_response(),
        Ok(_) => not_ready("migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unavailable");
            not_ready("database unavailable")
        }
    }
}

/// While draining, answers say `Connection: close`, so clients and balancers reconnect
/// elsewhere instead of reusing a connection that is about to close.
async fn close_while_draining(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(req).await;
    if state.life.is_draining() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Serves until `shutdown` completes, then turns not-ready (`/ready` answers 503), waits
/// `shutdown_drain_secs` while still serving, stops taking connections, finishes in-flight
/// requests and closes the pool.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.db.clone();
    let port = listener.local_addr()?.port();
    state.life.name_instance(state.config.instance_name(port));
    let life = state.life.clone();
    let drain = std::time::Duration::from_secs(state.config.shutdown_drain_secs);
    let shutdown = async move {
        shutdown.await;
        life.start_draining();
        if !drain.is_zero() {
            tracing::info!(seconds = drain.as_secs(), "draining: /ready answers 503");
            tokio::time::sleep(drain).await;
        }
        tracing::info!("finishing in-flight requests");
    };
    let app = router(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    db.close().await;
    result
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
