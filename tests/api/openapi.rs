//! `/api/openapi.json` against the routes the server really answers: every documented
//! operation is served (with the documented authentication), no method is served on a
//! documented path without being documented, and the document lists exactly the known routes.

use crate::common;

use std::collections::BTreeSet;

use common::TestApp;
use promptvault::db::Backend;
use reqwest::Method;
use serde_json::Value;

/// Every route under `/api`, as the contract (`api.md`) and this server define them. Adding a
/// route means adding it here and to the document (they are compared both ways).
const KNOWN: &[(&str, &str)] = &[
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/me"),
    ("PUT", "/api/auth/profile"),
    ("POST", "/api/auth/team"),
    ("GET", "/api/auth/tokens"),
    ("POST", "/api/auth/tokens"),
    ("DELETE", "/api/auth/tokens/{id}"),
    ("GET", "/api/settings"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/search"),
    ("GET", "/api/prompts"),
    ("POST", "/api/prompts"),
    ("GET", "/api/prompts/feed/team"),
    ("GET", "/api/prompts/{id}"),
    ("PUT", "/api/prompts/{id}"),
    ("DELETE", "/api/prompts/{id}"),
    ("PUT", "/api/prompts/{id}/visibility"),
    ("GET", "/api/prompts/{id}/versions"),
    ("GET", "/api/prompts/{id}/versions/{version_id}"),
    ("POST", "/api/prompts/{id}/versions/{version_id}/restore"),
    ("GET", "/api/prompts/{id}/diff"),
    ("POST", "/api/prompts/{id}/render"),
    ("GET", "/api/prompts/{id}/labels"),
    ("PUT", "/api/prompts/{id}/labels/{label}"),
    ("DELETE", "/api/prompts/{id}/labels/{label}"),
    ("GET", "/api/prompts/{id}/audit"),
    ("GET", "/api/registry"),
    ("GET", "/api/registry/{namespace}/{name}"),
    ("POST", "/api/registry/{namespace}/{name}"),
    ("GET", "/api/namespaces"),
    ("PUT", "/api/namespaces/me"),
    ("PUT", "/api/namespaces/teams/{team_id}"),
    ("PUT", "/api/teams/{team_id}/members/{user_id}/role"),
    ("GET", "/api/admin/audit"),
    ("POST", "/api/prompts/{id}/duplicate"),
    ("POST", "/api/prompts/bulk"),
    ("PUT", "/api/prompts/{id}/favorite"),
    ("DELETE", "/api/prompts/{id}/favorite"),
    ("GET", "/api/trash"),
    ("DELETE", "/api/trash"),
    ("POST", "/api/trash/{id}/restore"),
    ("DELETE", "/api/trash/{id}"),
    ("POST", "/api/ratings/{prompt_id}"),
    ("DELETE", "/api/ratings/{prompt_id}"),
    ("POST", "/api/share/{id}/public"),
    ("DELETE", "/api/share/{id}/public"),
    ("GET", "/api/share/public/{share_id}"),
    ("GET", "/api/tags"),
    ("POST", "/api/tags"),
    ("PUT", "/api/tags/{id}"),
    ("DELETE", "/api/tags/{id}"),
    ("POST", "/api/tags/{id}/merge"),
    ("GET", "/api/import-export/export"),
    ("POST", "/api/import-export/import"),
    ("GET", "/api/admin/users"),
    ("POST", "/api/admin/users"),
    ("GET", "/api/admin/users/{id}"),
    ("PUT", "/api/admin/users/{id}"),
    ("DELETE", "/api/admin/users/{id}"),
    ("GET", "/api/admin/settings"),
    ("PUT", "/api/admin/settings"),
    ("GET", "/api/admin/teams"),
    ("POST", "/api/admin/teams"),
    ("PUT", "/api/admin/teams/{id}"),
    ("DELETE", "/api/admin/teams/{id}"),
    ("GET", "/api/admin/teams/{id}/members"),
    ("POST", "/api/admin/teams/{id}/members"),
    ("DELETE", "/api/admin/teams/{id}/members/{user_id}"),
    ("GET", "/api/admin/system"),
    ("GET", "/api/admin/backups"),
    ("POST", "/api/admin/backups"),
    ("GET", "/api/admin/backups/{name}"),
];

/// What an anonymous request answers on the operations that need no caller (an empty JSON
/// object as the body of unsafe methods).
const ANONYMOUS: &[(&str, &str, u16)] = &[
    ("POST", "/api/auth/register", 400),
    ("POST", "/api/auth/login", 400),
    ("POST", "/api/auth/logout", 200),
    ("GET", "/api/auth/me", 200),
    ("GET", "/api/settings", 200),
    ("GET", "/api/openapi.json", 200),
    ("GET", "/api/share/public/{share_id}", 404),
];

/// Paths a client might guess that are not routes: the API's JSON 404.
const NOT_ROUTES: &[&str] = &[
    "/api",
    "/api/users",
    "/api/teams",
    "/api/health",
    "/api/admin",
    "/api/admin/tags",
    "/api/auth",
    "/api/auth/sessions",
    "/api/prompts/x1/tags",
    "/api/share/x1",
    "/api/openapi.yaml",
];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if METHODS.contains(&method.to_uppercase().as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// A documented path with its parameters filled with a well-formed id.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("probe1");
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn requires_caller(doc: &Value, method: &str, path: &str) -> bool {
    let op = &doc["paths"][path][method.to_lowercase()];
    match op.get("security").and_then(Value::as_array) {
        // An empty requirement (`{}`) means the operation also works anonymously.
        Some(reqs) => !reqs
            .iter()
            .any(|r| r.as_object().is_some_and(|m| m.is_empty())),
        None => doc["security"].as_array().is_some_and(|s| !s.is_empty()),
    }
}

async fn status(app: &TestApp, method: &str, path: &str) -> (u16, Value) {
    let c = app.client();
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut r = c.request(method.clone(), path);
    if method != Method::GET {
        r = r
            .header("content-type", "application/json")
            .body("{}".to_string());
    }
    let (s, body) = c.send(r).await;
    (s.as_u16(), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_exactly_the_routes_the_server_answers() {
    let app = TestApp::start(Backend::Sqlite).await.expect("sqlite app");
    let (s, doc) = app.client().get("/api/openapi.json").await;
    assert_eq!(s, 200);
    let documented = operations(&doc);
    let known: BTreeSet<(String, String)> = KNOWN
        .iter()
        .map(|(m, p)| ((*m).to_string(), (*p).to_string()))
        .collect();
    let undocumented: Vec<_> = known.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "known routes missing from the document: {undocumented:?}; documented routes not in \
         the known list: {unknown:?}"
    );

    let mut problems = Vec::new();
    // Every documented operation is served, with the documented authentication: a request
    // without credentials is refused with 401 exactly when the document requires a caller.
    for (method, path) in &documented {
        let (got, body) = status(&app, method, &concrete(path)).await;
        let expected = if requires_caller(&doc, method, path) {
            401
        } else {
            ANONYMOUS
                .iter()
                .find(|(m, p, _)| m == method && p == path)
                .map_or(0, |(_, _, s)| *s)
        };
        if got != expected {
            problems.push(format!(
                "{method} {path}: anonymous request answered {got} {body}, expected {expected}"
            ));
        }
    }
    // No method is served on a documented path without being documented: the others are
    // 405 (a 404 here would mean the path itself is not routed).
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in METHODS {
            if documented.contains(&(method.to_string(), path.clone())) {
                continue;
            }
            let (got, body) = status(&app, method, &concrete(path)).await;
            if got != 405 {
                problems.push(format!(
                    "{method} {path} is not documented but answered {got} {body} (expected 405)"
                ));
            }
        }
    }
    // Paths that are not routes get the API's JSON 404 for every method.
    for path in NOT_ROUTES {
        for method in METHODS {
            let (got, body) = status(&app, method, path).await;
            if got != 404 || body["code"] != "not_found" {
                problems.push(format!(
                    "{method} {path} is not a route but answered {got} {body}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    app.stop().await;
}

/// Every `$ref` in the document points at a schema it defines, and every operation says what
/// its errors look like.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_self_contained() {
    let app = TestApp::start(Backend::Sqlite).await.expect("sqlite app");
    let (_, doc) = app.client().get("/api/openapi.json").await;
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    let dangling: Vec<_> = refs
        .iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| !schemas.contains_key(name))
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path} documents no success"
        );
        if path != "/api/openapi.json" {
            assert!(
                responses.contains_key("503"),
                "{method} {path} lacks the 503"
            );
        }
    }
    app.stop().await;
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
