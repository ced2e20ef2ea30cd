//! Latency of `/health` and of a prompt read while the heaviest requests a user can send run:
//! four diffs of 60,000-line bodies saved reversed, and four imports close to the import size
//! limit (each ~60 MiB of JSON: 600 prompts with 100 KB bodies).
//!
//! `cargo bench --bench heavy_work` (SQLite; PostgreSQL and MariaDB too when
//! `PROMPTVAULT_TEST_POSTGRES_URL` / `PROMPTVAULT_TEST_MYSQL_URL` are set, as for the tests).
//! Prints, per backend, how many probes ran during the load and their p50 / p99 / max.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use promptvault::db::Backend;
use serde_json::{Value, json};

const DIFFS: usize = 4;
const IMPORTS: usize = 4;
const IMPORT_PROMPTS: usize = 600;
const IMPORT_BODY_BYTES: usize = 100_000;

async fn run(backend: Backend) -> Option<String> {
    let app = TestApp::start_with(backend, |c| c.db_max_connections = 10).await?;
    let owner = app.user("owner@example.com").await;
    let (id, small_id) = common::library::huge_reversed_prompt(&owner).await;
    let filler = "word ".repeat(IMPORT_BODY_BYTES / 5);
    let mut files = Vec::new();
    let mut importers = Vec::new();
    for i in 0..IMPORTS {
        importers.push(app.user(&format!("importer{i}@example.com")).await);
        let file: Vec<Value> = (0..IMPORT_PROMPTS)
            .map(|n| json!({ "title": format!("Imported {i}-{n}"), "body": format!("{n} {filler}") }))
            .collect();
        files.push(Value::Array(file).to_string());
    }
    let mb = files.iter().map(String::len).sum::<usize>() as f64 / IMPORTS as f64 / 1_048_576.0;

    let started = Instant::now();
    let mut heavy = tokio::task::JoinSet::new();
    for _ in 0..DIFFS {
        let c = owner.clone();
        let path = format!("/api/prompts/{id}/diff");
        heavy.spawn(async move { c.get(&path).await.0.as_u16() });
    }
    for (c, file) in importers.into_iter().zip(files) {
        heavy.spawn(async move {
            c.post_raw("/api/import-export/import", file, "application/json")
                .await
                .0
                .as_u16()
        });
    }
    let probe = app.client();
    let mut times = Vec::new();
    let mut statuses = Vec::new();
    while !heavy.is_empty() {
        let t = Instant::now();
        let (a, _) = probe.get("/health").await;
        let (b, _) = owner.get(&format!("/api/prompts/{small_id}")).await;
        times.push(t.elapsed());
        assert!(a == 200 && b == 200, "probe answered {a} / {b}");
        tokio::time::sleep(Duration::from_millis(10)).await;
        while let Some(done) = heavy.try_join_next() {
            statuses.push(done.expect("heavy request"));
        }
    }
    let load = started.elapsed();
    app.stop().await;
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Some(format!(
        "heavy_work {:<8} {DIFFS} diffs + {IMPORTS} imports of {mb:.1} MiB (answers {statuses:?}) \
         ran {:.1} s; {} probes (health + read): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        backend.name(),
        load.as_secs_f64(),
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    ))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        if let Some(line) = rt.block_on(run(backend)) {
            println!("{line}");
        }
    }
}
