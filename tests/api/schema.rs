//! The schema contract: on every backend the migrations create exactly the declared schema
//! (`db::schema`), read back from the real catalogue; and emails, tag names and team names
//! follow one case-folding rule (`text::fold`) everywhere, existing rows included.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestDb};
use promptvault::db::dynamic::{Arg, execute, fetch_all};
use promptvault::db::{Backend, Db, Tx, migrate, schema};
use serde_json::json;

async fn differences(db: &Db) -> Vec<String> {
    let mut tx = db.read().await.expect("tx");
    let real = schema::actual(&mut tx).await.expect("catalogue");
    schema::differences(db.backend(), &real)
}

async fn exec(tx: &mut Tx, sql: &str, args: &[Arg]) {
    execute(tx, sql.to_string(), args)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A fresh database migrated to the latest version has exactly the declared schema, and the
/// comparison notices a missing index and an undeclared column.
async fn the_migrated_catalogue_is_the_declared_schema(app: TestApp) {
    let found = differences(&app.state.db).await;
    assert!(
        found.is_empty(),
        "{} drifts from db::schema:\n{}",
        app.backend(),
        found.join("\n")
    );

    let report = promptvault::ops::check::check(&app.state.db)
        .await
        .expect("check");
    assert!(
        report
            .items
            .iter()
            .any(|i| i.name == "schema as declared" && i.ok),
        "`promptvault db check` compares too: {:?}",
        report.items
    );

    // Drift on purpose: the comparison must see it.
    let mut tx = app.state.db.write().await.expect("tx");
    let drop_index = match app.backend() {
        Backend::MySql => "DROP INDEX idx_user_role ON \"User\"",
        _ => "DROP INDEX idx_user_role",
    };
    exec(&mut tx, drop_index, &[]).await;
    exec(
        &mut tx,
        "ALTER TABLE \"Tag\" ADD COLUMN \"extra\" INTEGER",
        &[],
    )
    .await;
    let real = schema::actual(&mut tx).await.expect("catalogue");
    let found = schema::differences(app.backend(), &real);
    assert!(
        found
            .iter()
            .any(|d| d == "index User.idx_user_role is missing"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d == "column Tag.extra exists but is not declared"),
        "{found:?}"
    );
    drop(tx);
    app.stop().await;
}

async fn register(app: &TestApp, email: &str) -> (u16, serde_json::Value) {
    let (s, b) = app
        .client()
        .post(
            "/api/auth/register",
            &json!({ "email": email, "password": "password-123" }),
        )
        .await;
    (s.as_u16(), b)
}

/// "ÉMILE@example.com" and "émile@example.com" are one account; "Café" and "CAFÉ" one tag and
/// one team name; "Café" and "cafe" two — on every backend.
async fn one_folding_rule_for_emails_tags_and_teams(app: TestApp) {
    let admin = app.user("admin@example.com").await;

    let (s, b) = register(&app, "ÉMILE@example.com").await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["email"], "émile@example.com", "stored folded: {b}");
    let (s, b) = register(&app, "émile@example.com").await;
    assert_eq!(s, 409, "the same account under the rule: {b}");
    let (s, b) = register(&app, "Émile@Example.COM").await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = register(&app, "emile@example.com").await;
    assert_eq!(s, 201, "no accent folding: {b}");
    for spelling in [
        "émile@example.com",
        "ÉMILE@EXAMPLE.COM",
        "Émile@example.com",
    ] {
        let (s, b) = app
            .client()
            .post(
                "/api/auth/login",
                &json!({ "email": spelling, "password": "password-123" }),
            )
            .await;
        assert_eq!(s, 200, "{spelling}: {b}");
        assert_eq!(b["email"], "émile@example.com", "{b}");
    }

    // Tags: on prompts and through the admin API.
    let p1 =
        common::library::prompt(&admin, json!({"title": "a", "body": "b", "tags": ["Café"]})).await;
    let p2 =
        common::library::prompt(&admin, json!({"title": "c", "body": "d", "tags": ["CAFÉ"]})).await;
    let p3 =
        common::library::prompt(&admin, json!({"title": "e", "body": "f", "tags": ["cafe"]})).await;
    let tag = |p: &serde_json::Value| {
        (
            p["tags"][0]["tagId"].clone(),
            p["tags"][0]["tag"]["name"].clone(),
        )
    };
    assert_eq!(tag(&p1).1, "Café", "{p1}");
    assert_eq!(tag(&p2), tag(&p1), "Café = CAFÉ, one tag: {p2}");
    assert_ne!(tag(&p3).0, tag(&p1).0, "Café ≠ cafe: {p3}");
    assert_eq!(tag(&p3).1, "cafe", "{p3}");
    assert_eq!(common::library::count(&app, "Tag").await, 2);
    let (s, b) = admin.post("/api/tags", &json!({ "name": "cAFÉ" })).await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = admin.post("/api/tags", &json!({ "name": "CAFE" })).await;
    assert_eq!(s, 409, "CAFE = cafe: {b}");
    let (s, b) = admin.post("/api/tags", &json!({ "name": "Cafè" })).await;
    assert_eq!(s, 201, "another accent, another tag: {b}");
    let (s, list) = admin.get("/api/prompts?tag=caf%C3%89").await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "filter by cafÉ: {list}"
    );
    let (s, hits) = admin.get("/api/search?q=a&tag=CAF%C3%89").await;
    assert_eq!(s, 200, "{hits}");

    // Teams.
    let (s, t) = admin
        .post("/api/admin/teams", &json!({ "name": "Équipe Café" }))
        .await;
    assert_eq!(s, 201, "{t}");
    let (s, b) = admin
        .post("/api/admin/teams", &json!({ "name": "ÉQUIPE CAFÉ" }))
        .await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = admin
        .post("/api/admin/teams", &json!({ "name": "equipe cafe" }))
        .await;
    assert_eq!(s, 201, "no accent folding: {b}");
    let (s, b) = admin
        .put(
            &format!("/api/admin/teams/{}", b["id"].as_str().expect("team id")),
            &json!({ "name": "équipe café" }),
        )
        .await;
    assert_eq!(s, 409, "a rename meets the same rule: {b}");
    let team = promptvault::teams::find(&app.state.db, "ÉQUIPE CAFÉ")
        .await
        .expect("found by any case");
    assert_eq!(team.name, "Équipe Café");
    assert!(
        promptvault::teams::find(&app.state.db, "Equipe Cafe")
            .await
            .is_ok_and(|t| t.name == "equipe cafe")
    );

    // The operations guide's queries keep working.
    assert_eq!(common::library::count(&app, "User").await, 3);
    let mut tx = app.state.db.read().await.expect("tx");
    let rows: Vec<(String,)> = fetch_all(
        &mut tx,
        "SELECT \"id\" FROM \"User\" WHERE \"email\" = 'émile@example.com'".into(),
        &[],
    )
    .await
    .expect("lookup by email");
    assert_eq!(rows.len(), 1);
    drop(tx);
    app.stop().await;
}

on_all_backends!(
    the_migrated_catalogue_is_the_declared_schema,
    one_folding_rule_for_emails_tags_and_teams,
    connections_are_set_for_short_statements
);

fn at(minutes: i64) -> DateTime<Utc> {
    promptvault::db::parse_time("2026-01-01T00:00:00Z").expect("time") + Duration::minutes(minutes)
}

/// A database left by version 2 with rows that collide under the rule (SQLite's NOCASE keys
/// let them in; PostgreSQL's and MariaDB's keys are relaxed first to simulate them): the
/// migration settles every collision and cannot fail.
async fn colliding_rows_are_settled(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = promptvault::db::connect(&test_db.url, 2)
        .await
        .expect("connect");
    migrate::run_until(&db, 2).await.expect("version 2");
    let mut tx = db.write().await.expect("tx");
    match backend {
        Backend::Sqlite => {}
        Backend::Postgres => {
            for ix in [
                "idx_user_email_lower",
                "idx_team_name_lower",
                "idx_tag_name_lower",
            ] {
                exec(&mut tx, &format!("DROP INDEX {ix}"), &[]).await;
            }
        }
        Backend::MySql => {
            exec(
                &mut tx,
                "ALTER TABLE \"User\" MODIFY \"email\" VARCHAR(255) COLLATE utf8mb4_bin NOT NULL",
                &[],
            )
            .await;
            exec(
                &mut tx,
                "ALTER TABLE \"Tag\" MODIFY \"name\" VARCHAR(100) COLLATE utf8mb4_bin NOT NULL",
                &[],
            )
            .await;
            exec(
                &mut tx,
                "ALTER TABLE \"Team\" MODIFY \"name\" VARCHAR(255) COLLATE utf8mb4_bin NOT NULL",
                &[],
            )
            .await;
        }
    }
    let users = [
        ("u1", "émile@example.com", 5, Some("éQUIPE")),
        ("u2", "ÉMILE@example.com", 1, None),
        ("u3", "Zoé@Example.com", 2, Some("Équipe")),
        ("u4", "BÖB@example.com", 3, None),
        ("u5", "Böb@example.com", 4, None),
    ];
    for (id, email, t, team) in users {
        exec(
            &mut tx,
            "INSERT INTO \"User\" (\"id\", \"email\", \"password\", \"team\", \"createdAt\", \
             \"updatedAt\") VALUES (?, ?, 'x', ?, ?, ?)",
            &[
                Arg::S(id.into()),
                Arg::S(email.into()),
                Arg::N(team.map(str::to_string)),
                Arg::T(at(t)),
                Arg::T(at(t)),
            ],
        )
        .await;
    }
    for (id, name, t) in [("t1", "Café", 1), ("t2", "CAFÉ", 2), ("t3", "cafe", 3)] {
        exec(
            &mut tx,
            "INSERT INTO \"Tag\" (\"id\", \"name\", \"createdAt\") VALUES (?, ?, ?)",
            &[Arg::S(id.into()), Arg::S(name.into()), Arg::T(at(t))],
        )
        .await;
    }
    for (id, name, t) in [
        ("m1", "Équipe", 1),
        ("m2", "éQUIPE", 2),
        ("m3", "éQUIPE (2)", 3),
    ] {
        exec(
            &mut tx,
            "INSERT INTO \"Team\" (\"id\", \"name\", \"createdAt\", \"updatedAt\") \
             VALUES (?, ?, ?, ?)",
            &[
                Arg::S(id.into()),
                Arg::S(name.into()),
                Arg::T(at(t)),
                Arg::T(at(t)),
            ],
        )
        .await;
    }
    for (prompt, tags) in [
        ("p1", &["t1"][..]),
        ("p2", &["t2"]),
        ("p3", &["t1", "t2", "t3"]),
    ] {
        exec(
            &mut tx,
            "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"userId\") \
             VALUES (?, 'title', 'body', 'u1')",
            &[Arg::S(prompt.into())],
        )
        .await;
        for tag in tags {
            exec(
                &mut tx,
                "INSERT INTO \"PromptTag\" (\"promptId\", \"tagId\") VALUES (?, ?)",
                &[Arg::S(prompt.into()), Arg::S(tag.to_string())],
            )
            .await;
        }
    }
    tx.commit().await.expect("commit");

    assert_eq!(
        migrate::run(&db).await.expect("migrates"),
        vec![3, 4, 5, 8, 9, 10, 11, 12]
    );

    let mut tx = db.read().await.expect("tx");
    let users: Vec<(String, String, Option<String>)> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"email\", \"team\" FROM \"User\" ORDER BY \"id\"".into(),
        &[],
    )
    .await
    .expect("users");
    let email = |id: &str| {
        users
            .iter()
            .find(|u| u.0 == id)
            .map(|u| u.1.clone())
            .unwrap_or_default()
    };
    assert_eq!(email("u1"), "émile@example.com", "already folded: kept");
    assert_eq!(email("u2"), "duplicate-u2@invalid", "older but not folded");
    assert_eq!(email("u3"), "zoé@example.com");
    assert_eq!(email("u4"), "böb@example.com", "the older of two unfolded");
    assert_eq!(email("u5"), "duplicate-u5@invalid");
    let tags: Vec<(String, String, String)> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"name\", \"nameKey\" FROM \"Tag\" ORDER BY \"id\"".into(),
        &[],
    )
    .await
    .expect("tags");
    assert_eq!(
        tags,
        vec![
            ("t1".into(), "Café".into(), "café".into()),
            ("t3".into(), "cafe".into(), "cafe".into())
        ]
    );
    let links: Vec<(String, String)> = fetch_all(
        &mut tx,
        "SELECT \"promptId\", \"tagId\" FROM \"PromptTag\" ORDER BY \"promptId\", \"tagId\"".into(),
        &[],
    )
    .await
    .expect("links");
    let links: Vec<(&str, &str)> = links.iter().map(|(p, t)| (&p[..], &t[..])).collect();
    assert_eq!(
        links,
        vec![("p1", "t1"), ("p2", "t1"), ("p3", "t1"), ("p3", "t3")]
    );
    let teams: Vec<(String, String, String)> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"name\", \"nameKey\" FROM \"Team\" ORDER BY \"id\"".into(),
        &[],
    )
    .await
    .expect("teams");
    assert_eq!(
        teams,
        vec![
            ("m1".into(), "Équipe".into(), "équipe".into()),
            ("m2".into(), "éQUIPE (3)".into(), "équipe (3)".into()),
            ("m3".into(), "éQUIPE (2)".into(), "équipe (2)".into()),
        ]
    );
    let team_of = |id: &str| users.iter().find(|u| u.0 == id).and_then(|u| u.2.clone());
    assert_eq!(
        team_of("u1").as_deref(),
        Some("éQUIPE (3)"),
        "follows the rename"
    );
    assert_eq!(team_of("u3").as_deref(), Some("Équipe"));
    drop(tx);

    // The Rust step may run again (a retried run on MySQL, whose DDL is not transactional):
    // it finds its columns and indexes and changes nothing.
    let mut tx = db.write().await.expect("tx");
    promptvault::db::casefold::migrate(&mut tx)
        .await
        .expect("runs again");
    tx.commit().await.expect("commit");
    let mut tx = db.read().await.expect("tx");
    let again: Vec<(String, String)> = fetch_all(
        &mut tx,
        "SELECT \"id\", \"email\" FROM \"User\" ORDER BY \"id\"".into(),
        &[],
    )
    .await
    .expect("users");
    drop(tx);
    let before: Vec<(String, String)> = users.iter().map(|u| (u.0.clone(), u.1.clone())).collect();
    assert_eq!(again, before, "a second run changes nothing");

    let found = differences(&db).await;
    assert!(found.is_empty(), "{}", found.join("\n"));
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colliding_rows_are_settled_on_sqlite() {
    colliding_rows_are_settled(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colliding_rows_are_settled_on_postgres() {
    colliding_rows_are_settled(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colliding_rows_are_settled_on_mysql() {
    colliding_rows_are_settled(Backend::MySql).await;
}

/// The real 1.x sample file, adopted and migrated, has the declared schema too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adopted_sample_file_has_the_declared_schema() {
    let dir = std::env::temp_dir().join(format!("pvschema_{}", &promptvault::db::new_id()[1..10]));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("promptvault.db");
    std::fs::copy("../shared/fixtures/promptvault-1x.db", &file).expect("copy the sample");
    let url = format!("sqlite://{}", file.display());
    let app = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url.clone())
        .await
        .expect("server starts on the 1.x file");
    let found = differences(&app.state.db).await;
    assert!(found.is_empty(), "{}", found.join("\n"));
    let mut tx = app.state.db.read().await.expect("tx");
    let unfolded: Vec<(String,)> = fetch_all(
        &mut tx,
        "SELECT \"id\" FROM \"Tag\" WHERE \"nameKey\" = ''".into(),
        &[],
    )
    .await
    .expect("tags");
    assert!(unfolded.is_empty(), "every tag has its key");
    drop(tx);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The session settings the performance of every request depends on (docs/performance.md):
/// the bundled SQLite is built without STAT4 (statements re-compiled on each run with new
/// values once `ANALYZE` has kept samples) and without allocation statistics (one global
/// lock); PostgreSQL connections run without JIT (30 ms compiling a 3 ms page); MySQL's
/// `group_concat_max_len` lets `JSON_ARRAYAGG` hold any history read in one row.
async fn connections_are_set_for_short_statements(app: TestApp) {
    let mut tx = app.state.db.read().await.expect("tx");
    match app.backend() {
        Backend::Sqlite => {
            let used: Vec<(i64, i64)> = fetch_all(
                &mut tx,
                "SELECT sqlite_compileoption_used('ENABLE_STAT4'), \
                 sqlite_compileoption_used('DEFAULT_MEMSTATUS=0')"
                    .into(),
                &[],
            )
            .await
            .expect("compile options");
            assert_eq!(used, vec![(0, 1)], "STAT4 off, allocation statistics off");
        }
        Backend::Postgres => {
            let jit: Vec<(String,)> = fetch_all(&mut tx, "SHOW jit".into(), &[])
                .await
                .expect("jit");
            assert_eq!(jit, vec![("off".to_string(),)]);
        }
        Backend::MySql => {
            let len: Vec<(i64,)> = fetch_all(
                &mut tx,
                "SELECT CAST(@@SESSION.group_concat_max_len AS SIGNED)".into(),
                &[],
            )
            .await
            .expect("group_concat_max_len");
            // The server may clamp the 4 GiB asked for (seen: 1 GiB). What must fit is the
            // longest history read in one row: 4,000,000 characters of text, at most four
            // bytes each and escaped in JSON (64 MiB), far above the 1 MiB default.
            assert!(len[0].0 >= 64 << 20, "group_concat_max_len {len:?}");
        }
    }
    drop(tx);
    app.stop().await;
}
