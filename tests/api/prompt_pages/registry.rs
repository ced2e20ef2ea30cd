//! The registry on the prompt pages without a browser: the name and its rename in the editor,
//! labels promoted, rolled back and removed with plain forms (and a refused protected label),
//! the audit trail, the "use in code" box and the typed variables form.
//! Run on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::pages::{csp_clean, register};
use common::{Client, TestApp};
use serde_json::json;

on_all_backends!(names_and_typed_variables, labels_and_audit_trail);

/// Posts a form and follows the redirect: the page with its flash message.
async fn act(c: &Client, path: &str, fields: &[(&str, &str)]) -> String {
    let r = c.form(path, fields).await;
    assert_eq!(r.status, 303, "{path}: {}", r.body);
    c.page(&r.location).await.body
}

/// The start tag of the element with `id`.
fn tag_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} not in page"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

/// Page text with the escaped quotes and ampersands back.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

const TYPED_BODY: &str =
    "Dear {{name}}, {{count}} items. Urgent: {{urgent}}. Tone: {{tone}}.\n{{details}}";

fn typed_fields<'a>(title: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("name", name),
        ("body", TYPED_BODY),
        ("var.name.type", "string"),
        ("var.name.required", "1"),
        ("var.name.description", "Who we answer"),
        ("var.count.type", "integer"),
        ("var.count.default", "3"),
        ("var.urgent.type", "boolean"),
        ("var.tone.type", "enum"),
        ("var.tone.values", "calm, warm"),
        ("var.tone.default", "calm"),
        ("var.details.type", "text"),
        ("visibility", "PRIVATE"),
    ]
}

async fn names_and_typed_variables(app: TestApp) {
    let ann = app.client();
    register(&ann, "ann@example.com", "Ann").await;

    // A new prompt's editor offers the name, made from the title when left empty.
    let new = ann.page("/prompts/new").await;
    assert!(tag_of(&new.body, "name").contains("placeholder=\"made from the title\""));
    let r = ann
        .form(
            "/prompts/new",
            &[("title", "Quick Note"), ("body", "Hi"), ("name", "")],
        )
        .await;
    let note = r.location.trim_start_matches("/prompts/").to_string();
    let page = ann.page(&r.location).await;
    assert!(
        page.body.contains(">ann/quick-note</code>"),
        "suggested name"
    );

    // Named in the editor, with a typed schema refined per variable.
    let r = ann
        .form(
            "/prompts/new",
            &typed_fields("Support reply", "support/reply"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = r.location.trim_start_matches("/prompts/").to_string();
    let page = ann.page(&r.location).await;
    assert_eq!(page.status, 200);
    csp_clean(&page.body);
    assert!(page.body.contains(">ann/support/reply</code>"), "the name");
    let (_, api) = ann.get(&format!("/api/prompts/{id}")).await;
    let vars = api["variables"].as_str().expect("variables");
    assert!(
        vars.contains(r#""type":"enum""#) && vars.contains(r#""values":["calm","warm"]"#),
        "{vars}"
    );

    // The fill-in form uses the declared types.
    let b = &page.body;
    let name = tag_of(b, "v-name");
    assert!(
        name.starts_with("<input") && name.contains("type=\"text\"") && name.contains("required"),
        "{name}"
    );
    assert!(b.contains("<code>name</code> <span class=\"req\">(required)</span>"));
    let count = tag_of(b, "v-count");
    assert!(
        count.contains("type=\"number\"")
            && count.contains("step=\"1\"")
            && count.contains("value=\"3\""),
        "integer with its default: {count}"
    );
    let urgent = tag_of(b, "v-urgent");
    assert!(urgent.contains("type=\"checkbox\""), "{urgent}");
    let tone = tag_of(b, "v-tone");
    assert!(tone.starts_with("<select"), "{tone}");
    assert!(b.contains("<option value=\"calm\" selected>calm</option>"));
    assert!(tag_of(b, "v-details").starts_with("<textarea"));
    assert!(b.contains("for=\"v-count\""), "labelled");

    // Filling without JavaScript: values checked against the types, errors by the field.
    let r = ann
        .form(
            &format!("/prompts/{id}"),
            &[
                ("fill", "1"),
                ("v.name", "Bo"),
                ("v.count", "many"),
                ("v.urgent", "false"),
                ("v.urgent", "true"),
                ("v.tone", "warm"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("id=\"v-count-e\""),
        "error next to the field"
    );
    assert!(r.body.contains("must be an integer"));
    assert!(tag_of(&r.body, "v-count").contains("aria-invalid=\"true\""));
    assert!(r.body.contains("value=\"many\""), "what was typed is kept");
    let r = ann
        .form(
            &format!("/prompts/{id}"),
            &[
                ("fill", "1"),
                ("v.name", "Bo"),
                ("v.count", "2"),
                ("v.urgent", "false"),
                ("v.urgent", "true"),
                ("v.tone", "warm"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("Dear Bo, 2 items. Urgent: true. Tone: warm."),
        "filled"
    );

    // The editor shows the schema and refuses one that does not hold, by the field.
    let edit = ann.page(&format!("/prompts/{id}/edit")).await;
    assert!(tag_of(&edit.body, "name").contains("value=\"support/reply\""));
    assert!(edit.body.contains("ns-prefix\">ann/</span>"));
    assert!(edit.body.contains("<option value=\"enum\" selected>"));
    assert!(tag_of(&edit.body, "var-tone-o").contains("value=\"calm, warm\""));
    let mut bad = typed_fields("Support reply", "support/reply");
    bad.retain(|(k, _)| *k != "var.tone.values" && *k != "var.count.default");
    bad.push(("var.count.default", "lots"));
    let r = ann.form(&format!("/prompts/{id}/edit"), &bad).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("id=\"var-tone-err\""),
        "enum error by the field"
    );
    assert!(r.body.contains("Variable tone: an enum needs its values"));
    assert!(
        r.body.contains("id=\"var-count-ve\""),
        "default error by the field"
    );
    assert!(r.body.contains("The default of count: must be an integer"));
    assert!(tag_of(&r.body, "var-count-v").contains("value=\"lots\""));

    // Rename in the editor; the old name keeps working for programs.
    let mut rename = typed_fields("Support reply", "support/answer");
    rename.push(("name_was", "support/reply"));
    let r = ann.form(&format!("/prompts/{id}/edit"), &rename).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = ann.page(&r.location).await;
    assert!(page.body.contains(">ann/support/answer</code>"));
    assert!(
        page.body
            .contains("(old names that still work: ann/support/reply)"),
        "the alias is named"
    );
    let (s, old) = ann
        .get("/api/registry/ann/support/reply?label=latest")
        .await;
    assert_eq!(s, 200, "{old}");
    assert_eq!(old["name"], "support/answer");

    // An invalid name and a taken one: the editor says so next to the field.
    let mut invalid = typed_fields("Support reply", "Not A Name!");
    invalid.push(("name_was", "support/answer"));
    let r = ann.form(&format!("/prompts/{id}/edit"), &invalid).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("id=\"name-err\""));
    assert!(tag_of(&r.body, "name").contains("aria-invalid=\"true\""));
    assert!(r.body.contains("value=\"Not A Name!\""), "kept as typed");
    let mut taken = typed_fields("Support reply", "quick-note");
    taken.push(("name_was", "support/answer"));
    let r = ann.form(&format!("/prompts/{id}/edit"), &taken).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("id=\"name-err\""));
    assert!(r.body.contains("Name is taken"));
    let (_, still) = ann.get(&format!("/api/prompts/{note}")).await;
    assert_eq!(still["name"], "quick-note");

    // Choosing no type for every variable drops the old types (all optional text).
    let edit = ann.page(&format!("/prompts/{id}/edit")).await;
    assert!(edit.body.contains("name=\"had_schema\" value=\"1\""));
    let untyped: Vec<(&str, &str)> = vec![
        ("title", "Support reply"),
        ("body", TYPED_BODY),
        ("had_schema", "1"),
        ("var.count.type", ""),
        ("var.count.default", "3"),
    ];
    let r = ann.form(&format!("/prompts/{id}/edit"), &untyped).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, api) = ann.get(&format!("/api/prompts/{id}")).await;
    let vars = api["variables"].as_str().expect("variables");
    assert!(
        !vars.contains("integer") && !vars.contains("enum") && !vars.contains("required"),
        "{vars}"
    );
    let page = ann.page(&format!("/prompts/{id}")).await;
    assert!(tag_of(&page.body, "v-count").starts_with("<textarea"));
    app.stop().await;
}

async fn labels_and_audit_trail(app: TestApp) {
    let ann = app.client();
    register(&ann, "ann@example.com", "Ann").await;
    let bob = app.client();
    register(&bob, "bob@example.com", "Bob").await;
    ann.form("/admin/teams", &[("name", "Writers")]).await;
    let (_, teams) = ann.get("/api/admin/teams").await;
    let team = teams[0]["id"].as_str().expect("team").to_string();
    for email in ["ann@example.com", "bob@example.com"] {
        ann.form(&format!("/admin/teams/{team}/members"), &[("email", email)])
            .await;
    }
    let (s, p) = ann
        .post(
            "/api/prompts",
            &json!({"title": "Welcome mail", "name": "mail/welcome", "body": "Hello v1",
                    "visibility": "TEAM", "teamId": team}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("id").to_string();
    for body in ["Hello v2", "Hello v3"] {
        let (s, b) = ann
            .put(&format!("/api/prompts/{id}"), &json!({"body": body}))
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let here = format!("/prompts/{id}");
    let labels = format!("/prompts/{id}/labels");

    // No production label yet: the code box fetches the newest version.
    let page = ann.page(&here).await;
    assert!(page.body.contains("id=\"labels-h\""));
    assert!(
        page.body
            .contains("$PROMPTVAULT_URL/api/registry/writers/mail/welcome?label=latest"),
        "use in code before any label"
    );

    // Promote v1, then v3 (from the history page's per-version form), roll back to v1.
    let b = act(&ann, &labels, &[("label", "production"), ("version", "1")]).await;
    assert!(b.contains("production now points at v1."), "flash");
    let history = ann.page(&format!("/prompts/{id}/history")).await;
    assert!(history.body.contains("Promote v3"), "a form per version");
    assert!(history.body.contains("id=\"pl-3\""));
    let b = act(
        &ann,
        &labels,
        &[
            ("label", "production"),
            ("version", "3"),
            ("back", &format!("/prompts/{id}/history")),
        ],
    )
    .await;
    assert!(
        b.contains("production moved from v1 to v3."),
        "back to the history"
    );
    assert!(b.contains("<h1>History</h1>"));
    let page = ann.page(&here).await;
    assert!(page.body.contains("Roll back to v1"), "rollback offered");
    let (_, f) = ann.get("/api/registry/writers/mail/welcome").await;
    assert_eq!(f["version"], 3);
    let b = act(&ann, &labels, &[("label", "production"), ("version", "1")]).await;
    assert!(b.contains("production rolled back from v3 to v1."), "flash");
    let (_, f) = ann.get("/api/registry/writers/mail/welcome").await;
    assert_eq!(f["version"], 1, "programs get the rolled-back version");

    // The code box now names production.
    assert!(
        b.contains("$PROMPTVAULT_URL/api/registry/writers/mail/welcome?label=production"),
        "curl"
    );
    assert!(
        unescape(&b)
            .contains(r#"os.environ["PROMPTVAULT_URL"] + "/api/registry/writers/mail/welcome""#)
    );
    assert!(b.contains(
        "${process.env.PROMPTVAULT_URL}/api/registry/writers/mail/welcome?label=production"
    ));
    assert!(b.contains("data-copy-target=\"#code-curl\""), "copy button");

    // A custom label, and its removal; a bad label name is refused with a message.
    let b = act(&ann, &labels, &[("label", "canary"), ("version", "2")]).await;
    assert!(b.contains("canary now points at v2."));
    assert!(b.contains("action=\"/prompts/") && b.contains("/labels/remove\""));
    let b = act(&ann, &labels, &[("label", "Not OK"), ("version", "2")]).await;
    assert!(
        b.contains("toast-error") && b.contains("Label"),
        "bad label"
    );
    let b = act(
        &ann,
        &format!("/prompts/{id}/labels/remove"),
        &[("label", "canary")],
    )
    .await;
    assert!(b.contains("Label canary removed."));

    // Bob, a plain member of the team: staging yes, production no (the server's reason shown).
    let team_page = format!("/team-feed/{id}");
    let b = act(
        &bob,
        &labels,
        &[("label", "staging"), ("version", "2"), ("back", &team_page)],
    )
    .await;
    assert!(
        b.contains("staging now points at v2."),
        "member moves staging"
    );
    let b = act(
        &bob,
        &labels,
        &[
            ("label", "production"),
            ("version", "3"),
            ("back", &team_page),
        ],
    )
    .await;
    assert!(b.contains("toast-error"), "refused");
    assert!(
        b.contains("Only the owner or a maintainer of the prompt"),
        "the reason"
    );
    let (_, f) = ann.get("/api/registry/writers/mail/welcome").await;
    assert_eq!(f["version"], 1, "production did not move");
    // Made a maintainer of the team, Bob may promote to production.
    let (_, me) = bob.get("/api/auth/me").await;
    let bob_id = me["user"]["id"].as_str().expect("bob's id").to_string();
    let (s, r) = ann
        .put(
            &format!("/api/teams/{team}/members/{bob_id}/role"),
            &json!({"role": "maintainer"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let b = act(
        &bob,
        &labels,
        &[
            ("label", "production"),
            ("version", "2"),
            ("back", &team_page),
        ],
    )
    .await;
    assert!(b.contains("production moved from v1 to v2."), "maintainer");
    let b = act(
        &bob,
        &labels,
        &[
            ("label", "production"),
            ("version", "1"),
            ("back", &team_page),
        ],
    )
    .await;
    assert!(b.contains("production rolled back from v2 to v1."));

    // The audit trail lists the moves, newest first, with a link to the whole export.
    let page = ann.page(&here).await;
    let b = &page.body;
    assert!(b.contains("id=\"audit-h\""));
    let trail = &b[b.find("audit-table").expect("audit table")..];
    let pos = |needle: &str| {
        trail
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in the trail"))
    };
    assert!(pos("Moved label staging") < pos("Removed label canary"));
    assert!(pos("Removed label canary") < pos("Moved label canary"));
    assert!(trail.contains("<td>v3 → v1</td>"), "rollback from → to");
    assert!(trail.contains("<td>v1 → v3</td>"));
    assert!(trail.contains("<td>— → v1</td>"), "first promotion");
    assert!(trail.contains("<td>Edited</td><td>v2 → v3</td>"));
    assert!(trail.contains("<td>bob@example.com</td>"), "who");
    assert!(b.contains(&format!("href=\"/api/prompts/{id}/audit\"")));
    // Labels and the versions they point at.
    assert!(b.contains("badge-label badge-warn\">production</span>"));
    assert!(b.contains("<strong>v1</strong> <span class=\"muted\">protected</span>"));
    app.stop().await;
}

/// With a public URL configured, the code box uses it (never the request's Host header).
#[tokio::test]
async fn use_in_code_names_the_public_url() {
    let Some(app) = TestApp::start_with(promptvault::db::Backend::Sqlite, |c| {
        c.public_url = Some("https://prompts.example.com/".into());
    })
    .await
    else {
        return;
    };
    let ann = app.client();
    register(&ann, "ann@example.com", "Ann").await;
    let (s, p) = ann
        .post(
            "/api/prompts",
            &json!({"title": "Digest", "name": "digest", "body": "Sum up"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("id");
    let page = ann.page(&format!("/prompts/{id}")).await;
    assert!(
        unescape(&page.body)
            .contains(r#""https://prompts.example.com/api/registry/ann/digest?label=latest""#),
        "curl under the public URL"
    );
    assert!(!page.body.contains("$PROMPTVAULT_URL"));
    app.stop().await;
}
