//! Adopting a PromptVault 1.x SQLite database: the server starts on it, converts it in place
//! after a backup copy, users sign in with their old passwords, the guide's queries count the
//! same, share ids and timestamps survive.

mod common;
mod opsdata;

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

    // The guide's queries count the same; User.team now holds the team's name.
    assert_eq!(counts(&file).await, before);
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
    assert_eq!(counts(&file).await, before);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
