//! The client commands end to end: the built `promptvault` binary against the real server with
//! a real API token — `get` (labels, versions, the ETag cache, offline copies, rendering) and
//! `pull`/`push` (prompts as files, `--check`, `--dry-run`, `--label`, a 500-prompt round
//! trip) — on SQLite, PostgreSQL and MariaDB.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::library::{cast, count, count_where, prompt};
use common::{Client, TestApp};
use serde_json::{Value, json};

on_all_backends!(
    get_serves_labels_renders_and_falls_back_to_the_cache,
    pull_and_push_keep_a_folder_in_step,
    five_hundred_prompts_round_trip_unchanged,
);

/// TLS is the client's transport, the same for every backend: checked once, on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_over_https_checks_the_certificate() {
    if let Some(app) = TestApp::start(promptvault::db::Backend::Sqlite).await {
        get_over_https(app).await
    }
}

const BIN: &str = env!("CARGO_BIN_EXE_promptvault");

/// A temporary folder, deleted on drop.
struct Temp(PathBuf);

impl Temp {
    fn new(what: &str) -> Temp {
        let id = promptvault::db::new_id();
        let p = std::env::temp_dir().join(format!("pv_{what}_{}", &id[1..13]));
        std::fs::create_dir_all(&p).expect("temp dir");
        Temp(p)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary as a program would, off the runtime's workers (the server shares them).
async fn pv(base: &str, token: &str, cache: &Path, args: &[&str]) -> Output {
    pv_with(base, token, cache, args, &[]).await
}

/// [`pv`] with more environment variables.
async fn pv_with(
    base: &str,
    token: &str,
    cache: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
) -> Output {
    let (base, token, cache) = (base.to_string(), token.to_string(), cache.to_path_buf());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, PathBuf)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_path_buf()))
        .collect();
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .envs(env)
            .env("PROMPTVAULT_URL", base)
            .env("PROMPTVAULT_TOKEN", token)
            .env("PROMPTVAULT_CACHE_DIR", cache)
            .env_remove("PROMPTVAULT_CONFIG")
            .stdin(Stdio::null())
            .output()
            .expect("binary runs")
    })
    .await
    .expect("joined")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        out(o),
        err(o)
    )
}

async fn token_of(c: &Client) -> String {
    let (s, t) = c.post("/api/auth/tokens", &json!({ "name": "cli" })).await;
    assert_eq!(s, 201, "{t}");
    t["token"].as_str().expect("secret").to_string()
}

async fn versions_of(c: &Client, id: &str) -> usize {
    let v = c.ok_get(&format!("/api/prompts/{id}/versions")).await;
    v.as_array().map_or(0, Vec::len)
}

async fn get_serves_labels_renders_and_falls_back_to_the_cache(app: TestApp) {
    let k = cast(&app).await;
    let token = token_of(&k.owner).await;
    let cache = Temp::new("cache");
    let base = app.base.clone();
    let p = prompt(
        &k.owner,
        json!({ "title": "Support reply", "name": "support/reply",
                "body": "Dear {{customer}},\nv1 ünï\n",
                "variables": [{ "name": "customer", "type": "string", "required": true }] }),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_string();
    k.owner
        .ok_put(
            &format!("/api/prompts/{id}"),
            &json!({ "body": "Dear {{customer}},\nv2\n" }),
        )
        .await;
    k.owner
        .ok_put(
            &format!("/api/prompts/{id}/labels/production"),
            &json!({ "version": 1 }),
        )
        .await;

    // The default label is production: version 1, printed exactly.
    let o = pv(&base, &token, &cache.0, &["get", "owner/support/reply"]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(out(&o), "Dear {{customer}},\nv1 ünï\n");
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--label", "latest"],
    )
    .await;
    assert_eq!(out(&o), "Dear {{customer}},\nv2\n", "{}", show(&o));
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--version", "2", "--json"],
    )
    .await;
    let j: Value = serde_json::from_str(&out(&o)).expect("JSON");
    assert_eq!(
        (j["version"].as_i64(), j["namespace"].as_str()),
        (Some(2), Some("owner")),
        "{j}"
    );
    assert_eq!(j["variables"][0]["type"], "string", "{j}");

    // Rendering: the value fills the text; a missing required value is a clear error.
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--var", "customer=Ann"],
    )
    .await;
    assert_eq!(out(&o), "Dear Ann,\nv1 ünï\n", "{}", show(&o));
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--var", "other=x"],
    )
    .await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(err(&o).contains("customer: is required"), "{}", show(&o));
    assert!(!err(&o).contains("panicked"), "{}", show(&o));
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--var", "customer"],
    )
    .await;
    assert!(
        !o.status.success() && err(&o).contains("NAME=VALUE"),
        "{}",
        show(&o)
    );

    // Errors from the server and bad input: a message and a failure status, never a panic.
    let o = pv(&base, &token, &cache.0, &["get", "owner/nothing-here"]).await;
    assert!(
        !o.status.success() && err(&o).contains("No prompt named"),
        "{}",
        show(&o)
    );
    let o = pv(&base, "pv_wrong", &cache.0, &["get", "owner/support/reply"]).await;
    assert!(
        !o.status.success() && err(&o).contains("PROMPTVAULT_TOKEN"),
        "{}",
        show(&o)
    );
    let o = pv(&base, &token, &cache.0, &["get", "no-slash"]).await;
    assert!(
        !o.status.success() && err(&o).contains("namespace/name"),
        "{}",
        show(&o)
    );

    // The library: a fresh answer, then 304 (the cached copy confirmed).
    let lib = promptvault::client::Client::new(&base, Some(&token))
        .expect("client")
        .with_cache(promptvault::client::Cache::new(cache.0.join("lib")));
    let sel = promptvault::client::Selector::label("production");
    let first = lib
        .fetch("owner/support/reply", &sel)
        .await
        .expect("fetched");
    let again = lib
        .fetch("owner/support/reply", &sel)
        .await
        .expect("fetched");
    assert_eq!(
        (first.source, again.source, again.prompt.version),
        (
            promptvault::client::Source::Server,
            promptvault::client::Source::NotModified,
            1
        )
    );

    // A second fetch is answered 304 from the cache: same text, nothing said.
    let o = pv(&base, &token, &cache.0, &["get", "owner/support/reply"]).await;
    assert_eq!(out(&o), "Dear {{customer}},\nv1 ünï\n", "{}", show(&o));
    assert!(err(&o).is_empty(), "{}", show(&o));

    // The server stops: the last good copy, said on stderr; renders still work offline.
    app.stop().await;
    let o = pv(&base, &token, &cache.0, &["get", "owner/support/reply"]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(out(&o), "Dear {{customer}},\nv1 ünï\n");
    assert!(err(&o).contains("serving the cached copy"), "{}", show(&o));
    let o = pv(
        &base,
        &token,
        &cache.0,
        &[
            "get",
            "owner/support/reply",
            "--var",
            "customer=Bo",
            "--json",
        ],
    )
    .await;
    let j: Value = serde_json::from_str(&out(&o)).expect("JSON");
    assert_eq!(j["text"], "Dear Bo,\nv1 ünï\n", "{}", show(&o));
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--var", "x=1"],
    )
    .await;
    assert!(
        !o.status.success() && err(&o).contains("customer: is required"),
        "{}",
        show(&o)
    );
    // A server that takes the connection but never answers (same address): the copy after
    // --timeout; one that fails with 503: the copy too.
    let addr = base.trim_start_matches("http://").to_string();
    let silent = std::net::TcpListener::bind(&addr).expect("the same port again");
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--timeout", "1"],
    )
    .await;
    assert_eq!(out(&o), "Dear {{customer}},\nv1 ünï\n", "{}", show(&o));
    assert!(
        err(&o).contains("timed out") && err(&o).contains("cached copy"),
        "{}",
        show(&o)
    );
    drop(silent);
    let failing = std::net::TcpListener::bind(&addr).expect("the same port again");
    let answering = std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Some(Ok(mut s)) = failing.incoming().next() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let o = pv(&base, &token, &cache.0, &["get", "owner/support/reply"]).await;
    let _ = answering.join();
    assert_eq!(out(&o), "Dear {{customer}},\nv1 ünï\n", "{}", show(&o));
    assert!(
        err(&o).contains("503") && err(&o).contains("cached copy"),
        "{}",
        show(&o)
    );

    // Never fetched: nothing to serve.
    let o = pv(
        &base,
        &token,
        &cache.0,
        &["get", "owner/support/reply", "--label", "staging"],
    )
    .await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(
        err(&o).contains("unreachable") && err(&o).contains("no copy"),
        "{}",
        show(&o)
    );
}

/// Every `.md` file under a folder.
/// Runs `openssl` in `dir`, asserting success.
fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(o.status.success(), "openssl {args:?}: {}", err(&o));
}

/// `openssl req` arguments for a new P-256 key, unencrypted.
const NEW_KEY: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

/// A certificate authority `name` in `dir`: `{name}.pem` and `{name}.key`.
fn authority(dir: &Path, name: &str) -> PathBuf {
    let (pem, key) = (format!("{name}.pem"), format!("{name}.key"));
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &NEW_KEY,
            &[
                "-keyout",
                &key,
                "-out",
                &pem,
                "-days",
                "2",
                "-subj",
                &format!("/CN=PromptVault test {name}"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    );
    dir.join(pem)
}

/// A certificate for `localhost` and 127.0.0.1 signed by the authority `ca`, with its key,
/// in one PEM file as HAProxy takes it.
fn server_certificate(dir: &Path, ca: &str) -> PathBuf {
    openssl(
        dir,
        &[
            &["req"][..],
            &NEW_KEY,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    let read = |f: &str| std::fs::read(dir.join(f)).expect("pem");
    let both = dir.join("server-and-key.pem");
    std::fs::write(&both, [read("server.pem"), read("server.key")].concat()).expect("pem");
    both
}

/// `promptvault get` through HAProxy terminating TLS with a private CA's certificate: trusted
/// through `SSL_CERT_FILE` it fetches; with another CA it refuses, saying why.
async fn get_over_https(app: TestApp) {
    let k = cast(&app).await;
    let token = token_of(&k.owner).await;
    prompt(
        &k.owner,
        json!({ "title": "Over TLS", "name": "tls/check", "body": "Fetched over TLS\n" }),
    )
    .await;
    let dir = Temp::new("tls");
    let ca = authority(&dir.0, "ca");
    let other_ca = authority(&dir.0, "other-ca");
    let pem = server_certificate(&dir.0, "ca");
    let port: u16 = app
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let Some(proxy) = crate::balancer::Balancer::start_with(&[port], Some(&pem)) else {
        return;
    };
    assert!(
        proxy.base.starts_with("https://localhost:"),
        "{}",
        proxy.base
    );
    let args = ["get", "owner/tls/check", "--label", "latest"];
    let trusting = |ca: &Path, cache: &Path| {
        let (ca, cache, base, token) = (
            ca.to_path_buf(),
            cache.to_path_buf(),
            proxy.base.clone(),
            token.clone(),
        );
        async move { pv_with(&base, &token, &cache, &args, &[("SSL_CERT_FILE", &ca)]).await }
    };

    // Trusted: the answer comes through (HAProxy may take a moment to see the server up).
    let cache = Temp::new("cache");
    let mut tries = 0;
    let o = loop {
        let o = trusting(&ca, &cache.0).await;
        tries += 1;
        if o.status.success() || tries == 20 {
            break o;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(out(&o), "Fetched over TLS\n");

    // Another authority: refused, with the reason, and nothing printed (no cached copy here).
    let fresh = Temp::new("cache");
    let o = trusting(&other_ca, &fresh.0).await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(out(&o).is_empty(), "{}", show(&o));
    assert!(
        err(&o).to_lowercase().contains("certificate"),
        "{}",
        show(&o)
    );

    // The plain-HTTP port of the same server still works, and a URL without a host does not.
    let o = pv(&app.base, &token, &fresh.0, &args).await;
    assert!(o.status.success(), "{}", show(&o));
    let o = pv("https://", &token, &fresh.0, &args).await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(err(&o).contains("not a server URL"), "{}", show(&o));
    drop(proxy);
    app.stop().await;
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

async fn pull_and_push_keep_a_folder_in_step(app: TestApp) {
    let k = cast(&app).await;
    let token = token_of(&k.owner).await;
    let (dir, cache) = (Temp::new("files"), Temp::new("cache"));
    let base = app.base.clone();
    let mine = prompt(
        &k.owner,
        json!({ "title": "Reply", "name": "support/reply", "body": "---\nnot: yaml\n---\r\n{{who}} +++\n\n",
                "tags": ["Support", "Café"], "notes": "Line 1\n+++\nLine 3", "modelHints": "any" }),
    )
    .await;
    let mine_id = mine["id"].as_str().expect("id").to_string();
    prompt(
        &k.owner,
        json!({ "title": "Team one", "name": "onboarding", "body": "Welcome {{name}}",
                "teamId": k.team_a, "visibility": "TEAM",
                "variables": [{ "name": "name", "type": "enum", "values": ["a", "b"], "default": "a" }] }),
    )
    .await;
    // A teammate's team prompt: pulled too (the owner reads it but may not change it).
    prompt(
        &k.mate,
        json!({ "title": "Mate's", "name": "mates", "body": "by mate", "teamId": k.team_a, "visibility": "TEAM" }),
    )
    .await;
    // Someone else's prompt shared with everyone lives in their namespace: not pulled.
    prompt(
        &k.other,
        json!({ "title": "Elsewhere", "body": "x", "visibility": "PUBLIC" }),
    )
    .await;

    // The catalogue behind pull, page by page: ids in order, `after` the last one.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = k
            .owner
            .ok_get(&format!("/api/registry?limit=2&after={after}"))
            .await;
        let page = page.as_array().expect("a list").clone();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = last["promptId"].as_str().expect("id").to_string();
        seen.extend(page.iter().map(|e| {
            format!(
                "{}/{}",
                e["namespace"].as_str().unwrap_or("?"),
                e["name"].as_str().unwrap_or("?")
            )
        }));
    }
    seen.sort();
    assert_eq!(
        seen,
        ["owner/support/reply", "team-a/mates", "team-a/onboarding"]
    );
    let (s, e) = k.owner.get("/api/registry?limit=0").await;
    assert_eq!(s, 400, "{e}");
    let (s, e) = k.anon.get("/api/registry").await;
    assert_eq!(s, 401, "{e}");

    let d = dir.0.to_str().expect("utf-8 path");
    let o = pv(&base, &token, &cache.0, &["pull", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    let files = md_files(&dir.0);
    assert_eq!(
        files,
        vec![
            dir.0.join("owner/support/reply.md"),
            dir.0.join("team-a/mates.md"),
            dir.0.join("team-a/onboarding.md"),
        ]
    );
    let reply = std::fs::read_to_string(dir.0.join("owner/support/reply.md")).expect("file");
    assert!(
        reply.starts_with("+++\nnamespace = \"owner\"\nname = \"support/reply\"\n"),
        "{reply}"
    );
    assert!(
        reply.ends_with("+++\n---\nnot: yaml\n---\r\n{{who}} +++\n\n"),
        "{reply}"
    );
    let onboarding = std::fs::read_to_string(dir.0.join("team-a/onboarding.md")).expect("file");
    assert!(onboarding.contains("type = \"enum\""), "{onboarding}");
    assert!(onboarding.contains("visibility = \"TEAM\""), "{onboarding}");

    // A read-only token limited to the team's namespace pulls the team's prompts only.
    let (s, t) = k
        .owner
        .post(
            "/api/auth/tokens",
            &json!({ "name": "ci", "access": "read", "namespaces": ["team-a"] }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let team_dir = Temp::new("team");
    let td = team_dir.0.to_str().expect("utf-8 path");
    let limited = t["token"].as_str().expect("secret");
    let o = pv(&base, limited, &cache.0, &["pull", td]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        md_files(&team_dir.0),
        vec![
            team_dir.0.join("team-a/mates.md"),
            team_dir.0.join("team-a/onboarding.md")
        ]
    );
    let o = pv(&base, limited, &cache.0, &["push", "--check", td]).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    let check = ["push", "--check", d];
    let o = pv(&base, &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    // A change on the server: the check fails and names it; a pull brings it back in step.
    k.owner
        .ok_put(
            &format!("/api/prompts/{mine_id}"),
            &json!({ "tags": ["Support"] }),
        )
        .await;
    let o = pv(&base, &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        out(&o).contains("update  owner/support/reply: tags"),
        "{}",
        show(&o)
    );
    assert!(
        out(&o).contains("    tags: - [\"Support\"]"),
        "{}",
        show(&o)
    );
    let o = pv(&base, &token, &cache.0, &["pull", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    let o = pv(&base, &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    // An edited file: --dry-run shows it and changes nothing; push makes exactly one version.
    let path = dir.0.join("owner/support/reply.md");
    let text = std::fs::read_to_string(&path).expect("file");
    std::fs::write(&path, format!("{text}One more line.\n")).expect("write");
    let before = versions_of(&k.owner, &mine_id).await;
    let o = pv(&base, &token, &cache.0, &["push", "--dry-run", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        out(&o).contains("update  owner/support/reply: body"),
        "{}",
        show(&o)
    );
    assert!(
        out(&o).contains("    +One more line."),
        "the body's diff: {}",
        show(&o)
    );
    assert_eq!(versions_of(&k.owner, &mine_id).await, before);
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(versions_of(&k.owner, &mine_id).await, before + 1);
    let got = k.owner.ok_get(&format!("/api/prompts/{mine_id}")).await;
    assert_eq!(
        got["body"],
        "---\nnot: yaml\n---\r\n{{who}} +++\n\nOne more line.\n"
    );
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(
        out(&o).contains("0 created, 0 updated, 3 unchanged"),
        "{}",
        show(&o)
    );
    assert_eq!(versions_of(&k.owner, &mine_id).await, before + 1);
    let o = pv(&base, &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    // A new file is created in its namespace, and --label points the label at it.
    let new = dir.0.join("team-a/guides/first.md");
    std::fs::create_dir_all(new.parent().expect("parent")).expect("dir");
    std::fs::write(
        &new,
        "+++\ntitle = \"First guide\"\ntags = [\"guide\"]\n+++\nHello {{who}}",
    )
    .expect("write");
    let o = pv(&base, &token, &cache.0, &["push", "--label", "staging", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        out(&o).contains("created team-a/guides/first"),
        "{}",
        show(&o)
    );
    let (s, f) = k
        .mate
        .get("/api/registry/team-a/guides/first?label=staging")
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        (f["body"].as_str(), f["version"].as_i64()),
        (Some("Hello {{who}}"), Some(1))
    );
    // The server's field rules: a typed variable the text does not use is named.
    let bad = dir.0.join("owner/bad.md");
    std::fs::write(
        &bad,
        "+++\ntitle = \"Bad\"\n[[variables]]\nname = \"unused\"\ntype = \"integer\"\n+++\nNo placeholders",
    )
    .expect("write");
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(
        err(&o).contains("bad.md")
            && err(&o).contains("variables.unused is declared but the text does not use it"),
        "{}",
        show(&o)
    );
    std::fs::remove_file(&bad).expect("removed");
    // The teammate's prompt cannot be changed by the owner: an error, a failure status.
    let mates = dir.0.join("team-a/mates.md");
    let text = std::fs::read_to_string(&mates).expect("file");
    std::fs::write(&mates, text.replace("by mate", "by owner")).expect("write");
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(!o.status.success(), "{}", show(&o));
    assert!(
        err(&o).contains("mates.md") && err(&o).contains("only the owner"),
        "{}",
        show(&o)
    );
    // Broken files are named, and a check that cannot compare says 2.
    std::fs::write(&mates, "no header").expect("write");
    let o = pv(&base, &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(out(&o).contains("mates.md: no header"), "{}", show(&o));
    let o = pv("http://127.0.0.1:9", &token, &cache.0, &check).await;
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(err(&o).contains("unreachable"), "{}", show(&o));
    app.stop().await;
}

async fn five_hundred_prompts_round_trip_unchanged(app: TestApp) {
    let k = cast(&app).await;
    let token = token_of(&k.owner).await;
    let (dir, cache) = (Temp::new("files500"), Temp::new("cache"));
    let base = app.base.clone();
    let tricky = [
        "  leading and trailing  \n\n",
        "---\ntitle: fake front matter\n---\nbody",
        "+++\ntitle = \"fake\"\n+++\n",
        "windows\r\nline\r\nends\r\n",
        "ünïcödé 😀 \u{feff} tab\there",
        "{{name}} and \\{{literal}} and {{ spaced }}",
        "\n\nstarts with blank lines",
        "no newline at the end",
    ];
    for i in 0..500 {
        let body = format!(
            "{}{}",
            tricky[i % tricky.len()],
            if i % 3 == 0 { " {{topic}}" } else { "" }
        );
        let mut p = json!({
            "title": format!("Prompt {i} \"quoted\" ünï"),
            "name": format!("set-{}/prompt-{i}", i % 7),
            "body": body,
            "tags": if i % 2 == 0 { json!(["alpha", format!("t{}", i % 11)]) } else { json!([]) },
        });
        if i % 4 == 0 {
            p["teamId"] = json!(k.team_a);
            p["visibility"] = json!("TEAM");
        }
        if i % 5 == 0 {
            p["notes"] = json!(format!("notes {i}\n+++\n---\n\"x\""));
            p["modelHints"] = json!("claude, temperature 0");
        }
        if i % 3 == 0 && i % 2 == 0 {
            let mut vars = vec![
                json!({ "name": "topic", "type": "enum", "values": ["a", "b"],
                                        "default": "a", "description": "what \"about\"" }),
            ];
            if body.contains("{{name}}") {
                vars.push(json!({ "name": "name", "type": "text", "required": true }));
                vars.push(json!({ "name": "spaced", "type": "integer" }));
            }
            p["variables"] = json!(vars);
        }
        // Every other prompt is a chat prompt, with contents that look like role lines; some
        // carry a config (one TOML cannot say: a null).
        if i % 2 == 1 {
            let roles = ["system", "user", "assistant"];
            let messages: Vec<Value> = (0..1 + i % 4)
                .map(|j| {
                    let content = match (i + j) % 5 {
                        0 => format!("{body}\n## user\n\\## system\n"),
                        1 => String::new(),
                        2 => "## assistant".to_string(),
                        3 => format!("\r\n## user\r\n{}", tricky[j % tricky.len()]),
                        _ => body.clone(),
                    };
                    json!({ "role": roles[(i + j) % 3], "content": content })
                })
                .collect();
            p.as_object_mut().expect("object").remove("body");
            p["messages"] = json!(messages);
            if p.get("variables").is_some() {
                p.as_object_mut().expect("object").remove("variables");
            }
        }
        match i % 6 {
            1 => {
                p["config"] =
                    json!({ "model": "gpt-4o", "temperature": 0.2, "stop": ["\n## user"] })
            }
            3 => p["config"] = json!({ "seed": null, "nested": { "a b": [1, 2.5, true] } }),
            4 => p["config"] = json!({}),
            _ => {}
        }
        let c = if i % 9 == 0 { &k.mate } else { &k.owner };
        if i % 9 == 0 {
            p["teamId"] = json!(k.team_a);
            p["visibility"] = json!("TEAM");
        }
        prompt(c, p).await;
    }
    let versions = count(&app, "PromptVersion").await;
    let audit = count(&app, "AuditEvent").await;

    let d = dir.0.to_str().expect("utf-8 path");
    let started = std::time::Instant::now();
    let o = pv(&base, &token, &cache.0, &["pull", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    let pulled = started.elapsed();
    assert!(out(&o).starts_with("500 prompt(s)"), "{}", show(&o));
    assert_eq!(md_files(&dir.0).len(), 500);
    let started = std::time::Instant::now();
    let o = pv(&base, &token, &cache.0, &["push", "--check", d]).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let checked = started.elapsed();
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        out(&o).contains("0 created, 0 updated, 500 unchanged"),
        "{}",
        show(&o)
    );
    assert_eq!(count(&app, "PromptVersion").await, versions);
    assert_eq!(count(&app, "AuditEvent").await, audit);
    // A second pull writes nothing.
    let o = pv(&base, &token, &cache.0, &["pull", d]).await;
    assert!(
        out(&o).contains("0 file(s) written, 500 unchanged"),
        "{}",
        show(&o)
    );
    assert_eq!(
        count_where(&app, "Prompt", "\"kind\" = 'chat'").await,
        250,
        "both kinds are in the round trip"
    );
    // A changed message and a changed config are seen and pushed as one new version.
    let file = dir.0.join("owner").join("set-1").join("prompt-1.md");
    let text = std::fs::read_to_string(&file).expect("chat file");
    assert!(
        text.contains("kind = \"chat\"\n") && text.contains("config = {"),
        "{text}"
    );
    let changed = text.replace("model = \"gpt-4o\"", "model = \"gpt-5\"") + "\n\n## user\nOne more";
    std::fs::write(&file, changed).expect("written");
    let o = pv(&base, &token, &cache.0, &["push", "--check", d]).await;
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let o = pv(&base, &token, &cache.0, &["push", d]).await;
    assert!(out(&o).contains("1 updated"), "{}", show(&o));
    assert_eq!(count(&app, "PromptVersion").await, versions + 1);
    let o = pv(&base, &token, &cache.0, &["push", "--check", d]).await;
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    eprintln!(
        "{}: pull of 500 prompts {:.0} ms, push --check {:.0} ms",
        app.backend(),
        pulled.as_secs_f64() * 1000.0,
        checked.as_secs_f64() * 1000.0
    );
    app.stop().await;
}
