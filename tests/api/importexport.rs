//! Import/export and list efficiency, on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::TestApp;
use common::library::{count_where, library_rows, prompt};
use promptvault::prompts::{self, ListQuery, Sort};
use serde_json::{Value, json};

on_all_backends!(
    export_import_round_trip_of_200_prompts,
    import_formats_and_bad_files,
    list_issues_a_constant_number_of_queries,
    import_acts_only_in_the_callers_name,
);

/// A crafted file cannot rate in another user's name, and times in the future become the time
/// of the import.
async fn import_acts_only_in_the_callers_name(app: TestApp) {
    let mallory = app.user("mallory@example.com").await;
    let victim = app.user("victim@example.com").await;
    let file = json!([{
        "title": "Crafted", "body": "b", "visibility": "PUBLIC",
        "createdAt": "2099-01-01T00:00:00Z", "updatedAt": "2099-12-31T00:00:00Z",
        "versions": [{ "version": 1, "title": "Crafted", "body": "b", "createdAt": "2099-06-01T00:00:00Z" }],
        "ratings": [
            { "userEmail": "victim@example.com", "value": 5 },
            { "userEmail": "VICTIM@example.com", "userId": "someone", "value": 5 },
            { "userEmail": "mallory@example.com", "value": 2 }
        ]
    }]);
    let before = chrono::Utc::now();
    let (s, report) = mallory
        .post_raw(
            "/api/import-export/import",
            file.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, 200, "{report}");
    let (_, list) = mallory.get("/api/prompts").await;
    let p = &list[0];
    let id = p["id"].as_str().expect("id");
    for field in ["createdAt", "updatedAt"] {
        let t: chrono::DateTime<chrono::Utc> =
            p[field].as_str().expect("time").parse().expect("iso");
        assert!(
            t <= chrono::Utc::now() && t >= before - chrono::Duration::seconds(5),
            "{field}: {t}"
        );
    }
    let (_, versions) = mallory.get(&format!("/api/prompts/{id}/versions")).await;
    for v in versions.as_array().expect("versions") {
        let t: chrono::DateTime<chrono::Utc> =
            v["createdAt"].as_str().expect("time").parse().expect("iso");
        assert!(t <= chrono::Utc::now(), "version time {t}");
    }
    let (_, seen) = victim.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        seen["myRating"],
        Value::Null,
        "no rating in the victim's name: {seen}"
    );
    assert_eq!(p["myRating"], 2, "the caller's own rating is kept");
    assert_eq!(count_where(&app, "Rating", "1 = 1").await, 1);
    app.stop().await;
}

/// The comparable content of an export: everything but ids and authors.
fn normalise(export: &Value) -> Vec<Value> {
    let mut items: Vec<Value> = export
        .as_array()
        .expect("array")
        .iter()
        .map(|p| {
            let mut tags: Vec<&str> = p["tags"].as_array().expect("tags").iter().map(|t| t["tag"]["name"].as_str().expect("n")).collect();
            tags.sort_unstable();
            let versions: Vec<Value> = p["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .map(|v| json!([v["version"], v["title"], v["body"], v["notes"], v["variables"], v["modelHints"], v["message"], v["createdAt"]]))
                .collect();
            // Only the owner's own ratings travel: an import never rates in someone else's name.
            let mut ratings: Vec<Value> = p["ratings"].as_array().expect("ratings").iter().filter(|r| r["userEmail"] == "ann@example.com").map(|r| json!([r["userEmail"], r["value"]])).collect();
            ratings.sort_by_key(Value::to_string);
            json!({
                "title": p["title"], "body": p["body"], "notes": p["notes"], "variables": p["variables"],
                "modelHints": p["modelHints"], "visibility": p["visibility"], "createdAt": p["createdAt"],
                "updatedAt": p["updatedAt"], "tags": tags, "versions": versions, "ratings": ratings,
            })
        })
        .collect();
    items.sort_by_key(|p| p["title"].to_string());
    items
}

async fn export_import_round_trip_of_200_prompts(app: TestApp) {
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    for i in 0..200 {
        let p = prompt(
            &ann,
            json!({ "title": format!("Prompt {i:03}"), "body": format!("Line one {{{{v{i}}}}}\nline \"two\", {i}\n"),
                    "notes": if i % 2 == 0 { Value::Null } else { json!(format!("note {i}")) },
                    "modelHints": if i % 3 == 0 { json!("claude") } else { Value::Null },
                    "tags": [format!("t{}", i % 7), "All"], "visibility": if i % 4 == 0 { "PUBLIC" } else { "PRIVATE" } }),
        )
        .await;
        let id = p["id"].as_str().expect("id");
        for e in 0..(i % 3) {
            let (s, _) = ann.put(&format!("/api/prompts/{id}"), &json!({ "body": format!("edit {e} of {i} {{{{x}}}}"), "message": format!("m{e}") })).await;
            assert_eq!(s, 200);
        }
        if i % 5 == 0 {
            ann.ok_post(
                &format!("/api/ratings/{id}"),
                &json!({ "value": 1 + i % 5 }),
            )
            .await;
        }
        if i % 4 == 0 {
            let (s, _) = bob
                .post(&format!("/api/ratings/{id}"), &json!({ "value": 3 }))
                .await;
            assert_eq!(s, 200);
        }
    }
    let (s, exported) = ann.get("/api/import-export/export").await;
    assert_eq!(s, 200);
    assert_eq!(exported.as_array().map(Vec::len), Some(200));
    let resp = ann
        .request(
            reqwest::Method::GET,
            "/api/import-export/export?format=markdown",
        )
        .send()
        .await
        .expect("md");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/markdown")
    );
    let md = resp.text().await.expect("text");
    assert_eq!(
        md.matches("\n---\n\n# Prompt ").count(),
        200,
        "one document per prompt"
    );
    assert!(md.contains("title: \"Prompt 001\"\n") && md.contains("tags: [\"All\", \"t1\"]"));

    let fresh = TestApp::start(app.backend())
        .await
        .expect("second instance");
    let ann2 = fresh.user("ann@example.com").await;
    fresh.user("bob@example.com").await;
    let (s, report) = ann2
        .post_raw(
            "/api/import-export/import",
            exported.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report, json!({ "ok": true, "imported": 200, "skipped": 0 }));
    let (_, again) = ann2.get("/api/import-export/export").await;
    assert_eq!(
        normalise(&again),
        normalise(&exported),
        "the data are equal"
    );
    let (_, p) = ann2.get("/api/prompts?sort=title&limit=1").await;
    assert_eq!(
        p[0]["avgRating"], 1.0,
        "ann's own rating (1) came along, bob's (3) did not"
    );
    assert_eq!(
        count_where(&fresh, "Rating", "1 = 1").await,
        40,
        "ann's 40 ratings only"
    );
    // Importing the same file again skips everything.
    let (_, report) = ann2
        .post_raw(
            "/api/import-export/import",
            exported.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(report, json!({ "ok": true, "imported": 0, "skipped": 200 }));
    fresh.stop().await;
    app.stop().await;
}

async fn import_formats_and_bad_files(app: TestApp) {
    let c = app.user("imp@example.com").await;
    let legacy = json!([{ "id": "ck1", "title": "Old", "body": "from 1.x {{name}}", "variables": null, "visibility": "TEAM",
        "userId": "u1", "createdAt": "2024-05-01T10:00:00.000Z", "updatedAt": "2024-05-02T10:00:00.000Z",
        "tags": [{ "promptId": "ck1", "tagId": "t1", "tag": { "id": "t1", "name": "Legacy" } }] }]);
    let (s, r) = c
        .post_raw(
            "/api/import-export/import",
            legacy.to_string(),
            "application/json",
        )
        .await;
    assert_eq!((s.as_u16(), r["imported"].as_i64()), (200, Some(1)), "{r}");
    let (_, list) = c.get("/api/prompts").await;
    assert_eq!(list[0]["title"], "Old");
    assert_eq!(list[0]["createdAt"], "2024-05-01T10:00:00.000Z");
    assert_eq!(
        list[0]["visibility"], "TEAM",
        "TEAM without a team is kept, as 1.x kept it (owner-only until they join a team)"
    );
    assert_eq!(list[0]["tags"][0]["tag"]["name"], "Legacy");
    assert_eq!(list[0]["_count"]["versions"], 1);
    let simple =
        json!([{ "title": "S1", "body": "b", "tags": ["x", "X"] }, { "title": "S2", "body": "c" }]);
    let (_, r) = c.post("/api/import-export/import", &simple).await;
    assert_eq!(r, json!({ "ok": true, "imported": 2, "skipped": 0 }));
    let csv = "act,prompt\n\"Linux Terminal\",\"I want you to act as a linux terminal. Reply with \"\"output\"\", nothing else.\nSecond line.\"\nTranslator,Translate {{text}}\n";
    let (s, r) = c
        .post_raw("/api/import-export/import", csv, "text/csv")
        .await;
    assert_eq!(
        (s.as_u16(), &r),
        (200, &json!({ "ok": true, "imported": 2, "skipped": 0 }))
    );
    let (_, hits) = c.get("/api/prompts?q=linux").await;
    assert_eq!(
        hits[0]["body"],
        "I want you to act as a linux terminal. Reply with \"output\", nothing else.\nSecond line."
    );

    let before = library_rows(&app).await;
    let bad: Vec<(String, &str, &str)> = vec![
        (
            "act,prompt\nok,fine\nbroken row without second field\nlast,one\n".into(),
            "text/csv",
            "Row 2 (line 3): columns",
        ),
        (
            "act,prompt\nok,fine\n,no title\n".into(),
            "text/csv",
            "Row 2 (line 3): act",
        ),
        (
            "act,prompt\nok,\"never closed\n".into(),
            "text/csv",
            "line 2",
        ),
        ("name,text\na,b\n".into(), "text/csv", "act"),
        (
            json!([{ "title": "good", "body": "b" }, { "title": "bad", "body": "" }]).to_string(),
            "application/json",
            "Item 2 (\"bad\"): body",
        ),
        (
            json!([{ "title": "t", "body": "b", "tags": ["z".repeat(500)] }]).to_string(),
            "application/json",
            "Item 1 (\"t\"): tags",
        ),
        (
            json!([{ "title": "t", "body": "b", "visibility": "WORLD" }]).to_string(),
            "application/json",
            "visibility",
        ),
        (
            json!([{ "title": "t", "body": "b", "ratings": [{ "value": 9 }] }]).to_string(),
            "application/json",
            "ratings[0].value",
        ),
        (
            json!([{ "title": "t", "body": "b", "versions": [{ "title": "", "body": "x" }] }])
                .to_string(),
            "application/json",
            "versions[0].title",
        ),
        (
            "[{\"title\": \"t\",".into(),
            "application/json",
            "not valid JSON",
        ),
        ("".into(), "application/json", "empty"),
    ];
    for (body, ct, needle) in bad {
        let (s, e) = c
            .post_raw("/api/import-export/import", body.clone(), ct)
            .await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(
            e["error"].as_str().expect("msg").contains(needle) || e.to_string().contains(needle),
            "{needle}: {e}"
        );
        assert!(e["details"].is_object(), "{e}");
    }
    assert_eq!(library_rows(&app).await, before, "all or nothing");
    let (s, _) = app
        .client()
        .post_raw("/api/import-export/import", "act,prompt\na,b\n", "text/csv")
        .await;
    assert_eq!(s, 401);
    let (s, _) = c.get("/api/import-export/export?format=pdf").await;
    assert_eq!(s, 400);
    app.stop().await;

    let small = TestApp::start_with(promptvault::db::Backend::Sqlite, |cfg| {
        cfg.import_max_bytes = cfg.max_body_bytes
    })
    .await
    .expect("app");
    let c = small.user("big@example.com").await;
    let huge = format!(
        "act,prompt\na,{}\n",
        "x".repeat(small.state.config.max_body_bytes + 10)
    );
    let (s, e) = c
        .post_raw("/api/import-export/import", huge, "text/csv")
        .await;
    assert_eq!(
        (s.as_u16(), e["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    small.stop().await;
}

/// `GET /api/prompts` for a user with 10,000 prompts: the number of SQL statements does not
/// depend on the page size (counted with `db::count_queries` around the service call the
/// handler makes).
async fn list_issues_a_constant_number_of_queries(app: TestApp) {
    let c = app.user("many@example.com").await;
    let items: Vec<Value> = (0..10_000)
        .map(|i| json!({ "title": format!("P{i:05}"), "body": format!("body {i}"), "tags": [format!("t{}", i % 20), "common"], "visibility": "PUBLIC" }))
        .collect();
    let user = promptvault::users::by_email(&app.state.db, "many@example.com")
        .await
        .expect("q")
        .expect("user");
    let report = promptvault::importexport::import(
        &app.state.db,
        &user,
        Value::Array(items).to_string().into(),
        false,
    )
    .await
    .expect("import");
    assert_eq!(report.imported, 10_000);
    let (_, page) = c.get("/api/prompts?limit=3").await;
    for p in page.as_array().expect("arr") {
        c.ok_post(
            &format!("/api/ratings/{}", p["id"].as_str().expect("id")),
            &json!({ "value": 5 }),
        )
        .await;
    }
    let db = &app.state.db;
    let mut counts = Vec::new();
    for (limit, sort) in [
        (5, Sort::Updated),
        (50, Sort::Updated),
        (200, Sort::Updated),
        (50, Sort::Rating),
        (50, Sort::Title),
    ] {
        let q = ListQuery {
            limit,
            sort: Some(sort),
            ..ListQuery::default()
        };
        let (result, n) = promptvault::db::count_queries(prompts::list_own(db, &user, &q)).await;
        let (views, total) = result.expect("list");
        assert_eq!(
            (views.len() as i64, total),
            (limit, promptvault::listing::Total::exact(10_000)),
            "10,000 is still counted exactly"
        );
        assert!(
            views
                .iter()
                .all(|v| v.tags.len() == 2 && v.count.versions == 1)
        );
        counts.push(n);
    }
    assert!(
        counts.iter().all(|n| *n == counts[0]),
        "constant: {counts:?}"
    );
    assert!(
        counts[0] <= 3,
        "page + total + the views' extras in one statement: {counts:?}"
    );
    // Tag filters: "common" is on every prompt (on SQLite it is checked while the list is read
    // in order), "t3" on 500 (read from the tag first); both answer the same prompts as the
    // rules say, in list order, with the same totals.
    let (_, all) = c.get("/api/prompts?limit=50").await;
    let (_, common) = c.get("/api/prompts?limit=50&tag=common").await;
    assert_eq!(common, all, "every prompt carries the frequent tag");
    let (s, common_later) = c.get("/api/prompts?limit=50&offset=9000&tag=COMMON").await;
    let (_, all_later) = c.get("/api/prompts?limit=50&offset=9000").await;
    assert_eq!((s.as_u16(), &common_later), (200, &all_later));
    for path in [
        "/api/prompts?limit=200&tag=t3",
        "/api/prompts?limit=200&tag=t3&tag=common",
    ] {
        let resp = c.send_raw(c.request(reqwest::Method::GET, path)).await;
        assert_eq!(resp.status(), 200, "{path}");
        let total = resp.headers()["x-total-count"]
            .to_str()
            .expect("total")
            .to_string();
        assert_eq!(total, "500", "{path}");
        let page: Vec<Value> = resp.json().await.expect("json");
        assert_eq!(page.len(), 200, "{path}");
        let keys: Vec<(String, String)> = page
            .iter()
            .map(|p| {
                (
                    p["updatedAt"].as_str().expect("t").into(),
                    p["id"].as_str().expect("id").into(),
                )
            })
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] > w[1]),
            "{path}: newest change first"
        );
        // "P<i>" carries "t<i % 20>".
        assert!(
            page.iter().all(|p| {
                p["title"]
                    .as_str()
                    .and_then(|t| t[1..].parse::<u32>().ok())
                    .map(|i| i % 20)
                    == Some(3)
                    && p["tags"]
                        .as_array()
                        .expect("tags")
                        .iter()
                        .any(|t| t["tag"]["name"] == "t3")
            }),
            "{path}: only t3"
        );
    }
    let (rated, _) = promptvault::db::count_queries(prompts::list_own(
        db,
        &user,
        &ListQuery {
            sort: Some(Sort::Rating),
            limit: 3,
            ..ListQuery::default()
        },
    ))
    .await;
    assert!(
        rated
            .expect("list")
            .0
            .iter()
            .all(|v| v.avg_rating == 5.0 && v.my_rating == Some(5))
    );
    // One more: the count stops at the cap and says so, in the service and over HTTP.
    prompt(&c, json!({ "title": "One more", "body": "b" })).await;
    let (_, total) = prompts::list_own(db, &user, &ListQuery::default())
        .await
        .expect("list");
    assert_eq!(
        total,
        promptvault::listing::Total {
            count: promptvault::listing::COUNT_CAP,
            capped: true
        }
    );
    let resp = c
        .request(reqwest::Method::GET, "/api/prompts?limit=1")
        .send()
        .await
        .expect("list");
    assert_eq!(resp.headers()["x-total-count"], "10000");
    assert_eq!(resp.headers()["x-total-count-capped"], "true");
    app.stop().await;
}
