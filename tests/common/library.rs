//! Helpers for the prompt-library suites: people in teams, prompts, row counts.

use serde_json::{Value, json};

use super::{Client, TestApp};

/// Everyone the permission tests need: an administrator in no team, the owner and a
/// teammate in team A, another user in team B, and an API token of the owner.
pub struct Cast {
    pub admin: Client,
    pub owner: Client,
    pub mate: Client,
    pub other: Client,
    pub anon: Client,
    pub token: Client,
    pub owner_id: String,
    pub mate_id: String,
    pub other_id: String,
    pub team_a: String,
    pub team_b: String,
}

pub async fn id_of(c: &Client) -> String {
    let (_, me) = c.get("/api/auth/me").await;
    me["user"]["id"].as_str().expect("signed in").to_string()
}

pub async fn team(admin: &Client, name: &str, members: &[&str]) -> String {
    let (s, t) = admin
        .post("/api/admin/teams", &json!({ "name": name }))
        .await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_str().expect("team id").to_string();
    for m in members {
        let (s, b) = admin
            .post(
                &format!("/api/admin/teams/{id}/members"),
                &json!({ "userId": m }),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    id
}

pub async fn cast(app: &TestApp) -> Cast {
    let admin = app.user("admin@example.com").await;
    let owner = app.user("owner@example.com").await;
    let mate = app.user("mate@example.com").await;
    let other = app.user("other@example.com").await;
    let (owner_id, mate_id, other_id) =
        (id_of(&owner).await, id_of(&mate).await, id_of(&other).await);
    let team_a = team(&admin, "Team A", &[&owner_id, &mate_id]).await;
    let team_b = team(&admin, "Team B", &[&other_id]).await;
    let (s, t) = owner
        .post("/api/auth/tokens", &json!({ "name": "script" }))
        .await;
    assert_eq!(s, 201, "{t}");
    let token = Client::with_token(&app.base, t["token"].as_str().expect("secret"));
    Cast {
        admin,
        owner,
        mate,
        other,
        anon: app.client(),
        token,
        owner_id,
        mate_id,
        other_id,
        team_a,
        team_b,
    }
}

/// Creates a prompt and returns it (asserting 201).
pub async fn prompt(c: &Client, body: Value) -> Value {
    let (s, p) = c.post("/api/prompts", &body).await;
    assert_eq!(s, 201, "create prompt: {p}");
    p
}

/// `SELECT COUNT(*)` of a table, read directly from the database.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    count_where(app, table, "1 = 1").await
}

pub async fn count_where(app: &TestApp, table: &str, cond: &str) -> i64 {
    let mut tx = app.state.db.read().await.expect("tx");
    promptvault::prompts::store::fetch_count(
        &mut tx,
        format!("SELECT COUNT(*) FROM \"{table}\" WHERE {cond}"),
        &[],
    )
    .await
    .expect("count")
}

/// Rows of the library tables: (Prompt, PromptVersion, PromptTag, Rating, Tag).
pub async fn library_rows(app: &TestApp) -> [i64; 5] {
    [
        count(app, "Prompt").await,
        count(app, "PromptVersion").await,
        count(app, "PromptTag").await,
        count(app, "Rating").await,
        count(app, "Tag").await,
    ]
}

/// Rows pointing at a prompt or user that no longer exists.
pub async fn dangling_rows(app: &TestApp) -> i64 {
    let mut n = 0;
    for (table, col, target) in [
        ("PromptVersion", "promptId", "Prompt"),
        ("PromptTag", "promptId", "Prompt"),
        ("Rating", "promptId", "Prompt"),
        ("Rating", "userId", "User"),
        ("Prompt", "userId", "User"),
        ("PromptVersion", "authorId", "User"),
    ] {
        n += count_where(
            app,
            table,
            &format!("\"{col}\" NOT IN (SELECT \"id\" FROM \"{target}\")"),
        )
        .await;
    }
    n
}

/// The heaviest diff a user can ask for: a prompt of 60,000 lines saved again reversed (its id),
/// and a small prompt of the same owner to read while it runs (its id).
pub async fn huge_reversed_prompt(owner: &Client) -> (String, String) {
    let lines: Vec<String> = (0..60_000).map(|i| format!("line {i:06}")).collect();
    let p = prompt(owner, json!({ "title": "Huge", "body": lines.join("\n") })).await;
    let id = p["id"].as_str().expect("id").to_string();
    let reversed: Vec<&str> = lines.iter().rev().map(String::as_str).collect();
    let (s, body) = owner
        .put(
            &format!("/api/prompts/{id}"),
            &json!({ "body": reversed.join("\n") }),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let small = prompt(owner, json!({ "title": "Small", "body": "hello" })).await;
    (id, small["id"].as_str().expect("id").to_string())
}
