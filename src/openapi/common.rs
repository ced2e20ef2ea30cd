//! Answers every `/api` operation can give for reasons outside its handler, added to the
//! document in one place so each `#[utoipa::path]` lists only what its handler decides:
//! - 401 from the `CurrentUser`/`AdminUser` extractors (operations that require a caller);
//! - 403 from the CSRF check (unsafe methods riding on the session cookie, and sign-in);
//! - 404 from `api_path_ids` (a path parameter that is not id syntax names nothing);
//! - 400 from the query-string extractors (malformed values, NUL characters);
//! - 400 and 413 from the JSON body extractor (bad JSON, wrong types, body too large);
//! - 503 with `Retry-After` when no database connection frees up in time.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Type};

/// Adds the answers described in the module documentation where they are missing.
pub fn add_responses(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let touches_db = path != "/api/openapi.json";
        let ops = [
            (false, &mut item.get),
            (true, &mut item.put),
            (true, &mut item.post),
            (true, &mut item.delete),
            (true, &mut item.patch),
        ];
        for (unsafe_method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            let auth = requirement(op);
            if auth == Auth::Required {
                add(
                    op,
                    "401",
                    "Not signed in, or the token or session is not valid",
                );
            }
            let signs_in = path == "/api/auth/login" || path == "/api/auth/register";
            if unsafe_method && (auth != Auth::None || signs_in) {
                add(
                    op,
                    "403",
                    "Cross-site request refused (`csrf_rejected`): an unsafe request with the session cookie, or a sign-in, from another site",
                );
            }
            let has_path_param = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path)),
                )
            });
            if has_path_param {
                add(
                    op,
                    "404",
                    "Not found (a path parameter that is not an id names nothing)",
                );
            }
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)),
                )
            });
            if has_query {
                add(op, "400", "Invalid query parameter: `details` names it");
            }
            if op.request_body.is_some() {
                add(op, "400", "Invalid input: `details` names each bad field");
                add(op, "413", "Request body too large");
            }
            if touches_db {
                add_busy(op);
            }
        }
    }
}

#[derive(PartialEq, Eq)]
enum Auth {
    /// Anyone (`security: [{}]`).
    None,
    /// Signed in or not (`security: [{}, {session}, {token}]`).
    Optional,
    /// A caller is required (the document's default).
    Required,
}

fn requirement(op: &Operation) -> Auth {
    let Some(reqs) = &op.security else {
        return Auth::Required;
    };
    let empty = |r: &utoipa::openapi::security::SecurityRequirement| {
        serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|m| m.is_empty()))
    };
    match (reqs.iter().any(empty), reqs.iter().all(empty)) {
        (true, true) => Auth::None,
        (true, false) => Auth::Optional,
        _ => Auth::Required,
    }
}

fn error_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(error_response(description).build()));
}

fn add_busy(op: &mut Operation) {
    let r: Response = error_response("The database is busy; try again after `Retry-After` seconds")
        .header("Retry-After", retry_after())
        .build();
    op.responses
        .responses
        .entry("503".to_string())
        .or_insert(RefOr::T(r));
}

/// The `Retry-After` header: whole seconds.
pub fn retry_after() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new().schema_type(Type::Integer),
        ))
        .description(Some("Seconds to wait before trying again"))
        .build()
}
