//! The prompt pages without a browser: plain form posts create, edit, restore, rate, share and
//! delete prompts; every page answers as it should; user text is escaped everywhere.
//! Run on SQLite, PostgreSQL and MariaDB.

mod registry;

use crate::common;

use common::pages::{Html, csp_clean, register};
use common::{Client, TestApp};

on_all_backends!(
    prompt_pages_work_with_plain_forms,
    team_feed_share_page_and_permissions,
    prompt_text_is_escaped_everywhere,
    admin_tags_and_import_export,
    everyday_use,
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

/// Issue 15: what a person reaching for a prompt expects, without JavaScript.
async fn everyday_use(app: TestApp) {
    let ann = app.client();
    register(&ann, "ann@example.com", "Ann").await;
    let carol = app.client();
    register(&carol, "carol@example.com", "Carol").await;
    let evil_body = "Write **bold** about {{topic}}.\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))\n<script>alert(3)</script> <img src=x onerror=alert(4)>\n![i](javascript:alert(5))";
    let id = new_prompt(
        &ann,
        &[
            ("title", "Open notes"),
            ("body", evil_body),
            ("notes", "See https://example.com/docs and *this*."),
            ("tags", "marketing, Writing"),
            ("visibility", "PUBLIC"),
        ],
    )
    .await;

    // The team feed shows prompts shared with everyone to someone in no team.
    let feed = carol.page("/team-feed").await;
    assert!(
        feed.body.contains("Open notes"),
        "PUBLIC prompts in the feed"
    );
    assert!(
        feed.body.contains("Everyone signed in"),
        "one word for PUBLIC"
    );
    assert!(!feed.body.contains(">Public<"), "no second word for PUBLIC");

    // A tag leads to the prompts the reader can read with it; counts agree.
    let page = carol.page(&format!("/team-feed/{id}")).await;
    assert!(
        page.body.contains("href=\"/search?tag=marketing\""),
        "tag link"
    );
    let tagged = carol.page("/search?tag=marketing").await;
    assert!(tagged.body.contains("Open notes"), "the tag's prompts");
    assert!(
        tagged
            .body
            .contains("marketing <span class=\"chip-n\">1</span>")
    );
    let by_query = carol.page("/search?q=tag%3Amarketing").await;
    assert!(by_query.body.contains("Open notes"), "tag: in the query");
    let (s, hits) = carol.get("/api/search?q=tag:writing").await;
    assert_eq!(s, 200, "{hits}");
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    let (_, none) = carol
        .get("/api/search?q=tag:writing%20nothingmatches")
        .await;
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    let mine = carol.page("/prompts").await;
    assert!(
        !mine.body.contains("marketing <span"),
        "own chips count own prompts"
    );

    // Markdown rendered safely; the raw text one click away; copy uses the raw text.
    let page = ann.page(&format!("/prompts/{id}")).await;
    assert!(
        page.body.contains("<strong>bold</strong>"),
        "markdown rendered"
    );
    assert!(
        page.body
            .contains("<a href=\"https://example.com/docs\" rel=\"nofollow noopener\">"),
        "links in notes"
    );
    let lower = page.body.to_lowercase();
    for bad in ["href=\"javascript", "<script>alert", "<img src=x", "<img"] {
        assert!(!lower.contains(bad), "{bad} stays inert");
    }
    assert!(page.body.contains("&lt;script&gt;alert(3)&lt;/script&gt;"));
    assert!(page.body.contains("id=\"body-raw\""), "raw text for copy");
    let raw = ann.page(&format!("/prompts/{id}?view=raw")).await;
    assert!(
        raw.body
            .contains("<pre class=\"body\" id=\"body\">Write **bold**")
    );
    csp_clean(&page.body);

    // The variables form without JavaScript posts (values stay out of the address) and keeps
    // line breaks.
    let filled = carol
        .form(
            &format!("/team-feed/{id}"),
            &[("fill", "1"), ("v.topic", "line one\nline two")],
        )
        .await;
    assert_eq!(filled.status, 200);
    assert!(
        filled
            .body
            .contains("Write **bold** about line one\nline two."),
        "filled"
    );
    assert!(
        filled.body.contains("<textarea id=\"v-topic\""),
        "multi-line fields"
    );

    // Saving without a change says so and records no version.
    let edit = |extra: &'static str| {
        vec![
            ("title", "Open notes"),
            ("body", extra),
            ("notes", "See https://example.com/docs and *this*."),
            ("tags", "marketing, Writing"),
            ("visibility", "PUBLIC"),
        ]
    };
    let r = ann
        .form(&format!("/prompts/{id}/edit"), &edit(evil_body))
        .await;
    assert_eq!(r.status, 303);
    let shown = ann.page(&r.location).await;
    assert!(shown.body.contains("Nothing changed"), "no-change save");
    let (_, v) = ann.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        v["versions"].as_array().map(Vec::len),
        Some(1),
        "no new version"
    );

    // A whitespace-only change shows its whitespace.
    let spaced: &'static str = Box::leak(
        evil_body
            .replacen("{{topic}}.", "{{topic}}.   ", 1)
            .into_boxed_str(),
    );
    ann.form(&format!("/prompts/{id}/edit"), &edit(spaced))
        .await;
    let history = ann.page(&format!("/prompts/{id}/history")).await;
    assert!(
        history.body.contains("class=\"ws\">···<"),
        "whitespace shown"
    );

    // Errors name their field.
    let r = ann
        .form("/prompts/new", &[("title", ""), ("body", "x")])
        .await;
    assert!(r.body.contains("Title is required"), "named error");
    assert!(r.body.contains(
        "id=\"title\" name=\"title\" type=\"text\" value=\"\" maxlength=\"200\" required autofocus"
    ));

    // Save a copy of someone else's prompt: private, Carol's.
    let r = carol.form(&format!("/prompts/{id}/duplicate"), &[]).await;
    let copy = prompt_id(&r);
    let (_, c) = carol.get(&format!("/api/prompts/{copy}")).await;
    assert_eq!(c["title"], "Copy of Open notes");
    assert_eq!(c["visibility"], "PRIVATE");
    let (s, c2) = carol
        .post(
            &format!("/api/prompts/{id}/duplicate"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 201, "{c2}");

    // Bulk actions in the table view.
    let table = carol.page("/prompts?view=table").await;
    assert!(table.body.contains("name=\"ids\""), "selection boxes");
    assert!(table.body.contains("aria-sort"), "sortable columns");
    let r = carol
        .form(
            "/prompts/bulk",
            &[("ids", copy.as_str()), ("op", "tag"), ("tag", "keep")],
        )
        .await;
    assert_eq!(r.status, 303);
    let (_, c) = carol.get(&format!("/api/prompts/{copy}")).await;
    assert!(c["tags"].to_string().contains("keep"), "{c}");
    let r = carol
        .form("/prompts/bulk", &[("ids", id.as_str()), ("op", "delete")])
        .await;
    let back = carol.page(&r.location).await;
    assert!(back.body.contains("toast-error"), "not Carol's to delete");
    let (s, b) = carol
        .post(
            "/api/prompts/bulk",
            &serde_json::json!({"ids": [copy, c2["id"]], "action": "delete"}),
        )
        .await;
    assert_eq!((s.as_u16(), b["count"].as_u64()), (200, Some(2)), "{b}");

    // Import from My prompts; the imported prompts are one link away.
    assert!(
        ann.page("/prompts")
            .await
            .body
            .contains("href=\"/prompts/import\"")
    );
    let file = r#"[{"title":"Imported here","body":"Hi"}]"#;
    let r = ann.form("/prompts/import", &[("content", file)]).await;
    assert!(
        r.location.starts_with("/prompts?tag=imported-"),
        "{}",
        r.location
    );
    let list = ann.page(&r.location).await;
    assert!(list.body.contains("Imported here") && !list.body.contains("Open notes"));
    assert!(ann.page("/prompts/import").await.body.contains("imported-"));
    app.stop().await;
}
