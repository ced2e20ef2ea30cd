//! "My prompts" page load with 10,000 prompts on SQLite: `cargo bench --bench my_prompts`.
//!
//! Fills one account with `PROMPTVAULT_BENCH_PROMPTS` prompts (default 10000), each with a
//! version and two of 20 tags, a fifth of them rated, then loads the HTML page
//! (`GET /prompts`, 24 cards with tags, ratings and version counts) the way a browser does and
//! prints p50/p99 per variant. The target is under 100 ms.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use common::pages::register;
use promptvault::db::{self, Backend};
use promptvault::on;

async fn fill(app: &TestApp, owner: &str, n: usize) {
    let started = Instant::now();
    let mut tx = app.state.db.write().await.expect("tx");
    let mut tags = Vec::new();
    for i in 0..20 {
        let id = db::new_id();
        on!(&mut tx, |conn, sql| sqlx::query(sql(
            "INSERT INTO \"Tag\" (\"id\", \"name\") VALUES (?, ?)"
        ))
        .bind(&id)
        .bind(format!("tag{i}"))
        .execute(conn)
        .await
        .map(drop))
        .expect("tag");
        tags.push(id);
    }
    tx.commit().await.expect("commit");
    let base = db::now() - chrono::Duration::days(400);
    for start in (0..n).step_by(1000) {
        let mut tx = app.state.db.write().await.expect("tx");
        for i in start..(start + 1000).min(n) {
            let id = db::new_id();
            let when = base + chrono::Duration::minutes(i as i64 * 50);
            let title = format!("Prompt number {i} about topic {}", i % 97);
            let body = format!(
                "You are an assistant. Task {i}: write about {{{{topic}}}} for {{{{audience}}}}.\n\
                 Keep it under {} words and use a {} tone.\nEnd with a summary.",
                100 + i % 400,
                ["friendly", "formal", "playful"][i % 3]
            );
            on!(&mut tx, |conn, sql| sqlx::query(sql(
                "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"variables\", \"visibility\", \"userId\", \"createdAt\", \"updatedAt\") \
                 VALUES (?, ?, ?, ?, 'PRIVATE', ?, ?, ?)"
            ))
            .bind(&id)
            .bind(&title)
            .bind(&body)
            .bind("[{\"name\":\"topic\"},{\"name\":\"audience\"}]")
            .bind(owner)
            .bind(when)
            .bind(when)
            .execute(conn)
            .await
            .map(drop))
            .expect("prompt");
            on!(&mut tx, |conn, sql| sqlx::query(sql(
                "INSERT INTO \"PromptVersion\" (\"id\", \"promptId\", \"version\", \"title\", \"body\", \"authorId\", \"createdAt\") \
                 VALUES (?, ?, 1, ?, ?, ?, ?)"
            ))
            .bind(db::new_id())
            .bind(&id)
            .bind(&title)
            .bind(&body)
            .bind(owner)
            .bind(when)
            .execute(conn)
            .await
            .map(drop))
            .expect("version");
            let mut picked = vec![i % 20, (i * 7 + 3) % 20];
            picked.dedup();
            for t in picked {
                on!(&mut tx, |conn, sql| sqlx::query(sql(
                    "INSERT INTO \"PromptTag\" (\"promptId\", \"tagId\") VALUES (?, ?)"
                ))
                .bind(&id)
                .bind(&tags[t])
                .execute(conn)
                .await
                .map(drop))
                .expect("tag link");
            }
            if i % 5 == 0 {
                on!(&mut tx, |conn, sql| sqlx::query(sql(
                    "INSERT INTO \"Rating\" (\"id\", \"userId\", \"promptId\", \"value\", \"createdAt\", \"updatedAt\") \
                     VALUES (?, ?, ?, ?, ?, ?)"
                ))
                .bind(db::new_id())
                .bind(owner)
                .bind(&id)
                .bind((i % 5 + 1) as i32)
                .bind(when)
                .bind(when)
                .execute(conn)
                .await
                .map(drop))
                .expect("rating");
            }
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("PROMPTVAULT_BENCH_PROMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let app = TestApp::start(Backend::Sqlite).await.expect("sqlite");
    let c = app.client();
    register(&c, "bench@example.com", "Bench").await;
    let owner = promptvault::users::by_email(&app.state.db, "bench@example.com")
        .await
        .expect("lookup")
        .expect("owner")
        .id;
    println!("My prompts page, SQLite, {n} prompts of one user:");
    fill(&app, &owner, n).await;
    for (label, path) in [
        ("first page, newest first", "/prompts"),
        ("table view", "/prompts?view=table"),
        ("sorted by rating", "/prompts?sort=rating"),
        ("filtered by a tag", "/prompts?tag=tag3"),
        ("page 200", "/prompts?page=200"),
        ("title sort", "/prompts?sort=title"),
    ] {
        let first = c.page(path).await;
        assert_eq!(first.status, 200, "{path}");
        assert!(
            first.body.contains("pcard") || first.body.contains("ptable"),
            "{path} lists prompts"
        );
        let mut times = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let r = c.page(path).await;
            times.push(t.elapsed());
            assert_eq!(r.status, 200);
        }
        times.sort();
        println!(
            "  {label:<26} p50 {:>6.1} ms   p99 {:>6.1} ms   ({} bytes of HTML)",
            pct(&times, 0.5),
            pct(&times, 0.99),
            first.body.len()
        );
    }
    app.stop().await;
}
