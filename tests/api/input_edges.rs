//! Input at the edges of what the databases accept, on SQLite, PostgreSQL and MariaDB: ids that
//! cannot exist (NUL, non-ASCII), NUL characters in text, non-ASCII filters compared with id
//! columns, and times outside 1970..2038.

use crate::common;

use common::library::id_of;
use common::{Client, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

on_all_backends!(
    ids_that_cannot_exist_are_404_on_every_route,
    nul_characters_are_400,
    non_ascii_filters_and_team_names_are_not_500,
    times_from_year_1_to_9999_are_kept_exactly,
    every_version_and_character_comes_back_whole,
);

async fn status(c: &Client, method: Method, path: &str, body: Option<&Value>) -> u16 {
    let mut r = c.request(method, path);
    if let Some(b) = body {
        r = r.json(b);
    }
    c.send(r).await.0.as_u16()
}

async fn ids_that_cannot_exist_are_404_on_every_route(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let anon = app.client();
    let admin_id = id_of(&admin).await;
    let (s, team) = admin
        .post("/api/admin/teams", &json!({ "name": "Crew" }))
        .await;
    assert_eq!(s, 201, "{team}");
    let team = team["id"].as_str().expect("team id").to_string();
    for bad in ["a%00b", "%C3%A9", "x%C3%A9y"] {
        let api: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/api/prompts/{bad}"), None),
            (
                Method::PUT,
                format!("/api/prompts/{bad}"),
                Some(json!({ "title": "t" })),
            ),
            (Method::DELETE, format!("/api/prompts/{bad}"), None),
            (
                Method::PUT,
                format!("/api/prompts/{bad}/visibility"),
                Some(json!({ "visibility": "PRIVATE" })),
            ),
            (Method::GET, format!("/api/prompts/{bad}/versions"), None),
            (
                Method::GET,
                format!("/api/prompts/{bad}/versions/{bad}"),
                None,
            ),
            (
                Method::POST,
                format!("/api/prompts/{bad}/versions/{bad}/restore"),
                None,
            ),
            (Method::GET, format!("/api/prompts/{bad}/diff"), None),
            (
                Method::POST,
                format!("/api/prompts/{bad}/render"),
                Some(json!({ "values": {} })),
            ),
            (
                Method::POST,
                format!("/api/ratings/{bad}"),
                Some(json!({ "value": 3 })),
            ),
            (Method::DELETE, format!("/api/ratings/{bad}"), None),
            (Method::POST, format!("/api/share/{bad}/public"), None),
            (Method::DELETE, format!("/api/share/{bad}/public"), None),
            (
                Method::PUT,
                format!("/api/tags/{bad}"),
                Some(json!({ "name": "n" })),
            ),
            (Method::DELETE, format!("/api/tags/{bad}"), None),
            (
                Method::POST,
                format!("/api/tags/{bad}/merge"),
                Some(json!({ "into": "x" })),
            ),
            (Method::DELETE, format!("/api/auth/tokens/{bad}"), None),
            (Method::GET, format!("/api/admin/users/{bad}"), None),
            (
                Method::PUT,
                format!("/api/admin/users/{bad}"),
                Some(json!({ "name": "n" })),
            ),
            (Method::DELETE, format!("/api/admin/users/{bad}"), None),
            (
                Method::PUT,
                format!("/api/admin/teams/{bad}"),
                Some(json!({ "name": "n" })),
            ),
            (Method::DELETE, format!("/api/admin/teams/{bad}"), None),
            (Method::GET, format!("/api/admin/teams/{bad}/members"), None),
            (
                Method::POST,
                format!("/api/admin/teams/{bad}/members"),
                Some(json!({ "userId": admin_id })),
            ),
            (
                Method::DELETE,
                format!("/api/admin/teams/{bad}/members/{bad}"),
                None,
            ),
            (
                Method::DELETE,
                format!("/api/admin/teams/{team}/members/{bad}"),
                None,
            ),
            (Method::GET, format!("/api/admin/backups/{bad}"), None),
        ];
        for (method, path, body) in &api {
            let s = status(&admin, method.clone(), path, body.as_ref()).await;
            assert_eq!(s, 404, "{method} {path}");
        }
        for path in [format!("/api/share/public/{bad}"), format!("/share/{bad}")] {
            assert_eq!(status(&anon, Method::GET, &path, None).await, 404, "{path}");
        }
        for path in [
            format!("/prompts/{bad}"),
            format!("/prompts/{bad}/history"),
            format!("/prompts/{bad}/edit"),
            format!("/prompts/{bad}/raw"),
            format!("/team-feed/{bad}"),
            format!("/admin/users/{bad}"),
            format!("/admin/teams/{bad}"),
        ] {
            assert_eq!(
                status(&admin, Method::GET, &path, None).await,
                404,
                "{path}"
            );
        }
        let resp = admin
            .send_raw(admin.request(Method::GET, &format!("/api/prompts/{bad}")))
            .await;
        let body: Value = resp.json().await.expect("JSON 404");
        assert_eq!(body["code"], "not_found");
    }
    // A version reference that cannot be an id, in a query string, names no version.
    let (s, p) = admin
        .post("/api/prompts", &json!({ "title": "Real", "body": "text" }))
        .await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("id");
    for q in ["from=%C3%A9", "to=a%C3%A9", "from=%00"] {
        let path = format!("/api/prompts/{id}/diff?{q}");
        let s = status(&admin, Method::GET, &path, None).await;
        assert!(s == 404 || s == 400, "{path}: {s}");
    }
    app.stop().await;
}

async fn nul_characters_are_400(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let anon = app.client();
    let (s, p) = admin
        .post("/api/prompts", &json!({ "title": "Real", "body": "text" }))
        .await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("id").to_string();
    let (s, tag) = admin.post("/api/tags", &json!({ "name": "keep" })).await;
    assert_eq!(s, 201, "{tag}");
    let tag = tag["id"].as_str().expect("tag id").to_string();
    let admin_id = id_of(&admin).await;
    let nul = "a\u{0}b";
    let bodies: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/prompts".into(),
            json!({ "title": nul, "body": "b" }),
        ),
        (
            Method::POST,
            "/api/prompts".into(),
            json!({ "title": "t", "body": nul }),
        ),
        (
            Method::POST,
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "notes": nul }),
        ),
        (
            Method::POST,
            "/api/prompts".into(),
            json!({ "title": "t", "body": "b", "tags": [nul] }),
        ),
        (
            Method::PUT,
            format!("/api/prompts/{id}"),
            json!({ "title": nul }),
        ),
        (
            Method::PUT,
            format!("/api/prompts/{id}"),
            json!({ "body": "x", "message": nul }),
        ),
        (
            Method::POST,
            format!("/api/prompts/{id}/versions/1/restore"),
            json!({ "message": nul }),
        ),
        (Method::POST, "/api/tags".into(), json!({ "name": nul })),
        (
            Method::PUT,
            format!("/api/tags/{tag}"),
            json!({ "name": nul }),
        ),
        (
            Method::POST,
            "/api/admin/teams".into(),
            json!({ "name": nul }),
        ),
        (
            Method::POST,
            "/api/admin/users".into(),
            json!({ "email": "a\u{0}@example.com", "password": "password-123" }),
        ),
        (
            Method::PUT,
            format!("/api/admin/users/{admin_id}"),
            json!({ "name": nul }),
        ),
        (
            Method::PUT,
            "/api/auth/profile".into(),
            json!({ "name": nul }),
        ),
        (
            Method::POST,
            "/api/auth/tokens".into(),
            json!({ "name": nul }),
        ),
        (
            Method::POST,
            "/api/import-export/import".into(),
            json!([{ "title": nul, "body": "b" }]),
        ),
        (
            Method::POST,
            "/api/import-export/import".into(),
            json!([{ "title": "t", "body": "b", "tags": [nul] }]),
        ),
    ];
    for (method, path, body) in &bodies {
        let s = status(&admin, method.clone(), path, Some(body)).await;
        assert_eq!(s, 400, "{method} {path} {body}");
    }
    for body in [
        json!({ "email": nul, "password": "password-123" }),
        json!({ "email": "new@example.com", "password": "password-123", "name": nul }),
    ] {
        assert_eq!(
            status(&anon, Method::POST, "/api/auth/register", Some(&body)).await,
            400
        );
        assert_eq!(
            status(&anon, Method::POST, "/api/auth/login", Some(&body)).await,
            400
        );
    }
    for path in [
        "/api/search?q=x&tag=%00",
        "/api/search?q=%00",
        "/api/search?q=x&owner=%00",
        "/api/prompts?q=a%00",
        "/api/prompts?tag=%00",
        "/api/prompts/feed/team?q=%00",
        "/api/import-export/export?format=%00",
    ] {
        let (s, body) = admin.get(path).await;
        assert_eq!(s, 400, "{path}: {body}");
        assert_eq!(body["code"], "invalid_input", "{path}");
    }
    // Pages: a form with NUL is refused; a bookmark with NUL is an ordinary page.
    let resp = admin
        .send_raw(
            admin
                .request(Method::POST, "/admin/teams")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=a%00b"),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        status(&admin, Method::GET, "/search?q=%00", None).await,
        200
    );
    // The text `\u0000` (a backslash, not a NUL) is ordinary prompt text.
    let text = "Escape NUL as \\u0000 in JSON";
    let (s, p) = admin
        .post("/api/prompts", &json!({ "title": "Escapes", "body": text }))
        .await;
    assert_eq!(s, 201, "{p}");
    let (_, got) = admin
        .get(&format!("/api/prompts/{}", p["id"].as_str().expect("id")))
        .await;
    assert_eq!(got["body"], text);
    app.stop().await;
}

async fn non_ascii_filters_and_team_names_are_not_500(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let (s, team) = admin
        .post("/api/admin/teams", &json!({ "name": "Équipe" }))
        .await;
    assert_eq!(s, 201, "{team}");
    for path in [
        "/api/search?q=x&owner=%C3%A9",
        "/api/search?q=x&team=%C3%A9",
        "/api/prompts?team=%C3%A9",
    ] {
        let (s, body) = admin.get(path).await;
        assert_eq!(s, 400, "{path}: {body}");
    }
    // A team named with non-ASCII letters is found by its name (the id lookup comes first).
    let (s, me) = admin
        .post("/api/auth/team", &json!({ "team": "Équipe" }))
        .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["user"]["team"], "Équipe");
    let (s, user) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "eve@example.com", "password": "password-123", "teams": ["é"] }),
        )
        .await;
    assert_eq!(s, 400, "{user}");
    // Ids in JSON bodies that cannot exist name nothing.
    let team_id = team["id"].as_str().expect("team id");
    let (s, b) = admin
        .post(
            &format!("/api/admin/teams/{team_id}/members"),
            &json!({ "userId": "é" }),
        )
        .await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = admin
        .post(
            "/api/prompts",
            &json!({ "title": "t", "body": "b", "visibility": "TEAM", "teamId": "é" }),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = admin.post("/api/tags", &json!({ "name": "café" })).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = admin
        .post(
            &format!("/api/tags/{}/merge", b["id"].as_str().expect("tag id")),
            &json!({ "into": "é" }),
        )
        .await;
    assert!(s == 404 || s == 400, "{s} {b}");
    app.stop().await;
}

async fn times_from_year_1_to_9999_are_kept_exactly(app: TestApp) {
    let ann = app.user("ann@example.com").await;
    let file = json!([
        { "title": "Moon", "body": "landing", "createdAt": "1969-07-20T20:17:00Z",
          "updatedAt": "1969-07-21T02:56:15.123Z" },
        { "title": "Year one", "body": "old", "createdAt": "0001-01-01T00:00:00Z" },
        { "title": "Late", "body": "y2k38", "createdAt": "2038-01-19T03:14:08.000Z" },
        { "title": "Future", "body": "far", "createdAt": "2100-01-01T00:00:00Z" },
    ]);
    let (s, r) = ann.post("/api/import-export/import", &file).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["imported"], 4);
    let (s, list) = ann.get("/api/prompts?limit=200").await;
    assert_eq!(s, 200);
    let by_title = |t: &str| -> Value {
        list.as_array()
            .expect("array")
            .iter()
            .find(|p| p["title"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("{t} listed"))
    };
    let moon = by_title("Moon");
    assert_eq!(moon["createdAt"], "1969-07-20T20:17:00.000Z");
    assert_eq!(moon["updatedAt"], "1969-07-21T02:56:15.123Z");
    assert_eq!(
        by_title("Year one")["createdAt"],
        "0001-01-01T00:00:00.000Z"
    );
    // 2038 is in the future: an import brings it back to the present (the import's rule); the
    // columns themselves hold it, and 9999, as the round trip below proves.
    let late = by_title("Late");
    let late: chrono::DateTime<chrono::Utc> = late["createdAt"]
        .as_str()
        .expect("time")
        .parse()
        .expect("iso");
    assert!(late <= chrono::Utc::now());
    // Future times are kept, or (by the import's own rule) brought back to the present.
    let future = by_title("Future");
    let future = future["createdAt"].as_str().expect("createdAt");
    assert!(
        future == "2100-01-01T00:00:00.000Z" || future < "2100",
        "{future}"
    );
    let (_, one) = ann
        .get(&format!(
            "/api/prompts/{}",
            moon["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(one["createdAt"], "1969-07-20T20:17:00.000Z");
    let (_, export) = ann.get("/api/import-export/export").await;
    let exported = export
        .as_array()
        .expect("export")
        .iter()
        .find(|p| p["title"] == "Moon")
        .expect("Moon exported");
    assert_eq!(exported["createdAt"], "1969-07-20T20:17:00.000Z");
    // The columns hold times past 2038 and up to 9999 with their milliseconds.
    let moon_id = moon["id"].as_str().expect("id").to_string();
    for t in ["2038-01-19T03:14:08.000Z", "9999-12-31T23:59:59.999Z"] {
        let when: chrono::DateTime<chrono::Utc> = t.parse().expect("time");
        let mut tx = app.state.db.write().await.expect("tx");
        promptvault::db::dynamic::execute(
            &mut tx,
            "UPDATE \"Prompt\" SET \"updatedAt\" = ? WHERE \"id\" = ?".into(),
            &[
                promptvault::db::dynamic::Arg::T(when),
                promptvault::db::dynamic::Arg::S(moon_id.clone()),
            ],
        )
        .await
        .expect("write a late time");
        tx.commit().await.expect("commit");
        let (_, one) = ann.get(&format!("/api/prompts/{moon_id}")).await;
        assert_eq!(one["updatedAt"], t);
    }

    for bad in [
        "0000-06-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "1969-07-20 20:17",
    ] {
        let (s, b) = ann
            .post(
                "/api/import-export/import",
                &json!([{ "title": "Bad", "body": bad, "createdAt": bad }]),
            )
            .await;
        assert_eq!(s, 400, "{bad}: {b}");
    }

    // An ordinary write reads back exactly.
    let (s, p) = ann
        .post("/api/prompts", &json!({ "title": "Now", "body": "today" }))
        .await;
    assert_eq!(s, 201, "{p}");
    let (_, got) = ann
        .get(&format!("/api/prompts/{}", p["id"].as_str().expect("id")))
        .await;
    assert_eq!(got["createdAt"], p["createdAt"]);
    assert_eq!(got["updatedAt"], p["updatedAt"]);
    app.stop().await;
}

/// A prompt's full view reads its versions, ratings and tags as JSON made by the database:
/// every character comes back as written, and a history too long for one row (five versions of
/// nearly 1 MiB) is read whole by its own statement.
async fn every_version_and_character_comes_back_whole(app: TestApp) {
    let c = app.user("history@example.com").await;
    let odd = "quote \" backslash \\ newline \n tab \t unicode é € 😀 \u{1} <b>&amp;</b> '; --";
    let (s, made) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Odd \" \\ é € 😀 <b>&amp;</b> '; --", "body": odd, "notes": odd,
                     "tags": ["quote\"tag", "é-tag"] }),
        )
        .await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().expect("id").to_string();
    let (s, _) = c
        .post(&format!("/api/ratings/{id}"), &json!({ "value": 4 }))
        .await;
    assert!(s.is_success(), "rate: {s}");
    let (s, got) = c.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["body"], odd);
    assert_eq!(got["versions"][0]["body"], odd);
    assert_eq!(got["versions"][0]["notes"], odd);
    assert_eq!(
        got["versions"][0]["title"],
        "Odd \" \\ é € 😀 <b>&amp;</b> '; --"
    );
    let mut tags: Vec<&str> = got["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["tag"]["name"].as_str())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, vec!["quote\"tag", "é-tag"]);
    assert_eq!(got["ratings"][0]["value"], 4);
    assert_eq!(got["avgRating"], 4.0);
    assert_eq!(got["myRating"], 4);

    let bodies: Vec<String> = (0..5)
        .map(|i| format!("{i} {}", "x\"é".repeat(240_000)))
        .collect();
    let (s, made) = c
        .post(
            "/api/prompts",
            &json!({ "title": "Long history", "body": bodies[0] }),
        )
        .await;
    assert_eq!(s, 201, "{}", &made.to_string()[..200]);
    let id = made["id"].as_str().expect("id").to_string();
    for b in &bodies[1..] {
        let (s, _) = c
            .put(&format!("/api/prompts/{id}"), &json!({ "body": b }))
            .await;
        assert_eq!(s, 200);
    }
    let (s, got) = c.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 200);
    let versions = got["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 5);
    for (v, want) in versions.iter().zip(bodies.iter().rev()) {
        assert!(v["body"] == *want, "version {} changed", v["version"]);
    }
    assert_eq!(got["_count"]["versions"], 5);
    app.stop().await;
}
