//! Search latency through the HTTP API at 100,000 prompts.
//!
//! `cargo bench --bench search` (SQLite). With `PROMPTVAULT_TEST_POSTGRES_URL` set, PostgreSQL
//! is measured too. `PROMPTVAULT_BENCH_PROMPTS` changes the corpus size (default 100000).
//! Prints p50/p99 per query kind. The corpus is deliberately dense: each of 100 topic words is
//! in about a third of the prompts, and filler words ("the", "and", "write"…) in almost all;
//! "specific" words come from a long tail of 20,000 terms.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use promptvault::db::dynamic::Arg;
use promptvault::db::{self, Backend};
use promptvault::{bind_all, on};

const COMMON: &[&str] = &["the", "and", "write", "you", "a", "to", "of", "your"];
const VOCAB: &[&str] = &[
    "summarize",
    "email",
    "customer",
    "report",
    "analysis",
    "marketing",
    "code",
    "review",
    "bug",
    "test",
    "explain",
    "translate",
    "story",
    "poem",
    "product",
    "launch",
    "meeting",
    "notes",
    "plan",
    "budget",
    "sales",
    "support",
    "ticket",
    "refund",
    "policy",
    "legal",
    "contract",
    "draft",
    "outline",
    "essay",
    "research",
    "paper",
    "abstract",
    "citation",
    "data",
    "chart",
    "table",
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
    "question",
    "answer",
    "feedback",
    "survey",
    "persona",
    "tone",
    "friendly",
    "formal",
    "concise",
    "bullet",
    "points",
    "steps",
    "checklist",
    "template",
    "format",
    "markdown",
    "json",
    "yaml",
    "schema",
    "recipe",
    "travel",
    "itinerary",
    "fitness",
    "workout",
    "diet",
    "health",
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
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A word: common filler most of the time, then the topic vocabulary, then a long tail.
    fn word(&mut self) -> String {
        match self.below(100) {
            0..=44 => COMMON[self.below(COMMON.len())].to_string(),
            45..=84 => VOCAB[self.below(VOCAB.len())].to_string(),
            _ => format!("term{}", (self.next() % 20_000) as usize),
        }
    }
    fn text(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| self.word())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn fill(app: &TestApp, owner: &str, others: &[String], n: usize) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let started = Instant::now();
    let batch = 1000;
    for start in (0..n).step_by(batch) {
        let mut tx = app.state.db.write().await.expect("tx");
        for i in start..(start + batch).min(n) {
            let title_words = 2 + rng.below(5);
            let title = format!(
                "{} {}",
                rng.text(title_words),
                VOCAB[rng.below(VOCAB.len())]
            );
            let body_words = 60 + rng.below(240);
            let body = rng.text(body_words);
            let (user, vis) = match i % 10 {
                0..=1 => (owner.to_string(), "PRIVATE"),
                2..=6 => (others[i % others.len()].clone(), "PUBLIC"),
                _ => (others[i % others.len()].clone(), "PRIVATE"),
            };
            let now = db::now();
            let binds = vec![
                Arg::S(db::new_id()),
                Arg::S(title),
                Arg::S(body),
                Arg::S(vis.into()),
                Arg::S(user),
            ];
            on!(&mut tx, |conn, sql| bind_all!(
                sqlx::query(sql(
                    "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"visibility\", \"userId\", \"createdAt\", \"updatedAt\") \
                     VALUES (?, ?, ?, ?, ?, ?, ?)"
                )),
                &binds
            )
            .bind(now)
            .bind(now)
            .execute(conn)
            .await
            .map(drop))
            .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    println!(
        "  filled {n} prompts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Searches for each query (a page of 20) and prints p50/p99 and the mean total.
async fn measure(app: &TestApp, c: &common::Client, label: &str, queries: &[String]) {
    let paths: Vec<String> = queries
        .iter()
        .map(|q| {
            format!(
                "/api/search?q={}&limit=20",
                q.replace(' ', "+").replace('"', "%22")
            )
        })
        .collect();
    measure_paths(app, c, label, &paths, 1).await;
}

/// GETs every path `rounds` times and prints p50/p99 and the mean `X-Total-Count`.
async fn measure_paths(
    app: &TestApp,
    c: &common::Client,
    label: &str,
    paths: &[String],
    rounds: usize,
) {
    let mut times = Vec::with_capacity(paths.len() * rounds);
    let mut totals = 0u64;
    for _ in 0..rounds {
        for path in paths {
            let t = Instant::now();
            let resp = c
                .http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), 200, "{path}");
            totals += resp
                .headers()
                .get("x-total-count")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            let _ = resp.bytes().await.expect("body");
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!(
        "  {label:<22} n={:<4} p50 {:>7.2} ms   p99 {:>7.2} ms   mean total {}",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.99),
        totals / times.len().max(1) as u64
    );
}

async fn run(backend: Backend, n: usize) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    println!("{backend}: {n} prompts");
    let c = app.user("bench@example.com").await;
    let owner = c.get("/api/auth/me").await.1["user"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let mut others = Vec::new();
    for i in 0..9 {
        let o = app.user(&format!("other{i}@example.com")).await;
        others.push(
            o.get("/api/auth/me").await.1["user"]["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    fill(&app, &owner, &others, n).await;
    let mut rng = Rng(7);
    let one: Vec<String> = (0..300)
        .map(|_| VOCAB[rng.below(VOCAB.len())].to_string())
        .collect();
    let two: Vec<String> = (0..300)
        .map(|_| {
            format!(
                "{} {}",
                VOCAB[rng.below(VOCAB.len())],
                VOCAB[rng.below(VOCAB.len())]
            )
        })
        .collect();
    let phrase: Vec<String> = (0..300)
        .map(|_| {
            format!(
                "\"{} {}\"",
                VOCAB[rng.below(VOCAB.len())],
                COMMON[rng.below(COMMON.len())]
            )
        })
        .collect();
    let common: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            0 => "the".to_string(),
            1 => "write the".to_string(),
            _ => "and you".to_string(),
        })
        .collect();
    let rare: Vec<String> = (0..300)
        .map(|_| format!("term{}", rng.below(20_000)))
        .collect();
    let rare_two: Vec<String> = (0..300)
        .map(|_| {
            format!(
                "term{} {}",
                rng.below(20_000),
                VOCAB[rng.below(VOCAB.len())]
            )
        })
        .collect();
    // Warm up caches the way a running server would be.
    measure(&app, &c, "warm-up", &one[..50]).await;
    measure(&app, &c, "1 specific word", &rare).await;
    measure(&app, &c, "2 words, 1 specific", &rare_two).await;
    measure(&app, &c, "1 topic word", &one).await;
    measure(&app, &c, "2 topic words", &two).await;
    measure(&app, &c, "phrase", &phrase).await;
    measure(&app, &c, "very common words", &common).await;
    // The owner's own list (a fifth of the corpus), a page of 50, each sort.
    measure_paths(
        &app,
        &c,
        "own list, updated",
        &["/api/prompts?limit=50".to_string()],
        100,
    )
    .await;
    measure_paths(
        &app,
        &c,
        "own list, title",
        &["/api/prompts?limit=50&sort=title".to_string()],
        100,
    )
    .await;
    measure_paths(
        &app,
        &c,
        "own list, rating",
        &["/api/prompts?limit=50&sort=rating".to_string()],
        30,
    )
    .await;
    measure_paths(
        &app,
        &c,
        "own list, page 100",
        &["/api/prompts?limit=50&offset=4950".to_string()],
        100,
    )
    .await;
    app.stop().await;
}

fn main() {
    let n = std::env::var("PROMPTVAULT_BENCH_PROMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        run(Backend::Sqlite, n).await;
        run(Backend::Postgres, n).await;
    });
}
