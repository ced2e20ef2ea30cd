//! The registry for programs: names and aliases, labels (protected ones too), the audit
//! trail, fetch by name with ETags, limited tokens and typed variables — on SQLite,
//! PostgreSQL and MariaDB.

use crate::common;

use common::library::{cast, prompt};
use common::{Client, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

on_all_backends!(
    names_aliases_and_fetch_by_label,
    protected_labels_and_the_audit_trail,
    limited_tokens_fetch_and_render_only,
    typed_variables_are_checked,
    repeated_titles_get_numbered_names,
);

/// Many prompts with one title (short, and longer than a name may be) each get a free
/// numbered name, every one valid and fetchable.
async fn repeated_titles_get_numbered_names(app: TestApp) {
    let k = cast(&app).await;
    let long =
        "A very long title that keeps on going well past the sixty four characters of a name";
    for title in ["Untitled", long] {
        let mut names = std::collections::BTreeSet::new();
        for i in 0..12 {
            let p = prompt(
                &k.owner,
                json!({ "title": title, "body": format!("body {i}") }),
            )
            .await;
            let name = p["name"].as_str().expect("name").to_string();
            assert!(
                name.len() <= 64 && !name.contains('/') && !name.ends_with('-'),
                "{name}"
            );
            assert!(names.insert(name.clone()), "{name} given twice");
            let (s, _, _, f) = fetch(
                &k.owner,
                &format!("/api/registry/owner/{name}?label=latest"),
                None,
            )
            .await;
            assert_eq!(
                (s, f["body"].as_str()),
                (200, Some(format!("body {i}").as_str())),
                "{f}"
            );
        }
        assert_eq!(names.len(), 12);
    }
    app.stop().await;
}

/// An instance that protects `staging` and `eu.prod` instead of the default `production`.
mod configured_protection {
    use promptvault::db::Backend;

    async fn run(backend: Backend) {
        let labels = ["staging", "eu.prod"].map(String::from).to_vec();
        if let Some(app) = crate::common::TestApp::start_with(backend, |c| {
            c.protected_labels = labels;
        })
        .await
        {
            super::configured_protected_labels(app).await
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql() {
        run(Backend::MySql).await
    }
}

/// A prompt of team A with two versions (body "one", then "two"); its id.
async fn team_prompt(k: &common::library::Cast, title: &str) -> String {
    let p = prompt(
        &k.owner,
        json!({ "title": title, "body": "one", "visibility": "TEAM", "teamId": k.team_a }),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_string();
    edit(&k.owner, &id, "two").await;
    id
}

async fn configured_protected_labels(app: TestApp) {
    let k = cast(&app).await;
    let id = team_prompt(&k, "Configured").await;
    let put = |c: &Client, label: &str, version: i64| {
        let path = format!("/api/prompts/{id}/labels/{label}");
        let c = c.clone();
        async move { c.put(&path, &json!({ "version": version })).await }
    };
    // A plain member of the team: the configured labels are refused, `production` (not in the
    // list here) and custom labels are not.
    for label in ["staging", "eu.prod"] {
        let (s, b) = put(&k.mate, label, 2).await;
        assert_eq!(s, 403, "{label}: {b}");
        assert!(
            b["error"].as_str().unwrap_or_default().contains(label),
            "{b}"
        );
    }
    for label in ["production", "canary"] {
        let (s, b) = put(&k.mate, label, 2).await;
        assert_eq!(s, 200, "{label}: {b}");
        assert_eq!(b["protected"], json!(false), "{b}");
    }
    // Removing a protected label is refused the same way.
    let (s, b) = put(&k.owner, "staging", 1).await;
    assert_eq!((s.as_u16(), &b["protected"]), (200, &json!(true)), "{b}");
    let (s, _) = k
        .mate
        .delete(&format!("/api/prompts/{id}/labels/staging"))
        .await;
    assert_eq!(s, 403);
    // The list says which labels are protected on this instance.
    let list = k.mate.ok_get(&format!("/api/prompts/{id}/labels")).await;
    let flags: Vec<(String, bool)> = list["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap_or_default().to_string(),
                l["protected"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("canary".to_string(), false),
            ("production".to_string(), false),
            ("staging".to_string(), true)
        ],
        "{list}"
    );
    // A maintainer moves them, and the move is in the audit trail.
    let role = format!("/api/teams/{}/members/{}/role", k.team_a, k.mate_id);
    k.admin
        .ok_put(&role, &json!({ "role": "maintainer" }))
        .await;
    let (s, b) = put(&k.mate, "eu.prod", 2).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k.mate.get(&format!("/api/prompts/{id}/audit")).await;
    assert_eq!(s, 200, "{b}");
    assert!(b.to_string().contains("eu.prod"), "{b}");
    app.stop().await;
}

/// GET with headers back: (status, etag, x-prompt-version, body).
async fn fetch(c: &Client, path: &str, etag: Option<&str>) -> (u16, String, String, Value) {
    let mut r = c.request(Method::GET, path);
    if let Some(t) = etag {
        r = r.header("if-none-match", t);
    }
    let resp = r.send().await.expect("sent");
    let status = resp.status().as_u16();
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (tag, version) = (h("etag"), h("x-prompt-version"));
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, tag, version, body)
}

async fn edit(c: &Client, id: &str, body: &str) {
    let (s, b) = c
        .put(&format!("/api/prompts/{id}"), &json!({ "body": body }))
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn names_aliases_and_fetch_by_label(app: TestApp) {
    let k = cast(&app).await;
    let p = prompt(
        &k.owner,
        json!({ "title": "Support reply", "body": "v1 {{x}}" }),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_string();
    // The same title again: a free variant of the name; an explicit taken name: 409.
    let q = prompt(
        &k.owner,
        json!({ "title": "Support reply", "body": "other" }),
    )
    .await;
    let (s, e) = k
        .owner
        .post(
            "/api/prompts",
            &json!({ "title": "x", "body": "b", "name": "support-reply" }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), e["code"].as_str()),
        (409, Some("name_taken")),
        "{e}"
    );
    let (s, e) = k
        .owner
        .post(
            "/api/prompts",
            &json!({ "title": "x", "body": "b", "name": "Bad Name" }),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(e["details"]["name"].is_string(), "{e}");
    // Another user may use the same name in their own namespace.
    prompt(
        &k.mate,
        json!({ "title": "Support reply", "body": "mate's" }),
    )
    .await;

    // Names: the owner's handle is from the email; the second prompt got `-2`.
    let (_, tag, version, f) = fetch(
        &k.owner,
        "/api/registry/owner/support-reply?label=latest",
        None,
    )
    .await;
    assert_eq!(f["promptId"], id.as_str(), "{f}");
    assert_eq!((f["version"].as_i64(), version.as_str()), (Some(1), "1"));
    assert!(!tag.is_empty());
    let (_, _, _, f2) = fetch(
        &k.owner,
        "/api/registry/owner/support-reply-2?label=latest",
        None,
    )
    .await;
    assert_eq!(f2["promptId"], q["id"]);
    let (_, _, _, fm) = fetch(
        &k.mate,
        "/api/registry/mate/support-reply?label=latest",
        None,
    )
    .await;
    assert_eq!(fm["body"], "mate's");

    // No production label yet: 404 with a hint; fallback=latest answers the newest.
    let (s, _, _, e) = fetch(&k.owner, "/api/registry/owner/support-reply", None).await;
    assert_eq!(s, 404);
    assert!(
        e["error"].as_str().unwrap_or_default().contains("latest"),
        "{e}"
    );
    let (s, _, _, f) = fetch(
        &k.owner,
        "/api/registry/owner/support-reply?fallback=latest",
        None,
    )
    .await;
    assert_eq!((s, f["version"].as_i64()), (200, Some(1)));

    // Versions 2 and 3; production on 2: fetch gives exactly version 2.
    edit(&k.owner, &id, "v2 {{x}}").await;
    edit(&k.owner, &id, "v3 {{x}}").await;
    let (s, l) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 2 }),
        )
        .await;
    assert_eq!(s, 200, "{l}");
    let (s, tag, version, f) = fetch(&k.owner, "/api/registry/owner/support-reply", None).await;
    assert_eq!(
        (s, version.as_str(), f["body"].as_str()),
        (200, "2", Some("v2 {{x}}")),
        "{f}"
    );
    assert_eq!(f["labels"], json!(["production"]));
    // The same ETag: 304 with the version still named; after a move: 200 again.
    let (s, tag2, version, body) =
        fetch(&k.owner, "/api/registry/owner/support-reply", Some(&tag)).await;
    assert_eq!(
        (s, version.as_str(), tag2.as_str()),
        (304, "2", tag.as_str())
    );
    assert_eq!(body, Value::String(String::new()));
    let (s, _) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 3 }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _, version, f) = fetch(&k.owner, "/api/registry/owner/support-reply", Some(&tag)).await;
    assert_eq!((s, version.as_str()), (200, "3"));
    assert_eq!(f["labels"], json!(["production", "latest"]));
    // Rollback: move it back.
    let (s, _) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 2 }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, _, version, _) = fetch(&k.owner, "/api/registry/owner/support-reply", None).await;
    assert_eq!(version, "2");
    let (_, _, version, _) = fetch(
        &k.owner,
        "/api/registry/owner/support-reply?version=1",
        None,
    )
    .await;
    assert_eq!(version, "1");
    let (s, _, _, _) = fetch(
        &k.owner,
        "/api/registry/owner/support-reply?version=9",
        None,
    )
    .await;
    assert_eq!(s, 404);

    // Rename into a folder: the old name is an alias that still resolves and says so.
    let (s, b) = k
        .owner
        .put(
            &format!("/api/prompts/{id}"),
            &json!({ "name": "support/reply" }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, _, f) = fetch(&k.owner, "/api/registry/owner/support/reply", None).await;
    assert_eq!((s, f["name"].as_str()), (200, Some("support/reply")), "{f}");
    assert!(f.get("requested").is_none());
    let (s, _, _, f) = fetch(&k.owner, "/api/registry/owner/support-reply", None).await;
    assert_eq!((s, f["name"].as_str()), (200, Some("support/reply")), "{f}");
    assert_eq!(f["requested"], "owner/support-reply");
    // %2F works as well as a plain slash.
    let (s, _, _, _) = fetch(&k.owner, "/api/registry/owner/support%2Freply", None).await;
    assert_eq!(s, 200);
    let (_, full) = k.owner.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        (full["namespace"].as_str(), full["name"].as_str()),
        (Some("owner"), Some("support/reply"))
    );

    // A handle rename keeps the old handle as an alias too.
    let (s, b) = k
        .owner
        .put("/api/namespaces/me", &json!({ "name": "olive" }))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, _, f) = fetch(&k.owner, "/api/registry/owner/support/reply", None).await;
    assert_eq!((s, f["namespace"].as_str()), (200, Some("olive")));
    let (s, e) = k
        .mate
        .put("/api/namespaces/me", &json!({ "name": "olive" }))
        .await;
    assert_eq!(s, 409, "{e}");

    // Unreadable to others: 404, never 403.
    let (s, _, _, _) = fetch(&k.other, "/api/registry/olive/support/reply", None).await;
    assert_eq!(s, 404);
    let (s, _, _, _) = fetch(&k.anon, "/api/registry/olive/support/reply", None).await;
    assert_eq!(s, 401);

    // A name longer than an id (a long title's suggestion, deep folders) is fetched too; a
    // name past the longest allowed names nothing.
    let long = format!("{}/{}/reply", "f".repeat(60), "g".repeat(64));
    assert!(long.len() > 64 && long.len() <= 200, "{}", long.len());
    let (s, b) = k
        .owner
        .put(&format!("/api/prompts/{id}"), &json!({ "name": long }))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, _, f) = fetch(&k.owner, &format!("/api/registry/olive/{long}"), None).await;
    assert_eq!((s, f["name"].as_str()), (200, Some(long.as_str())), "{f}");
    let too_long = "x".repeat(201);
    let (s, _, _, _) = fetch(&k.owner, &format!("/api/registry/olive/{too_long}"), None).await;
    assert_eq!(s, 404);
    app.stop().await;
}

async fn protected_labels_and_the_audit_trail(app: TestApp) {
    let k = cast(&app).await;
    let id = team_prompt(&k, "Team prompt").await;
    // A team prompt lives in the team's namespace.
    let (s, _, _, f) = fetch(
        &k.mate,
        "/api/registry/team-a/team-prompt?label=latest",
        None,
    )
    .await;
    assert_eq!((s, f["body"].as_str()), (200, Some("two")), "{f}");

    // A team member moves staging, not production; someone outside the team neither.
    let (s, b) = k
        .mate
        .put(
            &format!("/api/prompts/{id}/labels/staging"),
            &json!({ "version": 2 }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k
        .mate
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 2 }),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    let (s, _) = k
        .other
        .put(
            &format!("/api/prompts/{id}/labels/staging"),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(s, 404);
    // `latest` cannot be moved; a version that does not exist is a 400.
    let (s, _) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/latest"),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 7 }),
        )
        .await;
    assert_eq!(s, 400);

    // A plain member cannot grant roles; the administrator makes the mate a maintainer.
    let mate_role = format!("/api/teams/{}/members/{}/role", k.team_a, k.mate_id);
    let (s, _) = k
        .mate
        .put(&mate_role, &json!({ "role": "maintainer" }))
        .await;
    assert_eq!(s, 403);
    let (s, b) = k
        .admin
        .put(&mate_role, &json!({ "role": "maintainer" }))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k
        .mate
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 2 }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k
        .owner
        .put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, l) = k.mate.get(&format!("/api/prompts/{id}/labels")).await;
    assert_eq!(s, 200);
    assert_eq!(l["latest"], 2);
    let labels: Vec<(String, i64)> = l["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap_or_default().to_string(),
                l["version"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        labels,
        vec![("production".into(), 1), ("staging".into(), 2)]
    );

    // The trail: create, edit, three label moves (newest first), each with who and from → to.
    let (s, trail) = k.mate.get(&format!("/api/prompts/{id}/audit")).await;
    assert_eq!(s, 200, "{trail}");
    let actions: Vec<&str> = trail
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        vec![
            "label.move",
            "label.move",
            "label.move",
            "prompt.edit",
            "prompt.create"
        ]
    );
    let newest: Value =
        serde_json::from_str(trail[0]["detail"].as_str().expect("detail")).expect("json");
    assert_eq!(newest, json!({ "label": "production", "from": 2, "to": 1 }));
    assert_eq!(trail[0]["actor"], "owner@example.com");
    let (s, _) = k.other.get(&format!("/api/prompts/{id}/audit")).await;
    assert_eq!(s, 404);
    // Administrators read and export all of it.
    let (s, all) = k.admin.get("/api/admin/audit").await;
    assert_eq!(s, 200);
    assert!(all.as_array().expect("events").len() >= 5);
    let (s, csv) = k.admin.get("/api/admin/audit?format=csv").await;
    assert_eq!(s, 200);
    assert!(
        csv.as_str()
            .unwrap_or_default()
            .starts_with("createdAt,action,"),
        "{csv}"
    );
    let (s, _) = k.owner.get("/api/admin/audit").await;
    assert_eq!(s, 403);
    app.stop().await;
}

async fn limited_tokens_fetch_and_render_only(app: TestApp) {
    let k = cast(&app).await;
    let p = prompt(
        &k.owner,
        json!({ "title": "Greet", "body": "Hello {{who}}" }),
    )
    .await;
    let id = p["id"].as_str().expect("id");
    let (s, t) = k
        .owner
        .post(
            "/api/auth/tokens",
            &json!({ "name": "ci", "access": "read" }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["access"], "read");
    let ro = Client::with_token(&app.base, t["token"].as_str().expect("secret"));
    let (s, f) = ro.get("/api/registry/owner/greet?label=latest").await;
    assert_eq!(s, 200, "{f}");
    let (s, r) = ro
        .post(
            "/api/registry/owner/greet?label=latest",
            &json!({ "values": { "who": "Ann" } }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), r["text"].as_str()),
        (200, Some("Hello Ann")),
        "{r}"
    );
    // Nothing else: no writes, no other reads.
    for (method, path, body) in [
        (
            Method::POST,
            "/api/prompts".to_string(),
            json!({ "title": "t", "body": "b" }),
        ),
        (
            Method::PUT,
            format!("/api/prompts/{id}"),
            json!({ "body": "changed" }),
        ),
        (Method::DELETE, format!("/api/prompts/{id}"), json!({})),
        (
            Method::PUT,
            format!("/api/prompts/{id}/labels/production"),
            json!({ "version": 1 }),
        ),
        (Method::GET, format!("/api/prompts/{id}"), Value::Null),
        (Method::GET, "/api/prompts".to_string(), Value::Null),
    ] {
        let mut r = ro.request(method.clone(), &path);
        if !body.is_null() {
            r = r.json(&body);
        }
        let (s, b) = ro.send(r).await;
        assert_eq!(s, 403, "{method} {path}: {b}");
    }
    let (_, p2) = k.owner.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(p2["body"], "Hello {{who}}");

    // A token limited to the team's namespace does not see the owner's own prompts.
    prompt(
        &k.owner,
        json!({ "title": "Shared", "body": "s", "visibility": "TEAM", "teamId": k.team_a }),
    )
    .await;
    let (s, t) = k
        .owner
        .post(
            "/api/auth/tokens",
            &json!({ "name": "team", "namespaces": ["team-a"] }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let limited = Client::with_token(&app.base, t["token"].as_str().expect("secret"));
    let (s, _) = limited
        .get("/api/registry/team-a/shared?label=latest")
        .await;
    assert_eq!(s, 200);
    let (s, _) = limited.get("/api/registry/owner/greet?label=latest").await;
    assert_eq!(s, 404);
    let (s, _) = limited
        .post("/api/prompts", &json!({ "title": "t", "body": "b" }))
        .await;
    assert_eq!(s, 403);
    app.stop().await;
}

async fn typed_variables_are_checked(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let schema = json!([
        { "name": "n", "type": "integer", "required": true },
        { "name": "tone", "type": "enum", "values": ["warm", "dry"], "default": "warm" },
        { "name": "text", "type": "text", "description": "what to summarise" },
        { "name": "formal", "type": "boolean" }
    ]);
    // A schema that disagrees with the text is refused, naming each variable.
    let (s, e) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Sum", "body": "In {{n}} words, {{tone}}: {{text}} {{extra}}", "variables": schema }),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(e["details"]["variables.formal"].is_string(), "{e}");
    assert!(e["details"]["variables.extra"].is_string(), "{e}");
    let body = "In {{n}} words, {{tone}}: {{text}} {{formal}}";
    let p = prompt(
        &c,
        json!({ "title": "Sum", "body": body, "variables": schema }),
    )
    .await;
    let id = p["id"].as_str().expect("id");
    // Removing a declared variable from the text alone is refused too.
    let (s, e) = c
        .put(
            &format!("/api/prompts/{id}"),
            &json!({ "body": "In {{n}} words" }),
        )
        .await;
    assert_eq!(s, 400, "{e}");

    // Render: one error per field, 422.
    let render = |values: Value| {
        let c = c.clone();
        let path = "/api/registry/ann/sum?label=latest".to_string();
        async move { c.post(&path, &json!({ "values": values })).await }
    };
    let (s, e) = render(json!({ "tone": "loud", "formal": "maybe" })).await;
    assert_eq!(s, 422, "{e}");
    let fields = &e["details"]["fields"];
    assert!(
        fields["values.n"]
            .as_str()
            .unwrap_or_default()
            .contains("required"),
        "{e}"
    );
    assert!(
        fields["values.tone"]
            .as_str()
            .unwrap_or_default()
            .contains("warm"),
        "{e}"
    );
    assert!(fields["values.formal"].is_string(), "{e}");
    let (s, e) = render(json!({ "n": 2.5 })).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["details"]["fields"]["values.n"]
            .as_str()
            .unwrap_or_default()
            .contains("integer")
    );
    let (s, e) = render(json!({ "n": "ten" })).await;
    assert_eq!(s, 422, "{e}");
    let (s, r) = render(json!({ "n": 10, "text": "a\nb", "formal": true })).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["text"], "In 10 words, warm: a\nb true");
    // The same checks by id.
    let (s, _) = c
        .post(
            &format!("/api/prompts/{id}/render"),
            &json!({ "values": { "n": "x" } }),
        )
        .await;
    assert_eq!(s, 422);
    // The fetched schema carries the types.
    let (_, f) = c.get("/api/registry/ann/sum?label=latest").await;
    assert_eq!(f["variables"][0]["type"], "integer");
    assert_eq!(f["variables"][1]["values"], json!(["warm", "dry"]));
    // Untyped declarations keep the old lenient behaviour.
    let (s, _) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Old", "body": "{{a}}", "variables": [{ "name": "unused" }] }),
        )
        .await;
    assert_eq!(s, 201);
    app.stop().await;
}
