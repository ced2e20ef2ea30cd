//! The prompt library through the JSON API: CRUD, lists, validation, versions, diffs, template
//! variables and the OpenAPI description, on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::TestApp;
use common::library::{library_rows, prompt};
use serde_json::{Value, json};

on_all_backends!(
    create_read_update_list,
    bad_input_is_a_clear_4xx_and_writes_nothing,
    versions_restore_and_diff,
    variables_and_render,
);

async fn create_read_update_list(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let (s, _) = app.client().get("/api/prompts").await;
    assert_eq!(s, 401);
    let p = prompt(
        &c,
        json!({ "title": " Summarise ", "body": "Summarise {{text}} in {{n}} words", "notes": "n",
                "modelHints": "gpt", "tags": ["AI", "ai", " Writing "] }),
    )
    .await;
    assert_eq!(p["title"], "Summarise");
    assert_eq!(p["visibility"], "PRIVATE");
    assert_eq!(p["_count"]["versions"], 1);
    assert_eq!(p["canEdit"], true);
    assert_eq!(p["avgRating"], 0.0);
    assert_eq!(p["ratingCount"], 0);
    assert_eq!(p["myRating"], Value::Null);
    assert_eq!(p["isPubliclyShared"], false);
    let names: Vec<&str> = p["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["tag"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["AI", "Writing"], "duplicates merged");
    assert_eq!(p["tags"][0]["promptId"], p["id"]);
    let vars: Value =
        serde_json::from_str(p["variables"].as_str().expect("json text")).expect("json");
    assert_eq!(vars, json!([{ "name": "text" }, { "name": "n" }]));
    assert!(p["createdAt"].as_str().expect("ts").ends_with('Z'));
    let id = p["id"].as_str().expect("id").to_string();

    let (s, got) = c.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(got["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(got["user"]["email"], "ann@example.com");

    for i in 0..4 {
        prompt(&c, json!({ "title": format!("Extra {i}"), "body": format!("body {i} zebra"), "tags": ["misc"], "visibility": if i % 2 == 0 { "PUBLIC" } else { "PRIVATE" } })).await;
    }
    let resp = c
        .request(
            reqwest::Method::GET,
            "/api/prompts?limit=2&offset=1&sort=title",
        )
        .send()
        .await
        .expect("list");
    assert_eq!(resp.headers()["x-total-count"], "5");
    let page: Value = resp.json().await.expect("json");
    let titles: Vec<&str> = page
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["title"].as_str().expect("t"))
        .collect();
    assert_eq!(titles, vec!["Extra 1", "Extra 2"]);
    let (_, hits) = c.get("/api/prompts?q=ZEBRA&visibility=PUBLIC").await;
    assert_eq!(hits.as_array().map(Vec::len), Some(2));
    let (_, hits) = c.get("/api/prompts?tag=ai&tag=writing").await;
    assert_eq!(hits.as_array().map(Vec::len), Some(1));
    assert_eq!(hits[0]["id"], id.as_str());
    let (_, hits) = c.get("/api/prompts?q=50%25_").await;
    assert_eq!(
        hits.as_array().map(Vec::len),
        Some(0),
        "wildcards are literal"
    );
    let (_, newest) = c.get("/api/prompts").await;
    assert_eq!(newest[0]["title"], "Extra 3", "newest updatedAt first");

    let (s, up) = c
        .put(
            &format!("/api/prompts/{id}"),
            &json!({ "title": "Summary", "tags": ["new"], "notes": null }),
        )
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(up["title"], "Summary");
    assert_eq!(up["notes"], Value::Null);
    assert_eq!(
        up["body"], "Summarise {{text}} in {{n}} words",
        "absent fields kept"
    );
    assert_eq!(up["tags"][0]["tag"]["name"], "new");
    assert_eq!(up["_count"]["versions"], 2);

    let (s, _) = c.delete(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 200);
    let (s, gone) = c.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        (s.as_u16(), gone["code"].as_str()),
        (404, Some("not_found"))
    );
    app.stop().await;
}

async fn bad_input_is_a_clear_4xx_and_writes_nothing(app: TestApp) {
    let c = app.user("new@example.com").await;
    let p = prompt(&c, json!({ "title": "T", "body": "Hello {{who}}" })).await;
    let id = p["id"].as_str().expect("id").to_string();
    let before = library_rows(&app).await;
    let big = "x".repeat(2 * 1024 * 1024);
    let long_tag = "t".repeat(500);
    let cases: Vec<(&str, String, Value, u16, &str)> = vec![
        (
            "POST",
            "/api/prompts".into(),
            json!({ "body": "b" }),
            400,
            "title",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "", "body": "b" }),
            400,
            "title",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "x".repeat(201), "body": "b" }),
            400,
            "title",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "" }),
            400,
            "body",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": big }),
            400,
            "body",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "visibility": "SECRET" }),
            400,
            "visibility",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "tags": [long_tag] }),
            400,
            "tags",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "tags": ["ok", "   "] }),
            400,
            "tags",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "variables": "{not json" }),
            400,
            "variables",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "notes": "a\u{0}b" }),
            400,
            "notes",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "visibility": "SECRET" }),
            400,
            "visibility",
        ),
        (
            "POST",
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "teamId": "nope" }),
            400,
            "teamId",
        ),
        (
            "PUT",
            format!("/api/prompts/{id}"),
            json!({ "title": "new", "visibility": "EVERYONE" }),
            400,
            "visibility",
        ),
        (
            "PUT",
            format!("/api/prompts/{id}"),
            json!({ "body": big }),
            400,
            "body",
        ),
        (
            "POST",
            format!("/api/ratings/{id}"),
            json!({ "value": "abc" }),
            400,
            "value",
        ),
        (
            "POST",
            format!("/api/ratings/{id}"),
            json!({ "value": 0 }),
            400,
            "value",
        ),
        (
            "POST",
            format!("/api/ratings/{id}"),
            json!({ "value": 6 }),
            400,
            "value",
        ),
        (
            "POST",
            format!("/api/ratings/{id}"),
            json!({}),
            400,
            "value",
        ),
        (
            "POST",
            format!("/api/prompts/{id}/render"),
            json!({ "values": {}, "strict": true }),
            422,
            "missing",
        ),
        (
            "GET",
            "/api/prompts?sort=best".into(),
            Value::Null,
            400,
            "sort",
        ),
        (
            "GET",
            "/api/prompts?limit=abc".into(),
            Value::Null,
            400,
            "limit",
        ),
    ];
    for (method, path, body, status, field) in cases {
        let (s, err) = match method {
            "POST" => c.post(&path, &body).await,
            "PUT" => c.put(&path, &body).await,
            _ => c.get(&path).await,
        };
        assert_eq!(s.as_u16(), status, "{method} {path}: {err}");
        assert!(err["error"].is_string() && err["code"].is_string(), "{err}");
        assert!(
            err["details"].get(field).is_some(),
            "{method} {path}: details name {field}: {err}"
        );
    }
    let (s, _) = c
        .post_raw("/api/prompts", "{\"title\": ", "application/json")
        .await;
    assert_eq!(s, 400);
    assert_eq!(library_rows(&app).await, before, "nothing half-written");
    let (_, still) = c.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(still["title"], "T");
    app.stop().await;
}

async fn versions_restore_and_diff(app: TestApp) {
    let c = app.user("v@example.com").await;
    let v1_body = "line one\nline two\nline three\n";
    let p = prompt(
        &c,
        json!({ "title": "V", "body": v1_body, "notes": "first" }),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_string();
    let edits = [
        json!({ "body": "line one\nline 2\nline three\nline four\n", "message": "numbers" }),
        json!({ "title": "V2" }),
        json!({ "notes": "second", "modelHints": "claude" }),
    ];
    for e in &edits {
        let (s, b) = c.put(&format!("/api/prompts/{id}"), e).await;
        assert_eq!(s, 200, "{b}");
    }
    let (_, versions) = c.get(&format!("/api/prompts/{id}/versions")).await;
    assert_eq!(
        versions.as_array().map(Vec::len),
        Some(edits.len() + 1),
        "N edits, N+1 versions"
    );
    assert_eq!(versions[0]["version"], 4, "newest first");
    assert_eq!(versions[2]["message"], "numbers");
    assert!(versions[0]["authorId"].is_string());

    // No-op saves add nothing: same values, or only a message.
    let (_, cur) = c.get(&format!("/api/prompts/{id}")).await;
    let (s, _) = c
        .put(&format!("/api/prompts/{id}"), &json!({ "title": cur["title"], "body": cur["body"], "notes": cur["notes"], "message": "nothing" }))
        .await;
    assert_eq!(s, 200);
    let (_, same) = c.get(&format!("/api/prompts/{id}/versions")).await;
    assert_eq!(same.as_array().map(Vec::len), Some(4));

    // Diff v1 -> v2: a changed line, an added line, word-level highlight.
    let (s, d) = c.get(&format!("/api/prompts/{id}/diff?from=1&to=2")).await;
    assert_eq!(s, 200, "{d}");
    let unified = d["unified"].as_str().expect("unified");
    assert!(unified.contains("-line two\n+line 2\n"), "{unified}");
    assert!(unified.contains("+line four\n"), "{unified}");
    assert_eq!(d["changed"], json!(["body"]));
    let lines = d["hunks"][0]["lines"].as_array().expect("lines");
    let changed = lines
        .iter()
        .find(|l| l["kind"] == "insert" && l["text"] == "line 2")
        .expect("changed line");
    assert!(
        changed["segments"]
            .as_array()
            .expect("segs")
            .iter()
            .any(|s| s["emphasized"] == true && s["text"] == "2")
    );
    assert_eq!(d["insertions"], 2);
    assert_eq!(d["deletions"], 1);
    // Defaults: previous -> current.
    let (_, d) = c.get(&format!("/api/prompts/{id}/diff")).await;
    assert_eq!(
        (d["from"]["version"].as_i64(), d["to"]["version"].as_i64()),
        (Some(3), Some(4))
    );
    assert_eq!(d["changed"], json!(["notes", "modelHints"]));
    // Deletion diff v2 -> v1.
    let (_, d) = c.get(&format!("/api/prompts/{id}/diff?from=2&to=1")).await;
    assert!(d["unified"].as_str().expect("u").contains("-line four\n"));

    // Restore v1 after 3 edits: v5 equals v1.
    let v1_id = versions[3]["id"].as_str().expect("v1 id");
    let (s, restored) = c
        .post(
            &format!("/api/prompts/{id}/versions/{v1_id}/restore"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{restored}");
    assert_eq!(restored["_count"]["versions"], 5);
    let (_, v5) = c.get(&format!("/api/prompts/{id}/versions/5")).await;
    let (_, v1) = c.get(&format!("/api/prompts/{id}/versions/{v1_id}")).await;
    for f in ["title", "body", "notes", "variables", "modelHints"] {
        assert_eq!(v5[f], v1[f], "v5.{f} == v1.{f}");
        assert_eq!(restored[f], v1[f], "current.{f} == v1.{f}");
    }
    assert_eq!(v5["message"], "Restored version 1");
    assert_eq!(restored["body"], v1_body);
    let (s, _) = c.get(&format!("/api/prompts/{id}/versions/nope")).await;
    assert_eq!(s, 404);
    let (s, _) = c.get(&format!("/api/prompts/{id}/diff?from=99")).await;
    assert_eq!(s, 404);
    app.stop().await;
}

async fn variables_and_render(app: TestApp) {
    let c = app.user("r@example.com").await;
    let body = "Write about {{topic}} for {{ audience }} in {{lang}}. Literal: \\{{not_a_var}}";
    let p = prompt(
        &c,
        json!({ "title": "R", "body": body,
                "variables": [{ "name": "lang", "default": "English", "description": "language" }, { "name": "unused" }] }),
    )
    .await;
    let id = p["id"].as_str().expect("id");
    let vars: Value = serde_json::from_str(p["variables"].as_str().expect("text")).expect("json");
    assert_eq!(
        vars,
        json!([{ "name": "topic" }, { "name": "audience" }, { "name": "lang", "description": "language", "default": "English" }]),
        "kept in sync with the body"
    );
    let (s, r) = c
        .post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": { "topic": "owls", "audience": 7 } }),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["text"],
        "Write about owls for 7 in English. Literal: {{not_a_var}}"
    );
    assert_eq!(r["missing"], json!([]));
    let (s, r) = c
        .post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": { "topic": "owls" } }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["missing"], json!(["audience"]));
    assert!(r["text"].as_str().expect("t").contains("{{audience}}"));
    let (s, r) = c
        .post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": { "topic": "owls" }, "strict": true }),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["code"], "missing_variables");
    assert_eq!(r["details"]["missing"], json!(["audience"]));
    // Editing the body re-syncs the list, keeping declarations of names still used.
    let (_, up) = c
        .put(
            &format!("/api/prompts/{id}"),
            &json!({ "body": "Only {{lang}}" }),
        )
        .await;
    let vars: Value = serde_json::from_str(up["variables"].as_str().expect("text")).expect("json");
    assert_eq!(
        vars,
        json!([{ "name": "lang", "description": "language", "default": "English" }])
    );
    app.stop().await;
}

/// The OpenAPI document is generated from the routers: every route of the prompt library is
/// described, with request and response schemas.
#[tokio::test]
async fn openapi_describes_every_library_route() {
    let app = TestApp::start(promptvault::db::Backend::Sqlite)
        .await
        .expect("app");
    let (s, doc) = app.client().get("/api/openapi.json").await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let expected = [
        ("get", "/api/prompts"),
        ("post", "/api/prompts"),
        ("get", "/api/prompts/feed/team"),
        ("get", "/api/prompts/{id}"),
        ("put", "/api/prompts/{id}"),
        ("delete", "/api/prompts/{id}"),
        ("put", "/api/prompts/{id}/visibility"),
        ("get", "/api/prompts/{id}/versions"),
        ("get", "/api/prompts/{id}/versions/{version_id}"),
        ("post", "/api/prompts/{id}/versions/{version_id}/restore"),
        ("get", "/api/prompts/{id}/diff"),
        ("post", "/api/prompts/{id}/render"),
        ("post", "/api/ratings/{prompt_id}"),
        ("delete", "/api/ratings/{prompt_id}"),
        ("post", "/api/share/{id}/public"),
        ("delete", "/api/share/{id}/public"),
        ("get", "/api/share/public/{share_id}"),
        ("get", "/api/tags"),
        ("post", "/api/tags"),
        ("put", "/api/tags/{id}"),
        ("delete", "/api/tags/{id}"),
        ("post", "/api/tags/{id}/merge"),
        ("get", "/api/import-export/export"),
        ("post", "/api/import-export/import"),
    ];
    for (method, path) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is described");
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            !responses.is_empty() && responses.values().all(|r| r["description"].is_string()),
            "{method} {path} responses: {responses:?}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "PromptView",
        "PromptInput",
        "VersionRow",
        "DiffView",
        "Rendered",
        "TagView",
        "RatingRow",
        "SharedPrompt",
        "ImportReport",
        "ErrorBody",
    ] {
        assert!(schemas[name].is_object(), "schema {name}");
    }
    let view = &schemas["PromptView"];
    let text = view.to_string();
    for field in ["avgRating", "myRating", "_count", "canEdit", "tags"] {
        assert!(text.contains(field), "PromptView.{field}: {text}");
    }
    app.stop().await;
}
