//! The binary itself: configuration errors, `config example`, `migrate` (twice at once, and
//! refusing a newer schema), `user …` commands, and `serve` with graceful shutdown.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::TestDb;
use promptvault::db::Backend;

const BIN: &str = env!("CARGO_BIN_EXE_promptvault");

fn pv(db: &TestDb, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env_remove("PROMPTVAULT_ADMIN_EMAIL")
        .env_remove("PROMPTVAULT_ADMIN_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn config_example_and_bad_config() {
    let out = Command::new(BIN)
        .args(["config", "example"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("database_url = \"sqlite://data/promptvault.db\"")
    );

    let out = Command::new(BIN)
        .args(["migrate"])
        .env("DATABASE_URL", "oracle://x/y")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("database_url"),
        "names the setting: {}",
        text(&out)
    );

    let out = Command::new(BIN)
        .args(["migrate"])
        .env("PROMPTVAULT_PORT", "eighty")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(text(&out).contains("PROMPTVAULT_PORT"), "{}", text(&out));

    let out = Command::new(BIN)
        .args([
            "migrate",
            "--database-url",
            "postgres://u:hunter2@127.0.0.1:1/none",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(
        !text(&out).contains("hunter2"),
        "secrets are never printed: {}",
        text(&out)
    );
}

async fn each_backend(f: impl AsyncFn(TestDb)) {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        if let Some(db) = TestDb::create(backend).await {
            f(db).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_safe_twice_at_once_and_refuses_newer_schemas() {
    each_backend(async |db: TestDb| {
        let url = db.url.clone();
        let a = std::thread::spawn({
            let url = url.clone();
            move || Command::new(BIN).args(["migrate"]).env("DATABASE_URL", url).output().expect("runs")
        });
        let b = std::thread::spawn(move || Command::new(BIN).args(["migrate"]).env("DATABASE_URL", url).output().expect("runs"));
        let (a, b) = (a.join().expect("a"), b.join().expect("b"));
        assert!(a.status.success(), "{:?}: {}", db.backend, text(&a));
        assert!(b.status.success(), "{:?}: {}", db.backend, text(&b));
        let again = pv(&db, &["migrate"]);
        assert!(text(&again).contains("up to date"), "{}", text(&again));

        let conn = promptvault::db::connect(&db.url, 1).await.expect("connect");
        let mut tx = conn.write().await.expect("tx");
        promptvault::on!(&mut tx, |c, sql| sqlx::query(sql(
            "INSERT INTO _promptvault_migrations (version, name, appliedAt) VALUES (999, 'future', 'x')"
        ))
        .execute(c)
        .await
        .map(drop))
        .expect("insert");
        tx.commit().await.expect("commit");
        conn.close().await;
        let refused = pv(&db, &["migrate"]);
        assert!(!refused.status.success());
        assert!(text(&refused).contains("newer"), "{}", text(&refused));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_commands() {
    each_backend(async |db: TestDb| {
        let out = pv(
            &db,
            &[
                "user",
                "create",
                "--email",
                "Root@Example.com",
                "--password",
                "password-123",
                "--admin",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let out = pv(
            &db,
            &[
                "user",
                "create",
                "--email",
                "root@example.com",
                "--password",
                "password-123",
            ],
        );
        assert!(!out.status.success(), "duplicate email refused");
        let out = pv(
            &db,
            &["user", "create", "--email", "bad", "--password", "x"],
        );
        assert!(!out.status.success());
        assert!(
            text(&out).contains("email") && text(&out).contains("password"),
            "{}",
            text(&out)
        );
        pv(
            &db,
            &[
                "user",
                "create",
                "--email",
                "u@example.com",
                "--password",
                "password-123",
            ],
        );
        let list = text(&pv(&db, &["user", "list"]));
        assert!(
            list.contains("root@example.com")
                && list.contains("ADMIN")
                && list.contains("2 account(s)"),
            "{list}"
        );
        assert!(!list.contains("$argon2"));
        let out = pv(
            &db,
            &[
                "user",
                "set-role",
                "--email",
                "root@example.com",
                "--role",
                "USER",
            ],
        );
        assert!(
            !out.status.success(),
            "the last admin cannot be demoted: {}",
            text(&out)
        );
        let out = pv(
            &db,
            &[
                "user",
                "set-role",
                "--email",
                "u@example.com",
                "--role",
                "ADMIN",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let out = pv(
            &db,
            &[
                "user",
                "set-password",
                "--email",
                "u@example.com",
                "--password",
                "another-pass-1",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let conn = promptvault::db::connect(&db.url, 1).await.expect("connect");
        let user = promptvault::users::authenticate(&conn, "u@example.com", "another-pass-1").await;
        assert!(user.is_ok_and(|u| u.role == promptvault::users::Role::Admin));
        conn.close().await;
    })
    .await;
}

#[test]
fn serve_answers_health_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("pv-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    // The default database path, relative to the working directory: data/promptvault.db.
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env_remove("PROMPTVAULT_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server says where it listens")
            .expect("line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("addr").to_string();
        }
    };
    let health = std::net::TcpStream::connect(&addr).and_then(|mut s| {
        use std::io::{Read, Write};
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        Ok(buf)
    });
    let health = health.expect("health answered");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "serves within seconds"
    );
    assert!(
        dir.join("data/promptvault.db").exists(),
        "default database created"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Debian package's configuration file: valid, every setting of the example present, data
/// in /var/lib/promptvault, serving 127.0.0.1:3000.
#[test]
fn the_packaged_configuration_is_valid() {
    use promptvault::config::{Config, EXAMPLE, Layer};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/debian/promptvault.toml"
    );
    let layer = Layer::from_file(std::path::Path::new(path)).expect("parses");
    let c = Config::default()
        .apply(layer)
        .and_then(Config::validate)
        .expect("valid");
    assert_eq!(
        c.database_url,
        "sqlite:///var/lib/promptvault/promptvault.db"
    );
    assert_eq!(
        c.backup_dir,
        std::path::PathBuf::from("/var/lib/promptvault/backups")
    );
    assert_eq!(c.listen_addr().to_string(), "127.0.0.1:3000");
    let packaged = std::fs::read_to_string(path).expect("read");
    let key = |l: &str| {
        l.trim_start_matches("# ")
            .split_once(" = ")
            .map(|(k, _)| k.to_string())
    };
    for setting in EXAMPLE.lines().filter_map(key) {
        assert!(
            packaged.lines().filter_map(key).any(|k| k == setting),
            "{setting} is missing from the packaged configuration"
        );
    }
}
