//! Many people saving at once: concurrent prompt creation and edits with shared tags never fail
//! (a transient deadlock on one backend is retried, not reported as a 500).

use crate::common;

use common::TestApp;
use serde_json::json;

on_all_backends!(
    concurrent_writes_with_shared_tags_all_succeed,
    creates_at_once_fail_alone_and_keep_everything_else
);

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

/// Creates arriving together (committed in one group on SQLite): those asking for a name that
/// another takes get 409 alone; every other create is answered 201 with its own prompt,
/// name, version 1 and tags, and is there afterwards; nothing is half-written.
async fn creates_at_once_fail_alone_and_keep_everything_else(app: TestApp) {
    let c = app.user("together@example.com").await;
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..48 {
        let c = c.clone();
        attempts.spawn(async move {
            let mut prompt = json!({
                "title": format!("Together {i}"),
                "body": format!("Body {i} with {{{{topic}}}}"),
                "tags": ["together", format!("t{}", i % 3)],
            });
            if i % 4 == 0 {
                // Twelve ask for one name: exactly one may have it.
                prompt["name"] = json!("wanted-name");
            }
            let (s, body) = c.post("/api/prompts", &prompt).await;
            (i, s, body)
        });
    }
    let answers = attempts.join_all().await;
    let mut created = Vec::new();
    let mut wanted_won = 0;
    for (i, s, body) in answers {
        if i % 4 == 0 && s == 409 {
            assert_eq!(body["code"], "name_taken", "{body}");
            continue;
        }
        assert_eq!(s, 201, "create {i}: {body}");
        assert_eq!(body["title"], format!("Together {i}"), "{body}");
        assert_eq!(
            body["body"],
            format!("Body {i} with {{{{topic}}}}"),
            "{body}"
        );
        assert_eq!(body["versions"][0]["version"], 1, "{body}");
        let tags: Vec<&str> = body["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(|t| t["tag"]["name"].as_str())
            .collect();
        assert!(tags.contains(&"together"), "{body}");
        if i % 4 == 0 {
            wanted_won += 1;
            assert_eq!(body["name"], "wanted-name", "{body}");
        } else {
            assert_eq!(body["name"], format!("together-{i}"), "{body}");
        }
        created.push(body["id"].as_str().expect("id").to_string());
    }
    assert_eq!(wanted_won, 1, "one create gets the asked-for name");
    assert_eq!(created.len(), 37);
    // Alone, too, a create that fails leaves nothing behind.
    let (s, body) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Alone", "body": "b", "tags": ["alone"], "name": "wanted-name" }),
        )
        .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["code"], "name_taken", "{body}");
    let (s, list) = c.get("/api/prompts?limit=100").await;
    assert_eq!(s, 200);
    let mut listed: Vec<String> = list
        .as_array()
        .expect("prompts")
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    listed.sort();
    created.sort();
    assert_eq!(listed, created, "exactly the answered prompts exist");
    for id in &created {
        let (s, audit) = c.get(&format!("/api/prompts/{id}/audit")).await;
        assert_eq!(s, 200);
        assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    }
    app.stop().await;
}
