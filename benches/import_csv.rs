//! Imports a 5,000-row `act,prompt` CSV (the shape of the public "awesome ChatGPT prompts"
//! collection) into a fresh SQLite database and prints the time it takes.
//!
//! Run: `cargo bench --bench import_csv` (add `--profile dev` for a quick unoptimised run).

use std::time::{Duration, Instant};

use promptvault::config::Config;
use promptvault::users::NewUser;

const ROWS: usize = 5_000;
const RUNS: usize = 3;

/// A CSV in the collection's shape: quoted fields with commas, doubled quotes, line breaks.
fn csv() -> String {
    let mut out = String::from("act,prompt,for_devs\n");
    for i in 0..ROWS {
        let body = format!(
            "I want you to act as a {i}th specialist. Reply with \"\"answers\"\", nothing else, \
             and keep each reply short, precise and friendly. Use {{{{topic}}}} as the subject.\n\
             My first request is \"\"Explain item {i}, please\"\". {}",
            "Extra context, with commas. ".repeat(8)
        );
        out.push_str(&format!("\"Specialist {i}\",\"{body}\",FALSE\n"));
    }
    out
}

async fn run_once(data: &[u8]) -> Duration {
    let dir = std::env::temp_dir().join(format!("pv_bench_{}", promptvault::db::new_id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = Config {
        database_url: format!("sqlite://{}/promptvault.db", dir.display()),
        ..Config::default()
    };
    let state = promptvault::app::start(config).await.expect("start");
    let user = promptvault::users::create(
        &state.db,
        promptvault::auth::Admin::operator(),
        &NewUser {
            email: Some("bench@example.com".into()),
            password: Some("password-123".into()),
            ..NewUser::default()
        },
    )
    .await
    .expect("user");
    let started = Instant::now();
    let report = promptvault::importexport::import(&state.db, &user, data.to_vec().into(), true)
        .await
        .expect("import");
    let took = started.elapsed();
    assert_eq!(report.imported, ROWS);
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    took
}

fn main() {
    let data = csv();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| rt.block_on(run_once(data.as_bytes())))
        .collect();
    times.sort();
    println!(
        "import_csv: {ROWS} rows ({:.1} MiB) into SQLite: min {:.3} s, median {:.3} s, max {:.3} s ({RUNS} runs)",
        data.len() as f64 / (1024.0 * 1024.0),
        times[0].as_secs_f64(),
        times[RUNS / 2].as_secs_f64(),
        times[RUNS - 1].as_secs_f64()
    );
}
