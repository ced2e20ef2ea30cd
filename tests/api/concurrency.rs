//! Many people saving at once: concurrent prompt creation and edits with shared tags never fail
//! (a transient deadlock on one backend is retried, not reported as a 500).

use crate::common;

use common::TestApp;
use serde_json::json;

on_all_backends!(concurrent_writes_with_shared_tags_all_succeed);

async fn concurrent_writes_with_shared_tags_all_succeed(app: TestApp) {
    let mut writers = Vec::new();
    for w in 0..6 {
        let c = app.user(&format!("writer{w}@example.com")).await;
        writers.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..15 {
                let tags = json!(["shared", format!("w{w}"), format!("n{}", i % 4), "common"]);
                let (s, body) = c
                    .post("/api/prompts", &json!({ "title": format!("W{w} prompt {i}"), "body": "Body text {{topic}}", "tags": tags }))
                    .await;
                if s != 201 {
                    failures.push(format!("create {s}: {body}"));
                    continue;
                }
                let id = body["id"].as_str().unwrap_or_default().to_string();
                let (s, body) = c
                    .put(&format!("/api/prompts/{id}"), &json!({ "body": format!("Edited {i}"), "tags": ["shared", "edited"] }))
                    .await;
                if s != 200 {
                    failures.push(format!("update {s}: {body}"));
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for w in writers {
        failures.extend(w.await.expect("writer"));
    }
    assert!(
        failures.is_empty(),
        "{} failed writes: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let admin = app.client();
    admin
        .ok_post(
            "/api/auth/login",
            &json!({ "email": "writer0@example.com", "password": "password-123" }),
        )
        .await;
    let (_, tags) = admin.get("/api/tags").await;
    let shared = tags
        .as_array()
        .expect("tags")
        .iter()
        .find(|t| t["name"] == "shared")
        .cloned()
        .expect("shared tag");
    assert_eq!(
        shared["_count"]["prompts"], 90,
        "every prompt kept its shared tag: {shared}"
    );
    app.stop().await;
}
