//! `/api/import-export`: download an export, upload an import.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::Query;
use crate::http::error::json_error;
use crate::openapi::schemas::ErrorBody;
use crate::state::AppState;

use super::{Exported, ImportReport};

pub fn api_router(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(import).layer(DefaultBodyLimit::max(config.import_max_bytes)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `json` (default) or `markdown`.
    format: Option<String>,
}

#[utoipa::path(get, path = "/export", tag = "import-export", params(ExportQuery),
    description = "Download of the caller's prompts. JSON keeps versions, tags and ratings; Markdown is one document per prompt.",
    responses((status = 200, description = "The export, as an attachment",
               content((Vec<Exported> = "application/json"), (String = "text/markdown")),
               headers(("content-disposition" = String, description = "attachment; filename=\"promptvault-export.json\" (or .md)"))),
              (status = 400, body = ErrorBody)))]
async fn export(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let items = super::export(&s.db, &me.user).await?;
    download(items, q.format.as_deref().unwrap_or("json")).await
}

/// An export as a download: `format` is `json` or `markdown` (`md`). The API's export and the
/// table view's bulk export answer with this.
pub async fn download(items: Vec<Exported>, format: &str) -> Result<Response> {
    let (kind, ext) = match format {
        "json" => ("application/json", "json"),
        "markdown" | "md" => ("text/markdown; charset=utf-8", "md"),
        _ => return Err(Error::invalid_field("format", "must be json or markdown")),
    };
    // Serialising a large library is CPU work: off the async workers.
    let body = crate::cpu::run(move || {
        if ext == "json" {
            serde_json::to_string_pretty(&items).map_err(|e| Error::Internal(e.to_string()))
        } else {
            Ok(super::markdown::render(&items))
        }
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"promptvault-export.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ImportQuery {
    /// `true`: every imported prompt also gets the tag `imported-YYYY-MM-DD` (named in the
    /// answer's `tag`), so the prompts of an import can be listed afterwards.
    tag_imported: Option<bool>,
}

#[utoipa::path(post, path = "/import", tag = "import-export", params(ImportQuery),
    request_body(content = String, content_type = "application/json",
        description = "A JSON array (our export, the 1.x export, or [{title, body, tags: [names]}]) or CSV with act,prompt columns (send text/csv)"),
    description = "All or nothing in one transaction; a bad item is a 400 naming the item and field.",
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn import(
    State(s): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let bytes = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Import file too large",
                "payload_too_large",
            ));
        }
        Err(_) => return Err(Error::invalid_field("file", "could not be read")),
    };
    let csv_hint = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let report = super::import_tagged(
        &s.db,
        &me.user,
        bytes,
        csv_hint,
        q.tag_imported.unwrap_or(false),
    )
    .await?;
    Ok(axum::Json(report).into_response())
}
