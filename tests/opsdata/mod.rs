//! Data for the operations tests: a seeded 2.x database written with plain SQL inserts, and a
//! PromptVault 1.x (Prisma) SQLite database built from `tests/fixtures/promptvault-1x.sql`.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use promptvault::db::{Db, Tx};
use promptvault::on;

/// Text that tends to break exports: quotes, backslashes, newlines, tabs, non-ASCII, emoji.
const NASTY: &[&str] = &[
    "plain",
    "it's \"quoted\" and back\\slashed",
    "line one\nline two\r\n\ttabbed",
    "Ünïcödé — ✓ 日本語 🚀",
    "{{variable}} and {{ other }}",
    "",
];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 30, 0)
        .single()
        .expect("valid date")
}

async fn exec(tx: &mut Tx, text: &'static str, binds: Vec<Bind>) {
    on!(tx, |conn, sql| {
        let mut q = sqlx::query(sql(text));
        for b in &binds {
            q = match b {
                Bind::T(s) => q.bind(s.clone()),
                Bind::N(s) => q.bind(s.clone()),
                Bind::I(i) => q.bind(*i),
                Bind::I32(i) => q.bind(*i),
                Bind::B(b) => q.bind(*b),
                Bind::D(d) => q.bind(*d),
                Bind::ND(d) => q.bind(*d),
            };
        }
        q.execute(conn).await.map(drop)
    })
    .expect("seed insert");
}

enum Bind {
    T(String),
    N(Option<String>),
    I(i64),
    /// INTEGER columns: bind as 32-bit like the application does (PostgreSQL caches a prepared
    /// statement per SQL text with its parameter types).
    I32(i32),
    B(bool),
    D(DateTime<Utc>),
    ND(Option<DateTime<Utc>>),
}
use Bind::*;

/// Fills a migrated, empty database: 20 users, 4 teams, `prompts` prompts with one or two
/// versions each (one in 11 in the trash), 30 tags, tag links, ratings, stars, API tokens.
/// Deterministic content.
pub async fn seed(db: &Db, prompts: usize) {
    let mut tx = db.write().await.expect("tx");
    let base = t0();
    let at = |i: usize| base + Duration::milliseconds(i as i64 * 1_337);
    let trashed_at = Utc::now().with_nanosecond(0).expect("whole second") - Duration::days(1);
    let users: Vec<String> = (0..20).map(|i| format!("cuser{i:04}")).collect();
    let teams: Vec<String> = (0..4).map(|i| format!("cteam{i:04}")).collect();
    for (i, t) in teams.iter().enumerate() {
        // Plain SQL writes the folded key too (`text::fold`; see `db::schema`).
        let name = format!("Team {i} {}", NASTY[i % 4]);
        exec(&mut tx, "INSERT INTO \"Team\" (\"id\", \"name\", \"nameKey\", \"createdAt\", \"updatedAt\") VALUES (?, ?, ?, ?, ?)",
            vec![T(t.clone()), T(name.clone()), T(promptvault::text::fold(&name)), D(at(i)), D(at(i + 1))]).await;
    }
    for (i, u) in users.iter().enumerate() {
        exec(&mut tx, "INSERT INTO \"User\" (\"id\", \"email\", \"password\", \"name\", \"team\", \"role\", \"createdAt\", \"updatedAt\") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![T(u.clone()), T(format!("user{i}@example.com")),
                 T(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ{i}$aGFzaGhhc2g")),
                 N((i % 3 != 0).then(|| format!("User {}", NASTY[i % NASTY.len()]))),
                 N((i % 2 == 0).then(|| format!("Team {} {}", i % 4, NASTY[i % 4]))),
                 T(if i == 0 { "ADMIN" } else { "USER" }.into()), D(at(i)), D(at(i * 2))]).await;
        if i % 2 == 0 {
            exec(
                &mut tx,
                "INSERT INTO \"UserTeam\" (\"userId\", \"teamId\", \"createdAt\") VALUES (?, ?, ?)",
                vec![T(u.clone()), T(teams[i % 4].clone()), D(at(i))],
            )
            .await;
        }
        exec(&mut tx, "INSERT INTO \"ApiToken\" (\"id\", \"userId\", \"name\", \"prefix\", \"tokenHash\", \"createdAt\", \"lastUsedAt\") VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![T(format!("ctok{i:04}")), T(u.clone()), T(format!("token {i}")), T(format!("pv_{i:04}")),
                 T(format!("{i:064}")), D(at(i)), ND((i % 2 == 1).then(|| at(i + 7)))]).await;
    }
    let tags: Vec<String> = (0..30).map(|i| format!("ctag{i:04}")).collect();
    for (i, t) in tags.iter().enumerate() {
        exec(
            &mut tx,
            "INSERT INTO \"Tag\" (\"id\", \"name\", \"nameKey\", \"createdAt\") VALUES (?, ?, ?, ?)",
            vec![T(t.clone()), T(format!("tag-{i}")), T(format!("tag-{i}")), D(at(i))],
        )
        .await;
    }
    for p in 0..prompts {
        let id = format!("cprompt{p:08}");
        let owner = &users[p % users.len()];
        let visibility = ["PRIVATE", "TEAM", "PUBLIC"][p % 3];
        let shared = p % 7 == 0;
        exec(&mut tx, "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"variables\", \"notes\", \"modelHints\", \"visibility\", \"userId\", \"createdAt\", \"updatedAt\", \"isPubliclyShared\", \"publicShareId\", \"teamId\", \"deletedAt\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![T(id.clone()), T(format!("Prompt {p} {}", NASTY[p % NASTY.len()])),
                 T(format!("Body of {p}: {}\n{}", NASTY[(p + 1) % NASTY.len()], "x".repeat(p % 50))),
                 N((p % 2 == 0).then(|| "[\"variable\",\"other\"]".to_string())),
                 N((p % 5 == 0).then(|| NASTY[p % NASTY.len()].to_string())),
                 N((p % 4 == 0).then(|| "gpt-4o, claude".to_string())),
                 T(visibility.into()), T(owner.clone()), D(at(p)), D(at(p + 3)), B(shared),
                 N(shared.then(|| format!("share{p:08}"))),
                 N((visibility == "TEAM" && p % 2 == 0).then(|| teams[p % 4].clone())),
                 // A few in the trash, recently (older trash would be purged by the server's
                 // housekeeping while a test runs).
                 ND((p % 11 == 5).then(|| trashed_at + Duration::milliseconds(p as i64)))]).await;
        for v in 1..=(1 + p % 2) as i64 {
            exec(&mut tx, "INSERT INTO \"PromptVersion\" (\"id\", \"promptId\", \"version\", \"title\", \"body\", \"variables\", \"notes\", \"modelHints\", \"message\", \"authorId\", \"createdAt\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                vec![T(format!("cver{p:08}{v}")), T(id.clone()), I32(v as i32), T(format!("Prompt {p} v{v}")),
                     T(format!("Body v{v}")), N(None), N(None), N(None),
                     N((v > 1).then(|| "edited".to_string())), N((p % 9 != 0).then(|| owner.clone())), D(at(p + v as usize))]).await;
        }
        for k in 0..(p % 3) {
            exec(
                &mut tx,
                "INSERT INTO \"PromptTag\" (\"promptId\", \"tagId\") VALUES (?, ?)",
                vec![T(id.clone()), T(tags[(p + k * 7) % tags.len()].clone())],
            )
            .await;
        }
        if p % 4 == 1 {
            exec(
                &mut tx,
                "INSERT INTO \"Favorite\" (\"userId\", \"promptId\", \"createdAt\") VALUES (?, ?, ?)",
                vec![T(users[(p + 2) % users.len()].clone()), T(id.clone()), D(at(p + 5))],
            )
            .await;
        }
        if p % 2 == 1 {
            exec(&mut tx, "INSERT INTO \"Rating\" (\"id\", \"userId\", \"promptId\", \"value\", \"createdAt\", \"updatedAt\") VALUES (?, ?, ?, ?, ?, ?)",
                vec![T(format!("crate{p:08}")), T(users[(p + 1) % users.len()].clone()), T(id.clone()),
                     I32((p % 5) as i32 + 1), D(at(p)), D(at(p + 1))]).await;
        }
    }
    exec(
        &mut tx,
        "UPDATE \"Settings\" SET \"allowRegistration\" = ?, \"updatedAt\" = ? WHERE \"id\" = 1",
        vec![B(false), D(base)],
    )
    .await;
    tx.commit().await.expect("commit seed");
}

/// A PromptVault 1.x user of the fixture: email, password, role.
pub const LEGACY_USERS: &[(&str, &str, &str)] = &[
    ("Admin@Example.com", "admin-password-1", "ADMIN"),
    ("dev1@example.com", "dev-one-password", "USER"),
    ("dev2@example.com", "dev-two-password", "USER"),
    ("writer@example.com", "writer-password", "USER"),
    ("loner@example.com", "loner-password!", "USER"),
];

/// Builds a PromptVault 1.x database at `path`: the Prisma schema of the fixture file, then
/// realistic rows as Prisma wrote them (cuid ids, INTEGER Unix-millisecond timestamps with a few
/// ISO texts, 1/0 booleans, bcrypt hashes, `User.team` = a team id). The FTS table fills itself
/// through the 1.x triggers.
pub async fn build_legacy(path: &std::path::Path) {
    use sqlx::{AssertSqlSafe, Connection};
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut c = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .expect("open");
    let schema = include_str!("../fixtures/promptvault-1x.sql");
    sqlx::raw_sql(AssertSqlSafe(schema))
        .execute(&mut c)
        .await
        .expect("1.x schema");
    let ms = |i: i64| 1_717_000_000_123i64 + i * 86_400_123;
    let teams = [
        ("clx1team0dev000000000000a", "development"),
        ("clx1team0ops000000000000b", "operations"),
    ];
    for (i, (id, name)) in teams.iter().enumerate() {
        sqlx::query("INSERT INTO Team (id, name, createdAt, updatedAt) VALUES (?, ?, ?, ?)")
            .bind(id)
            .bind(name)
            .bind(ms(i as i64))
            .bind(ms(i as i64 + 1))
            .execute(&mut c)
            .await
            .expect("team");
    }
    let mut user_ids = Vec::new();
    for (i, (email, password, role)) in LEGACY_USERS.iter().enumerate() {
        let id = format!("clx1user{i:017}");
        let hash = bcrypt::hash(password, 4).expect("bcrypt");
        let team = match i {
            1 | 2 => Some(teams[0].0),
            3 => Some(teams[1].0),
            _ => None,
        };
        let q = sqlx::query("INSERT INTO User (id, email, password, name, team, role, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(&id).bind(email).bind(hash).bind(format!("Legacy user {i}")).bind(team).bind(role);
        // One account written with ISO text timestamps (older Prisma / hand-edited rows).
        let q = if i == 4 {
            q.bind("2024-05-01T10:00:00.250Z")
                .bind("2024-05-02 11:00:00")
        } else {
            q.bind(ms(i as i64).to_string())
                .bind(ms(i as i64 + 2).to_string())
        };
        q.execute(&mut c).await.expect("user");
        user_ids.push(id);
    }
    sqlx::query("INSERT INTO UserTeam (id, userId, teamId, createdAt) VALUES ('clx1ut00000000000000000001', ?, ?, ?)")
        .bind(&user_ids[1]).bind(teams[0].0).bind(ms(3))
        .execute(&mut c).await.expect("userteam");
    let tag_ids: Vec<String> = (0..6).map(|i| format!("clx1tag{i:018}")).collect();
    for (i, t) in tag_ids.iter().enumerate() {
        sqlx::query("INSERT INTO Tag (id, name) VALUES (?, ?)")
            .bind(t)
            .bind(["coding", "writing", "search", "sql", "email", "summary"][i])
            .execute(&mut c)
            .await
            .expect("tag");
    }
    for p in 0..24i64 {
        let id = format!("clx1prompt{p:015}");
        let owner = &user_ids[(p as usize) % user_ids.len()];
        let visibility = ["PRIVATE", "TEAM", "PUBLIC"][(p % 3) as usize];
        let shared = p % 5 == 0;
        sqlx::query("INSERT INTO Prompt (id, title, body, variables, notes, modelHints, visibility, userId, createdAt, updatedAt, isPubliclyShared, publicShareId) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(&id).bind(format!("Legacy prompt {p}")).bind(format!("Summarise {{{{text}}}} number {p}"))
            .bind((p % 2 == 0).then_some("[\"text\"]")).bind((p % 3 == 0).then_some("note"))
            .bind((p % 4 == 0).then_some("gpt-4")).bind(visibility).bind(owner)
            .bind(ms(p)).bind(ms(p + 1)).bind(i64::from(shared)).bind(shared.then(|| format!("shr{p:010}")))
            .execute(&mut c).await.expect("prompt");
        for v in 1..=(1 + p % 3) {
            sqlx::query("INSERT INTO PromptVersion (id, promptId, version, title, body, variables, notes, modelHints, createdAt, createdBy) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)")
                .bind(format!("clx1ver{p:010}{v:08}")).bind(&id).bind(v)
                .bind(format!("Legacy prompt {p}")).bind(format!("Body version {v}"))
                .bind(ms(p + v)).bind(owner)
                .execute(&mut c).await.expect("version");
        }
        for k in 0..(p % 3) {
            sqlx::query("INSERT INTO PromptTag (promptId, tagId) VALUES (?, ?)")
                .bind(&id)
                .bind(&tag_ids[((p + k * 2) % 6) as usize])
                .execute(&mut c)
                .await
                .expect("prompttag");
        }
        for (r, rater) in user_ids.iter().enumerate().take((p % 4) as usize) {
            sqlx::query("INSERT INTO Rating (id, value, userId, promptId, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(format!("clx1rate{p:08}{r:09}")).bind((p + r as i64) % 5 + 1).bind(rater).bind(&id)
                .bind(ms(p)).bind(ms(p))
                .execute(&mut c).await.expect("rating");
        }
    }
    sqlx::query("INSERT INTO Settings (id, allowRegistration, updatedAt) VALUES ('default', 0, ?)")
        .bind(ms(1))
        .execute(&mut c)
        .await
        .expect("settings");
    c.close().await.expect("close");
}

/// The guide's SQLite queries, as counts (same SQL before and after adoption).
pub const GUIDE_COUNTS: &[&str] = &[
    "SELECT COUNT(*) FROM (SELECT id, email, name, role, createdAt FROM User)",
    "SELECT COUNT(*) FROM (SELECT * FROM User WHERE role = 'ADMIN')",
    "SELECT COUNT(*) FROM (SELECT id, title, body, userId, createdAt FROM Prompt)",
    "SELECT COUNT(*) FROM (SELECT * FROM Prompt WHERE visibility = 'TEAM')",
    "SELECT COUNT(*) FROM (SELECT * FROM Prompt WHERE isPubliclyShared = TRUE)",
    "SELECT COUNT(*) FROM (SELECT id, name FROM Tag)",
    "SELECT COUNT(*) FROM (SELECT t.name, COUNT(pt.promptId) as usage_count FROM Tag t LEFT JOIN PromptTag pt ON t.id = pt.tagId GROUP BY t.id, t.name)",
    "SELECT SUM(usage_count) FROM (SELECT t.name, COUNT(pt.promptId) as usage_count FROM Tag t JOIN PromptTag pt ON t.id = pt.tagId GROUP BY t.id, t.name ORDER BY usage_count DESC)",
    "SELECT SUM(prompt_count) FROM (SELECT u.email, COUNT(p.id) as prompt_count, MAX(p.createdAt) as last_prompt FROM User u LEFT JOIN Prompt p ON u.id = p.userId GROUP BY u.id, u.email)",
    "SELECT SUM(rating_count) FROM (SELECT p.title, COUNT(r.id) as rating_count, AVG(r.value) as avg_rating FROM Prompt p LEFT JOIN Rating r ON p.id = r.promptId GROUP BY p.id, p.title ORDER BY avg_rating DESC)",
    "SELECT COUNT(*) FROM PromptVersion",
];
