//! The one error type services return. The HTTP edge turns it into a status and a JSON (or HTML)
//! body in `http::error`; nothing here knows about HTTP.

use std::collections::BTreeMap;

/// Field name -> what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; `details` names each bad field.
    #[error("{message}")]
    Invalid {
        message: String,
        details: FieldErrors,
    },
    #[error("Unauthorized")]
    Unauthorized,
    #[error("Invalid credentials")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A unique value already taken, or a state that forbids the change.
    #[error("{message}")]
    Conflict { message: String, code: &'static str },
    /// Valid JSON that cannot be processed (e.g. strict render with missing values).
    #[error("{message}")]
    Unprocessable {
        message: String,
        code: &'static str,
        details: serde_json::Value,
    },
    #[error("Too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid_field(field: &str, problem: impl Into<String>) -> Self {
        let mut details = FieldErrors::new();
        details.insert(field.to_string(), problem.into());
        Error::Invalid {
            message: "Invalid input".into(),
            details,
        }
    }

    pub fn invalid(details: FieldErrors) -> Self {
        Error::Invalid {
            message: "Invalid input".into(),
            details,
        }
    }

    pub fn not_found() -> Self {
        Error::NotFound("Not found".into())
    }

    pub fn forbidden() -> Self {
        Error::Forbidden("Forbidden".into())
    }

    pub fn conflict(message: impl Into<String>, code: &'static str) -> Self {
        Error::Conflict {
            message: message.into(),
            code,
        }
    }

    /// Stable machine-readable code for the API's `code` field.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::Unauthorized => "unauthorized",
            Error::InvalidCredentials => "invalid_credentials",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Conflict { code, .. } | Error::Unprocessable { code, .. } => code,
            Error::RateLimited { .. } => "rate_limited",
            Error::Db(sqlx::Error::PoolTimedOut) => "busy",
            Error::Db(e) if crate::db::is_bad_text(e) => "invalid_input",
            Error::Db(_) | Error::Internal(_) => "internal_error",
        }
    }
}

/// Collects field problems while validating a request, then fails once with all of them.
#[derive(Default)]
pub struct Problems(FieldErrors);

impl Problems {
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| problem.into());
    }

    /// Keeps the value when `result` is Ok, records the problem otherwise.
    pub fn check<T>(&mut self, field: &str, result: std::result::Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }

    /// The error for fields that did not check out (used where a value is missing because a
    /// check failed: the problems say which).
    pub fn into_error(self) -> Error {
        Error::invalid(self.0)
    }

    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(self.0))
        }
    }
}
