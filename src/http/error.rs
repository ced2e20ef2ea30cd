//! `Error` -> HTTP response: status, `{error, code, details?}` JSON, generic text for 5xx.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized | Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Db(sqlx::Error::PoolTimedOut) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Db(e) if crate::db::is_bad_text(e) => StatusCode::BAD_REQUEST,
            Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client may see: never database text.
    pub fn public_message(&self) -> String {
        match self {
            Error::Db(sqlx::Error::PoolTimedOut) => "The server is busy; try again shortly".into(),
            Error::Db(e) if crate::db::is_bad_text(e) => "Invalid input".into(),
            Error::Db(_) | Error::Internal(_) => "Internal server error".into(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let busy = matches!(self, Error::Db(sqlx::Error::PoolTimedOut));
        if busy {
            tracing::warn!("request waited too long for a database connection");
        } else if status.is_server_error() {
            if matches!(self, Error::Db(_)) {
                crate::ops::metrics::db_error();
            }
            tracing::error!(error = %self, detail = ?self, "request failed");
        }
        let mut body = json!({ "error": self.public_message(), "code": self.code() });
        match &self {
            Error::Invalid { details, .. } if !details.is_empty() => {
                body["details"] = json!(details);
            }
            Error::Unprocessable { details, .. } if !details.is_null() => {
                body["details"] = details.clone();
            }
            _ => {}
        }
        let mut response = (status, axum::Json(body)).into_response();
        set_retry_after(&self, &mut response);
        response
    }
}

/// How long a client should wait before trying again, for the errors that say so: a login
/// limit (its own wait) and a busy server (2 s). The one place `Retry-After` is set, for JSON
/// answers and pages alike.
pub fn set_retry_after(e: &Error, response: &mut Response) {
    let secs = match e {
        Error::RateLimited { retry_after_secs } => *retry_after_secs,
        Error::Db(sqlx::Error::PoolTimedOut) => 2,
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// A JSON error with an explicit status, for rejections outside the services.
pub fn json_error(status: StatusCode, message: &str, code: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": message, "code": code })),
    )
        .into_response()
}
