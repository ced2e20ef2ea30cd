//! Admin endpoints: `GET /api/admin/system`, `POST /api/admin/backups` (back up now),
//! `GET /api/admin/backups` (list) and `GET /api/admin/backups/{name}` (download).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::schedule::BackupFile;
use super::system::SystemView;
use crate::auth::extract::AdminUser;
use crate::error::Error;
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their description (under `/api/admin`).
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(system))
        .routes(routes!(list, create))
        .routes(routes!(download))
}

/// `GET /api/admin/backups`: newest first.
#[derive(Serialize, ToSchema)]
struct BackupList {
    backups: Vec<BackupFile>,
}

/// `POST /api/admin/backups`: the backup just written.
#[derive(Serialize, ToSchema)]
struct BackupCreated {
    /// The file name, to download from `/api/admin/backups/{name}`.
    name: String,
    bytes: u64,
    rows: i64,
    seconds: f64,
    /// `sqlite` (a database file) or `dump` (the portable format).
    kind: &'static str,
}

/// What an administrator wants to know about the instance.
#[utoipa::path(get, path = "/system", tag = "admin",
    description = "Administrators: version, database backend and schema, sizes, row counts, backups.",
    responses((status = 200, body = SystemView),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn system(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let info = super::system::info(&state).await?;
    Ok(axum::Json(info.view(&state)).into_response())
}

#[utoipa::path(get, path = "/backups", tag = "admin",
    description = "Administrators: the backup files in the backup directory, newest first.",
    responses((status = 200, body = BackupList),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let backups = super::schedule::list(&state.config.backup_dir)?;
    Ok(axum::Json(BackupList { backups }).into_response())
}

#[utoipa::path(post, path = "/backups", tag = "admin",
    description = "Administrators: back up now into the backup directory.",
    responses((status = 201, body = BackupCreated),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "A backup is already running", body = ErrorBody)))]
async fn create(State(state): State<AppState>, _admin: AdminUser) -> Result<Response, Error> {
    let report = super::schedule::run_now(&state).await?;
    let created = BackupCreated {
        name: report.name,
        bytes: report.bytes,
        rows: report.rows,
        seconds: report.seconds,
        kind: report.kind,
    };
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

#[utoipa::path(get, path = "/backups/{name}", tag = "admin", params(("name" = String, Path, description = "A file name from the list")),
    description = "Administrators: download a backup file (a SQLite database or a dump, gzip-compressed when its name ends in `.gz`).",
    responses((status = 200, description = "The backup file", content_type = "application/octet-stream", body = inline(crate::openapi::Binary),
               headers(("content-disposition" = String, description = "attachment; filename=\"<name>\""))),
              (status = 403, description = "Not an administrator", body = ErrorBody)))]
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
