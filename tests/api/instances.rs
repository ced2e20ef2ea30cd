//! Several instances of the real binary on one PostgreSQL or MariaDB database: the scheduled
//! backup is taken by the elected leader only (each tick once), another instance takes the
//! schedule over within seconds after the leader is SIGKILLed, the login limit counts failures
//! made through any instance (and survives an instance's death), and on SIGTERM an instance
//! turns not-ready, stops taking connections and still finishes the request in flight. A leader
//! whose lock session the database ends steps down, and one leader is elected again.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Client, TestDb};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_promptvault");
pub const METRICS_TOKEN: &str = "metrics-token-0123456789";

/// One `promptvault serve` process on a free port.
pub struct Instance {
    pub name: String,
    pub child: Child,
    pub addr: String,
    pub base: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    /// Starts an instance and waits until it listens.
    pub fn start(name: &str, url: &str, env: &[(&str, &str)]) -> Instance {
        Self::start_on(name, url, 0, env)
    }

    pub fn start_on(name: &str, url: &str, port: u16, env: &[(&str, &str)]) -> Instance {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", &port.to_string(), "--database-url", url])
            .envs(env.iter().copied())
            .env("PROMPTVAULT_INSTANCE", name)
            .env("PROMPTVAULT_METRICS_TOKEN", METRICS_TOKEN)
            .env_remove("DATABASE_URL")
            .env_remove("PROMPTVAULT_ADMIN_EMAIL")
            .env_remove("PROMPTVAULT_ADMIN_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn promptvault");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                lines.lock().expect("log").push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "instance {name} did not start:\n{}",
                    log.lock().expect("log").join("\n")
                );
            }
        };
        Instance {
            name: name.to_string(),
            child,
            base: format!("http://{addr}"),
            addr,
            log,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// `/ready`'s status and body, or `None` when nothing answers.
    pub async fn ready(&self) -> Option<(u16, Value)> {
        let resp = reqwest::Client::new()
            .get(format!("{}/ready", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        let status = resp.status().as_u16();
        Some((status, resp.json().await.unwrap_or(Value::Null)))
    }

    pub async fn is_leader(&self) -> bool {
        matches!(self.ready().await, Some((200, v)) if v["leader"] == true)
    }

    /// The value of one series of `/metrics` (written without the instance label).
    pub async fn metric(&self, series: &str) -> Option<f64> {
        let text = reqwest::Client::new()
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        common::without_instance(&text).lines().find_map(|l| {
            l.strip_prefix(series)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
    }

    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(ok.success(), "kill {signal} {}", self.name);
    }

    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let until = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > until {
                self.kill();
                panic!(
                    "instance {} did not exit within {within:?}:\n{}",
                    self.name,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}_{}", &promptvault::db::new_id()[1..11]));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn backup_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("promptvault_") && !n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The instances that say they lead, waiting up to `within` until exactly one does.
async fn the_leader(all: &[&Instance], within: Duration) -> usize {
    let until = Instant::now() + within;
    loop {
        let mut leaders = Vec::new();
        for (i, inst) in all.iter().enumerate() {
            if inst.is_leader().await {
                leaders.push(i);
            }
        }
        assert!(leaders.len() <= 1, "two leaders at once: {leaders:?}");
        if let [one] = leaders[..] {
            return one;
        }
        assert!(
            Instant::now() < until,
            "no leader within {within:?}:\n{}",
            all.iter()
                .map(|i| i.log())
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const OK: &str = "promptvault_backups_total{result=\"ok\"}";
const FAILED: &str = "promptvault_backups_total{result=\"failed\"}";

async fn scheduled_backups_run_once_and_fail_over(db: TestDb) {
    let dir = temp_dir("pvinst_backups");
    let dir_text = dir.display().to_string();
    let env = [
        ("PROMPTVAULT_BACKUP_DIR", dir_text.as_str()),
        ("PROMPTVAULT_BACKUP_INTERVAL_SECS", "2"),
    ];
    // Three instances start at once on an empty database: they migrate it together too.
    let starts: Vec<_> = (0..3)
        .map(|i| {
            let url = db.url.clone();
            let env: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            std::thread::spawn(move || {
                let env: Vec<(&str, &str)> =
                    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                Instance::start(&format!("node{i}"), &url, &env)
            })
        })
        .collect();
    let mut all: Vec<Instance> = starts
        .into_iter()
        .map(|h| h.join().expect("started"))
        .collect();
    let refs: Vec<&Instance> = all.iter().collect();
    let leader = the_leader(&refs, Duration::from_secs(15)).await;

    // Let the schedule tick a few times.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let mut taken = 0.0;
    for (i, inst) in all.iter().enumerate() {
        let ok = inst.metric(OK).await.expect("backups_total");
        assert_eq!(inst.metric(FAILED).await, Some(0.0), "{}", inst.log());
        if i == leader {
            assert!(
                ok >= 2.0,
                "the leader backs up every 2 s: {ok}\n{}",
                inst.log()
            );
        } else {
            assert_eq!(
                ok,
                0.0,
                "a follower took a scheduled backup:\n{}",
                inst.log()
            );
        }
        taken += ok;
    }
    // One file per tick: no tick was taken twice (file names carry the second).
    let files = backup_files(&dir);
    assert_eq!(files.len() as f64, taken, "{files:?}");

    // The leader dies: another instance takes the schedule over within seconds.
    let killed_at = Instant::now();
    all[leader].kill();
    let survivors: Vec<&Instance> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leader)
        .map(|(_, inst)| inst)
        .collect();
    let next = the_leader(&survivors, Duration::from_secs(15)).await;
    let failover = killed_at.elapsed();
    eprintln!(
        "{:?}: leader failover after SIGKILL took {:.1} s",
        db.backend,
        failover.as_secs_f64()
    );
    assert!(failover < Duration::from_secs(10), "{failover:?}");
    let until = Instant::now() + Duration::from_secs(15);
    while survivors[next].metric(OK).await.unwrap_or(0.0) < 1.0 {
        assert!(
            Instant::now() < until,
            "the new leader takes no backup:\n{}",
            survivors[next].log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let other = survivors[1 - next];
    assert_eq!(other.metric(OK).await, Some(0.0), "{}", other.log());
    drop(survivors);
    for inst in &mut all {
        inst.kill();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The database ends the leader's lock session (a server restart, a network cut, an
/// administrator's kill): the leader notices within seconds and stops leading, and one leader
/// is elected again.
async fn a_leader_whose_lock_session_ends_steps_down(db: TestDb) {
    let all = [
        Instance::start("x", &db.url, &[]),
        Instance::start("y", &db.url, &[]),
    ];
    let refs: Vec<&Instance> = all.iter().collect();
    let first = the_leader(&refs, Duration::from_secs(15)).await;
    let conn = promptvault::db::connect(&db.url, 1).await.expect("connect");
    let killed = match &conn {
        promptvault::db::Db::Postgres(p) => sqlx::query_scalar::<_, bool>(
            "SELECT pg_terminate_backend(pid) FROM pg_locks \
                 WHERE locktype = 'advisory' AND objid = 727365002 AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(p)
        .await
        .expect("terminate"),
        promptvault::db::Db::MySql(p) => {
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT IS_USED_LOCK(CONCAT('promptvault_leader:', LEFT(DATABASE(), 40)))",
            )
            .fetch_one(p)
            .await
            .expect("lock holder");
            let id = id.expect("the lock is held");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("KILL {id}")))
                .execute(p)
                .await
                .expect("kill");
            true
        }
        promptvault::db::Db::Sqlite(..) => unreachable!("SQLite has no election"),
    };
    assert!(killed);
    conn.close().await;
    // The old leader notices at its next check and steps down; then one leader again (either).
    let until = Instant::now() + Duration::from_secs(10);
    while !all[first].log().contains("leading no more") {
        assert!(
            Instant::now() < until,
            "the leader did not notice:\n{}",
            all[first].log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    the_leader(&refs, Duration::from_secs(15)).await;
}

async fn login_limit_holds_across_instances(db: TestDb) {
    let env = [("PROMPTVAULT_LOGIN_MAX_FAILURES", "3")];
    let mut a = Instance::start("a", &db.url, &env);
    let b = Instance::start("b", &db.url, &env);
    let creds = json!({ "email": "limit@example.com", "password": "password-123", "name": "L" });
    let (s, body) = a.client().post("/api/auth/register", &creds).await;
    assert_eq!(s, 201, "{body}");
    let wrong = json!({ "email": "LIMIT@example.com", "password": "wrong-password" });
    for inst in [&a, &b, &a] {
        let (s, body) = inst.client().post("/api/auth/login", &wrong).await;
        assert_eq!(s, 401, "{}: {body}", inst.name);
    }
    // The fourth attempt, on the other instance, counts the three made through both.
    let (s, body) = b.client().post("/api/auth/login", &wrong).await;
    assert_eq!(s, 429, "{body}");
    let (s, _) = b.client().post("/api/auth/login", &creds).await;
    assert_eq!(s, 429, "locked even with the right password");
    // The count lives in the database: an instance's death forgets nothing.
    a.kill();
    let (s, _) = b.client().post("/api/auth/login", &creds).await;
    assert_eq!(s, 429);
    let c = Instance::start("c", &db.url, &env);
    let (s, _) = c.client().post("/api/auth/login", &creds).await;
    assert_eq!(s, 429, "a new instance sees the lock too");
    // Another account from the same address is not locked out.
    let other = json!({ "email": "other@example.com", "password": "password-123", "name": "O" });
    let (s, body) = c.client().post("/api/auth/register", &other).await;
    assert_eq!(s, 201, "{body}");
    let (s, body) = b.client().post("/api/auth/login", &other).await;
    assert_eq!(s, 200, "{body}");
}

async fn sigterm_drains_and_finishes_in_flight_requests(db: TestDb) {
    let mut inst = Instance::start(
        "drain",
        &db.url,
        &[("PROMPTVAULT_SHUTDOWN_DRAIN_SECS", "2")],
    );
    let (s, body) = inst.ready().await.expect("ready answers");
    assert_eq!(
        (s, &body["ready"], &body["instance"]),
        (200, &json!(true), &json!("drain"))
    );
    // `promptvault health` (the container's HEALTHCHECK) asks the server on the given port.
    let port = inst.addr.rsplit(':').next().expect("port").to_string();
    let health = |args: &[&str]| {
        Command::new(BIN)
            .args(["health", "--port", &port])
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("health runs")
    };
    let out = health(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(health(&["--ready"]).status.success());
    // A request in flight: headers and half of the body sent.
    let payload =
        json!({ "email": "slow@example.com", "password": "password-123", "name": "S" }).to_string();
    let mut stream = std::net::TcpStream::connect(&inst.addr).expect("connect");
    write!(
        stream,
        "POST /api/auth/register HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{}",
        inst.addr,
        payload.len(),
        &payload[..10]
    )
    .expect("send half");
    std::thread::sleep(Duration::from_millis(300));
    inst.signal("-TERM");
    // Draining: still serving, but not ready.
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        match inst.ready().await {
            Some((503, body)) => {
                assert_eq!(body["reason"], "draining", "{body}");
                break;
            }
            Some((200, _)) if Instant::now() < until => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => panic!("expected 503 while draining, got {other:?}\n{}", inst.log()),
        }
    }
    let (s, _) = inst.client().get("/health").await;
    assert_eq!(s, 200, "other requests are still served while draining");
    // After the drain the listener closes; the request in flight still completes.
    let until = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(&inst.addr).is_ok() {
        assert!(Instant::now() < until, "still taking connections");
        std::thread::sleep(Duration::from_millis(100));
    }
    stream
        .write_all(&payload.as_bytes()[10..])
        .expect("send the rest");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    let status = inst.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}\n{}", inst.log());
    let out = health(&[]);
    assert!(!out.status.success(), "nothing listens any more");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no server answers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

macro_rules! per_backend {
    ($backend:ident: $($name:ident),*) => {
        mod $backend {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let backend = match stringify!($backend) {
                    "postgres" => promptvault::db::Backend::Postgres,
                    "mysql" => promptvault::db::Backend::MySql,
                    _ => promptvault::db::Backend::Sqlite,
                };
                if let Some(db) = super::TestDb::create(backend).await {
                    super::$name(db).await
                }
            } )*
        }
    };
}

per_backend!(postgres: scheduled_backups_run_once_and_fail_over, a_leader_whose_lock_session_ends_steps_down, login_limit_holds_across_instances, sigterm_drains_and_finishes_in_flight_requests);
per_backend!(mysql: scheduled_backups_run_once_and_fail_over, a_leader_whose_lock_session_ends_steps_down, login_limit_holds_across_instances, sigterm_drains_and_finishes_in_flight_requests);
per_backend!(sqlite: sigterm_drains_and_finishes_in_flight_requests);
