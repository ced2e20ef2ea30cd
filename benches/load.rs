//! The load benchmark: PromptVault at N prompts under 32 concurrent clients, beside the
//! reference server (`../shared/bench/limit-probe`) in the same run.
//!
//! ```sh
//! cargo bench --bench load                       # SQLite, 100,000 prompts
//! PROMPTVAULT_BENCH_BACKEND=postgres cargo bench --bench load   # or mysql
//! ```
//! Settings (environment): `PROMPTVAULT_BENCH_PROMPTS` (N, default 100000),
//! `PROMPTVAULT_BENCH_SECS` (per operation, default 10), `PROMPTVAULT_BENCH_CLIENTS` (default
//! 32), `PROMPTVAULT_BENCH_ONLY` (comma-separated operation names), `PROMPTVAULT_BENCH_REFERENCE`
//! (path of a built `limit-probe` binary: its operations run in the same run and each line shows
//! the ratio), and for PostgreSQL/MySQL the `PROMPTVAULT_TEST_POSTGRES_URL` /
//! `PROMPTVAULT_TEST_MYSQL_URL` admin URLs the tests use (a database is created and dropped).
//!
//! What it does: starts the release binary on a fresh database, creates 10 users in one team,
//! imports N prompts through the JSON import API (1,000 per request; the import time is a
//! figure), restarts the server to time start-up, then loads each operation with wrk (Debian
//! package `wrk`; `-t2 -c32 --latency`) through the JSON API with an API token, sampling the
//! server's RSS. Prints req/s, p50, p99, non-2xx, RSS per operation.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use promptvault::db::Backend;
use serde_json::{Value, json};

const USERS: usize = 10;
const TAGS: &[&str] = &[
    "agent",
    "analysis",
    "api",
    "bash",
    "brainstorm",
    "chatbot",
    "code-review",
    "data",
    "design",
    "devops",
    "docs",
    "education",
    "email",
    "finance",
    "health",
    "interview",
    "javascript",
    "legal",
    "marketing",
    "planning",
    "poetry",
    "product",
    "python",
    "recipe",
    "refactor",
    "research",
    "resume",
    "rust",
    "sales",
    "security",
    "seo",
    "sql",
    "story",
    "summary",
    "support",
    "testing",
    "translation",
    "travel",
    "ux",
    "writing",
];
/// Function words: about 40 % of a body.
const FUNCTION: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "for", "with", "on", "as", "by", "is", "be",
    "it", "that", "this", "from", "at", "your", "you", "we", "our", "each", "all", "any", "not",
    "if", "then", "so", "but", "into", "about", "than", "more", "most", "only", "also", "when",
];

/// Content words, most frequent first (Zipf weights): the first few occur in most prompts, the
/// tail in a few percent ("selective" words).
fn content_words() -> Vec<String> {
    let base = [
        "write",
        "customer",
        "email",
        "summary",
        "review",
        "code",
        "team",
        "report",
        "data",
        "product",
        "question",
        "answer",
        "list",
        "plan",
        "draft",
        "project",
        "meeting",
        "notes",
        "explain",
        "context",
        "example",
        "format",
        "table",
        "markdown",
        "response",
        "task",
        "support",
        "ticket",
        "refund",
        "policy",
        "marketing",
        "campaign",
        "release",
        "sales",
        "invoice",
        "contract",
        "legal",
        "research",
        "paper",
        "abstract",
        "citation",
        "chart",
        "query",
        "database",
        "index",
        "python",
        "rust",
        "javascript",
        "function",
        "class",
        "error",
        "performance",
        "security",
        "privacy",
        "audit",
        "interview",
        "feedback",
        "survey",
        "persona",
        "tone",
        "friendly",
        "formal",
        "concise",
        "bullet",
        "steps",
        "checklist",
        "template",
        "json",
        "yaml",
        "schema",
        "recipe",
        "travel",
        "itinerary",
        "fitness",
        "workout",
        "diet",
        "doctor",
        "patient",
        "symptom",
        "teacher",
        "student",
        "lesson",
        "quiz",
        "grade",
        "history",
        "science",
        "math",
        "physics",
        "chemistry",
        "startup",
        "investor",
        "pitch",
        "deck",
        "strategy",
        "competitor",
        "market",
        "pricing",
        "growth",
        "churn",
        "onboarding",
        "roadmap",
        "sprint",
        "backlog",
        "deadline",
        "risk",
        "owner",
        "action",
        "item",
        "budget",
        "forecast",
        "quarter",
        "revenue",
        "margin",
        "hiring",
        "resume",
        "cover",
        "letter",
        "salary",
        "negotiation",
        "vendor",
        "supplier",
        "shipping",
        "warehouse",
        "inventory",
        "translate",
        "classify",
        "extract",
        "entities",
        "sentiment",
        "keywords",
        "headline",
        "slogan",
        "tagline",
        "tweet",
        "thread",
        "blog",
        "post",
        "article",
        "newsletter",
        "podcast",
        "script",
        "video",
        "caption",
        "story",
        "poem",
        "song",
        "lyrics",
        "joke",
        "riddle",
        "puzzle",
        "game",
        "character",
        "dialogue",
    ];
    let mut words: Vec<String> = base.iter().map(|w| w.to_string()).collect();
    // A long tail of rarer, made-up domain terms.
    for i in 0..750 {
        words.push(format!(
            "{}{}",
            ["zeta", "kilo", "nova", "orbit", "pixel"][i % 5],
            i
        ));
    }
    words
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

struct Corpus {
    words: Vec<String>,
    cum: Vec<f64>,
}

impl Corpus {
    fn new() -> Corpus {
        let words = content_words();
        let mut cum = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for r in 0..words.len() {
            acc += 1.0 / (r as f64 + 1.0);
            cum.push(acc);
        }
        for c in &mut cum {
            *c /= acc;
        }
        Corpus { words, cum }
    }
    fn content(&self, rng: &mut Rng) -> &str {
        let u = rng.f64();
        let i = self
            .cum
            .partition_point(|&c| c < u)
            .min(self.words.len() - 1);
        &self.words[i]
    }
    fn text(&self, rng: &mut Rng, lo: usize, hi: usize, function_share: f64) -> String {
        let n = rng.range(lo, hi);
        let mut s = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                s.push(if i % 12 == 0 { '.' } else { ' ' });
                if i % 12 == 0 {
                    s.push(' ');
                }
            }
            if rng.f64() < function_share {
                s.push_str(FUNCTION[rng.range(0, FUNCTION.len() - 1)]);
            } else {
                s.push_str(self.content(rng));
            }
        }
        s
    }
    /// One import item: title of 5–10 words, body of 80–200 words, 0–3 tags, a visibility.
    fn item(&self, rng: &mut Rng) -> Value {
        let tags: Vec<&str> = (0..rng.range(0, 3))
            .map(|_| TAGS[rng.range(0, TAGS.len() - 1)])
            .collect();
        let visibility = match rng.range(0, 9) {
            0..=3 => "PRIVATE",
            4..=6 => "TEAM",
            _ => "PUBLIC",
        };
        json!({
            "title": self.text(rng, 5, 10, 0.1),
            "body": self.text(rng, 80, 200, 0.4),
            "tags": tags,
            "visibility": visibility,
        })
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn cpu_ticks(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = after.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

/// A server process, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    /// Waits for the first 200 of `path`; returns how long that took from `since`.
    async fn wait_ready(&mut self, path: &str, since: Instant) -> Duration {
        let http = reqwest::Client::new();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited during start-up: {status}");
            }
            if let Ok(r) = http.get(format!("{}{path}", self.base)).send().await
                && r.status().is_success()
            {
                return since.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    fn stop(mut self) {
        // SIGTERM first (a clean shutdown checkpoints SQLite), then kill.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_promptvault(url: &str, port: u16) -> (Server, Instant) {
    let bin = env!("CARGO_BIN_EXE_promptvault");
    let started = Instant::now();
    let child = Command::new(bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url)
        .env("PROMPTVAULT_BIND", "127.0.0.1")
        .env("PROMPTVAULT_PORT", port.to_string())
        .env("PROMPTVAULT_LOG_LEVEL", "warn")
        .env("PROMPTVAULT_IMPORT_MAX_BYTES", (64 << 20).to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start promptvault");
    (
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        },
        started,
    )
}

/// The outcome of one wrk run.
#[derive(Default, Clone)]
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: u64,
    non_2xx: u64,
    errors: u64,
    rss_max_kb: u64,
    server_cpu: f64,
}

fn ms(v: &str) -> f64 {
    let v = v.trim();
    let (num, unit) = v
        .find(|c: char| c.is_ascii_alphabetic())
        .map(|i| v.split_at(i))
        .unwrap_or((v, "ms"));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn parse_wrk(out: &str) -> Figures {
    let mut f = Figures::default();
    for line in out.lines().map(str::trim) {
        let mut parts = line.split_whitespace();
        match parts.next() {
            Some("Requests/sec:") => {
                f.rps = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0)
            }
            Some("50.000%") | Some("50%") => f.p50_ms = ms(parts.next().unwrap_or("")),
            Some("99.000%") | Some("99%") => f.p99_ms = ms(parts.next().unwrap_or("")),
            Some("Non-2xx") => {
                f.non_2xx = line
                    .rsplit(' ')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            }
            Some("Socket") => {
                f.errors = line
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|v| v.parse::<u64>().ok())
                    .sum()
            }
            _ => {}
        }
        if let Some(rest) = line
            .strip_suffix(" read")
            .and_then(|l| l.split(" requests in").next())
            && let Ok(n) = rest.trim().parse()
        {
            f.requests = n;
        }
    }
    f
}

struct Load<'a> {
    dir: &'a Path,
    secs: u64,
    clients: u64,
}

impl Load<'_> {
    /// Waits until the server is idle, then runs wrk with `script` against `base`.
    fn run(&self, pid: u32, base: &str, script: &str, env: &[(&str, String)]) -> Figures {
        for _ in 0..60 {
            let a = cpu_ticks(pid);
            std::thread::sleep(Duration::from_millis(500));
            if cpu_ticks(pid) - a < 3 {
                break;
            }
        }
        let path = self.dir.join("script.lua");
        std::fs::write(&path, script).expect("script");
        let t0 = cpu_ticks(pid);
        let started = Instant::now();
        let mut cmd = Command::new("wrk");
        cmd.args(["-t2", &format!("-c{}", self.clients)])
            .arg(format!("-d{}s", self.secs))
            .args(["--timeout", "30s", "--latency", "-s"])
            .arg(&path)
            .arg(base)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("wrk (apt-get install wrk)");
        let mut max = rss_kb(pid);
        let out = std::thread::scope(|s| {
            let h = s.spawn(|| child.wait_with_output());
            while !h.is_finished() {
                max = max.max(rss_kb(pid));
                std::thread::sleep(Duration::from_millis(200));
            }
            h.join().expect("join").expect("wrk output")
        });
        let text = String::from_utf8_lossy(&out.stdout);
        let mut f = parse_wrk(&text);
        f.rss_max_kb = max;
        let hz = 100.0;
        f.server_cpu = (cpu_ticks(pid) - t0) as f64 / hz / started.elapsed().as_secs_f64();
        if std::env::var("PROMPTVAULT_BENCH_VERBOSE").is_ok() {
            println!("{text}");
        }
        f
    }
}

/// wrk script: GET the lines of `PATHS_FILE` in turn (each thread from its own offset), with an
/// optional bearer token.
const PATHS_LUA: &str = r#"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local paths, i = {}, 0
function init(args)
  for line in io.lines(os.getenv("PATHS_FILE")) do if #line > 0 then paths[#paths + 1] = line end end
  local t = os.getenv("TOKEN")
  if t and #t > 0 then wrk.headers["Authorization"] = "Bearer " .. t end
  i = ((tid or 1) - 1) * 7919
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"#;

/// wrk script: GET the `path<TAB>etag` lines of `PATHS_FILE` in turn with `If-None-Match`.
const ETAG_LUA: &str = r#"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local paths, tags, i = {}, {}, 0
function init(args)
  for line in io.lines(os.getenv("PATHS_FILE")) do
    local p, t = line:match("([^\t]+)\t(.+)")
    if p then paths[#paths + 1] = p; tags[#tags + 1] = t end
  end
  local t = os.getenv("TOKEN")
  if t and #t > 0 then wrk.headers["Authorization"] = "Bearer " .. t end
  i = ((tid or 1) - 1) * 7919
end
function request()
  i = i % #paths + 1
  local h = { ["If-None-Match"] = tags[i] }
  for k, v in pairs(wrk.headers) do h[k] = v end
  return wrk.format("GET", paths[i], h)
end
"#;

/// wrk script: POST the JSON documents of `BODIES_FILE` (one per line) to `POST_PATH` in turn.
const POST_LUA: &str = r#"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local bodies, i, path = {}, 0, "/"
function init(args)
  for line in io.lines(os.getenv("BODIES_FILE")) do if #line > 0 then bodies[#bodies + 1] = line end end
  local t = os.getenv("TOKEN")
  if t and #t > 0 then wrk.headers["Authorization"] = "Bearer " .. t end
  wrk.headers["Content-Type"] = "application/json"
  path = os.getenv("POST_PATH")
  i = ((tid or 1) - 1) * 101
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", path, nil, bodies[i])
end
"#;

struct Op {
    name: &'static str,
    what: String,
    /// GET paths, or POST bodies when `post` is set, or `path<TAB>etag` when `etags` is set.
    lines: Vec<String>,
    post: Option<&'static str>,
    /// GET each path with `If-None-Match: etag` (the 304 path of a cache).
    etags: bool,
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").expect("lines");
    p
}

async fn check(http: &reqwest::Client, req: reqwest::RequestBuilder) -> Value {
    let _ = http;
    let r = req.send().await.expect("request");
    let status = r.status();
    let text = r.text().await.expect("body");
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Users, a team, tokens and N prompts; returns the tokens (user 0 first) and the ids readable
/// by user 0.
async fn seed(base: &str, n: usize) -> (Vec<String>, f64) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let pw = "bench-password-1";
    check(
        &http,
        http.post(format!("{base}/api/auth/register"))
            .json(&json!({"email": "user0@bench.test", "password": pw, "name": "User 0"})),
    )
    .await;
    check(
        &http,
        http.post(format!("{base}/api/admin/teams"))
            .json(&json!({"name": "bench"})),
    )
    .await;
    check(
        &http,
        http.post(format!("{base}/api/auth/team"))
            .json(&json!({"team": "bench"})),
    )
    .await;
    for i in 1..USERS {
        check(
            &http,
            http.post(format!("{base}/api/admin/users")).json(&json!({
                "email": format!("user{i}@bench.test"), "password": pw,
                "name": format!("User {i}"), "team": "bench",
            })),
        )
        .await;
    }
    let mut tokens = Vec::new();
    for i in 0..USERS {
        let h = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        check(
            &h,
            h.post(format!("{base}/api/auth/login"))
                .json(&json!({"email": format!("user{i}@bench.test"), "password": pw})),
        )
        .await;
        let t = check(
            &h,
            h.post(format!("{base}/api/auth/tokens"))
                .json(&json!({"name": "bench"})),
        )
        .await;
        tokens.push(t["token"].as_str().expect("token").to_string());
    }
    // Import: 1,000 per request, users in turn.
    let corpus = Corpus::new();
    let mut rng = Rng(42);
    let started = Instant::now();
    let mut done = 0;
    let mut batch_no = 0;
    let plain = reqwest::Client::new();
    while done < n {
        let size = 1000.min(n - done);
        let items: Vec<Value> = (0..size).map(|_| corpus.item(&mut rng)).collect();
        let body = serde_json::to_vec(&items).expect("json");
        let token = &tokens[batch_no % USERS];
        check(
            &plain,
            plain
                .post(format!("{base}/api/import-export/import"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        done += size;
        batch_no += 1;
        if batch_no % 10 == 0 {
            eprint!("\r  imported {done}/{n}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "\r  imported {n} prompts in {secs:.1} s ({:.0}/s)",
        n as f64 / secs
    );
    (tokens, secs)
}

/// Ids of prompts user 0 can read (own and others' PUBLIC/TEAM: all share one team).
async fn readable_ids(url: &str) -> Vec<String> {
    let db = promptvault::db::connect(url, 1).await.expect("connect");
    let mut tx = db.read().await.expect("tx");
    let args = vec![promptvault::db::dynamic::Arg::S("user0@bench.test".into())];
    let rows: Vec<(String,)> = promptvault::db::dynamic::fetch_all(
        &mut tx,
        "SELECT p.\"id\" FROM \"Prompt\" p WHERE p.\"visibility\" <> 'PRIVATE' OR p.\"userId\" = \
         (SELECT u.\"id\" FROM \"User\" u WHERE u.\"email\" = ?)"
            .into(),
        &args,
    )
    .await
    .expect("ids");
    rows.into_iter().map(|r| r.0).collect()
}

/// Up to 2,000 of user 0's prompts by name, each given a `production` label on version 1
/// (through the API, as a program's owner would): `(path, etag)` of
/// `GET /api/registry/{namespace}/{name}?label=production`.
async fn named(url: &str, base: &str, token: &str) -> Vec<(String, String)> {
    let db = promptvault::db::connect(url, 1).await.expect("connect");
    let mut tx = db.read().await.expect("tx");
    let rows: Vec<(String, String, String)> = promptvault::db::dynamic::fetch_all(
        &mut tx,
        "SELECT p.\"id\", ns.\"name\", n.\"name\" FROM \"Prompt\" p \
         JOIN \"PromptName\" n ON n.\"promptId\" = p.\"id\" AND n.\"isCurrent\" = ? \
         JOIN \"Namespace\" ns ON ns.\"isCurrent\" = ? AND (ns.\"userId\" = n.\"scope\" OR ns.\"teamId\" = n.\"scope\") \
         JOIN \"User\" u ON u.\"id\" = p.\"userId\" WHERE u.\"email\" = ? ORDER BY p.\"id\" LIMIT 2000"
            .into(),
        &[
            promptvault::db::dynamic::Arg::B(true),
            promptvault::db::dynamic::Arg::B(true),
            promptvault::db::dynamic::Arg::S("user0@bench.test".into()),
        ],
    )
    .await
    .expect("names");
    drop(tx);
    let http = reqwest::Client::new();
    let mut out = Vec::with_capacity(rows.len());
    for (id, ns, name) in rows {
        let r = http
            .put(format!("{base}/api/prompts/{id}/labels/production"))
            .bearer_auth(token)
            .json(&json!({ "version": 1 }))
            .send()
            .await
            .expect("label");
        assert!(r.status().is_success(), "label: {}", r.status());
        let path = format!("/api/registry/{ns}/{name}?label=production");
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .expect("fetch");
        assert!(r.status().is_success(), "fetch {path}: {}", r.status());
        let tag = r
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("etag")
            .to_string();
        out.push((path, tag));
    }
    out
}

fn ops(corpus: &Corpus, ids: &[String], named: &[(String, String)]) -> Vec<Op> {
    let mut rng = Rng(7);
    let words = &corpus.words;
    let pick = |rng: &mut Rng, lo: usize, hi: usize| words[rng.range(lo, hi)].clone();
    let get = |name: &'static str, what: &str, lines: Vec<String>| Op {
        name,
        what: what.into(),
        lines,
        post: None,
        etags: false,
    };
    let mut v = vec![
        get("health", "GET /health", vec!["/health".into()]),
        get(
            "static",
            "GET /static/app.css",
            vec![format!(
                "/static/app.css?v={}",
                promptvault::pages::assets::version()
            )],
        ),
        get(
            "read",
            "GET /api/prompts/:id",
            (0..5000)
                .map(|_| format!("/api/prompts/{}", ids[rng.range(0, ids.len() - 1)]))
                .collect(),
        ),
    ];
    for (name, sort) in [
        ("list", ""),
        ("list-title", "&sort=title"),
        ("list-rating", "&sort=rating"),
        ("list-created", "&sort=created"),
    ] {
        v.push(get(
            name,
            &format!("GET /api/prompts?limit=50{sort}"),
            vec![format!("/api/prompts?limit=50{sort}")],
        ));
    }
    v.push(get(
        "list-page-20",
        "GET /api/prompts?limit=50&offset=1000",
        vec!["/api/prompts?limit=50&offset=1000".into()],
    ));
    v.push(get(
        "feed",
        "GET /api/prompts/feed/team?limit=50",
        vec!["/api/prompts/feed/team?limit=50".into()],
    ));
    v.push(get(
        "feed-title",
        "GET /api/prompts/feed/team?limit=50&sort=title",
        vec!["/api/prompts/feed/team?limit=50&sort=title".into()],
    ));
    v.push(get(
        "tag",
        "GET /api/prompts?tag=<one of 40>&limit=50",
        TAGS.iter()
            .map(|t| format!("/api/prompts?tag={t}&limit=50"))
            .collect(),
    ));
    v.push(get(
        "feed-tag",
        "GET /api/prompts/feed/team?tag=<one of 40>&limit=50",
        TAGS.iter()
            .map(|t| format!("/api/prompts/feed/team?tag={t}&limit=50"))
            .collect(),
    ));
    if !named.is_empty() {
        v.push(get(
            "fetch-name",
            "GET /api/registry/{ns}/{name}?label=production",
            named.iter().map(|(p, _)| p.clone()).collect(),
        ));
        v.push(Op {
            name: "fetch-name-304",
            what: "the same with If-None-Match (304)".into(),
            lines: named.iter().map(|(p, t)| format!("{p}\t{t}")).collect(),
            post: None,
            etags: true,
        });
    }
    // Search: words by document frequency (rank 0 is in most prompts; the tail in few).
    let n = words.len();
    v.push(get(
        "search-rare",
        "1 word in < 5 % of prompts",
        (0..200)
            .map(|_| format!("/api/search?q={}&limit=20", pick(&mut rng, 450, n - 1)))
            .collect(),
    ));
    v.push(get(
        "search-two",
        "2 words, one selective",
        (0..200)
            .map(|_| {
                format!(
                    "/api/search?q={}+{}&limit=20",
                    pick(&mut rng, 0, 10),
                    pick(&mut rng, 450, n - 1)
                )
            })
            .collect(),
    ));
    v.push(get(
        "search-phrase",
        "a two-word phrase",
        (0..200)
            .map(|_| {
                format!(
                    "/api/search?q=%22{}+{}%22&limit=20",
                    pick(&mut rng, 0, 30),
                    pick(&mut rng, 0, 30)
                )
            })
            .collect(),
    ));
    v.push(get(
        "search-common",
        "only words in most prompts",
        (0..200)
            .map(|i| match i % 3 {
                0 => format!("/api/search?q={}&limit=20", pick(&mut rng, 0, 3)),
                1 => format!(
                    "/api/search?q={}+{}&limit=20",
                    pick(&mut rng, 0, 3),
                    pick(&mut rng, 0, 3)
                ),
                _ => format!("/api/search?q={}+the&limit=20", pick(&mut rng, 0, 5)),
            })
            .collect(),
    ));
    v.push(Op {
        name: "create",
        what: "POST /api/prompts (3 tags)".into(),
        lines: (0..64)
            .map(|_| {
                let mut item = corpus.item(&mut rng);
                item["tags"] = json!([
                    TAGS[rng.range(0, 39)],
                    TAGS[rng.range(0, 39)],
                    TAGS[rng.range(0, 39)]
                ]);
                item.to_string()
            })
            .collect(),
        post: Some("/api/prompts"),
        etags: false,
    });
    v
}

fn reference_ops(ids: &[String]) -> Vec<(&'static str, Op)> {
    let mut rng = Rng(9);
    let get = |lines: Vec<String>| Op {
        name: "",
        what: String::new(),
        lines,
        post: None,
        etags: false,
    };
    let mut v = vec![
        // Our `/health` asks the database: its peer is the reference's `/health/db`; a static
        // asset (no database) is compared with the reference's static `/health`.
        ("health", get(vec!["/health/db".into()])),
        ("static", get(vec!["/health".into()])),
        (
            "read",
            get((0..5000)
                .map(|_| format!("/prompts/{}", ids[rng.range(0, ids.len() - 1)]))
                .collect()),
        ),
        ("list", get(vec!["/prompts?limit=50".into()])),
    ];
    let common = ["email", "customer", "review", "product", "team", "document"];
    v.push((
        "search-common",
        get(common.iter().map(|w| format!("/search?q={w}")).collect()),
    ));
    v.push((
        "create",
        Op {
            name: "",
            what: String::new(),
            lines: (0..16)
                .map(|i| json!({"title": format!("Prompt {i}"), "body": "write a clear summary of the customer email and list key points for the team"}).to_string())
                .collect(),
            post: Some("/prompts"),
            etags: false,
        },
    ));
    v
}

fn run_op(load: &Load, pid: u32, base: &str, op: &Op, token: &str) -> Figures {
    let file = write_lines(load.dir, "lines.txt", &op.lines);
    let token = token.to_string();
    match op.post {
        None if op.etags => load.run(
            pid,
            base,
            ETAG_LUA,
            &[("PATHS_FILE", file.display().to_string()), ("TOKEN", token)],
        ),
        None => load.run(
            pid,
            base,
            PATHS_LUA,
            &[("PATHS_FILE", file.display().to_string()), ("TOKEN", token)],
        ),
        Some(path) => load.run(
            pid,
            base,
            POST_LUA,
            &[
                ("BODIES_FILE", file.display().to_string()),
                ("TOKEN", token),
                ("POST_PATH", path.to_string()),
            ],
        ),
    }
}

/// The reference server: seeded with N prompts, its operations, keyed by our operation names.
fn reference(probe: &str, n: usize, load: &Load) -> Vec<(&'static str, Figures)> {
    let db = load.dir.join("probe.db");
    let st = Command::new(probe)
        .args(["seed", &n.to_string()])
        .arg(&db)
        .status()
        .expect("limit-probe seed");
    assert!(st.success());
    let ids_out = Command::new(probe)
        .arg("ids")
        .arg(&db)
        .output()
        .expect("limit-probe ids");
    let ids: Vec<String> = String::from_utf8_lossy(&ids_out.stdout)
        .lines()
        .map(String::from)
        .collect();
    let port = free_port();
    let mut out = Vec::new();
    let spawn = || Server {
        child: Command::new(probe)
            .args(["serve", &port.to_string()])
            .arg(&db)
            .stderr(Stdio::null())
            .spawn()
            .expect("limit-probe serve"),
        base: format!("http://127.0.0.1:{port}"),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let mut server = spawn();
    rt.block_on(server.wait_ready("/health", Instant::now()));
    for (name, op) in reference_ops(&ids) {
        let f = run_op(load, server.pid(), &server.base, &op, "");
        println!(
            "  reference {name:<14} {:>9.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  non-2xx {}  RSS {} MB",
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.non_2xx + f.errors,
            f.rss_max_kb / 1024
        );
        out.push((name, f));
    }
    server.stop();
    out
}

fn main() {
    promptvault::client::install_tls();
    let backend = match std::env::var("PROMPTVAULT_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("mysql") | Ok("mariadb") => Backend::MySql,
        _ => Backend::Sqlite,
    };
    let n: usize = env_or("PROMPTVAULT_BENCH_PROMPTS", 100_000);
    let secs: u64 = env_or("PROMPTVAULT_BENCH_SECS", 10);
    let clients: u64 = env_or("PROMPTVAULT_BENCH_CLIENTS", 32);
    let only: Vec<String> = std::env::var("PROMPTVAULT_BENCH_ONLY")
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("pv-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let load = Load {
        dir: &dir,
        secs,
        clients,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // PROMPTVAULT_BENCH_KEEP=DIR: seed once and reuse on later runs: the SQLite file in DIR, or
    // on PostgreSQL/MySQL the database `pvkeep_<N>` (DIR keeps the tokens).
    let keep = std::env::var("PROMPTVAULT_BENCH_KEEP")
        .ok()
        .filter(|v| !v.is_empty());
    let temp = match &keep {
        Some(_) => None,
        None => Some(
            rt.block_on(common::TestDb::create(backend))
                .expect("database (set the admin URL for this backend)"),
        ),
    };
    let url = match (&keep, &temp) {
        (Some(dir), _) => {
            std::fs::create_dir_all(dir).expect("keep dir");
            match backend {
                Backend::Sqlite => format!("sqlite://{dir}/promptvault.db"),
                _ => rt.block_on(common::TestDb::kept(backend, &format!("pvkeep_{n}"))),
            }
        }
        (None, Some(db)) => db.url.clone(),
        _ => unreachable!(),
    };
    println!("PromptVault {backend}, {n} prompts, {clients} clients, {secs} s per operation");

    let port = free_port();
    let saved = keep
        .as_ref()
        .and_then(|dir| std::fs::read_to_string(format!("{dir}/tokens.txt")).ok());
    let (tokens, import_secs) = match saved {
        Some(text) => (text.lines().map(String::from).collect::<Vec<_>>(), f64::NAN),
        None => {
            let (mut server, t0) = start_promptvault(&url, port);
            rt.block_on(server.wait_ready("/health", t0));
            let seeded = rt.block_on(seed(&server.base, n));
            server.stop();
            if let Some(dir) = &keep {
                std::fs::write(format!("{dir}/tokens.txt"), seeded.0.join("\n")).expect("save");
            }
            seeded
        }
    };

    // Start-up on the filled database, to the first healthy answer.
    let mut startups = Vec::new();
    let server = loop {
        let (mut s, t0) = start_promptvault(&url, port);
        startups.push(rt.block_on(s.wait_ready("/health", t0)));
        if startups.len() == 3 {
            break s;
        }
        s.stop();
    };
    startups.sort();
    let idle_kb = rss_kb(server.pid());
    let ids = rt.block_on(readable_ids(&url));
    let wants = |name: &str| only.is_empty() || only.iter().any(|o| o.starts_with(name));
    let named = if wants("fetch-name") {
        rt.block_on(named(&url, &server.base, &tokens[0]))
    } else {
        Vec::new()
    };
    let corpus = Corpus::new();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "| operation | what | req/s | p50 ms | p99 ms | non-2xx | server CPU | RSS max MB | reference req/s | ratio |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|---|---|---|---|");
    let refs = match std::env::var("PROMPTVAULT_BENCH_REFERENCE") {
        Ok(p) if !p.is_empty() => reference(&p, n, &load),
        _ => Vec::new(),
    };
    for op in ops(&corpus, &ids, &named) {
        if !only.is_empty() && !only.iter().any(|o| o == op.name) {
            continue;
        }
        let f = run_op(&load, server.pid(), &server.base, &op, &tokens[0]);
        let r = refs
            .iter()
            .find(|(name, _)| *name == op.name)
            .map(|(_, f)| f);
        let (rref, ratio) = match r {
            Some(r) => (format!("{:.0}", r.rps), format!("{:.2}", f.rps / r.rps)),
            None => (String::new(), String::new()),
        };
        println!(
            "  {:<14} {:>9.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  non-2xx {}  cpu {:.2}  RSS {} MB {}",
            op.name,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.non_2xx + f.errors,
            f.server_cpu,
            f.rss_max_kb / 1024,
            if ratio.is_empty() {
                String::new()
            } else {
                format!(" ×{ratio} of reference")
            }
        );
        let _ = writeln!(
            report,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.2} | {} | {} | {} |",
            op.name,
            op.what,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.non_2xx + f.errors,
            f.server_cpu,
            f.rss_max_kb / 1024,
            rref,
            ratio
        );
    }
    let after_kb = rss_kb(server.pid());
    server.stop();
    println!();
    println!("{report}");
    println!(
        "import: {n} prompts in {import_secs:.1} s ({:.0}/s, 1,000 per request)",
        n as f64 / import_secs
    );
    println!(
        "start-up to healthy: {:?} (median of 3); RSS idle after start {} MB, after the run {} MB",
        startups[1],
        idle_kb / 1024,
        after_kb / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
}
