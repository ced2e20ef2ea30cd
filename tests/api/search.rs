//! Full-text search: the same suite on SQLite (FTS5), PostgreSQL (tsvector) and MariaDB
//! (FULLTEXT) — word forms, phrases, exclusion, prefixes, tags, notes, ranking, permissions,
//! live index updates, short words, hostile input.

use crate::common;

use common::{Client, TestApp};
use promptvault::db::{self, Tx};
use promptvault::on;
use serde_json::{Value, json};

on_all_backends!(
    finds_word_forms_phrases_prefixes_and_exclusions,
    searches_tags_and_notes_and_ranks_titles_first,
    never_shows_what_the_caller_cannot_open,
    edits_and_deletes_show_at_once,
    filters_sorts_and_paginates,
    hostile_queries_never_fail,
    guide_search_queries_work,
);

struct P<'a> {
    owner: &'a str,
    title: &'a str,
    body: &'a str,
    notes: Option<&'a str>,
    visibility: &'a str,
    team: Option<&'a str>,
    tags: &'a [&'a str],
}

impl Default for P<'_> {
    fn default() -> Self {
        P {
            owner: "",
            title: "",
            body: "",
            notes: None,
            visibility: "PRIVATE",
            team: None,
            tags: &[],
        }
    }
}

async fn exec(tx: &mut Tx, sql: &'static str, binds: &[&str]) {
    let binds: Vec<promptvault::db::dynamic::Arg> = binds
        .iter()
        .map(|b| promptvault::db::dynamic::Arg::S(b.to_string()))
        .collect();
    on!(tx, |conn, q| promptvault::bind_all!(
        sqlx::query(q(sql)),
        &binds
    )
    .execute(conn)
    .await
    .map(drop))
    .expect("statement");
}

/// Writes a prompt straight into the tables (the index follows through triggers).
async fn insert(app: &TestApp, p: P<'_>) -> String {
    let id = db::new_id();
    let now = db::now();
    let mut tx = app.state.db.write().await.expect("tx");
    on!(&mut tx, |conn, q| sqlx::query(q(
        "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"notes\", \"visibility\", \"userId\", \"teamId\", \"createdAt\", \"updatedAt\") \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&id)
    .bind(p.title)
    .bind(p.body)
    .bind(p.notes)
    .bind(p.visibility)
    .bind(p.owner)
    .bind(p.team)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await
    .map(drop))
    .expect("insert prompt");
    for tag in p.tags {
        let tag_id: Option<String> = on!(&mut tx, |conn, q| sqlx::query_scalar(q(
            "SELECT \"id\" FROM \"Tag\" WHERE \"name\" = ?"
        ))
        .bind(*tag)
        .fetch_optional(conn)
        .await)
        .expect("tag");
        let tag_id = match tag_id {
            Some(t) => t,
            None => {
                let t = db::new_id();
                exec(
                    &mut tx,
                    "INSERT INTO \"Tag\" (\"id\", \"name\", \"nameKey\") VALUES (?, ?, ?)",
                    &[&t, tag, &promptvault::text::fold(tag)],
                )
                .await;
                t
            }
        };
        exec(
            &mut tx,
            "INSERT INTO \"PromptTag\" (\"promptId\", \"tagId\") VALUES (?, ?)",
            &[&id, &tag_id],
        )
        .await;
    }
    tx.commit().await.expect("commit");
    id
}

async fn me(c: &Client) -> String {
    c.get("/api/auth/me").await.1["user"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

async fn ids(c: &Client, query: &str) -> Vec<String> {
    let (s, body) = c.get(&format!("/api/search?{query}")).await;
    assert_eq!(s, 200, "{query}: {body}");
    body.as_array()
        .expect("array")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn finds_word_forms_phrases_prefixes_and_exclusions(app: TestApp) {
    let c = app.user("ann@example.com").await;
    let ann = me(&c).await;
    let summary = insert(
        &app,
        P {
            owner: &ann,
            title: "Summarizing long documents",
            body: "Condense the running text into three bullet points.",
            ..P::default()
        },
    )
    .await;
    let followup = insert(
        &app,
        P {
            owner: &ann,
            title: "Customer email",
            body: "Write a polite follow up email after the meeting.",
            ..P::default()
        },
    )
    .await;
    let draft = insert(
        &app,
        P {
            owner: &ann,
            title: "Draft email",
            body: "A rough email draft: follow the outline and wrap it up.",
            ..P::default()
        },
    )
    .await;
    let ai = insert(
        &app,
        P {
            owner: &ann,
            title: "AI safety checklist",
            body: "Questions to ask before shipping a model.",
            ..P::default()
        },
    )
    .await;

    assert_eq!(
        ids(&c, &q("summarize document")).await,
        vec![summary.clone()],
        "word forms match"
    );
    assert_eq!(
        ids(&c, &q("run")).await,
        vec![summary.clone()],
        "running ~ run"
    );
    let mut both = ids(&c, &q("email")).await;
    both.sort();
    let mut expected = vec![followup.clone(), draft.clone()];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(
        ids(&c, &q("\"follow up\"")).await,
        vec![followup.clone()],
        "phrase"
    );
    assert_eq!(
        ids(&c, &q("email -draft")).await,
        vec![followup.clone()],
        "exclusion"
    );
    assert_eq!(
        ids(&c, &q("summar*")).await,
        vec![summary.clone()],
        "prefix"
    );
    assert_eq!(
        ids(&c, &q("AI")).await,
        vec![ai.clone()],
        "short words are found"
    );
    assert_eq!(ids(&c, &q("AI -checklist")).await, Vec::<String>::new());
    assert!(ids(&c, &q("zebra")).await.is_empty());

    let (_, hits) = c.get(&format!("/api/search?{}", q("meeting"))).await;
    let snippet = hits[0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>meeting</mark>"), "{snippet}");
    app.stop().await;
}

async fn searches_tags_and_notes_and_ranks_titles_first(app: TestApp) {
    let c = app.user("bo@example.com").await;
    let bo = me(&c).await;
    let tagged = insert(
        &app,
        P {
            owner: &bo,
            title: "Launch plan",
            body: "Steps for the launch.",
            tags: &["marketing", "Q3"],
            ..P::default()
        },
    )
    .await;
    let noted = insert(
        &app,
        P {
            owner: &bo,
            title: "Tone guide",
            body: "Be brief.",
            notes: Some("Works best with Claude-style assistants and kittens"),
            ..P::default()
        },
    )
    .await;
    let body_only = insert(&app, P { owner: &bo, title: "Weekly report", body: "Collect metrics about the newsletter, then the newsletter summary, newsletter stats and more newsletter.", ..P::default() }).await;
    let in_title = insert(&app, P { owner: &bo, title: "Newsletter intro", body: "Open with a friendly hello and a short overview of this week's topics and highlights.", ..P::default() }).await;

    assert_eq!(
        ids(&c, &q("marketing")).await,
        vec![tagged.clone()],
        "tags are searchable"
    );
    assert_eq!(
        ids(&c, &q("kittens")).await,
        vec![noted.clone()],
        "notes are searchable"
    );
    assert_eq!(
        ids(&c, &q("newsletter")).await,
        vec![in_title.clone(), body_only.clone()],
        "a title match ranks first"
    );
    assert_eq!(
        ids(&c, &format!("{}&tag=marketing", q("launch"))).await,
        vec![tagged.clone()]
    );
    assert!(
        ids(&c, &format!("{}&tag=other", q("launch")))
            .await
            .is_empty()
    );
    app.stop().await;
}

async fn never_shows_what_the_caller_cannot_open(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let owner = app.user("owner@example.com").await;
    let mate = app.user("mate@example.com").await;
    let stranger = app.user("stranger@example.com").await;
    let (owner_id, mate_id) = (me(&owner).await, me(&mate).await);
    let (_, team) = admin
        .post("/api/admin/teams", &json!({ "name": "crew" }))
        .await;
    let team_id = team["id"].as_str().expect("team").to_string();
    for id in [&owner_id, &mate_id] {
        admin
            .ok_post(
                &format!("/api/admin/teams/{team_id}/members"),
                &json!({ "userId": id }),
            )
            .await;
    }
    let private = insert(
        &app,
        P {
            owner: &owner_id,
            title: "Secret sauce private",
            body: "hidden",
            ..P::default()
        },
    )
    .await;
    let team_p = insert(
        &app,
        P {
            owner: &owner_id,
            title: "Secret sauce team",
            body: "crew only",
            visibility: "TEAM",
            team: Some(&team_id),
            ..P::default()
        },
    )
    .await;
    let team_any = insert(
        &app,
        P {
            owner: &owner_id,
            title: "Secret sauce any team",
            body: "any of my teams",
            visibility: "TEAM",
            ..P::default()
        },
    )
    .await;
    let public = insert(
        &app,
        P {
            owner: &owner_id,
            title: "Secret sauce public",
            body: "for all",
            visibility: "PUBLIC",
            ..P::default()
        },
    )
    .await;

    let mut all = vec![
        private.clone(),
        team_p.clone(),
        team_any.clone(),
        public.clone(),
    ];
    all.sort();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(ids(&owner, &q("sauce")).await), all);
    let mut mate_sees = vec![team_p.clone(), team_any.clone(), public.clone()];
    mate_sees.sort();
    assert_eq!(sorted(ids(&mate, &q("sauce")).await), mate_sees);
    assert_eq!(ids(&stranger, &q("sauce")).await, vec![public.clone()]);
    assert_eq!(
        ids(&admin, &q("sauce")).await,
        vec![public.clone()],
        "admins get no special access"
    );
    let (s, _) = app
        .client()
        .get(&format!("/api/search?{}", q("sauce")))
        .await;
    assert_eq!(s, 401);
    let resp = stranger
        .request(reqwest::Method::GET, &format!("/api/search?{}", q("sauce")))
        .send()
        .await
        .expect("search");
    assert_eq!(
        resp.headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("1"),
        "the total counts only readable hits"
    );
    app.stop().await;
}

async fn edits_and_deletes_show_at_once(app: TestApp) {
    let c = app.user("ed@example.com").await;
    let ed = me(&c).await;
    let id = insert(
        &app,
        P {
            owner: &ed,
            title: "Haiku writer",
            body: "Write a haiku about autumn.",
            tags: &["poetry"],
            ..P::default()
        },
    )
    .await;
    assert_eq!(ids(&c, &q("autumn")).await, vec![id.clone()]);
    let mut tx = app.state.db.write().await.expect("tx");
    exec(
        &mut tx,
        "UPDATE \"Prompt\" SET \"body\" = ? WHERE \"id\" = ?",
        &["Write a haiku about winter.", &id],
    )
    .await;
    exec(
        &mut tx,
        "UPDATE \"Tag\" SET \"name\" = ? WHERE \"name\" = ?",
        &["verse", "poetry"],
    )
    .await;
    tx.commit().await.expect("commit");
    assert!(ids(&c, &q("autumn")).await.is_empty(), "old text is gone");
    assert_eq!(ids(&c, &q("winter")).await, vec![id.clone()]);
    assert_eq!(
        ids(&c, &q("verse")).await,
        vec![id.clone()],
        "tag renames are indexed"
    );
    assert!(ids(&c, &q("poetry")).await.is_empty());
    let mut tx = app.state.db.write().await.expect("tx");
    exec(
        &mut tx,
        "DELETE FROM \"PromptTag\" WHERE \"promptId\" = ?",
        &[&id],
    )
    .await;
    tx.commit().await.expect("commit");
    assert!(
        ids(&c, &q("verse")).await.is_empty(),
        "removed tags are unindexed"
    );
    let mut tx = app.state.db.write().await.expect("tx");
    exec(&mut tx, "DELETE FROM \"Prompt\" WHERE \"id\" = ?", &[&id]).await;
    tx.commit().await.expect("commit");
    assert!(
        ids(&c, &q("winter")).await.is_empty(),
        "deleted prompts leave no hits"
    );

    // A stale index (rows written around the triggers) is detected and rebuilt.
    let again = insert(
        &app,
        P {
            owner: &ed,
            title: "Limerick",
            body: "There once was a prompt",
            ..P::default()
        },
    )
    .await;
    let mut tx = app.state.db.write().await.expect("tx");
    let clear = match app.backend() {
        promptvault::db::Backend::Sqlite => "DELETE FROM PromptSearch",
        _ => "DELETE FROM \"PromptSearch\"",
    };
    exec(&mut tx, clear, &[]).await;
    tx.commit().await.expect("commit");
    assert!(ids(&c, &q("limerick")).await.is_empty());
    assert!(
        promptvault::search::index::ensure_fresh(&app.state.db)
            .await
            .expect("fresh")
    );
    assert_eq!(ids(&c, &q("limerick")).await, vec![again]);
    assert!(
        !promptvault::search::index::ensure_fresh(&app.state.db)
            .await
            .expect("fresh")
    );
    app.stop().await;
}

async fn filters_sorts_and_paginates(app: TestApp) {
    let c = app.user("pg@example.com").await;
    let pg = me(&c).await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(
            insert(
                &app,
                P {
                    owner: &pg,
                    title: &format!("Recipe {i}"),
                    body: "A recipe prompt",
                    visibility: if i % 2 == 0 { "PUBLIC" } else { "PRIVATE" },
                    ..P::default()
                },
            )
            .await,
        );
    }
    let resp = c
        .request(
            reqwest::Method::GET,
            "/api/search?q=recipe&limit=3&offset=0&sort=title",
        )
        .send()
        .await
        .expect("page");
    assert_eq!(
        resp.headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    let first: Value = resp.json().await.expect("json");
    let titles: Vec<&str> = first
        .as_array()
        .expect("arr")
        .iter()
        .map(|h| h["title"].as_str().expect("t"))
        .collect();
    assert_eq!(titles, vec!["Recipe 0", "Recipe 1", "Recipe 2"]);
    let (_, second) = c
        .get("/api/search?q=recipe&limit=3&offset=3&sort=title")
        .await;
    assert_eq!(second[0]["title"], "Recipe 3");
    assert_eq!(ids(&c, "q=recipe&visibility=PUBLIC").await.len(), 4);
    assert_eq!(
        ids(&c, "q=recipe&owner=me&visibility=private").await.len(),
        3
    );
    for bad in [
        "q=recipe&limit=abc",
        "q=recipe&offset=-1",
        "q=recipe&sort=sideways",
        "q=recipe&visibility=SECRET",
        "q=",
    ] {
        let (s, body) = c.get(&format!("/api/search?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {body}");
        assert!(body["error"].is_string());
    }
    app.stop().await;
}

async fn hostile_queries_never_fail(app: TestApp) {
    let c = app.user("fuzz@example.com").await;
    let id = me(&c).await;
    insert(
        &app,
        P {
            owner: &id,
            title: "Anything at all",
            body: "NEAR AND OR NOT \"quoted\" (parens) col:umn ^caret * - + ~ <-> :*",
            ..P::default()
        },
    )
    .await;
    let pieces = [
        "\"",
        "'",
        "-",
        "*",
        "(",
        ")",
        ":",
        "^",
        "~",
        "+",
        "&",
        "|",
        "!",
        "<->",
        ":*",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "title:",
        "PromptSearch",
        "';--",
        "\"; DROP TABLE \"Prompt\"; --",
        "%",
        "_",
        "\\",
        "\u{0}",
        "é",
        "日本語",
        "🙂",
        "ＡＩ",
        "word",
        "ai",
        "a",
        "the",
        "\t",
        "\n",
        "{{x}}",
        "$1",
        "?",
        "@@",
        "\u{202e}",
        "\u{E000}",
    ];
    // A small deterministic generator: the same 10,000 queries on every run, run through the
    // search service in-process against the real engine (every query must become valid SQL and
    // full-text syntax there); one in fifty also goes through the HTTP API.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rounds = 10_000;
    for _ in 0..rounds {
        let n = 1 + next() % 6;
        let mut query = String::new();
        for _ in 0..n {
            let p = pieces[(next() % pieces.len() as u64) as usize];
            query.push_str(p);
            if next() % 2 == 0 {
                query.push(' ');
            }
        }
        let req = promptvault::listing::ListQuery {
            q: Some(query.clone()),
            limit: 20,
            ..Default::default()
        };
        let scope = promptvault::listing::Scope::Readable;
        match promptvault::search::search(&app.state.db, &id, scope, &req).await {
            Ok(_) | Err(promptvault::error::Error::Invalid { .. }) => {}
            Err(e) => panic!("{query:?} -> {e:?}"),
        }
        if next() % 50 == 0 {
            let (s, body) = c.get(&format!("/api/search?{}", q(&query))).await;
            assert!(s == 200 || s == 400, "{query:?} -> {s} {body}");
        }
    }
    app.stop().await;
}

async fn guide_search_queries_work(app: TestApp) {
    let c = app.user("guide@example.com").await;
    let id = me(&c).await;
    let hit = insert(
        &app,
        P {
            owner: &id,
            title: "Search term demo",
            body: "Explains the search term feature",
            tags: &["research"],
            ..P::default()
        },
    )
    .await;
    insert(
        &app,
        P {
            owner: &id,
            title: "Unrelated",
            body: "Nothing to see",
            ..P::default()
        },
    )
    .await;
    let mut tx = app.state.db.read().await.expect("tx");
    let found: Vec<String> = match app.backend() {
        promptvault::db::Backend::Sqlite => on!(&mut tx, |conn, q| sqlx::query_scalar(q(
            "SELECT p.id FROM Prompt p JOIN PromptSearch ps ON p.id = ps.promptId WHERE PromptSearch MATCH 'search term'"
        ))
        .fetch_all(conn)
        .await),
        promptvault::db::Backend::Postgres => on!(&mut tx, |conn, q| sqlx::query_scalar(q(
            "SELECT \"id\" FROM \"Prompt\" WHERE to_tsvector('english', title || ' ' || body) @@ plainto_tsquery('english', 'search term')"
        ))
        .fetch_all(conn)
        .await),
        promptvault::db::Backend::MySql => on!(&mut tx, |conn, q| sqlx::query_scalar(q(
            "SELECT \"promptId\" FROM \"PromptSearch\" WHERE MATCH(\"title\", \"body\", \"notes\", \"tags\") AGAINST ('search term')"
        ))
        .fetch_all(conn)
        .await),
    }
    .expect("guide query");
    assert_eq!(found, vec![hit.clone()]);
    let tag_hits: Vec<String> = on!(&mut tx, |conn, q| sqlx::query_scalar(q(
        "SELECT p.\"id\" FROM \"Prompt\" p JOIN \"PromptTag\" pt ON p.\"id\" = pt.\"promptId\" JOIN \"Tag\" t ON pt.\"tagId\" = t.\"id\" WHERE t.\"name\" LIKE '%search%'"
    ))
    .fetch_all(conn)
    .await)
    .expect("tag search");
    assert_eq!(tag_hits, vec![hit]);
    drop(tx);
    app.stop().await;
}
