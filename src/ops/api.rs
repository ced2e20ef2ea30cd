//! Admin endpoints: `GET /api/admin/system`, `POST /api/admin/backups` (back up now),
//! `GET /api/admin/backups` (list) and `GET /api/admin/backups/{name}` (download).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::OpsError;
use crate::app::AppState;
use crate::auth::extract::AdminUser;
use crate::error::Error;

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/system", get(system))
        .route("/backups", get(list).post(create))
        .route("/backups/{name}", get(download))
}

/// An operations error as the service error the HTTP edge and the pages understand.
pub fn internal(e: OpsError) -> Error {
    match e {
        OpsError::Busy => Error::conflict("A backup is already running", "backup_running"),
        OpsError::Refused(m) => Error::conflict(m, "backup_exists"),
        OpsError::Db(e) => Error::Db(e),
        other => Error::Internal(other.to_string()),
    }
}

/// What an administrator wants to know about the instance.
async fn system(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let info = super::system::info(&state).await?;
    Ok(axum::Json(info.to_json(&state)).into_response())
}

async fn list(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let files = super::schedule::list(&state.config.backup_dir).map_err(internal)?;
    Ok(axum::Json(json!({ "backups": files })).into_response())
}

async fn create(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let report = super::schedule::run_now(&state).await.map_err(internal)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "name": report.name,
            "bytes": report.bytes,
            "rows": report.rows,
            "seconds": report.seconds,
            "kind": report.kind,
        })),
    )
        .into_response())
}

async fn download(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(name): Path<String>,
) -> Result<Response, Error> {
    if !super::backup::is_backup_name(&name) {
        return Err(Error::not_found());
    }
    let path = state.config.backup_dir.join(&name);
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::not_found()),
        Err(e) => return Err(Error::Internal(format!("opening {}: {e}", path.display()))),
    };
    let len = file
        .metadata()
        .await
        .map_err(|e| Error::Internal(format!("reading {}: {e}", path.display())))?
        .len();
    // Streamed: backups can be far larger than memory wants to hold.
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
