//! Adopting a PromptVault 1.x SQLite database: the server starts on it, converts it in place
//! after a backup copy, users sign in with their old passwords, the guide's queries count the
//! same, share ids and timestamps survive.

use crate::common;
use crate::opsdata;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use common::TestApp;
use promptvault::db::Backend;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

async fn raw(path: &Path) -> SqliteConnection {
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    SqliteConnection::connect_with(&opts).await.expect("open")
}

async fn counts(path: &Path) -> Vec<i64> {
    let mut c = raw(path).await;
    let mut out = Vec::new();
    for q in opsdata::GUIDE_COUNTS {
        let n: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(*q))
            .fetch_one(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        out.push(n.unwrap_or(0));
    }
    c.close().await.expect("close");
    out
}

async fn scalar(path: &Path, q: &'static str) -> i64 {
    let mut c = raw(path).await;
    let n: i64 = sqlx::query_scalar(q).fetch_one(&mut c).await.expect(q);
    c.close().await.expect("close");
    n
}

fn backups_next_to(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().expect("dir");
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with(&format!("{name}.1x-backup-"))
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1x_database_is_adopted_in_place() {
    let dir = std::env::temp_dir().join(format!("pvadopt_{}", &promptvault::db::new_id()[1..10]));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("promptvault.db");
    opsdata::build_legacy(&file).await;
    let before = counts(&file).await;
    assert!(
        before.iter().all(|n| *n > 0),
        "the fixture has rows for every query: {before:?}"
    );
    let dev_before = scalar(
        &file,
        "SELECT COUNT(*) FROM User WHERE team = 'clx1team0dev000000000000a'",
    )
    .await;
    assert_eq!(dev_before, 2);
    let fts_before = scalar(&file, "SELECT COUNT(*) FROM PromptSearch").await;
    assert_eq!(fts_before, 24, "the 1.x triggers filled its search table");

    let url = format!("sqlite://{}", file.display());
    let app = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url.clone())
        .await
        .expect("server starts on the 1.x database");

    // A backup copy was taken first, and it is the untouched 1.x database.
    let copies = backups_next_to(&file);
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(counts(&copies[0]).await, before);
    assert_eq!(
        scalar(&copies[0], "SELECT COUNT(*) FROM _prisma_migrations").await,
        3
    );

    // The guide's queries count the same, except that each prompt whose newest 1.x version
    // differs from its current text gets one more version holding that text.
    let after = counts(&file).await;
    let n = before.len() - 1;
    assert_eq!(after[..n], before[..n]);
    assert_eq!(
        after[n],
        before[n] + before[2],
        "one current-text version per prompt"
    );
    // User.team now holds the team's name.
    assert_eq!(
        scalar(
            &file,
            "SELECT COUNT(*) FROM User WHERE team = 'development'"
        )
        .await,
        dev_before
    );
    assert_eq!(scalar(&file, "SELECT COUNT(*) FROM UserTeam").await, 3);
    assert_eq!(
        scalar(
            &file,
            "SELECT COUNT(*) FROM Prompt WHERE publicShareId LIKE 'shr%' AND isPubliclyShared = 1"
        )
        .await,
        5,
        "share ids are kept"
    );
    // The legacy search table (pid column) and its triggers are gone.
    assert_eq!(
        scalar(
            &file,
            "SELECT COUNT(*) FROM pragma_table_info('PromptSearch') WHERE name = 'pid'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &file,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%pid%'"
        )
        .await,
        0,
        "the 1.x search triggers are replaced by ours"
    );
    // Our search index covers every adopted prompt, and the guide's FTS query works.
    assert_eq!(
        scalar(&file, "SELECT COUNT(*) FROM PromptSearch").await,
        scalar(&file, "SELECT COUNT(*) FROM Prompt").await
    );
    assert_eq!(
        scalar(
            &file,
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '\\_v1\\_%' ESCAPE '\\'"
        )
        .await,
        0
    );
    // Prisma's Unix milliseconds became real timestamps; ISO text ones too.
    {
        let mut c = raw(&file).await;
        let created: DateTime<Utc> = sqlx::query_scalar(
            "SELECT createdAt FROM Prompt WHERE id = 'clx1prompt000000000000000'",
        )
        .fetch_one(&mut c)
        .await
        .expect("prompt");
        assert_eq!(promptvault::db::iso(&created), "2024-05-29T16:26:40.123Z");
        let user: DateTime<Utc> =
            sqlx::query_scalar("SELECT createdAt FROM User WHERE email = 'loner@example.com'")
                .fetch_one(&mut c)
                .await
                .expect("user");
        assert_eq!(promptvault::db::iso(&user), "2024-05-01T10:00:00.250Z");
        let allow: bool = sqlx::query_scalar("SELECT allowRegistration FROM Settings WHERE id = 1")
            .fetch_one(&mut c)
            .await
            .expect("settings");
        assert!(!allow, "the 1.x registration setting is kept");
        c.close().await.expect("close");
    }
    let report = promptvault::ops::check::check(&app.state.db)
        .await
        .expect("check");
    assert!(report.ok(), "{report:?}");

    // Everyone signs in with their 1.x password; the bcrypt hash becomes argon2id.
    for (email, password, role) in opsdata::LEGACY_USERS {
        let c = app.client();
        let (s, me) = c
            .post(
                "/api/auth/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(s, 200, "{email}: {me}");
        assert_eq!(me["role"], *role);
        let (s, _) = c
            .post(
                "/api/auth/login",
                &json!({ "email": email, "password": "wrong-password" }),
            )
            .await;
        assert_eq!(s, 401);
    }
    assert_eq!(
        scalar(&file, "SELECT COUNT(*) FROM User WHERE password LIKE '$2%'").await,
        0
    );
    let (s, me) = {
        let c = app.client();
        c.post(
            "/api/auth/login",
            &json!({ "email": "dev1@example.com", "password": "dev-one-password" }),
        )
        .await
    };
    assert_eq!(s, 200, "argon2id hash verifies: {me}");
    assert_eq!(me["team"], "development");
    app.stop().await;

    // A second start does not adopt again.
    let app = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url.clone())
        .await
        .expect("restart");
    assert_eq!(backups_next_to(&file).len(), 1);
    assert_eq!(counts(&file).await, after);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn fresh_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pv{tag}_{}", &promptvault::db::new_id()[1..10]));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn bytes_of(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

async fn login(app: &TestApp, email: &str, password: &str) -> common::client::Client {
    let c = app.client();
    let (s, me) = c
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(s, 200, "{email} signs in with the 1.x password: {me}");
    c
}

/// The file made by running 1.x itself (pushed shape, ISO timestamps): dry run changes no byte,
/// then the server adopts it at start and everything is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_file_made_by_1x_is_adopted() {
    let dir = fresh_dir("sample");
    let file = dir.join("promptvault.db");
    std::fs::copy("../shared/fixtures/promptvault-1x.db", &file).expect("copy the sample");
    let original = bytes_of(&file);
    let dry = promptvault::ops::adopt::adopt_file(&file, true)
        .await
        .expect("dry run")
        .expect("a 1.x file");
    assert!(dry.to_string().contains("admin123"), "{dry}");
    assert_eq!(bytes_of(&file), original, "--dry-run changes no byte");
    assert!(backups_next_to(&file).is_empty());

    let url = format!("sqlite://{}", file.display());
    let app = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url.clone())
        .await
        .expect("server starts on the 1.x file");
    let copies = backups_next_to(&file);
    assert_eq!(copies.len(), 1);
    assert_eq!(
        scalar(&copies[0], "SELECT COUNT(*) FROM PromptVersion").await,
        7,
        "the backup is the 1.x file as it was"
    );

    let ann = login(&app, "ann@example.com", "ann-password-1").await;
    let (s, p) = ann.get("/api/prompts/cmwynecfu0003cx7dsycx1abd").await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["title"], "Ann prompt 1 (edited twice)");
    assert_eq!(p["versions"].as_array().map(Vec::len), Some(3));
    assert_eq!(p["versions"][0]["version"], 3, "newest first: {p}");
    assert_eq!(p["createdAt"], "2026-11-27T07:16:35.321Z");
    assert_eq!(p["myRating"], 4);
    let (s, shared) = app.client().get("/api/share/public/share_zm0lljtcg").await;
    assert_eq!(s, 200, "share links keep working: {shared}");
    let (s, list) = ann.get("/api/prompts?limit=50").await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(5), "{list}");
    let (s, hits) = ann.get("/api/search?q=topic").await;
    assert_eq!(s, 200, "{hits}");
    assert!(
        hits.to_string().contains("cmwynecfu0003cx7dsycx1abd"),
        "{hits}"
    );
    let admin = login(&app, "admin@promptvault.local", "admin123").await;
    let (s, me) = admin.get("/api/auth/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["user"]["team"].as_str(), Some("development"));
    let page = |c: &common::client::Client| {
        let r = c.request(reqwest::Method::GET, "/admin");
        async move {
            r.send()
                .await
                .expect("admin page")
                .text()
                .await
                .expect("html")
        }
    };
    assert!(
        page(&admin).await.contains("still accepts PromptVault 1.x"),
        "the admin page warns about admin123"
    );
    let (s, e) = admin
        .put(
            "/api/auth/profile",
            &json!({ "password": "a-new-strong-password", "currentPassword": "admin123" }),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let admin = login(&app, "admin@promptvault.local", "a-new-strong-password").await;
    assert!(!page(&admin).await.contains("still accepts PromptVault 1.x"));
    // Ann's TEAM prompt is readable by her teammate.
    let (s, _) = admin.get("/api/prompts/cmwynecip0007cx7d49m9c994").await;
    assert_eq!(s, 200, "team membership from User.team");
    let report = promptvault::ops::check::check(&app.state.db)
        .await
        .expect("check");
    assert!(report.ok(), "{report:?}");
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 1.x file built from `v1-database.md`, with every odd case the page allows: migrated shape,
/// integer-millisecond and ISO timestamps mixed, no version numbers, PUBLIC rows, tags equal
/// ignoring case and an empty one, ratings outside 1..5, several Settings rows, `User.team`
/// holding an id, a name and text naming no team, UserTeam rows, `_meta` and the FTS leftovers.
async fn build_odd_1x(file: &Path, migrated: bool, colliding_emails: bool) {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true);
    let mut c = SqliteConnection::connect_with(&opts).await.expect("create");
    let schema = r#"
CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "email" TEXT NOT NULL, "password" TEXT NOT NULL, "name" TEXT, "team" TEXT, "role" TEXT NOT NULL DEFAULT 'USER', "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Team" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");
CREATE TABLE "UserTeam" ("userId" TEXT NOT NULL, "teamId" TEXT NOT NULL, PRIMARY KEY ("userId", "teamId"));
CREATE TABLE "Prompt" ("id" TEXT NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT NOT NULL, "variables" TEXT, "notes" TEXT, "modelHints" TEXT, "visibility" TEXT NOT NULL DEFAULT 'PRIVATE', "userId" TEXT NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL, "isPubliclyShared" BOOLEAN NOT NULL DEFAULT false, "publicShareId" TEXT);
CREATE UNIQUE INDEX "Prompt_publicShareId_key" ON "Prompt"("publicShareId");
CREATE TABLE "PromptVersion" ("id" TEXT NOT NULL PRIMARY KEY, "promptId" TEXT NOT NULL, "title" TEXT NOT NULL, "body" TEXT NOT NULL, "notes" TEXT, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE "Tag" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");
CREATE TABLE "PromptTag" ("promptId" TEXT NOT NULL, "tagId" TEXT NOT NULL, PRIMARY KEY ("promptId", "tagId"));
CREATE TABLE "Rating" ("id" TEXT NOT NULL PRIMARY KEY, "value" INTEGER NOT NULL, "promptId" TEXT NOT NULL, "userId" TEXT NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE UNIQUE INDEX "Rating_userId_promptId_key" ON "Rating"("userId", "promptId");
CREATE TABLE "Settings" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "allowRegistration" BOOLEAN NOT NULL DEFAULT true, "updatedAt" DATETIME NOT NULL);
CREATE TABLE _meta(key TEXT PRIMARY KEY, value TEXT);
INSERT INTO _meta VALUES ('FTS_APPLIED_V2', '2025-09-01T10:00:00.000Z');
CREATE VIRTUAL TABLE PromptSearch USING fts5(pid, title, body, tags, content='');
CREATE TRIGGER trg_prompt_ad AFTER DELETE ON Prompt BEGIN DELETE FROM PromptSearch WHERE pid = old.id; END;
"#;
    sqlx::raw_sql(schema).execute(&mut c).await.expect("schema");
    if migrated {
        sqlx::raw_sql(
            "CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0);
             INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('a', 'x', '20250825092600_init'), ('b', 'x', '20250828120646_add_public_sharing_fields');",
        )
        .execute(&mut c)
        .await
        .expect("prisma table");
    }
    let hash = "$2b$10$AQRNnVaYgTeYDTlkjMqy/OfZfYcIIVDrvyIHZ0WjIjBQ8UadKiGCC"; // admin123, from the sample file
    let second_email = if colliding_emails {
        "Bob@Example.com"
    } else {
        "carol@example.com"
    };
    // 1_756_720_800_000 ms = 2025-09-01T10:00:00.000Z
    let rows = format!(
        r#"
INSERT INTO Team VALUES ('team_dev', 'dev', 1756720800000), ('team_ops', 'Ops', '2025-09-01 10:00:00');
INSERT INTO User VALUES ('u_bob', 'bob@example.com', '{hash}', 'Bob', 'team_dev', 'ADMIN', 1756720800000, 1756720800500);
INSERT INTO User VALUES ('u_two', '{second_email}', '{hash}', 'Two', 'ops', 'USER', '2025-09-01T10:00:00.250Z', '2025-09-01T10:00:01Z');
INSERT INTO User VALUES ('u_eve', 'eve@example.com', '{hash}', NULL, 'Research Lab', 'user', 1756720800000, 1756720800000);
INSERT INTO UserTeam VALUES ('u_eve', 'team_ops');
INSERT INTO Prompt VALUES ('p_pub', 'Public one', 'Say {{{{greeting}}}} to everyone', NULL, NULL, 'gpt-4o', 'PUBLIC', 'u_bob', 1756720800123, 1756720900123, 1, 'share_abc123');
INSERT INTO Prompt VALUES ('p_team', 'Team one', 'Team body', NULL, 'n', NULL, 'TEAM', 'u_two', '2025-09-01T10:00:00.000Z', 1756720800000, 'false', NULL);
INSERT INTO Prompt VALUES ('p_lower', 'Lower vis', 'Private body', NULL, NULL, NULL, 'private', 'u_eve', 1756720800000, 1756720800000, 0, '');
INSERT INTO PromptVersion VALUES ('v_b', 'p_pub', 'Public one', 'Say {{{{greeting}}}} to everyone', NULL, 1756720900123);
INSERT INTO PromptVersion VALUES ('v_a', 'p_pub', 'Public zero', 'Say hi', NULL, '2025-09-01T10:00:00.123Z');
INSERT INTO PromptVersion VALUES ('v_c', 'p_team', 'Team one (old)', 'Older team body', 'n', 1756720800000);
INSERT INTO Tag VALUES ('t1', 'AI'), ('t2', 'ai'), ('t3', 'Ai'), ('t4', ''), ('t5', 'writing');
INSERT INTO PromptTag VALUES ('p_pub', 't1'), ('p_team', 't2'), ('p_lower', 't3'), ('p_lower', 't4'), ('p_pub', 't2'), ('p_team', 't5');
INSERT INTO Rating VALUES ('r1', 9, 'p_pub', 'u_two', 1756720800000), ('r2', 0, 'p_pub', 'u_eve', '2025-09-01 10:00:00'), ('r3', 3, 'p_team', 'u_bob', 1756720800000);
INSERT INTO Settings (allowRegistration, updatedAt) VALUES (0, 1756720800000), (1, '2025-09-02T00:00:00Z'), ('true', 1756720800000);
"#
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(rows))
        .execute(&mut c)
        .await
        .expect("rows");
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_odd_case_of_a_1x_file_is_adopted() {
    for migrated in [false, true] {
        let dir = fresh_dir("odd");
        let file = dir.join("pv.db");
        build_odd_1x(&file, migrated, false).await;
        let url = format!("sqlite://{}", file.display());
        let app = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url.clone())
            .await
            .expect("server starts on the odd 1.x file");
        assert_eq!(backups_next_to(&file).len(), 1);
        for email in ["bob@example.com", "carol@example.com", "eve@example.com"] {
            login(&app, email, "admin123").await;
        }
        let bob = login(&app, "bob@example.com", "admin123").await;
        let (s, p) = bob.get("/api/prompts/p_pub").await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["visibility"], "PUBLIC");
        assert_eq!(p["createdAt"], "2025-09-01T10:00:00.123Z");
        assert_eq!(p["updatedAt"], "2025-09-01T10:01:40.123Z");
        let versions: Vec<(i64, String)> = p["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| {
                (
                    v["version"].as_i64().unwrap_or(0),
                    v["title"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            [
                (2, "Public one".to_string()),
                (1, "Public zero".to_string())
            ],
            "numbered by createdAt, then id"
        );
        let tags: Vec<&str> = p["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(|t| t["tag"]["name"].as_str())
            .collect();
        assert_eq!(
            tags,
            ["ai"],
            "AI, ai and Ai merged into the most used name: {p}"
        );
        assert_eq!(
            p["avgRating"].as_f64(),
            Some(3.0),
            "9 and 0 clamped to 5 and 1: {p}"
        );
        let (s, shared) = app.client().get("/api/share/public/share_abc123").await;
        assert_eq!(s, 200, "{shared}");
        // The team prompt got its current text as the newest version.
        let carol = login(&app, "carol@example.com", "admin123").await;
        let (s, t) = carol.get("/api/prompts/p_team").await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["versions"].as_array().map(Vec::len), Some(2));
        assert_eq!(t["versions"][0]["body"], "Team body");
        // Eve: a team created from text that named none, plus her UserTeam row.
        let eve = login(&app, "eve@example.com", "admin123").await;
        let (s, me) = eve.get("/api/auth/me").await;
        assert_eq!(s, 200);
        assert_eq!(me["user"]["team"].as_str(), Some("Research Lab"));
        let (s, lower) = eve.get("/api/prompts/p_lower").await;
        assert_eq!(s, 200);
        assert_eq!(lower["visibility"], "PRIVATE");
        // Carol (User.team = 'ops', a name in another case) reads Eve's teammate prompts.
        let (s, _) = eve.get("/api/prompts/p_team").await;
        assert_eq!(s, 200, "Eve and Carol share the Ops team");
        {
            let mut c = raw(&file).await;
            let values: Vec<i64> = sqlx::query_scalar("SELECT value FROM Rating ORDER BY id")
                .fetch_all(&mut c)
                .await
                .expect("ratings");
            assert_eq!(values, [5, 1, 3], "clamped into 1..5");
            let allow: bool =
                sqlx::query_scalar("SELECT allowRegistration FROM Settings WHERE id = 1")
                    .fetch_one(&mut c)
                    .await
                    .expect("settings");
            assert!(!allow, "the lowest Settings id wins");
            let tags: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM Tag")
                .fetch_one(&mut c)
                .await
                .expect("tags");
            assert_eq!(tags, 2, "AI/ai/Ai merged, the empty one dropped");
            let leftovers: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('_meta', '_prisma_migrations') OR name LIKE 'trg_%'",
            )
            .fetch_one(&mut c)
            .await
            .expect("leftovers");
            assert_eq!(leftovers, 0);
            c.close().await.expect("close");
        }
        let report = promptvault::ops::check::check(&app.state.db)
            .await
            .expect("check");
        assert!(report.ok(), "{report:?}");
        app.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_cannot_be_adopted_are_left_byte_for_byte() {
    let dir = fresh_dir("refuse");
    // Emails equal once lower-cased: refused, both named.
    let file = dir.join("collide.db");
    build_odd_1x(&file, true, true).await;
    let before = bytes_of(&file);
    let err = promptvault::ops::adopt::adopt_file(&file, false)
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("bob@example.com") && err.contains("Bob@Example.com"),
        "{err}"
    );
    assert_eq!(bytes_of(&file), before);
    assert!(backups_next_to(&file).is_empty());
    let url = format!("sqlite://{}", file.display());
    let started = promptvault::app::start(promptvault::config::Config {
        database_url: url,
        ..Default::default()
    })
    .await;
    assert!(started.is_err());
    assert_eq!(bytes_of(&file), before, "a failed start changes nothing");

    // An empty SQLite file (1.x's Docker volume).
    let err = refused_unchanged(&dir.join("empty.db"), "VACUUM;").await;
    assert!(
        err.contains("empty") && err.contains("/app/backend/prisma/data/promptvault.db"),
        "{err}"
    );

    // Tables that are neither 1.x's nor ours.
    let err = refused_unchanged(
        &dir.join("other.db"),
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY); CREATE TABLE customers (id INTEGER);",
    )
    .await;
    assert!(
        err.contains("invoices") && err.contains("customers"),
        "{err}"
    );

    // A missing or 0-byte file still becomes a new database.
    let zero = dir.join("zero.db");
    std::fs::write(&zero, b"").expect("zero");
    assert!(
        promptvault::ops::adopt::adopt_file(&zero, false)
            .await
            .expect("new")
            .is_none()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Makes `file` with the `sqlite3` shell running `sql`, asks adoption, and returns its refusal,
/// checking the file is byte for byte as it was.
async fn refused_unchanged(file: &Path, sql: &str) -> String {
    let status = std::process::Command::new("sqlite3")
        .arg(file)
        .arg(sql)
        .status()
        .expect("sqlite3");
    assert!(status.success());
    let before = bytes_of(file);
    let err = promptvault::ops::adopt::adopt_file(file, false)
        .await
        .expect_err("refused")
        .to_string();
    assert_eq!(bytes_of(file), before, "a refused file is unchanged");
    err
}
