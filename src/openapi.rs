//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the prompt-library API, generated
//! from the handlers' `#[utoipa::path]` annotations and the types' `ToSchema` derives. The
//! same `OpenApiRouter`s that register the routes produce the description, so a route cannot
//! exist without being described (or the other way round).

use std::sync::OnceLock;

use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;
use crate::config::Config;

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
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case-insensitive text filter on title and body.
    pub q: Option<String>,
    /// Tag name; repeat to require several.
    pub tag: Option<Vec<String>>,
    /// PRIVATE, TEAM or PUBLIC.
    pub visibility: Option<String>,
    /// updated (default), created, title or rating.
    pub sort: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
    /// Default 0.
    pub offset: Option<i64>,
}

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("token"))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "PromptVault API", description = "The JSON API of PromptVault: prompts, versions, tags, ratings, sharing, import/export."),
    components(schemas(ErrorBody, Success)),
    modifiers(&Security),
    security(("session" = []), ("token" = []))
)]
struct ApiDoc;

/// The routers that carry their own description, mounted under `/api`.
pub fn routers(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/prompts", crate::prompts::api::api_router(config))
        .nest("/api/tags", crate::tags::api::api_router())
        .nest("/api/ratings", crate::ratings::api::api_router())
        .nest("/api/share", crate::sharing::api::api_router())
        .nest(
            "/api/import-export",
            crate::importexport::api::api_router(config),
        )
}

/// The description as a JSON document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut api = routers(&Config::default()).into_openapi();
    api.info.version = env!("CARGO_PKG_VERSION").into();
    describe_responses(&mut api);
    api
}

/// OpenAPI requires a description on every response: the status text where none was written.
fn describe_responses(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in api.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response
                    && r.description.is_empty()
                {
                    r.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("Response")
                        .to_string();
                }
            }
        }
    }
}

/// `GET /api/openapi.json`
pub async fn json() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| {
        document()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_string())
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.clone(),
    )
        .into_response()
}
