//! The prompt pages without a browser: plain form posts create, edit, restore, rate, share and
//! delete prompts; every page answers as it should; user text is escaped everywhere.
//! Run on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::pages::{Html, csp_clean, register};
use common::{Client, TestApp};

on_all_backends!(
    prompt_pages_work_with_plain_forms,
    team_feed_share_page_and_permissions,
    prompt_text_is_escaped_everywhere,
    admin_tags_and_import_export,
);

/// The prompt id from a redirect to `/prompts/<id>`.
fn prompt_id(r: &Html) -> String {
    assert_eq!(r.status, 303, "{}", r.body);
    r.location
        .strip_prefix("/prompts/")
        .expect("redirect to the prompt")
        .to_string()
}

async fn new_prompt(c: &Client, fields: &[(&str, &str)]) -> String {
    prompt_id(&c.form("/prompts/new", fields).await)
}

/// Text between `start` and the next `<`.
fn between<'a>(html: &'a str, start: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &html[i..i + html[i..].find('<').expect("end")]
}

async fn prompt_pages_work_with_plain_forms(app: TestApp) {
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    let list = c.page("/prompts").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("No prompts yet"), "empty state explains");
    assert_eq!(c.page("/prompts/new").await.status, 200);

    // Validation failure keeps everything typed.
    let r = c
        .form(
            "/prompts/new",
            &[
                ("title", ""),
                ("body", "Keep {{this}} text"),
                ("tags", "alpha"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("title-err"));
    assert!(r.body.contains("Keep {{this}} text"), "body kept");
    assert!(r.body.contains("value=\"alpha\""), "tags kept");
    assert!(
        r.body.contains("data-var-row=\"this\""),
        "variables listed from the body"
    );

    let id = new_prompt(
        &c,
        &[
            ("title", "Outline"),
            ("body", "Write about {{topic}} in a {{tone}} tone."),
            ("var.topic.description", "The subject"),
            ("var.tone.default", "calm"),
            ("tags", "writing, Demo"),
            ("visibility", "PRIVATE"),
            ("message", "first draft"),
        ],
    )
    .await;
    let page = c.page(&format!("/prompts/{id}")).await;
    assert_eq!(page.status, 200);
    for needle in [
        "Outline",
        "writing",
        "Demo",
        "The subject",
        "placeholder=\"calm\"",
        "first draft",
    ] {
        assert!(page.body.contains(needle), "prompt page shows {needle}");
    }
    csp_clean(&page.body);
    let filled = c.page(&format!("/prompts/{id}?fill=1&v.topic=Rust")).await;
    assert!(
        filled.body.contains("Write about Rust in a calm tone."),
        "variables form without JavaScript"
    );
    let raw = c.page(&format!("/prompts/{id}/raw")).await;
    assert_eq!(raw.body, "Write about {{topic}} in a {{tone}} tone.");
    assert!(
        raw.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );

    // Lists: cards, table, tag filter, text filter, a bad sort explained.
    let list = c.page("/prompts").await;
    assert!(
        list.body.contains("href=\"/prompts/".to_string().as_str())
            && list.body.contains("Outline")
    );
    assert!(
        list.body
            .contains(&format!("data-copy-url=\"/prompts/{id}/raw\""))
    );
    assert!(
        c.page("/prompts?view=table")
            .await
            .body
            .contains("class=\"table ptable\"")
    );
    assert!(
        c.page("/prompts?tag=writing")
            .await
            .body
            .contains("Outline")
    );
    assert!(
        c.page("/prompts?tag=other")
            .await
            .body
            .contains("Nothing matches")
    );
    assert!(c.page("/prompts?q=topic").await.body.contains("Outline"));
    let beyond = c.page("/prompts?page=50").await;
    assert!(beyond.body.contains("No prompts on this page"));
    let bad = c.page("/prompts?sort=sideways&page=x").await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("not understood"));

    // Edit: a new version with its note; the history shows both versions and the diff.
    let r = c
        .form(
            &format!("/prompts/{id}/edit"),
            &[
                ("title", "Outline"),
                (
                    "body",
                    "Write about {{topic}} in a {{tone}} tone.\nUse headings.",
                ),
                ("var.tone.default", "calm"),
                ("tags", "writing"),
                ("visibility", "PRIVATE"),
                ("message", "add headings"),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.location.clone()),
        (303, format!("/prompts/{id}"))
    );
    assert_eq!(c.page(&format!("/prompts/{id}/edit")).await.status, 200);
    let h = c.page(&format!("/prompts/{id}/history")).await;
    assert_eq!(h.status, 200);
    assert!(h.body.contains("add headings") && h.body.contains("v2"));
    assert!(h.body.contains("class=\"c add\"") && h.body.contains("Use headings."));
    csp_clean(&h.body);
    let inline = c.page(&format!("/prompts/{id}/history?mode=inline")).await;
    assert!(inline.body.contains("<tr class=\"add\">"));

    // Restore version 1.
    let (_, versions) = c.get(&format!("/api/prompts/{id}/versions")).await;
    let v1 = versions
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["version"] == 1)
        .expect("v1")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = c
        .form(&format!("/prompts/{id}/versions/{v1}/restore"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        c.page(&format!("/prompts/{id}/raw")).await.body,
        "Write about {{topic}} in a {{tone}} tone."
    );
    assert!(
        c.page(&r.location)
            .await
            .body
            .contains("now has 3 versions")
    );

    // Rate, then remove the rating.
    let r = c
        .form(&format!("/prompts/{id}/rate"), &[("value", "4")])
        .await;
    assert_eq!(r.status, 303);
    assert!(
        c.page(&format!("/prompts/{id}"))
            .await
            .body
            .contains("<strong>4.0</strong>")
    );
    let r = c
        .form(&format!("/prompts/{id}/rate"), &[("value", "9")])
        .await;
    assert!(
        c.page(&r.location).await.body.contains("from 1 to 5"),
        "bad value flashed"
    );
    c.form(&format!("/prompts/{id}/rate"), &[("value", "0")])
        .await;
    assert!(
        c.page(&format!("/prompts/{id}"))
            .await
            .body
            .contains("No ratings yet")
    );

    // Delete; the page is then a 404 page.
    let r = c.form(&format!("/prompts/{id}/delete"), &[]).await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/prompts"));
    let gone = c.page(&format!("/prompts/{id}")).await;
    assert_eq!(gone.status, 404);
    assert!(gone.body.contains("Page not found"));
    app.stop().await;
}

async fn team_feed_share_page_and_permissions(app: TestApp) {
    let ann = app.client();
    register(&ann, "ann@example.com", "Ann").await;
    let bob = app.client();
    register(&bob, "bob@example.com", "Bob").await;
    let feed = bob.page("/team-feed").await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("not in a team yet"));

    ann.form("/admin/teams", &[("name", "Writers")]).await;
    let (_, teams) = ann.get("/api/admin/teams").await;
    let team = teams[0]["id"].as_str().expect("team").to_string();
    for email in ["ann@example.com", "bob@example.com"] {
        let r = ann
            .form(&format!("/admin/teams/{team}/members"), &[("email", email)])
            .await;
        assert_eq!(r.status, 303);
    }
    let id = new_prompt(
        &ann,
        &[
            ("title", "Team haiku"),
            ("body", "A haiku about {{season}}"),
            ("visibility", "TEAM"),
            ("teamId", &team),
        ],
    )
    .await;
    let feed = bob.page("/team-feed").await;
    assert!(feed.body.contains("Team haiku"), "shared with the team");
    assert!(feed.body.contains(&format!("/team-feed/{id}")));
    let detail = bob.page(&format!("/team-feed/{id}")).await;
    assert_eq!(detail.status, 200);
    assert!(!detail.body.contains("/edit\""), "no edit link for readers");
    assert!(detail.body.contains("Writers"), "team named");
    assert_eq!(bob.page(&format!("/prompts/{id}/edit")).await.status, 403);
    let r = bob.form(&format!("/prompts/{id}/delete"), &[]).await;
    assert!(bob.page(&r.location).await.body.contains("only the owner"));
    let r = bob
        .form(
            &format!("/prompts/{id}/rate"),
            &[("value", "5"), ("back", &format!("/team-feed/{id}"))],
        )
        .await;
    assert_eq!(r.location, format!("/team-feed/{id}"));

    // A private prompt is invisible to Bob, even by address.
    let secret = new_prompt(
        &ann,
        &[
            ("title", "Secret"),
            ("body", "x"),
            ("visibility", "PRIVATE"),
        ],
    )
    .await;
    assert_eq!(bob.page(&format!("/team-feed/{secret}")).await.status, 404);
    assert_eq!(
        bob.page(&format!("/prompts/{secret}/raw")).await.status,
        404
    );

    // Public link: on, readable anonymously with the variables form, off again = 404.
    let r = ann
        .form(&format!("/prompts/{id}/share"), &[("action", "on")])
        .await;
    assert_eq!(r.status, 303);
    let page = ann.page(&format!("/prompts/{id}")).await;
    let url = between(&page.body, "id=\"share-url\">").to_string();
    let path = url[url.find("/share/").expect("share path")..].to_string();
    let anon = app.client();
    let shared = anon.page(&path).await;
    assert_eq!(shared.status, 200);
    assert!(shared.body.contains("Team haiku") && shared.body.contains("by Ann"));
    assert!(!shared.body.contains("/auth/logout"), "anonymous page");
    csp_clean(&shared.body);
    assert!(
        anon.page(&format!("{path}?fill=1&v.season=spring"))
            .await
            .body
            .contains("A haiku about spring")
    );
    ann.form(&format!("/prompts/{id}/share"), &[("action", "off")])
        .await;
    let off = anon.page(&path).await;
    assert_eq!(off.status, 404);
    assert!(off.body.contains("Page not found"), "a clean 404 page");
    assert_eq!(anon.page("/share/nonsense").await.status, 404);
    app.stop().await;
}

async fn prompt_text_is_escaped_everywhere(app: TestApp) {
    let evil = "<script>alert(1)</script>";
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    c.form("/admin/teams", &[("name", "T")]).await;
    let (_, teams) = c.get("/api/admin/teams").await;
    let team = teams[0]["id"].as_str().expect("team").to_string();
    c.form(
        &format!("/admin/teams/{team}/members"),
        &[("email", "ann@example.com")],
    )
    .await;
    let id = new_prompt(
        &c,
        &[
            ("title", evil),
            ("body", "<img src=x onerror=alert(1)> {{v}} script"),
            ("notes", evil),
            ("modelHints", evil),
            ("tags", "<b>bold</b>"),
            ("var.v.description", evil),
            ("visibility", "TEAM"),
            ("message", evil),
        ],
    )
    .await;
    c.form(
        &format!("/prompts/{id}/edit"),
        &[
            ("title", evil),
            ("body", "<img src=x onerror=alert(2)> script"),
            ("visibility", "TEAM"),
        ],
    )
    .await;
    c.form(&format!("/prompts/{id}/share"), &[("action", "on")])
        .await;
    let page = c.page(&format!("/prompts/{id}")).await;
    let url = between(&page.body, "id=\"share-url\">").to_string();
    let share = url[url.find("/share/").expect("share")..].to_string();
    for path in [
        "/prompts".to_string(),
        "/prompts?view=table".to_string(),
        format!("/prompts/{id}"),
        format!("/prompts/{id}/edit"),
        format!("/prompts/{id}/history"),
        format!("/prompts/{id}/history?mode=inline"),
        "/team-feed".to_string(),
        format!("/team-feed/{id}"),
        "/search?q=script".to_string(),
        share,
    ] {
        let r = c.page(&path).await;
        assert_eq!(r.status, 200, "{path}");
        for raw in [evil, "<img src=x", "<b>bold</b>"] {
            assert!(!r.body.contains(raw), "{path} contains raw {raw}");
        }
        csp_clean(&r.body);
    }
    app.stop().await;
}

async fn admin_tags_and_import_export(app: TestApp) {
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;

    // Import without JavaScript: the pasted content of a file; all or nothing; duplicates skipped.
    let file = r#"[{"title":"Imported one","body":"Hello {{name}}","tags":["alpha","beta"]}]"#;
    let r = c.form("/account/import", &[("content", file)]).await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/account#import")
    );
    assert!(
        c.page("/account")
            .await
            .body
            .contains("1 prompt(s) imported, 0 skipped")
    );
    c.form("/account/import", &[("content", file)]).await;
    assert!(
        c.page("/account")
            .await
            .body
            .contains("0 prompt(s) imported, 1 skipped")
    );
    c.form("/account/import", &[("content", "[{\"title\": 5}")])
        .await;
    let page = c.page("/account").await;
    assert!(page.body.contains("toast-error"), "a bad file is reported");
    c.form("/account/import", &[("content", "  ")]).await;
    assert!(c.page("/account").await.body.contains("Choose a file"));
    assert!(c.page("/prompts").await.body.contains("Imported one"));
    let export = c.page("/api/import-export/export?format=json").await;
    assert_eq!(export.status, 200);
    assert!(export.body.contains("Imported one"));

    // Tags: create, rename, merge, delete unused; a tag in use cannot be deleted.
    let r = c.form("/admin/tags", &[("name", "gamma")]).await;
    assert_eq!(r.status, 303);
    let admin = c.page("/admin").await;
    assert!(admin.body.contains("gamma") && admin.body.contains("alpha"));
    csp_clean(&admin.body);
    let (_, tags) = c.get("/api/tags").await;
    let id_of = |name: &str| {
        tags.as_array()
            .expect("tags")
            .iter()
            .find(|t| t["name"] == name)
            .expect("tag")["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    let (alpha, beta, gamma) = (id_of("alpha"), id_of("beta"), id_of("gamma"));
    let r = c.form(&format!("/admin/tags/{alpha}/delete"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(
        c.page("/admin").await.body.contains("toast-error"),
        "in use: refused"
    );
    c.form(&format!("/admin/tags/{gamma}"), &[("name", "delta")])
        .await;
    c.form(&format!("/admin/tags/{beta}/merge"), &[("into", &alpha)])
        .await;
    let r = c.form(&format!("/admin/tags/{gamma}/delete"), &[]).await;
    assert_eq!(r.status, 303);
    let (_, tags) = c.get("/api/tags").await;
    let names: Vec<&str> = tags
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["alpha"], "renamed, merged and deleted");
    app.stop().await;
}

/// A full "My prompts" page (24 cards) with its CSS, script and icons stays under 150 KB
/// uncompressed, and is sent gzip-compressed when the browser asks.
#[tokio::test]
async fn my_prompts_page_weight_and_compression() {
    let Some(app) = TestApp::start(promptvault::db::Backend::Sqlite).await else {
        return;
    };
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    let owner = promptvault::users::by_email(&app.state.db, "ann@example.com")
        .await
        .expect("lookup")
        .expect("ann");
    for i in 0..30 {
        let input = promptvault::prompts::PromptInput {
            title: Some(format!("Prompt {i}: summarise a customer support ticket")),
            body: Some(format!(
                "You are a support lead. Summarise the ticket below for {{{{audience}}}} in \
                 {{{{length}}}} sentences, then list the next steps.\n\nTicket {i}:\n{{{{ticket}}}}\n\n\
                 Keep the tone calm and precise. Mention the customer's name and the product."
            )),
            tags: Some(vec![
                "support".into(),
                "summary".into(),
                format!("t{}", i % 5),
            ]),
            ..Default::default()
        };
        promptvault::prompts::create(&app.state.db, &owner, &input.to_new().expect("valid"))
            .await
            .expect("create");
    }
    let page = c.page("/prompts").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("class=\"pcard\"").count(),
        24,
        "one page of cards"
    );
    let mut total = page.body.len();
    for asset in ["/static/app.css", "/static/app.js", "/static/icons.svg"] {
        total += c.page(asset).await.body.len();
    }
    eprintln!(
        "My prompts, 24 cards: HTML {} bytes; with CSS, JS and icons {total} bytes",
        page.body.len()
    );
    assert!(total < 150 * 1024, "page weight {total} bytes");
    let gz = c
        .send_raw(
            c.request(reqwest::Method::GET, "/prompts")
                .header("accept-encoding", "gzip"),
        )
        .await;
    assert_eq!(
        gz.headers()
            .get("content-encoding")
            .map(|v| v.to_str().expect("ce")),
        Some("gzip")
    );
    let compressed = gz.bytes().await.expect("body").len();
    eprintln!("My prompts HTML gzip: {compressed} bytes");
    assert!(compressed < page.body.len() / 3);
    app.stop().await;
}
