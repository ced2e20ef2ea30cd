//! Three instances behind a real HAProxy on one PostgreSQL and one MariaDB database, under
//! mixed reads and writes: steady load fails nothing; one instance SIGKILLed mid-load loses no
//! acknowledged write; a rolling restart (SIGTERM, drain, start again, one instance at a time)
//! fails no request at all. Each phase lasts `PROMPTVAULT_TEST_BALANCER_SECS` (default 3).
//!
//! Needs `haproxy` (Debian package; CI installs it). Without it the test fails when
//! `PROMPTVAULT_TEST_REQUIRE_ALL=1`, else it says so and passes.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestDb;
use serde_json::{Value, json};

use super::instances::{Instance, temp_dir};

const WORKERS: usize = 8;

fn phase_secs() -> u64 {
    std::env::var("PROMPTVAULT_TEST_BALANCER_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// HAProxy in the foreground, checking `/ready` every 300 ms.
pub struct Balancer {
    child: Child,
    pub base: String,
    dir: std::path::PathBuf,
}

impl Balancer {
    /// `None` when haproxy is not installed (and not required).
    pub fn start(servers: &[u16]) -> Option<Balancer> {
        Self::start_with(servers, None)
    }

    /// Like [`Balancer::start`], terminating TLS with `tls` (a PEM file holding the server's
    /// certificate chain and key): `base` is then `https://localhost:PORT`.
    pub fn start_with(servers: &[u16], tls: Option<&std::path::Path>) -> Option<Balancer> {
        if Command::new("haproxy").arg("-v").output().is_err() {
            if std::env::var("PROMPTVAULT_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("the balancer test needs haproxy (apt-get install haproxy)");
            }
            eprintln!("haproxy is not installed: the balancer test did not run");
            return None;
        }
        let port = free_port();
        let dir = temp_dir("pvhaproxy");
        let ssl = tls.map_or(String::new(), |pem| format!(" ssl crt {}", pem.display()));
        let mut config = format!(
            "global\n  maxconn 2000\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\
             \x20 retries 3\n  option redispatch\n  retry-on conn-failure\n\
             frontend web\n  bind 127.0.0.1:{port}{ssl}\n  default_backend promptvault\n\
             backend promptvault\n  balance roundrobin\n  option httpchk GET /ready\n\
             \x20 default-server inter 300ms fall 1 rise 2\n"
        );
        for (i, p) in servers.iter().enumerate() {
            config.push_str(&format!("  server web{i} 127.0.0.1:{p} check\n"));
        }
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).expect("config");
        let child = Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts");
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "haproxy does not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Balancer {
            child,
            base: match tls {
                Some(_) => format!("https://localhost:{port}"),
                None => format!("http://127.0.0.1:{port}"),
            },
            dir,
        })
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    errors: Mutex<Vec<String>>,
    /// Prompts whose creation was acknowledged (201).
    acked: Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let mut e = self.errors.lock().expect("errors");
        if e.len() < 20 {
            e.push(what);
        }
    }

    fn reset(&self) -> (u64, u64, Vec<String>) {
        (
            self.ok.swap(0, Ordering::Relaxed),
            self.failed.swap(0, Ordering::Relaxed),
            std::mem::take(&mut *self.errors.lock().expect("errors")),
        )
    }
}

/// Mixed load through the balancer until `stop`: create a prompt, read one acknowledged
/// before, list the newest.
fn load(
    base: &str,
    token: &str,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..WORKERS)
        .map(|w| {
            let (base, token, stop, tally) = (
                base.to_string(),
                token.to_string(),
                stop.clone(),
                tally.clone(),
            );
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .expect("client");
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let create = http
                        .post(format!("{base}/api/prompts"))
                        .bearer_auth(&token)
                        .json(&json!({ "title": format!("w{w} n{i}"), "body": "Load {{topic}}" }))
                        .send()
                        .await;
                    match create {
                        Ok(r) if r.status() == 201 => match r.json::<Value>().await {
                            Ok(v) => {
                                let id = v["id"].as_str().unwrap_or_default().to_string();
                                tally.acked.lock().expect("acked").push(id);
                                tally.ok.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => tally.fail(format!("create body: {e}")),
                        },
                        Ok(r) => tally.fail(format!("create: {}", r.status())),
                        Err(e) => tally.fail(format!("create: {e}")),
                    }
                    let id = {
                        let acked = tally.acked.lock().expect("acked");
                        acked
                            .get((i as usize * 7919 + w) % acked.len().max(1))
                            .cloned()
                    };
                    for path in id
                        .map(|id| format!("/api/prompts/{id}"))
                        .into_iter()
                        .chain([String::from("/api/prompts?limit=5")])
                    {
                        match http
                            .get(format!("{base}{path}"))
                            .bearer_auth(&token)
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == 200 => {
                                tally.ok.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(r) => tally.fail(format!("GET {path}: {}", r.status())),
                            Err(e) => tally.fail(format!("GET {path}: {e}")),
                        }
                    }
                }
            })
        })
        .collect()
}

async fn wait_ready(inst: &Instance) {
    let until = Instant::now() + Duration::from_secs(30);
    while !matches!(inst.ready().await, Some((200, _))) {
        assert!(
            Instant::now() < until,
            "{} never ready:\n{}",
            inst.name,
            inst.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn three_instances_behind_haproxy(db: TestDb) {
    let env = [("PROMPTVAULT_SHUTDOWN_DRAIN_SECS", "2")];
    let mut nodes: Vec<Instance> = (0..3)
        .map(|i| Instance::start(&format!("web{i}"), &db.url, &env))
        .collect();
    let ports: Vec<u16> = nodes
        .iter()
        .map(|n| {
            n.addr
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("port")
        })
        .collect();
    let Some(lb) = Balancer::start(&ports) else {
        return;
    };
    for n in &nodes {
        wait_ready(n).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let setup = common::Client::new(&lb.base);
    let (s, b) = setup
        .post(
            "/api/auth/register",
            &json!({ "email": "load@example.com", "password": "password-123", "name": "L" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, t) = setup
        .post("/api/auth/tokens", &json!({ "name": "load" }))
        .await;
    assert_eq!(s, 201, "{t}");
    let token = t["token"].as_str().expect("token").to_string();

    let secs = phase_secs();
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let workers = load(&lb.base, &token, stop.clone(), tally.clone());

    // 1. Steady load.
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (ok, failed, errors) = tally.reset();
    eprintln!(
        "{:?} steady: {ok} ok, {failed} failed in {secs} s",
        db.backend
    );
    assert_eq!(failed, 0, "steady load failed requests: {errors:?}");
    assert!(ok > 0);

    // 2. One instance dies mid-load: requests in flight on it may fail, nothing acknowledged
    //    may be lost; then it comes back on its port.
    nodes[0].kill();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (ok, failed, errors) = tally.reset();
    eprintln!(
        "{:?} SIGKILL: {ok} ok, {failed} failed ({errors:?})",
        db.backend
    );
    nodes[0] = Instance::start_on("web0", &db.url, ports[0], &env);
    wait_ready(&nodes[0]).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let _ = tally.reset();

    // 3. Rolling restart: not one request fails.
    let started = Instant::now();
    for i in 0..3 {
        nodes[i].signal("-TERM");
        let status = nodes[i].wait_exit(Duration::from_secs(30));
        assert!(status.success(), "{status:?}\n{}", nodes[i].log());
        nodes[i] = Instance::start_on(&format!("web{i}"), &db.url, ports[i], &env);
        wait_ready(&nodes[i]).await;
        // HAProxy takes it back after two good checks.
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    let (ok, failed, errors) = tally.reset();
    eprintln!(
        "{:?} rolling restart: {ok} ok, {failed} failed in {:.1} s",
        db.backend,
        started.elapsed().as_secs_f64()
    );
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    assert_eq!(failed, 0, "the rolling restart failed requests: {errors:?}");

    // Every acknowledged write is there.
    let acked = tally.acked.lock().expect("acked").clone();
    let reader = common::Client::with_token(&lb.base, &token);
    let mut missing = Vec::new();
    for id in &acked {
        let (s, _) = reader.get(&format!("/api/prompts/{id}")).await;
        if s != 200 {
            missing.push((id.clone(), s));
        }
    }
    assert!(missing.is_empty(), "acknowledged writes lost: {missing:?}");
    eprintln!(
        "{:?}: {} acknowledged writes, all readable",
        db.backend,
        acked.len()
    );
    drop(lb);
    for n in &mut nodes {
        n.kill();
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_instances_behind_haproxy() {
        if let Some(db) = super::TestDb::create(promptvault::db::Backend::Postgres).await {
            super::three_instances_behind_haproxy(db).await
        }
    }
}

mod mysql {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_instances_behind_haproxy() {
        if let Some(db) = super::TestDb::create(promptvault::db::Backend::MySql).await {
            super::three_instances_behind_haproxy(db).await
        }
    }
}
