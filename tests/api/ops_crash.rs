//! Crash test: the real `promptvault` binary serves a SQLite database while four clients keep
//! writing (admin team creation through the HTTP API); it is killed with SIGKILL ten times.
//! After every kill `promptvault db check` must be clean, and after every restart each write
//! the server had acknowledged (201) must be there, on SQLite, PostgreSQL and MariaDB. Then 200
//! concurrent writers for `PROMPTVAULT_TEST_LOAD_SECS` (default 3; CI runs 30) on each backend:
//! no answer other than success, nothing acknowledged lost. Also checks the CLI's backup summary
//! line.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Client, TestDb};
use promptvault::db::Backend;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_promptvault");

struct Server {
    child: Child,
    base: String,
}

/// Starts `promptvault serve` on a free port and waits for its "listening" log line.
fn start(url: &str) -> Server {
    start_with(url, &[]).0
}

/// Same, with extra environment; also returns the metrics address when one is logged.
fn start_with(url: &str, env: &[(&str, &str)]) -> (Server, Option<String>) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--database-url",
            url,
            "--log-format",
            "json",
        ])
        .envs(env.iter().copied())
        .env("PROMPTVAULT_ADMIN_EMAIL", "admin@example.com")
        .env("PROMPTVAULT_ADMIN_PASSWORD", "admin-password-1")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn promptvault");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && let Some(msg) = v["fields"]["message"].as_str()
                && let Some(at) = msg.find("http://")
            {
                let _ = tx.send((msg.starts_with("metrics"), msg[at..].trim().to_string()));
            }
        }
    });
    let mut metrics = None;
    loop {
        let Ok((is_metrics, addr)) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not say where it listens");
        };
        if is_metrics {
            metrics = Some(addr);
        } else {
            return (Server { child, base: addr }, metrics);
        }
    }
}

/// `metrics_bind`: `/metrics` without a token on its own address, not on the main one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_a_separate_address() {
    let dir = std::env::temp_dir().join(format!("pvmetrics_{}", &promptvault::db::new_id()[1..10]));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}/promptvault.db", dir.display());
    let (mut server, metrics) = start_with(&url, &[("PROMPTVAULT_METRICS_BIND", "127.0.0.1:0")]);
    let metrics = metrics.expect("the metrics address is logged before the main one");
    let c = Client::new(&server.base);
    let (s, _) = c.get("/health").await;
    assert_eq!(s, 200);
    let (s, _) = c.get("/metrics").await;
    assert_eq!(s, 404, "no token configured: not on the main address");
    let text = common::without_instance(
        &reqwest::get(&metrics)
            .await
            .expect("scrape")
            .text()
            .await
            .expect("text"),
    );
    assert!(
        text.contains(
            "promptvault_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("promptvault_users 1"), "{text}");
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
    let _ = std::fs::remove_dir_all(&dir);
}

fn db_check(url: &str) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["db", "check", "--database-url", url])
        .output()
        .expect("db check");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn admin(base: &str) -> Client {
    let c = Client::new(base);
    let (s, b) = c
        .post(
            "/api/auth/login",
            &json!({ "email": "admin@example.com", "password": "admin-password-1" }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    c
}

async fn team_names(c: &Client) -> Vec<String> {
    let (s, b) = c.get("/api/admin/teams").await;
    assert_eq!(s, 200, "{b}");
    let list = b
        .as_array()
        .or_else(|| b["teams"].as_array())
        .expect("team list");
    list.iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_writes_sqlite() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    sigkill_during_writes_loses_no_acknowledged_write(&db.url).await;
    let dir = db.dir.clone().expect("dir");
    cli_backup_summary(&db.url, &dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_writes_postgres() {
    if let Some(db) = TestDb::create(Backend::Postgres).await {
        sigkill_during_writes_loses_no_acknowledged_write(&db.url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_writes_mysql() {
    if let Some(db) = TestDb::create(Backend::MySql).await {
        sigkill_during_writes_loses_no_acknowledged_write(&db.url).await;
    }
}

/// Ten SIGKILLs while four clients write: after each, `db check` is clean, and every write the
/// server acknowledged is there after the restart. No answer other than 201 is accepted: a
/// request is either acknowledged or cut off by the kill.
async fn sigkill_during_writes_loses_no_acknowledged_write(url: &str) {
    let url = url.to_string();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let started = Instant::now();
    for round in 0..10 {
        let mut server = start(&url);
        let c = admin(&server.base).await;
        // Everything acknowledged before every earlier kill is still there.
        let names = team_names(&c).await;
        let expected = acked.lock().expect("lock").clone();
        let missing: Vec<&String> = expected.iter().filter(|n| !names.contains(n)).collect();
        assert!(missing.is_empty(), "round {round}: lost {missing:?}");
        let mut writers = Vec::new();
        for w in 0..4 {
            let (c, acked) = (c.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let name = format!("r{round}-w{w}-{i}");
                    let r = c
                        .request(reqwest::Method::POST, "/api/admin/teams")
                        .json(&json!({ "name": name }))
                        .send()
                        .await;
                    match r {
                        Ok(resp) if resp.status() == 201 => acked.lock().expect("lock").push(name),
                        Ok(resp) => panic!("{name}: answered {}", resp.status()),
                        Err(_) => break, // the server is gone
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(700 + (round as u64 * 97) % 500)).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        for w in writers {
            w.await.expect("writer");
        }
        let (ok, out) = db_check(&url);
        assert!(ok, "round {round}: db check after SIGKILL:\n{out}");
        if url.starts_with("sqlite") {
            assert!(
                out.contains("integrity_check") && out.contains("ok"),
                "{out}"
            );
        }
    }
    let server = start(&url);
    let c = admin(&server.base).await;
    let names = team_names(&c).await;
    let expected = acked.lock().expect("lock").clone();
    assert!(
        expected.len() > 100,
        "sustained writes: {} acknowledged",
        expected.len()
    );
    let missing: Vec<&String> = expected.iter().filter(|n| !names.contains(n)).collect();
    assert!(missing.is_empty(), "lost {missing:?}");
    eprintln!(
        "10 SIGKILLs, {} acknowledged writes, none lost ({:.1} s)",
        expected.len(),
        started.elapsed().as_secs_f64()
    );
    let mut child = server.child;
    child.kill().expect("kill");
    child.wait().expect("reaped");
}

/// The CLI backup: exit code 0 and a one-line summary naming the file.
fn cli_backup_summary(url: &str, dir: &Path) {
    let out = Command::new(BIN)
        .args([
            "db",
            "backup",
            "--compress",
            "--database-url",
            url,
            "--output",
        ])
        .arg(dir.join("backups/"))
        .output()
        .expect("db backup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        line.starts_with("backup written: ")
            && line.contains(".db.gz (")
            && line.contains(" rows, "),
        "{line}"
    );
    assert_eq!(
        std::fs::read_dir(dir.join("backups")).expect("dir").count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_writers_sqlite() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    two_hundred_writers(&db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_writers_postgres() {
    if let Some(db) = TestDb::create(Backend::Postgres).await {
        two_hundred_writers(&db.url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_writers_mysql() {
    if let Some(db) = TestDb::create(Backend::MySql).await {
        two_hundred_writers(&db.url).await;
    }
}

/// 200 clients at once (20 users, 10 connections each) create prompts with shared tags, edit
/// them and rate them for the load time, against the real binary with its default pool. Every
/// answer must be a success (no 5xx, not even 503 busy), and every acknowledged prompt, with its
/// last acknowledged body, must be in the database afterwards.
async fn two_hundred_writers(url: &str) {
    let secs: u64 = std::env::var("PROMPTVAULT_TEST_LOAD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut server = start(url);
    let mut users = Vec::new();
    for u in 0..20 {
        let c = Client::new(&server.base);
        let (s, b) = c
            .post(
                "/api/auth/register",
                &json!({ "email": format!("w{u}@example.com"), "password": "password-123" }),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        users.push(c);
    }
    let deadline = Instant::now() + Duration::from_secs(secs);
    let acked: Arc<Mutex<Vec<(usize, String, String)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..200 {
        let (c, acked) = (users[w % 20].clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < deadline {
                let tags = json!(["shared", format!("t{}", n % 7), format!("w{w}")]);
                let (s, p) = c
                    .post(
                        "/api/prompts",
                        &json!({ "title": format!("w{w} n{n}"), "body": "first", "tags": tags }),
                    )
                    .await;
                assert_eq!(s, 201, "create: {p}");
                let id = p["id"].as_str().expect("id").to_string();
                let body = format!("edited by {w} ({n})");
                let (s, p) = c
                    .put(
                        &format!("/api/prompts/{id}"),
                        &json!({ "body": body, "tags": ["shared", "edited"] }),
                    )
                    .await;
                assert_eq!(s, 200, "edit: {p}");
                let (s, p) = c
                    .post(
                        &format!("/api/ratings/{id}"),
                        &json!({ "value": 1 + n % 5 }),
                    )
                    .await;
                assert_eq!(s, 200, "rate: {p}");
                acked.lock().expect("lock").push((w % 20, id, body));
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for w in writers {
        total += w.await.expect("writer");
    }
    let acked = acked.lock().expect("lock").clone();
    assert_eq!(acked.len(), total);
    assert!(total >= 200, "every writer made progress ({total})");
    // Everything acknowledged is there, with its last body: read back through the API.
    let mut missing = Vec::new();
    for (owner, id, body) in &acked {
        let (s, p) = users[*owner].get(&format!("/api/prompts/{id}")).await;
        if s != 200 || p["body"] != *body {
            missing.push(format!("{id}: {s}"));
        }
    }
    assert!(missing.is_empty(), "lost: {missing:?}");
    eprintln!(
        "{url}: 200 writers, {total} prompts created, edited and rated in {secs} s; none lost, no error"
    );
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
}
