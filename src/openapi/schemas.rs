//! The shapes shared by many operations of the API description (error body, `{ok}`,
//! `{success}`, list and page parameters, file downloads). Handlers import them from here; the
//! document itself is assembled in `openapi.rs`, on top of every feature.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// Every error: `{error, code, details?}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable message (1.x clients show it verbatim).
    pub error: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Field name -> problem, for validation errors.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// `{"success": true}`
#[derive(Serialize, ToSchema)]
pub struct Success {
    pub success: bool,
}

/// Filters, sort and page of prompt lists. The total is in `X-Total-Count`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Case-insensitive text filter on title and body (at most 500 characters).
    q: Option<String>,
    /// Tag name (or several, comma-separated); repeat to require several.
    tag: Option<Vec<String>>,
    /// Only prompts with this visibility (case-insensitive).
    #[param(inline)]
    visibility: Option<crate::prompts::domain::Visibility>,
    /// Only prompts shared with this team (id).
    team: Option<String>,
    /// `true`: only the caller's favourites (starred prompts). On `GET /api/prompts` this
    /// covers every prompt the caller can read, not only their own.
    favorites: Option<bool>,
    /// Default `updated`.
    #[param(inline)]
    sort: Option<crate::listing::Sort>,
    /// At least 1, default 50; larger than 200 counts as 200.
    #[param(minimum = 1)]
    limit: Option<i64>,
    /// At least 0, default 0.
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The bytes of a downloaded file.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .content_media_type("application/octet-stream")
            .into()
    }
}

impl ToSchema for Binary {}

/// `limit` and `offset` of a paginated list. The total is in `X-Total-Count`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// At least 1, default 50; larger than 200 counts as 200.
    #[param(minimum = 1)]
    limit: Option<i64>,
    /// At least 0, default 0.
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// `{"ok": true}`
#[derive(Serialize, ToSchema)]
pub struct OkBody {
    pub ok: bool,
}
