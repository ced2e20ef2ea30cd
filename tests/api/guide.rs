//! The operations guide's SQL runs unchanged on a database the server created: with the
//! `sqlite3` shell on SQLite, with `psql` (quoted identifiers) on PostgreSQL, and `SHOW TABLES` /
//! `DESCRIBE Prompt` with the `mariadb`/`mysql` client on MariaDB.

use crate::common;

use std::process::Command;

use common::TestApp;
use promptvault::db::Backend;
use serde_json::json;

on_all_backends!(guide_queries_run_on_our_schema);

/// "Common Queries" and "Advanced Queries" (users, prompts, tags, analytics), verbatim.
const GUIDE_QUERIES: &[&str] = &[
    "SELECT id, email, name, role, createdAt FROM User;",
    "SELECT * FROM User WHERE email = 'user@example.com';",
    "SELECT * FROM User WHERE team = 'development';",
    "SELECT * FROM User WHERE role = 'ADMIN';",
    "SELECT id, title, body, userId, createdAt FROM Prompt;",
    "SELECT * FROM Prompt WHERE userId = 'user_id';",
    "SELECT * FROM Prompt WHERE visibility = 'TEAM';",
    "SELECT * FROM Prompt WHERE isPubliclyShared = TRUE;",
    "SELECT id, name FROM Tag;",
    "SELECT t.name, COUNT(pt.promptId) as usage_count\nFROM Tag t\nLEFT JOIN PromptTag pt ON t.id = pt.tagId\nGROUP BY t.id, t.name;",
    "SELECT t.name, COUNT(pt.promptId) as usage_count\nFROM Tag t\nJOIN PromptTag pt ON t.id = pt.tagId\nGROUP BY t.id, t.name\nORDER BY usage_count DESC;",
    "SELECT p.* FROM Prompt p\nJOIN PromptTag pt ON p.id = pt.promptId\nJOIN Tag t ON pt.tagId = t.id\nWHERE t.name LIKE '%search%';",
    "SELECT \n  u.email,\n  COUNT(p.id) as prompt_count,\n  MAX(p.createdAt) as last_prompt\nFROM User u\nLEFT JOIN Prompt p ON u.id = p.userId\nGROUP BY u.id, u.email;",
    "SELECT \n  p.title,\n  COUNT(r.id) as rating_count,\n  AVG(r.value) as avg_rating\nFROM Prompt p\nLEFT JOIN Rating r ON p.id = r.promptId\nGROUP BY p.id, p.title\nORDER BY avg_rating DESC;",
];

/// The guide's "Index Creation" indexes, which our schema creates under the same names.
const GUIDE_INDEXES: &[&str] = &[
    "idx_prompt_user_id",
    "idx_prompt_visibility",
    "idx_prompt_created_at",
    "idx_prompt_updated_at",
    "idx_prompt_public_share_id",
    "idx_prompt_user_visibility",
    "idx_prompt_user_created",
];

/// The guide's PostgreSQL index statements (quoted identifiers).
const PG_INDEX_CREATION: &str = r#"CREATE INDEX idx_prompt_user_id ON "Prompt"("userId");
CREATE INDEX idx_prompt_visibility ON "Prompt"("visibility");
CREATE INDEX idx_prompt_created_at ON "Prompt"("createdAt");
CREATE INDEX idx_prompt_updated_at ON "Prompt"("updatedAt");
CREATE INDEX idx_prompt_public_share_id ON "Prompt"("publicShareId");
CREATE INDEX idx_prompt_user_visibility ON "Prompt"("userId", "visibility");
CREATE INDEX idx_prompt_user_created ON "Prompt"("userId", "createdAt");"#;

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("client runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The guide's `CREATE INDEX` statements: our schema already has these indexes under the same
/// names, so the statement either succeeds or is refused only because the index exists.
fn already_there(cmd: &mut Command) {
    let out = cmd.output().expect("client runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || err.contains("already exists"),
        "{cmd:?}: {err}"
    );
}

fn client_required(name: &str) -> bool {
    if have(name) {
        return true;
    }
    assert!(
        std::env::var("PROMPTVAULT_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
        "the {name} client is required in CI"
    );
    eprintln!("SKIPPED: {name} client not installed");
    false
}

async fn guide_queries_run_on_our_schema(app: TestApp) {
    // Some data, so the queries have something to chew on.
    let admin = app.user("user@example.com").await;
    let (_, team) = admin
        .post("/api/admin/teams", &json!({ "name": "development" }))
        .await;
    let (_, me) = admin.get("/api/auth/me").await;
    let id = me["user"]["id"].as_str().expect("id").to_string();
    admin
        .ok_put(
            &format!("/api/admin/users/{id}"),
            &json!({ "teams": [team["id"]] }),
        )
        .await;

    match app.backend() {
        Backend::Sqlite => {
            if !client_required("sqlite3") {
                return app.stop().await;
            }
            let path = app.db.url.trim_start_matches("sqlite://").to_string();
            for q in GUIDE_QUERIES {
                run(Command::new("sqlite3").arg(&path).arg(q));
            }
            let team = run(Command::new("sqlite3")
                .arg(&path)
                .arg("SELECT email FROM User WHERE team = 'development';"));
            assert_eq!(
                team.trim(),
                "user@example.com",
                "User.team holds the primary team name"
            );
            let plan = run(Command::new("sqlite3")
                .arg(&path)
                .arg("EXPLAIN QUERY PLAN SELECT * FROM Prompt WHERE userId = 'x';"));
            assert!(
                plan.contains("USING INDEX"),
                "userId lookups use an index: {plan}"
            );
            let indexes = run(Command::new("sqlite3")
                .arg(&path)
                .arg("SELECT name FROM sqlite_master WHERE type = 'index';"));
            for ix in GUIDE_INDEXES {
                assert!(indexes.lines().any(|l| l == *ix), "missing index {ix}");
            }
            for statement in PG_INDEX_CREATION.lines() {
                let unquoted = statement.replace('"', "");
                already_there(Command::new("sqlite3").arg(&path).arg(&unquoted));
            }
            for pragma in [
                "PRAGMA integrity_check;",
                "PRAGMA integrity_check(Prompt);",
                "PRAGMA optimize;",
            ] {
                run(Command::new("sqlite3").arg(&path).arg(pragma));
            }
        }
        Backend::Postgres => {
            if !client_required("psql") {
                return app.stop().await;
            }
            let url = app.db.url.clone();
            for statement in PG_INDEX_CREATION.lines() {
                already_there(Command::new("psql").arg(&url).args([
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    statement,
                ]));
            }
            let indexes = run(Command::new("psql").arg(&url).args([
                "-At",
                "-c",
                "SELECT indexname FROM pg_indexes WHERE tablename = 'Prompt'",
            ]));
            for ix in GUIDE_INDEXES {
                assert!(
                    indexes.lines().any(|l| l == *ix),
                    "missing index {ix}: {indexes}"
                );
            }
            for q in [
                r#"SELECT * FROM "Prompt" WHERE "userId" = 'user_id'"#,
                r#"SELECT * FROM "Prompt" WHERE "userId" = 'user_id' AND "visibility" = 'PRIVATE'"#,
                r#"SELECT * FROM "Prompt" WHERE "userId" = 'user_id' ORDER BY "createdAt" DESC LIMIT 10"#,
                r#"SELECT email FROM "User" WHERE team = 'development'"#,
            ] {
                run(Command::new("psql")
                    .arg(&url)
                    .args(["-v", "ON_ERROR_STOP=1", "-c", q]));
            }
            let team = run(Command::new("psql").arg(&url).args([
                "-At",
                "-c",
                r#"SELECT email FROM "User" WHERE team = 'development'"#,
            ]));
            assert_eq!(team.trim(), "user@example.com");
        }
        Backend::MySql => {
            let client = if have("mariadb") { "mariadb" } else { "mysql" };
            if !client_required(client) {
                return app.stop().await;
            }
            let name = app.db.url.rsplit('/').next().expect("db name").to_string();
            let mysql = |sql: &str| {
                run(Command::new(client).args([
                    "-h",
                    "127.0.0.1",
                    "-u",
                    "root",
                    "-N",
                    &name,
                    "-e",
                    sql,
                ]))
            };
            let tables = mysql("SHOW TABLES;");
            for t in [
                "User",
                "Prompt",
                "PromptVersion",
                "Tag",
                "PromptTag",
                "Rating",
                "Team",
                "UserTeam",
                "Settings",
            ] {
                assert!(
                    tables.lines().any(|l| l == t),
                    "missing table {t}: {tables}"
                );
            }
            let columns: Vec<String> = mysql("DESCRIBE Prompt;")
                .lines()
                .filter_map(|l| l.split('\t').next().map(str::to_string))
                .collect();
            for c in [
                "id",
                "title",
                "body",
                "variables",
                "notes",
                "modelHints",
                "visibility",
                "userId",
                "createdAt",
                "updatedAt",
                "isPubliclyShared",
                "publicShareId",
            ] {
                assert!(
                    columns.iter().any(|x| x == c),
                    "missing column Prompt.{c}: {columns:?}"
                );
            }
            for q in GUIDE_QUERIES {
                mysql(q);
            }
            let indexes = mysql(
                "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'Prompt';",
            );
            for ix in GUIDE_INDEXES {
                assert!(indexes.lines().any(|l| l == *ix), "missing index {ix}");
            }
        }
    }
    app.stop().await;
}
