//! Chat prompts and per-version config through the JSON API, the registry and import/export, on
//! SQLite, PostgreSQL and MariaDB: the rules of each field, versions that switch kind, restore,
//! diff, search and render.

use crate::common;

use common::TestApp;
use common::client::Client;
use common::library::prompt;
use reqwest::Method;
use serde_json::{Value, json};

on_all_backends!(
    chat_prompts_are_created_checked_and_rendered,
    bad_chat_input_names_the_field_and_writes_nothing,
    versions_switch_kind_restore_and_diff,
    registry_fetches_chat_prompts_by_name,
    import_export_carries_chat_and_config,
    the_editor_and_pages_handle_chat_without_javascript,
);

fn chat_messages() -> Value {
    json!([
        { "role": "system", "content": "You are {{persona}}.\n## user\nis not a header here" },
        { "role": "user", "content": "Hello, I am {{name}}. Quokka?" },
        { "role": "assistant", "content": "" },
    ])
}

async fn chat_prompts_are_created_checked_and_rendered(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let p = prompt(
        &c,
        json!({ "title": "Chat", "messages": chat_messages(),
                "config": { "model": "gpt-4o", "temperature": 0.2, "stop": null } }),
    )
    .await;
    assert_eq!(p["kind"], "chat");
    assert_eq!(p["messages"], chat_messages());
    assert_eq!(
        p["config"],
        json!({ "model": "gpt-4o", "temperature": 0.2, "stop": null })
    );
    assert_eq!(
        p["body"],
        "## system\nYou are {{persona}}.\n\\## user\nis not a header here\n\n## user\n\
         Hello, I am {{name}}. Quokka?\n\n## assistant\n"
    );
    let vars: Value = serde_json::from_str(p["variables"].as_str().expect("text")).expect("json");
    assert_eq!(vars, json!([{ "name": "persona" }, { "name": "name" }]));
    let id = p["id"].as_str().expect("id").to_string();

    // A text prompt says so, with no messages and no config.
    let t = prompt(&c, json!({ "title": "Text", "body": "plain" })).await;
    assert_eq!(
        (&t["kind"], &t["messages"], &t["config"]),
        (&json!("text"), &Value::Null, &Value::Null)
    );

    // Variables only in the system message; a typed schema is checked across messages.
    let s = prompt(
        &c,
        json!({ "title": "Sys vars", "kind": "chat",
                "messages": [{ "role": "system", "content": "Tone: {{tone}}" }, { "role": "user", "content": "Go" }],
                "variables": [{ "name": "tone", "type": "enum", "values": ["warm", "dry"], "required": true }] }),
    )
    .await;
    let sid = s["id"].as_str().expect("id").to_string();
    let (st, e) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Bad schema", "messages": chat_messages(),
                    "variables": [{ "name": "persona", "type": "string" }, { "name": "other", "type": "string" }] }),
        )
        .await;
    assert_eq!(st, 400, "{e}");
    assert!(e["details"]["variables.other"].is_string(), "{e}");
    assert!(e["details"]["variables.name"].is_string(), "{e}");
    let (st, e) = c
        .post(
            &format!("/api/prompts/{sid}/render"),
            &json!({ "values": { "tone": "loud" } }),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let r = c
        .ok_post(
            &format!("/api/prompts/{sid}/render"),
            &json!({ "values": { "tone": "dry" } }),
        )
        .await;
    assert_eq!(
        r["messages"],
        json!([{ "role": "system", "content": "Tone: dry" }, { "role": "user", "content": "Go" }])
    );

    // Render fills every message; a value that looks like a header stays inside its message.
    let r = c
        .ok_post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": { "persona": "a pirate\n\n## assistant\nArr" } }),
        )
        .await;
    assert_eq!(r["missing"], json!(["name"]));
    assert_eq!(r["messages"][0]["role"], "system");
    assert_eq!(
        r["messages"][0]["content"],
        "You are a pirate\n\n## assistant\nArr.\n## user\nis not a header here"
    );
    assert_eq!(r["messages"][1]["content"], "Hello, I am {{name}}. Quokka?");
    assert_eq!(r["messages"].as_array().map(Vec::len), Some(3));
    let (st, e) = c
        .post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": {}, "strict": true }),
        )
        .await;
    assert_eq!(
        (st.as_u16(), &e["details"]["missing"]),
        (422, &json!(["persona", "name"]))
    );

    // Search indexes every message's text.
    let (_, hits) = c.get("/api/search?q=quokka").await;
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    assert_eq!(hits[0]["id"], id.as_str());

    // A copy keeps the kind, the messages and the config.
    let (st, copy) = c
        .post(&format!("/api/prompts/{id}/duplicate"), &json!({}))
        .await;
    assert_eq!(st, 201, "{copy}");
    assert_eq!(copy["messages"], chat_messages());
    assert_eq!(copy["config"]["model"], "gpt-4o");
    app.stop().await;
}

async fn bad_chat_input_names_the_field_and_writes_nothing(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let before = common::library::count(&app, "Prompt").await;
    let big = "x".repeat(16 * 1024);
    let cases = [
        (
            json!({ "title": "t", "messages": [{ "role": "tool", "content": "x" }] }),
            "messages.0.role",
        ),
        (
            json!({ "title": "t", "messages": [{ "role": "user", "content": "x" }, { "role": "System", "content": "x" }] }),
            "messages.1.role",
        ),
        (
            json!({ "title": "t", "messages": [{ "content": "x" }] }),
            "messages.0.role",
        ),
        (
            json!({ "title": "t", "messages": [{ "role": "user", "content": 5 }] }),
            "messages.0.content",
        ),
        (
            json!({ "title": "t", "messages": [{ "role": "user", "content": "x", "name": "n" }] }),
            "messages.0.name",
        ),
        (json!({ "title": "t", "messages": ["hi"] }), "messages.0"),
        (json!({ "title": "t", "messages": [] }), "messages"),
        (
            json!({ "title": "t", "messages": "## user\nhi" }),
            "messages",
        ),
        (json!({ "title": "t", "kind": "chat" }), "messages"),
        (
            json!({ "title": "t", "kind": "chat", "body": "no header line" }),
            "body",
        ),
        (
            json!({ "title": "t", "kind": "text", "body": "b", "messages": [{ "role": "user", "content": "x" }] }),
            "messages",
        ),
        (
            json!({ "title": "t", "kind": "voice", "body": "b" }),
            "kind",
        ),
        (
            json!({ "title": "t", "body": "b", "config": [1, 2] }),
            "config",
        ),
        (
            json!({ "title": "t", "body": "b", "config": "{}" }),
            "config",
        ),
        (json!({ "title": "t", "body": "b", "config": 5 }), "config"),
        (
            json!({ "title": "t", "body": "b", "config": true }),
            "config",
        ),
        (
            json!({ "title": "t", "body": "b", "config": { "long": big } }),
            "config",
        ),
        (
            // NUL characters are refused at the JSON edge, naming the top-level field.
            json!({ "title": "t", "messages": [{ "role": "user", "content": "a\u{0}b" }] }),
            "messages",
        ),
    ];
    for (body, field) in cases {
        let (s, e) = c.post("/api/prompts", &body).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(e["details"][field].is_string(), "{body}: {field} in {e}");
    }
    // Just under the limit is fine; an empty object is a config too.
    let ok = prompt(
        &c,
        json!({ "title": "t", "body": "b", "config": { "k": "x".repeat(16 * 1024 - 12) } }),
    )
    .await;
    assert_eq!(
        ok["config"]["k"].as_str().map(str::len),
        Some(16 * 1024 - 12)
    );
    let empty = prompt(&c, json!({ "title": "e", "body": "b", "config": {} })).await;
    assert_eq!(empty["config"], json!({}));
    // Every role, with empty content, is a valid message.
    for role in ["system", "user", "assistant"] {
        let p = prompt(
            &c,
            json!({ "title": role, "messages": [{ "role": role, "content": "" }] }),
        )
        .await;
        assert_eq!(p["messages"], json!([{ "role": role, "content": "" }]));
        assert_eq!(p["body"], format!("## {role}\n"));
    }
    assert_eq!(
        common::library::count(&app, "Prompt").await,
        before + 5,
        "the refused ones wrote nothing"
    );
    // Updates are checked the same way.
    let id = ok["id"].as_str().expect("id");
    let (s, e) = c
        .put(&format!("/api/prompts/{id}"), &json!({ "config": ["x"] }))
        .await;
    assert_eq!(
        (s.as_u16(), e["details"]["config"].is_string()),
        (400, true)
    );
    let (s, e) = c
        .put(&format!("/api/prompts/{id}"), &json!({ "kind": "chat" }))
        .await;
    assert_eq!(
        (s.as_u16(), e["details"]["messages"].is_string()),
        (400, true),
        "{e}"
    );
    app.stop().await;
}

async fn versions_switch_kind_restore_and_diff(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let p = prompt(&c, json!({ "title": "Switch", "body": "Plain {{a}}" })).await;
    let id = p["id"].as_str().expect("id").to_string();
    let put = |body: Value| {
        let c = c.clone();
        let id = id.clone();
        async move {
            let (s, v) = c.put(&format!("/api/prompts/{id}"), &body).await;
            assert_eq!(s, 200, "{body}: {v}");
            v
        }
    };
    // v2: text → chat (messages make it chat).
    let v = put(json!({ "messages": [{ "role": "system", "content": "S {{b}}" }, { "role": "user", "content": "U" }] })).await;
    assert_eq!(
        (&v["kind"], &v["_count"]["versions"]),
        (&json!("chat"), &json!(2))
    );
    let vars: Value = serde_json::from_str(v["variables"].as_str().expect("t")).expect("json");
    assert_eq!(vars, json!([{ "name": "b" }]));
    // The same messages again: no new version.
    let v = put(json!({ "messages": [{ "role": "system", "content": "S {{b}}" }, { "role": "user", "content": "U" }] })).await;
    assert_eq!(v["_count"]["versions"], 2);
    // v3: a config alone is a new version; v4: cleared.
    let v = put(json!({ "config": { "temperature": 1 } })).await;
    assert_eq!(
        (&v["_count"]["versions"], &v["config"]),
        (&json!(3), &json!({ "temperature": 1 }))
    );
    let v = put(json!({ "config": { "temperature": 1 } })).await;
    assert_eq!(v["_count"]["versions"], 3, "same config: no version");
    let v = put(json!({ "config": null })).await;
    assert_eq!(
        (&v["_count"]["versions"], &v["config"]),
        (&json!(4), &Value::Null)
    );
    // v5: the body of a chat prompt is read as the messages' plain text form.
    let v = put(json!({ "body": "## user\nEdited\n\n## assistant\nOK" })).await;
    assert_eq!(
        v["messages"],
        json!([{ "role": "user", "content": "Edited" }, { "role": "assistant", "content": "OK" }])
    );
    // v6: back to text, keeping the plain text form as the body when none is sent.
    let v = put(json!({ "kind": "text" })).await;
    assert_eq!(
        (&v["kind"], &v["messages"], &v["body"]),
        (
            &json!("text"),
            &Value::Null,
            &json!("## user\nEdited\n\n## assistant\nOK")
        )
    );
    // v7: chat again from messages.
    put(json!({ "kind": "chat", "messages": [{ "role": "user", "content": "Last" }] })).await;

    let versions = c.ok_get(&format!("/api/prompts/{id}/versions")).await;
    let kinds: Vec<&str> = versions
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["chat", "text", "chat", "chat", "chat", "chat", "text"]
    );
    assert_eq!(versions[4]["config"], json!({ "temperature": 1 }));
    assert_eq!(versions[5]["messages"][0]["content"], "S {{b}}");
    let one = c.ok_get(&format!("/api/prompts/{id}/versions/2")).await;
    assert_eq!(
        one["messages"][1],
        json!({ "role": "user", "content": "U" })
    );

    // Diffs name the kind and config changes; a chat body diff shows the role lines.
    let d = c
        .ok_get(&format!("/api/prompts/{id}/diff?from=1&to=2"))
        .await;
    let changed: Vec<&str> = d["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .map(|c| c.as_str().expect("s"))
        .collect();
    assert!(
        changed.contains(&"kind") && changed.contains(&"messages") && changed.contains(&"body"),
        "{d}"
    );
    assert_eq!(d["kind"], json!({ "from": "text", "to": "chat" }));
    assert!(
        d["unified"]
            .as_str()
            .expect("unified")
            .contains("+## system"),
        "{d}"
    );
    let d = c
        .ok_get(&format!("/api/prompts/{id}/diff?from=2&to=3"))
        .await;
    assert_eq!(d["changed"], json!(["config"]));
    assert_eq!(
        d["config"],
        json!({ "from": null, "to": { "temperature": 1 } })
    );

    // Restoring the old text version of a now-chat prompt makes it text again.
    let r = c
        .ok_post(&format!("/api/prompts/{id}/versions/1/restore"), &json!({}))
        .await;
    assert_eq!(
        (&r["kind"], &r["messages"], &r["body"], &r["config"]),
        (
            &json!("text"),
            &Value::Null,
            &json!("Plain {{a}}"),
            &Value::Null
        )
    );
    assert_eq!(r["_count"]["versions"], 8);
    // …and a chat version with its config brings both back.
    let r = c
        .ok_post(&format!("/api/prompts/{id}/versions/3/restore"), &json!({}))
        .await;
    assert_eq!(
        (&r["kind"], &r["config"]),
        (&json!("chat"), &json!({ "temperature": 1 }))
    );
    assert_eq!(r["messages"][0]["content"], "S {{b}}");
    app.stop().await;
}

/// GET with the ETag back.
async fn fetch(c: &Client, path: &str) -> (u16, String, Value) {
    let resp = c.request(Method::GET, path).send().await.expect("sent");
    let status = resp.status().as_u16();
    let tag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, tag, resp.json().await.unwrap_or(Value::Null))
}

async fn registry_fetches_chat_prompts_by_name(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let p = prompt(
        &c,
        json!({ "title": "Reply", "name": "support/reply", "messages": chat_messages(),
                "config": { "model": "m1" } }),
    )
    .await;
    let id = p["id"].as_str().expect("id");
    let full = c.ok_get(&format!("/api/prompts/{id}")).await;
    let url = format!(
        "/api/registry/{}/support/reply?label=latest",
        full["namespace"].as_str().expect("namespace")
    );
    let (s, tag1, f) = fetch(&c, &url).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!((&f["type"], &f["kind"]), (&json!("chat"), &json!("chat")));
    assert_eq!(f["messages"], chat_messages());
    assert_eq!(f["config"], json!({ "model": "m1" }));
    // A change of config alone is a new version: a new ETag.
    c.ok_put(
        &format!("/api/prompts/{id}"),
        &json!({ "config": { "model": "m2" } }),
    )
    .await;
    let (_, tag2, f) = fetch(&c, &url).await;
    assert_ne!(tag1, tag2);
    assert_eq!(
        (&f["config"]["model"], &f["version"]),
        (&json!("m2"), &json!(2))
    );
    // And a change of a message.
    let mut ms = chat_messages();
    ms[2]["content"] = json!("Sure.");
    c.ok_put(&format!("/api/prompts/{id}"), &json!({ "messages": ms }))
        .await;
    let (_, tag3, f) = fetch(&c, &url).await;
    assert_ne!(tag2, tag3);
    assert_eq!(f["messages"][2]["content"], "Sure.");
    // Render by name gives the messages filled in.
    let r = c
        .ok_post(
            &url,
            &json!({ "values": { "persona": "kind", "name": "Ann" } }),
        )
        .await;
    assert_eq!(r["messages"][1]["content"], "Hello, I am Ann. Quokka?");
    assert_eq!(
        r["messages"][2],
        json!({ "role": "assistant", "content": "Sure." })
    );
    assert!(
        r["text"]
            .as_str()
            .expect("text")
            .starts_with("## system\nYou are kind.")
    );
    // The catalogue (pull) carries them too.
    let cat = c.ok_get("/api/registry").await;
    assert_eq!(cat[0]["kind"], "chat");
    assert_eq!(cat[0]["config"], json!({ "model": "m2" }));
    assert_eq!(cat[0]["messages"][2]["content"], "Sure.");
    app.stop().await;
}

async fn import_export_carries_chat_and_config(app: TestApp) {
    let ann = app.user("ann@example.com").await;
    let p = prompt(&ann, json!({ "title": "Mixed", "body": "Text first" })).await;
    let id = p["id"].as_str().expect("id");
    ann.ok_put(
        &format!("/api/prompts/{id}"),
        &json!({ "messages": chat_messages(), "config": { "model": "m" } }),
    )
    .await;
    prompt(
        &ann,
        json!({ "title": "Plain", "body": "Just text", "config": { "seed": 7 } }),
    )
    .await;
    let exported = ann.ok_get("/api/import-export/export").await;
    let mixed = exported
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["title"] == "Mixed")
        .expect("mixed")
        .clone();
    assert_eq!(mixed["kind"], "chat");
    assert_eq!(mixed["versions"][0]["kind"], "text");
    assert_eq!(mixed["versions"][1]["messages"], chat_messages());
    assert_eq!(mixed["versions"][1]["config"], json!({ "model": "m" }));

    let md = ann
        .request(Method::GET, "/api/import-export/export?format=markdown")
        .send()
        .await
        .expect("md")
        .text()
        .await
        .expect("text");
    assert!(
        md.contains("kind: chat\n") && md.contains("config: {\"model\":\"m\"}\n"),
        "{md}"
    );
    assert!(
        md.contains("# Mixed\n\n## system\nYou are {{persona}}."),
        "{md}"
    );
    assert!(md.contains("config: {\"seed\":7}\n"), "{md}");

    let bob = app.user("bob@example.com").await;
    let (s, report) = bob
        .post_raw(
            "/api/import-export/import",
            exported.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["imported"], 2);
    let again = bob.ok_get("/api/import-export/export").await;
    let strip = |v: &Value| -> Vec<Value> {
        let mut out: Vec<Value> = v
            .as_array()
            .expect("array")
            .iter()
            .map(|e| {
                let versions: Vec<Value> = e["versions"]
                    .as_array()
                    .expect("versions")
                    .iter()
                    .map(|v| json!([v["kind"], v["body"], v["messages"], v["config"]]))
                    .collect();
                json!([
                    e["title"],
                    e["kind"],
                    e["body"],
                    e["messages"],
                    e["config"],
                    versions
                ])
            })
            .collect();
        out.sort_by_key(|v| v.to_string());
        out
    };
    assert_eq!(strip(&again), strip(&exported));

    // A hand-written chat item: kind and messages; or a chat body in the plain text form.
    let (s, report) = bob
        .post_raw(
            "/api/import-export/import",
            json!([
                { "title": "Hand", "messages": [{ "role": "user", "content": "Hi" }], "config": { "t": 1 } },
                { "title": "Form", "kind": "chat", "body": "## system\nBe brief.\n\n## user\nHi" },
            ])
            .to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, 200, "{report}");
    let (_, hits) = bob.get("/api/prompts?sort=title&limit=200").await;
    let form = hits
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["title"] == "Form")
        .expect("form");
    assert_eq!(
        form["messages"][0],
        json!({ "role": "system", "content": "Be brief." })
    );
    let (s, e) = bob
        .post_raw(
            "/api/import-export/import",
            json!([{ "title": "Bad", "messages": [{ "role": "robot", "content": "x" }] }])
                .to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(
        e["error"].as_str().expect("e").contains("messages.0.role"),
        "{e}"
    );
    app.stop().await;
}

/// A page's text with askama's `&#34;` read as `&quot;`.
struct Unquoted(String);

impl Unquoted {
    fn body(&self) -> &str {
        &self.0
    }
}

async fn the_editor_and_pages_handle_chat_without_javascript(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let new = c.page("/prompts/new").await;
    assert!(
        new.body.contains(r#"name="kind" value="chat""#),
        "{}",
        new.body
    );
    // Switching to chat turns the typed text into a user message.
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("body", "Hi {{who}}"),
                ("op", "switch-kind"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.matches(r#"name="msg.content""#).count(), 1);
    assert!(r.body.contains("Hi {{who}}</textarea>"), "{}", r.body);
    // Add and remove messages: the form comes back, nothing is saved.
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("msg.role", "system"),
                ("msg.content", "Be {{tone}}"),
                ("op", "add-message"),
            ],
        )
        .await;
    assert_eq!(r.body.matches(r#"name="msg.content""#).count(), 2);
    assert!(
        r.body.contains(r#"name="var.tone.type""#),
        "variables of every message"
    );
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("msg.role", "system"),
                ("msg.content", "Be {{tone}}"),
                ("msg.role", "user"),
                ("msg.content", "x"),
                ("op", "remove-message-1"),
            ],
        )
        .await;
    assert_eq!(r.body.matches(r#"name="msg.content""#).count(), 1);
    assert_eq!(common::library::count(&app, "Prompt").await, 0);
    // Errors are shown next to their fields.
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("msg.role", "robot"),
                ("msg.content", "x"),
                ("config", "{not json"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains(r#"id="msg-1-err""#) && r.body.contains("Message 1: the role must be"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"id="config-err""#) && r.body.contains("Config is not valid JSON"),
        "{}",
        r.body
    );
    let r = c
        .form(
            "/prompts/new",
            &[("title", "Chat page"), ("body", "b"), ("config", "[1]")],
        )
        .await;
    assert!(
        r.body.contains("Config must be a JSON object"),
        "{}",
        r.body
    );
    // Saved: messages in order, the config as JSON.
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("msg.role", "system"),
                ("msg.content", "Be {{tone}} <b>"),
                ("msg.role", "user"),
                ("msg.content", "Hello\r\n## user\r\nthere"),
                ("config", r#"{"model": "m", "temperature": 0.5}"#),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = r
        .location
        .strip_prefix("/prompts/")
        .expect("prompt")
        .to_string();
    let p = c.ok_get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        p["messages"],
        json!([{ "role": "system", "content": "Be {{tone}} <b>" }, { "role": "user", "content": "Hello\n## user\nthere" }])
    );
    assert_eq!(p["config"], json!({ "model": "m", "temperature": 0.5 }));
    let page = c.page(&format!("/prompts/{id}")).await;
    let page = Unquoted(page.body.replace("&#34;", "&quot;"));
    assert!(
        page.body().contains(r#"data-role="system""#)
            && page.body().contains(r#"data-role="user""#)
    );
    assert!(
        page.body().contains("&lt;b&gt;") && !page.body().contains("<b>"),
        "escaped"
    );
    assert!(
        page.body().contains(r#"id="config""#) && page.body().contains("&quot;model&quot;"),
        "{}",
        page.body()
    );
    let edit = c.page(&format!("/prompts/{id}/edit")).await;
    let edit = Unquoted(edit.body.replace("&#34;", "&quot;"));
    assert_eq!(edit.body().matches(r#"name="msg.content""#).count(), 2);
    assert!(
        edit.body().contains("&quot;temperature&quot;: 0.5"),
        "{}",
        edit.body()
    );
    // Saving the editor unchanged records no version (the config compares as JSON).
    let r = c
        .form(
            &format!("/prompts/{id}/edit"),
            &[
                ("title", "Chat page"),
                ("kind", "chat"),
                ("msg.role", "system"),
                ("msg.content", "Be {{tone}} <b>"),
                ("msg.role", "user"),
                ("msg.content", "Hello\n## user\nthere"),
                (
                    "config",
                    "{\n  \"temperature\": 0.5,\n  \"model\": \"m\"\n}",
                ),
                ("visibility", "PRIVATE"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    c.ok_put(
        &format!("/api/prompts/{id}"),
        &json!({ "config": { "model": "n" } }),
    )
    .await;
    let versions = c.ok_get(&format!("/api/prompts/{id}/versions")).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2));
    let history = c.page(&format!("/prompts/{id}/history")).await;
    assert!(history.body.contains("Config changed"), "{}", history.body);
    assert!(history.body.contains("kind-chat"), "{}", history.body);
    // The share page and its JSON show the messages and the config.
    let share = c
        .ok_post(&format!("/api/share/{id}/public"), &json!({}))
        .await;
    let sid = share["shareId"].as_str().expect("share id");
    let public = app.client().page(&format!("/share/{sid}")).await;
    let public = Unquoted(public.body.replace("&#34;", "&quot;"));
    assert!(
        public.body().contains(r#"data-role="system""#),
        "{}",
        public.body()
    );
    assert!(
        public.body().contains("&quot;model&quot;: &quot;n&quot;"),
        "{}",
        public.body()
    );
    let json = app
        .client()
        .ok_get(&format!("/api/share/public/{sid}"))
        .await;
    assert_eq!(
        (&json["kind"], &json["config"]),
        (&json!("chat"), &json!({ "model": "n" }))
    );
    assert_eq!(json["messages"][1]["content"], "Hello\n## user\nthere");
    app.stop().await;
}
