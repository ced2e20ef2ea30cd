//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the prompt-library API, generated
//! from the handlers' `#[utoipa::path]` annotations and the types' `ToSchema` derives. The
//! same `OpenApiRouter`s that register the routes produce the description, so a route cannot
//! exist without being described (or the other way round).

use std::sync::OnceLock;

use axum::response::{IntoResponse, Response};

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Config;
use crate::state::AppState;

mod common;
pub mod schemas;

use schemas::{ErrorBody, OkBody, Success};

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
    info(title = "PromptVault API", description = "The JSON API of PromptVault: accounts, prompts, versions, tags, ratings, sharing, search, import/export and administration. Authenticate with the session cookie `token` (browsers) or `Authorization: Bearer <api token>` (programs)."),
    components(schemas(ErrorBody, Success, OkBody)),
    modifiers(&Security),
    security(("session" = []), ("token" = []))
)]
struct ApiDoc;

/// Every `/api` route with its description, paths relative to `/api`: `app::router` mounts
/// these (so a route cannot exist without being described), [`document`] describes them.
pub fn api_routers(config: &Config) -> OpenApiRouter<AppState> {
    let admin = OpenApiRouter::new()
        .merge(crate::users::api::api_router())
        .merge(crate::teams::api::api_router())
        .merge(crate::settings::api::admin_router())
        .merge(crate::ops::api::api_router())
        .merge(crate::registry::api::admin_router());
    OpenApiRouter::new()
        .nest("/auth", crate::auth::api::api_router())
        .nest("/admin", admin)
        .nest("/prompts", crate::prompts::api::api_router(config))
        .nest("/trash", crate::prompts::library_api::trash_router())
        .nest("/tags", crate::tags::api::api_router())
        .nest("/ratings", crate::ratings::api::api_router())
        .nest("/share", crate::sharing::api::api_router())
        .nest(
            "/import-export",
            crate::importexport::api::api_router(config),
        )
        .nest("/registry", crate::registry::api::registry_router())
        .merge(crate::registry::api::namespace_router())
        .merge(crate::settings::api::public_router())
        .merge(crate::prompts::search_api::api_router())
        .routes(routes!(json))
}

/// The routers that carry their own description, mounted under `/api`.
pub fn routers(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api", api_routers(config))
}

/// The description as a JSON document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut api = routers(&Config::default()).into_openapi();
    api.info.version = env!("CARGO_PKG_VERSION").into();
    common::add_responses(&mut api);
    describe_responses(&mut api);
    plain_wildcards(&mut api);
    api
}

/// The router writes a name that takes the rest of the path as `{*name}`; OpenAPI knows only
/// `{name}` (a `/` inside it may be sent as is or as `%2F`).
fn plain_wildcards(api: &mut utoipa::openapi::OpenApi) {
    let paths = std::mem::take(&mut api.paths.paths);
    api.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (path.replace("{*", "{"), item))
        .collect();
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
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    description = "This document: the OpenAPI 3.1 description of every `/api` route.",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
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
