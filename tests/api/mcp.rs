//! The MCP server at `/mcp`, driven by the official MCP Python SDK (`tests/mcp/client.py`) on
//! SQLite, PostgreSQL and MariaDB: it connects, lists prompts (every page) with their typed
//! arguments, gets them (labels, versions, arguments checked), lists and calls both tools, and
//! is refused without a valid token; a namespace-limited token sees only its namespace. A few
//! protocol edges (notifications, batches, bad JSON, GET) are checked over plain HTTP.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common;

use common::library::{cast, prompt};
use common::{Client, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

on_all_backends!(
    an_official_client_lists_gets_and_calls_tools,
    an_official_client_gets_a_chat_prompt,
    the_protocol_edges
);

/// A Python with the `mcp` package: `PROMPTVAULT_TEST_MCP_PYTHON`, else the virtual
/// environment `.ci/run` makes.
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PROMPTVAULT_TEST_MCP_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".cache/promptvault-mcp/venv/bin/python");
    p.exists().then_some(p)
}

/// Runs the plan through the SDK; one result per step.
fn run_client(base: &str, steps: Vec<Value>) -> Vec<Value> {
    let py = python().expect("python with the mcp package");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");
    let mut child = Command::new(py)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    let plan = json!({ "url": format!("{base}/mcp"), "steps": steps });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plan.to_string().as_bytes())
        .expect("plan written");
    let out = child.wait_with_output().expect("client ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "client failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("client output {e}: {stdout}"))
}

async fn token(c: &Client, body: Value) -> String {
    let (s, t) = c.post("/api/auth/tokens", &body).await;
    assert_eq!(s, 201, "{t}");
    t["token"].as_str().expect("secret").to_string()
}

async fn an_official_client_lists_gets_and_calls_tools(app: TestApp) {
    if python().is_none() {
        println!(
            "SKIPPED: MCP client checks (set PROMPTVAULT_TEST_MCP_PYTHON to a Python with the mcp package)"
        );
        return;
    }
    let k = cast(&app).await;
    // A typed prompt with two versions: production on v1, the newest is v2.
    let typed = prompt(
        &k.owner,
        json!({
            "title": "Support reply",
            "name": "support/reply",
            "body": "Answer {{customer}} in {{tone}} tone, at most {{words}} words.",
            "variables": [
                { "name": "customer", "type": "string", "required": true, "description": "Who wrote" },
                { "name": "tone", "type": "enum", "values": ["warm", "formal"], "default": "warm" },
                { "name": "words", "type": "integer", "default": "80" },
            ],
        }),
    )
    .await;
    let typed_id = typed["id"].as_str().expect("id").to_string();
    let (s, b) = k
        .owner
        .put(
            &format!("/api/prompts/{typed_id}/labels/production"),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k
        .owner
        .put(
            &format!("/api/prompts/{typed_id}"),
            &json!({ "body": "NEW: answer {{customer}} in {{tone}} tone, at most {{words}} words." }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // A team prompt the mate may read, and a private one of the other user nobody else sees.
    prompt(
        &k.owner,
        json!({ "title": "Release notes", "body": "Summarise the release for the team",
                "visibility": "TEAM", "teamId": k.team_a }),
    )
    .await;
    prompt(
        &k.other,
        json!({ "title": "Secret plan", "body": "Nobody else may read this release" }),
    )
    .await;
    // Enough prompts for more than one page of prompts/list (100 per page).
    for i in 0..120 {
        prompt(
            &k.owner,
            json!({ "title": format!("Filler {i}"), "body": format!("filler text {i}") }),
        )
        .await;
    }

    let full = token(&k.owner, json!({ "name": "agent" })).await;
    let read_only = token(&k.owner, json!({ "name": "ro", "access": "read" })).await;
    let team_only = token(
        &k.mate,
        json!({ "name": "team", "access": "read", "namespaces": ["team-a"] }),
    )
    .await;
    let t = |op: &str, token: &str, extra: Value| {
        let mut step = json!({ "op": op, "token": token });
        if let Value::Object(m) = extra {
            for (key, v) in m {
                step[key] = v;
            }
        }
        step
    };
    let r = run_client(
        &app.base,
        vec![
            t("connect", &full, json!({})),
            t("list_prompts", &full, json!({})),
            t(
                "get_prompt",
                &full,
                json!({ "name": "owner/support/reply", "arguments": { "customer": "Ann" } }),
            ),
            t(
                "get_prompt",
                &full,
                json!({ "name": "owner/support/reply@latest",
                        "arguments": { "customer": "Bo", "tone": "formal", "words": "50" } }),
            ),
            t(
                "get_prompt",
                &full,
                json!({ "name": "owner/support/reply", "arguments": { "tone": "angry", "words": "many" } }),
            ),
            t("get_prompt", &full, json!({ "name": "other/secret-plan" })),
            t("list_tools", &read_only, json!({})),
            t(
                "call_tool",
                &read_only,
                json!({ "name": "search_prompts", "arguments": { "query": "release" } }),
            ),
            t(
                "call_tool",
                &read_only,
                json!({ "name": "render_prompt",
                        "arguments": { "name": "owner/support/reply", "version": 2,
                                       "values": { "customer": "Cy", "words": 20 } } }),
            ),
            t(
                "call_tool",
                &read_only,
                json!({ "name": "render_prompt",
                        "arguments": { "name": "owner/support/reply", "values": { "words": "x" } } }),
            ),
            t("list_prompts", &team_only, json!({})),
            t("connect", "not-a-token", json!({})),
            t(
                "get_prompt",
                &full,
                json!({ "name": "owner/support/reply", "query": "?label=latest",
                        "arguments": { "customer": "Di" } }),
            ),
        ],
    );
    let [
        connect,
        list,
        get_prod,
        get_latest,
        get_bad,
        get_secret,
        tools,
        search,
        render,
        render_bad,
        team_list,
        refused,
        get_default_latest,
    ] = r.as_slice()
    else {
        panic!("13 results: {r:?}");
    };

    // Connected through the initialize handshake, to us.
    assert_eq!(connect["serverName"], "promptvault", "{connect}");
    assert!(
        connect["protocolVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("20")),
        "{connect}"
    );

    // Every readable prompt, over two pages, named namespace/name, with typed arguments.
    assert_eq!(list["pages"], 2, "{list}");
    let prompts = list["prompts"].as_array().expect("prompts");
    assert_eq!(
        prompts.len(),
        122,
        "120 fillers, support/reply, release notes"
    );
    let names: Vec<&str> = prompts.iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&"owner/support/reply"), "{names:?}");
    assert!(names.contains(&"team-a/release-notes"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("secret")), "{names:?}");
    let reply = prompts
        .iter()
        .find(|p| p["name"] == "owner/support/reply")
        .expect("listed");
    let args = reply["arguments"].as_array().expect("arguments");
    let arg = |n: &str| args.iter().find(|a| a["name"] == n).expect(n).clone();
    assert_eq!(arg("customer")["required"], true);
    assert_eq!(arg("tone")["required"], false);
    assert!(
        arg("tone")["description"]
            .as_str()
            .is_some_and(|d| d.contains("warm, formal")),
        "{args:?}"
    );
    assert!(
        arg("words")["description"]
            .as_str()
            .is_some_and(|d| d.contains("integer")),
        "{args:?}"
    );
    assert!(
        reply["description"]
            .as_str()
            .is_some_and(|d| d.contains("Version 1 (labelled production)")),
        "{reply}"
    );

    // get: production (v1) by default with defaults filled; @latest the newest; bad values are
    // refused with one message per field; another user's private prompt does not exist.
    let text = |v: &Value| {
        v["messages"][0]["content"]["text"]
            .as_str()
            .map(String::from)
    };
    assert_eq!(
        text(get_prod).as_deref(),
        Some("Answer Ann in warm tone, at most 80 words."),
        "{get_prod}"
    );
    assert_eq!(get_prod["messages"][0]["role"], "user");
    assert_eq!(
        text(get_latest).as_deref(),
        Some("NEW: answer Bo in formal tone, at most 50 words."),
        "{get_latest}"
    );
    assert_eq!(get_bad["error"]["code"], -32602, "{get_bad}");
    assert_eq!(get_secret["error"]["code"], -32602, "{get_secret}");
    assert!(
        get_secret["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("No prompt named")),
        "{get_secret}"
    );
    assert_eq!(
        text(get_default_latest).as_deref(),
        Some("NEW: answer Di in warm tone, at most 80 words."),
        "?label=latest on the endpoint: {get_default_latest}"
    );

    // Tools, with a read-only token: search finds what the user may read only; render fills.
    let tool_names: Vec<&str> = tools["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tool_names, ["search_prompts", "render_prompt"]);
    assert_eq!(search["isError"], false, "{search}");
    let found: Vec<&str> = search["structuredContent"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(found, ["team-a/release-notes"], "{search}");
    assert_eq!(render["isError"], false, "{render}");
    assert_eq!(
        render["content"][0]["text"], "NEW: answer Cy in warm tone, at most 20 words.",
        "{render}"
    );
    assert_eq!(render["structuredContent"]["version"], 2);
    assert_eq!(render_bad["isError"], true, "{render_bad}");
    let why = render_bad["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        why.contains("customer") && why.contains("words"),
        "one message per field: {why}"
    );

    // A token limited to team-a sees the team's prompts only.
    let team_names: Vec<&str> = team_list["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(team_names, ["team-a/release-notes"], "{team_list}");

    // No valid token: refused.
    assert!(
        refused.get("error").is_some() || refused.get("failed").is_some(),
        "{refused}"
    );
    assert!(refused.get("serverName").is_none(), "{refused}");
}

/// A chat prompt through the SDK: its messages in order, the system message sent with the
/// user role (MCP has no other) and the description saying so; a text prompt is one message.
async fn an_official_client_gets_a_chat_prompt(app: TestApp) {
    if python().is_none() {
        println!("SKIPPED: MCP client checks (set PROMPTVAULT_TEST_MCP_PYTHON)");
        return;
    }
    let k = cast(&app).await;
    prompt(
        &k.owner,
        json!({ "title": "Chatty", "name": "chatty",
                "messages": [
                    { "role": "system", "content": "You are {{persona}}." },
                    { "role": "user", "content": "Hi, I am {{name}}." },
                    { "role": "assistant", "content": "Hello {{name}}!" },
                    { "role": "system", "content": "" },
                ],
                "config": { "model": "m" } }),
    )
    .await;
    let full = token(&k.owner, json!({ "name": "agent" })).await;
    let step = |op: &str, extra: Value| {
        let mut s = json!({ "op": op, "token": full });
        if let Value::Object(m) = extra {
            for (key, v) in m {
                s[key] = v;
            }
        }
        s
    };
    let r = run_client(
        &app.base,
        vec![
            step("list_prompts", json!({})),
            step(
                "get_prompt",
                json!({ "name": "owner/chatty", "arguments": { "persona": "a guide", "name": "Ann" } }),
            ),
            step(
                "call_tool",
                json!({ "name": "render_prompt",
                        "arguments": { "name": "owner/chatty", "values": { "persona": "p", "name": "Bo" } } }),
            ),
        ],
    );
    let [list, got, tool] = r.as_slice() else {
        panic!("3 results: {r:?}");
    };
    let listed = &list["prompts"][0];
    let args: Vec<&str> = listed["arguments"]
        .as_array()
        .expect("arguments")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(args, ["persona", "name"], "{list}");
    let messages = got["messages"].as_array().expect("messages");
    let shape: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| {
            (
                m["role"].as_str().expect("role"),
                m["content"]["text"].as_str().expect("text"),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("user", "You are a guide."),
            ("user", "Hi, I am Ann."),
            ("assistant", "Hello Ann!"),
            ("user", ""),
        ],
        "{got}"
    );
    let description = got["description"].as_str().expect("description");
    assert!(
        description.contains("system messages (messages 1, 4) are sent with the user role"),
        "{description}"
    );
    let structured = &tool["structuredContent"];
    assert_eq!(structured["kind"], "chat", "{tool}");
    assert_eq!(
        structured["messages"][0],
        json!({ "role": "system", "content": "You are p." })
    );
    assert_eq!(structured["config"], json!({ "model": "m" }));
    app.stop().await;
}

async fn post_raw(app: &TestApp, token: Option<&str>, body: &str) -> (u16, String) {
    let mut r = Client::new(&app.base)
        .request(Method::POST, "/mcp")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.expect("sent");
    (
        resp.status().as_u16(),
        resp.text().await.unwrap_or_default(),
    )
}

async fn the_protocol_edges(app: TestApp) {
    let owner = app.user("owner@example.com").await;
    let secret = token(&owner, json!({ "name": "agent" })).await;
    let tok = Some(secret.as_str());
    // A notification: 202, no body.
    let (s, b) = post_raw(
        &app,
        tok,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    )
    .await;
    assert_eq!((s, b.as_str()), (202, ""));
    // A batch: one answer per request, in order.
    let (s, b) = post_raw(
        &app,
        tok,
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":"b","method":"nope"}]"#,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let v: Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v[0]["id"], 1);
    assert_eq!(v[0]["result"], json!({}));
    assert_eq!(v[1]["id"], "b");
    assert_eq!(v[1]["error"]["code"], -32601);
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    // Not JSON: a parse error; JSON but not a request: invalid request.
    let (s, b) = post_raw(&app, tok, "{nope").await;
    assert_eq!(s, 400);
    assert!(b.contains("-32700"), "{b}");
    let (s, b) = post_raw(&app, tok, r#"{"id":1,"method":"ping"}"#).await;
    assert_eq!(s, 200);
    assert!(b.contains("-32600"), "{b}");
    // Unknown protocol version header: 400.
    let resp = Client::with_token(&app.base, &secret)
        .request(Method::POST, "/mcp")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "1999-01-01")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 400);
    // Without a token, or with a browser session only: 401 with a JSON-RPC error.
    let (s, b) = post_raw(&app, None, r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).await;
    assert_eq!(s, 401, "{b}");
    assert!(b.contains("\"jsonrpc\""), "{b}");
    let resp = owner
        .request(Method::POST, "/mcp")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        resp.status().as_u16(),
        401,
        "a session cookie is not a token"
    );
    // No server stream, no session to end.
    let resp = Client::with_token(&app.base, &secret)
        .request(Method::GET, "/mcp")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 405);
    // Initialize echoes a known protocol version and offers ours for an unknown one.
    let (_, b) = post_raw(
        &app,
        tok,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    )
    .await;
    let v: Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["result"]["protocolVersion"], "2025-03-26", "{v}");
    assert!(v["result"]["capabilities"]["prompts"].is_object());
    let (_, b) = post_raw(
        &app,
        tok,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}}"#,
    )
    .await;
    let v: Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["result"]["protocolVersion"], "2025-11-25", "{v}");
}
