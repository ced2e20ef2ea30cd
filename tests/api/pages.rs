//! The web pages without a browser: every page answers as expected, forms work with plain
//! POSTs (Post/Redirect/Get), errors render as pages that keep what was typed, user text is
//! escaped, assets are embedded, cached and compressed. Run on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::TestApp;
use common::pages::{csp_clean, register};

on_all_backends!(
    first_run_register_sign_in_and_out,
    private_pages_redirect_to_sign_in,
    registration_switch_hides_register,
    sign_in_errors_keep_the_email,
    account_profile_password_and_tokens,
    admin_manages_users_teams_and_settings,
    non_admins_get_a_403_page,
    user_text_is_escaped_everywhere,
    search_page_highlights_and_escapes,
);

#[tokio::test]
async fn not_found_pages_assets_weight_and_compression() {
    let Some(app) = TestApp::start(promptvault::db::Backend::Sqlite).await else {
        return;
    };
    let c = app.client();
    let r = c.page("/no/such/page").await;
    assert_eq!(r.status, 404);
    assert!(
        r.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(r.body.contains("Page not found"));
    csp_clean(&r.body);
    let r = c.page("/auth/logout").await;
    assert_eq!(r.status, 405);
    assert!(
        r.body.contains("Not available here"),
        "an HTML page for pages"
    );
    let (s, body) = c.get("/api/auth/logout").await;
    assert_eq!(
        (s.as_u16(), body["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (s, body) = c.get("/api/no/such/thing").await;
    assert_eq!(s, 404);
    assert_eq!(body["code"], "not_found", "API paths keep JSON: {body}");

    let css = c.page("/static/app.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/css")
    );
    assert!(
        css.headers["cache-control"]
            .to_str()
            .expect("cc")
            .contains("immutable")
    );
    let js = c.page("/static/app.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.headers["content-type"]
            .to_str()
            .expect("ct")
            .contains("javascript")
    );
    let icons = c.page("/static/icons.svg").await;
    assert_eq!(icons.status, 200);
    assert_eq!(c.page("/static/nope.js").await.status, 404);
    let etag = css.headers["etag"].to_str().expect("etag").to_string();
    let again = c
        .send_raw(
            c.request(reqwest::Method::GET, "/static/app.css")
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(again.status(), 304);

    // Page weight: the heaviest signed-in page so far plus CSS and JS, uncompressed.
    register(&c, "admin@example.com", "Admin").await;
    let admin = c.page("/admin").await;
    assert_eq!(admin.status, 200);
    let total = admin.body.len() + css.body.len() + js.body.len() + icons.body.len();
    assert!(total < 150 * 1024, "page weight {total} bytes");
    eprintln!("page weight of /admin (HTML+CSS+JS+icons): {total} bytes");

    // Compression when asked.
    for path in ["/admin", "/static/app.css", "/static/app.js"] {
        let resp = c
            .send_raw(
                c.request(reqwest::Method::GET, path)
                    .header("accept-encoding", "gzip"),
            )
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()
                .get("content-encoding")
                .map(|v| v.to_str().expect("ce")),
            Some("gzip"),
            "{path} is compressed"
        );
    }

    // Theme: the cookie chosen by the form is rendered on first paint.
    let r = c
        .form("/theme", &[("theme", "dark"), ("next", "/about")])
        .await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/about"));
    assert!(r.set_cookies().iter().any(|s| s.starts_with("theme=dark")));
    let about = c.page("/about").await;
    assert!(
        about.body.contains("data-theme=\"dark\""),
        "dark theme rendered by the server"
    );
    let r = c
        .form("/theme", &[("theme", "light"), ("next", "//evil.example")])
        .await;
    assert_eq!(r.location, "/", "foreign next addresses are ignored");
    app.stop().await;
}

/// Bytes a browser receives for `path` asking for gzip (as a browser does).
async fn transferred(c: &common::Client, path: &str) -> usize {
    let resp = c
        .send_raw(
            c.request(reqwest::Method::GET, path)
                .header("accept-encoding", "gzip"),
        )
        .await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.bytes().await.expect("body").len()
}

/// Every page on a cold load (HTML + CSS + JS + icons + favicon, compressed as sent) stays
/// under 25 KB, and nothing comes from another origin.
#[tokio::test]
async fn every_page_weighs_under_25_kb_on_a_cold_load() {
    let Some(app) = TestApp::start(promptvault::db::Backend::Sqlite).await else {
        return;
    };
    let c = app.client();
    let auth_page = c.page("/auth").await;
    assert!(!auth_page.body.contains("src=\"http"), "no remote script");
    let signed_out = transferred(&c, "/auth").await;
    register(&c, "admin@example.com", "Admin").await;
    let (status, created) = c
        .post(
            "/api/prompts",
            &serde_json::json!({"title": "Weighed", "body": "Write **about** {{topic}}.\n\n- one\n- two",
                "notes": "See https://example.com", "tags": ["demo"], "visibility": "PUBLIC"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let (status, shared) = c
        .post(&format!("/api/share/{id}/public"), &serde_json::json!({}))
        .await;
    assert!(status.is_success(), "{shared}");
    let share_path = shared["publicUrl"]
        .as_str()
        .and_then(|u| u.find("/share/").map(|i| u[i..].to_string()))
        .expect("share url");
    let home = c.page("/prompts").await;
    let asset = |name: &str| {
        let at = home
            .body
            .find(&format!("/static/{name}?v="))
            .expect("asset link");
        let end = home.body[at..].find('"').expect("end") + at;
        home.body[at..end].replace("&amp;", "&")
    };
    let mut assets = 0;
    for a in [
        asset("app.css"),
        asset("app.js"),
        asset("icons.svg"),
        asset("favicon.svg"),
    ] {
        assets += transferred(&c, &a).await;
    }
    let pages = [
        "/prompts".to_string(),
        "/prompts?view=table".into(),
        "/prompts/new".into(),
        format!("/prompts/{id}"),
        format!("/prompts/{id}?view=raw"),
        format!("/prompts/{id}/edit"),
        format!("/prompts/{id}/history"),
        "/prompts/import".into(),
        "/team-feed".into(),
        "/search".into(),
        "/prompts?favorites=1".into(),
        "/trash".into(),
        "/search?q=about".into(),
        "/search?tag=demo".into(),
        "/account".into(),
        "/admin".into(),
        "/about".into(),
        share_path,
    ];
    let mut report = vec![format!("/auth (signed out): {}", signed_out + assets)];
    for p in &pages {
        let page = c.page(p).await;
        assert_eq!(page.status, 200, "{p}");
        assert!(
            !page.body.contains("src=\"http") && !page.body.contains("stylesheet\" href=\"http"),
            "{p} loads nothing from elsewhere"
        );
        let total = transferred(&c, p).await + assets;
        assert!(total < 25 * 1024, "{p}: {total} bytes on a cold load");
        report.push(format!("{p}: {total}"));
    }
    eprintln!(
        "cold-load weight (HTML+CSS+JS+icons, gzip) in bytes; assets {assets}:\n  {}",
        report.join("\n  ")
    );
    app.stop().await;
}

async fn first_run_register_sign_in_and_out(app: TestApp) {
    let c = app.client();
    assert_eq!(c.page("/").await.location, "/auth");
    let auth = c.page("/auth").await;
    assert_eq!(auth.status, 200);
    assert!(
        auth.body.contains("Create the administrator"),
        "first run explains itself"
    );
    csp_clean(&auth.body);

    let r = register(&c, "boss@example.com", "Boss").await;
    assert_eq!(r.location, promptvault::pages::HOME);
    let cookies = r.set_cookies();
    assert!(
        cookies
            .iter()
            .any(|s| s.starts_with("token=") && s.contains("HttpOnly"))
    );
    assert!(cookies.iter().any(|s| s.starts_with("flash=")));

    let acc = c.page("/account").await;
    assert_eq!(acc.status, 200);
    assert!(acc.body.contains("boss@example.com"));
    assert!(acc.body.contains("Administrator"));
    assert!(
        acc.body.contains("administrator account is ready"),
        "flash shown once"
    );
    assert!(
        acc.set_cookies().iter().any(|s| s.starts_with("flash=;")),
        "flash consumed"
    );
    assert!(
        !c.page("/account")
            .await
            .body
            .contains("administrator account is ready")
    );
    csp_clean(&acc.body);
    assert_eq!(
        c.page("/auth").await.status,
        303,
        "signed-in visitors skip the form"
    );

    let out = c.form("/auth/logout", &[]).await;
    assert_eq!((out.status.as_u16(), out.location.as_str()), (303, "/auth"));
    assert_eq!(c.page("/account").await.status, 303);

    // Signing in again goes to `next`; the sign-in page no longer offers first-run.
    let auth = c.page("/auth?next=%2Fabout").await;
    assert!(auth.body.contains("Sign in to PromptVault"));
    assert!(auth.body.contains("name=\"next\" value=\"/about\""));
    let r = c
        .form(
            "/auth",
            &[
                ("email", "BOSS@example.com"),
                ("password", "password-123"),
                ("next", "/about"),
            ],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/about"));
    assert_eq!(c.page("/account").await.status, 200);
    app.stop().await;
}

async fn private_pages_redirect_to_sign_in(app: TestApp) {
    let c = app.client();
    for (path, next) in [
        ("/account", "%2Faccount"),
        ("/admin", "%2Fadmin"),
        ("/admin/users/x", "%2Fadmin%2Fusers%2Fx"),
    ] {
        let r = c.page(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.location, format!("/auth?next={next}"), "{path}");
    }
    let about = c.page("/about").await;
    assert_eq!(about.status, 200, "about is public");
    assert!(about.body.contains("Keyboard shortcuts"));
    // A form post without a session is sent to sign in too, nothing changes.
    let r = c.form("/admin/teams", &[("name", "Sneaky")]).await;
    assert_eq!(r.status, 303);
    assert!(r.location.starts_with("/auth?next="));
    app.stop().await;
}

async fn registration_switch_hides_register(app: TestApp) {
    let admin = app.client();
    register(&admin, "admin@example.com", "Admin").await;
    let visitor = app.client();
    assert!(
        visitor
            .page("/auth")
            .await
            .body
            .contains("Create an account")
    );
    assert!(
        visitor
            .page("/auth?register=true")
            .await
            .body
            .contains("name=\"mode\" value=\"register\"")
    );

    let r = admin.form("/admin/settings", &[]).await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/admin#settings")
    );
    let (_, s) = admin.get("/api/settings").await;
    assert_eq!(s["allowRegistration"], false);

    let page = visitor.page("/auth").await;
    assert!(
        !page.body.contains("Create an account"),
        "register link hidden"
    );
    let page = visitor.page("/auth?register=true").await;
    assert!(page.body.contains("Registration is turned off"));
    assert!(!page.body.contains("name=\"mode\" value=\"register\""));
    let r = visitor
        .form(
            "/auth?register=true",
            &[("email", "new@example.com"), ("password", "password-123")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("Registration is turned off"),
        "an HTML page, not JSON"
    );

    let r = admin
        .form("/admin/settings", &[("allowRegistration", "true")])
        .await;
    assert_eq!(r.status, 303);
    register(&visitor, "new@example.com", "New").await;
    app.stop().await;
}

async fn sign_in_errors_keep_the_email(app: TestApp) {
    register(&app.client(), "ann@example.com", "Ann").await;
    let c = app.client();
    let r = c
        .form(
            "/auth",
            &[
                ("email", "ann@example.com"),
                ("password", "not-her-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Invalid email or password."));
    assert!(
        r.body.contains("value=\"ann@example.com\""),
        "the email stays typed"
    );
    assert!(
        !r.body.contains("not-her-password"),
        "passwords are never echoed"
    );
    let r = c.form("/auth", &[("email", ""), ("password", "")]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("email-err"));

    let r = c
        .form(
            "/auth?register=true",
            &[
                ("email", "not-an-email"),
                ("password", "short"),
                ("name", "Bob"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("must be an email address"));
    assert!(r.body.contains("must be at least 8 characters"));
    assert!(r.body.contains("value=\"Bob\""), "the name stays typed");
    let r = c
        .form(
            "/auth?register=true",
            &[("email", "ann@example.com"), ("password", "password-123")],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Email in use"));

    // Repeated failures hit the login limit: a page that says so, with Retry-After.
    let mut limited = None;
    for _ in 0..30 {
        let r = c
            .form(
                "/auth",
                &[("email", "ann@example.com"), ("password", "guess-guess")],
            )
            .await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 401);
    }
    let r = limited.expect("the limiter answers 429");
    assert!(r.body.contains("Too many attempts"));
    assert!(r.headers.contains_key("retry-after"));
    app.stop().await;
}

async fn account_profile_password_and_tokens(app: TestApp) {
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    let r = c.form("/account/profile", &[("name", "Ann Lee")]).await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/account"));
    let (_, me) = c.get("/api/auth/me").await;
    assert_eq!(me["user"]["name"], "Ann Lee");
    let r = c
        .form("/account/profile", &[("name", &"x".repeat(101))])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("at most 100 characters"));

    // Password change: the current password is required and checked.
    let other = app.client();
    let r = other
        .form(
            "/auth",
            &[("email", "ann@example.com"), ("password", "password-123")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = c
        .form(
            "/account/password",
            &[
                ("currentPassword", "wrong-one"),
                ("password", "new-password-1"),
                ("passwordConfirm", "new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("is not correct"));
    let r = c
        .form(
            "/account/password",
            &[
                ("currentPassword", "password-123"),
                ("password", "new-password-1"),
                ("passwordConfirm", "typo"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("does not match"));
    let r = c
        .form(
            "/account/password",
            &[
                ("currentPassword", "password-123"),
                ("password", "new-password-1"),
                ("passwordConfirm", "new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(c.page("/account").await.status, 200, "this session stays");
    assert_eq!(
        other.page("/account").await.status,
        303,
        "other sessions end"
    );

    // Tokens: the secret is shown once, works, is listed by prefix, and can be revoked.
    let r = c.form("/account/tokens", &[("name", "ci script")]).await;
    assert_eq!(r.status, 201);
    let start = r.body.find("id=\"new-token\">").expect("secret shown") + 15;
    let secret = &r.body[start..start + r.body[start..].find('<').expect("end")];
    assert!(secret.starts_with("pv_"));
    let bot = common::Client::with_token(&app.base, secret);
    let (s, me) = bot.get("/api/auth/me").await;
    assert_eq!(
        (s.as_u16(), me["user"]["email"].as_str()),
        (200, Some("ann@example.com"))
    );
    let page = c.page("/account").await;
    assert!(page.body.contains("ci script"));
    assert!(!page.body.contains(secret), "never shown again");
    let r = c.form("/account/tokens", &[("name", "  ")]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("tokenName-err"));
    let (_, list) = c.get("/api/auth/tokens").await;
    let id = list[0]["id"].as_str().expect("id").to_string();
    let r = c.form(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        bot.get("/api/auth/me").await.1["user"],
        serde_json::Value::Null
    );
    let r = c.form(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status, 303, "a second revoke flashes an error");
    assert!(c.page("/account").await.body.contains("Not found"));
    app.stop().await;
}

async fn admin_manages_users_teams_and_settings(app: TestApp) {
    let c = app.client();
    register(&c, "admin@example.com", "Admin").await;
    let r = c.form("/admin/teams", &[("name", "Research")]).await;
    assert_eq!(r.status, 303);
    let r = c.form("/admin/teams", &[("name", "research")]).await;
    assert_eq!(r.status, 303);
    assert!(
        c.page("/admin").await.body.contains("already exists"),
        "duplicate flashed"
    );
    let (_, teams) = c.get("/api/admin/teams").await;
    assert_eq!(teams.as_array().expect("teams").len(), 1);
    let team_id = teams[0]["id"].as_str().expect("id").to_string();

    // Create a user: a validation error keeps what was typed.
    let r = c
        .form(
            "/admin/users",
            &[
                ("email", "bob@example.com"),
                ("name", "Bob"),
                ("password", "short"),
                ("role", "USER"),
                ("teams", &team_id),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("value=\"bob@example.com\""));
    assert!(r.body.contains(&format!("value=\"{team_id}\" checked")));
    let r = c
        .form(
            "/admin/users",
            &[
                ("email", "bob@example.com"),
                ("name", "Bob"),
                ("password", "password-123"),
                ("role", "USER"),
                ("teams", &team_id),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let admin_page = c.page("/admin").await;
    assert!(admin_page.body.contains("bob@example.com"));
    assert!(admin_page.body.contains("Research"));
    csp_clean(&admin_page.body);
    let bob_id = promptvault::users::by_email(&app.state.db, "bob@example.com")
        .await
        .expect("lookup")
        .expect("bob")
        .id;

    // Edit role and teams, reset the password.
    let page = c.page(&format!("/admin/users/{bob_id}")).await;
    assert_eq!(page.status, 200);
    let r = c
        .form(
            &format!("/admin/users/{bob_id}"),
            &[("name", "Robert"), ("role", "ADMIN")],
        )
        .await;
    assert_eq!(r.status, 303);
    let (_, bob) = c.get(&format!("/api/admin/users/{bob_id}")).await;
    assert_eq!(bob["role"], "ADMIN");
    assert_eq!(bob["name"], "Robert");
    assert_eq!(
        bob["teams"].as_array().expect("teams").len(),
        0,
        "unchecked teams removed"
    );
    let r = c
        .form(
            &format!("/admin/users/{bob_id}/password"),
            &[("password", "reset-pass-9")],
        )
        .await;
    assert_eq!(r.status, 303);
    let bob_client = app.client();
    let r = bob_client
        .form(
            "/auth",
            &[("email", "bob@example.com"), ("password", "reset-pass-9")],
        )
        .await;
    assert_eq!(r.status, 303);

    // Team page: add, remove, rename, delete.
    let r = c
        .form(
            &format!("/admin/teams/{team_id}/members"),
            &[("email", "bob@example.com")],
        )
        .await;
    assert_eq!(r.status, 303);
    let team_page = c.page(&format!("/admin/teams/{team_id}")).await;
    assert!(team_page.body.contains("bob@example.com"));
    let r = c
        .form(
            &format!("/admin/teams/{team_id}/members"),
            &[("email", "ghost@example.com")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        c.page(&format!("/admin/teams/{team_id}"))
            .await
            .body
            .contains("no account has this email")
    );
    let r = c
        .form(
            &format!("/admin/teams/{team_id}/members/{bob_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = c
        .form(&format!("/admin/teams/{team_id}"), &[("name", "Lab")])
        .await;
    assert_eq!(r.status, 303);
    let r = c.form(&format!("/admin/teams/{team_id}/delete"), &[]).await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/admin#teams")
    );
    assert_eq!(c.page(&format!("/admin/teams/{team_id}")).await.status, 404);

    // Delete: the last administrator is protected; another user can go.
    let me_id = promptvault::users::by_email(&app.state.db, "admin@example.com")
        .await
        .expect("lookup")
        .expect("admin")
        .id;
    let r = c
        .form(
            &format!("/admin/users/{bob_id}"),
            &[("name", "Robert"), ("role", "USER")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = c
        .form(
            &format!("/admin/users/{me_id}/delete"),
            &[("prompts", "keep")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        c.page(&r.location)
            .await
            .body
            .contains("last administrator")
    );
    let r = c
        .form(
            &format!("/admin/users/{bob_id}/delete"),
            &[("prompts", "transfer"), ("to", "")],
        )
        .await;
    assert!(
        c.page(&r.location)
            .await
            .body
            .contains("Choose who receives")
    );
    let r = c
        .form(
            &format!("/admin/users/{bob_id}/delete"),
            &[("prompts", "delete")],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/admin#users")
    );
    assert_eq!(c.page(&format!("/admin/users/{bob_id}")).await.status, 404);
    app.stop().await;
}

async fn non_admins_get_a_403_page(app: TestApp) {
    register(&app.client(), "admin@example.com", "Admin").await;
    let c = app.client();
    register(&c, "user@example.com", "User").await;
    let r = c.page("/admin").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Not allowed"));
    assert!(
        !r.body.contains("href=\"/admin\""),
        "no admin link for members"
    );
    let r = c.form("/admin/teams", &[("name", "Mine")]).await;
    assert_eq!(r.status, 403);
    let (_, teams) = app.client().get("/api/admin/teams").await;
    assert!(teams.get(0).is_none());
    // Cross-site form posts riding on the session cookie are refused.
    let r = c
        .send_raw(
            c.request(reqwest::Method::POST, "/account/profile")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body("name=Evil"),
        )
        .await;
    assert_eq!(r.status(), 403);
    app.stop().await;
}

async fn user_text_is_escaped_everywhere(app: TestApp) {
    let evil = "<script>alert(1)</script>";
    let c = app.client();
    register(&c, "admin@example.com", evil).await;
    c.form("/admin/teams", &[("name", evil)]).await;
    let (_, teams) = c.get("/api/admin/teams").await;
    let team_id = teams[0]["id"].as_str().expect("id").to_string();
    c.form(
        &format!("/admin/teams/{team_id}/members"),
        &[("email", "admin@example.com")],
    )
    .await;
    c.form("/account/tokens", &[("name", evil)]).await;
    let me_id = promptvault::users::by_email(&app.state.db, "admin@example.com")
        .await
        .expect("lookup")
        .expect("admin")
        .id;
    for path in [
        "/account".to_string(),
        "/admin".to_string(),
        format!("/admin/users/{me_id}"),
        format!("/admin/teams/{team_id}"),
        "/about".to_string(),
    ] {
        let r = c.page(&path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.body.contains(evil), "{path} shows raw markup");
        assert!(
            r.body.contains("&lt;script&gt;") || r.body.contains("&#60;script&#62;"),
            "{path} shows the text escaped"
        );
        csp_clean(&r.body);
    }
    // A flash message carrying user text is escaped too.
    c.form("/admin/teams", &[("name", evil)]).await;
    let r = c.page("/admin").await;
    assert!(!r.body.contains(evil));
    app.stop().await;
}

/// A prompt written straight into the table (the search index follows through triggers).
async fn insert_prompt(app: &TestApp, owner: &str, title: &str, body: &str) {
    use promptvault::db;
    use promptvault::on;
    let id = db::new_id();
    let now = db::now();
    let mut tx = app.state.db.write().await.expect("tx");
    on!(&mut tx, |conn, q| sqlx::query(q(
        "INSERT INTO \"Prompt\" (\"id\", \"title\", \"body\", \"visibility\", \"userId\", \"createdAt\", \"updatedAt\") \
         VALUES (?, ?, ?, 'PRIVATE', ?, ?, ?)"
    ))
    .bind(&id)
    .bind(title)
    .bind(body)
    .bind(owner)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await
    .map(drop))
    .expect("insert prompt");
    tx.commit().await.expect("commit");
}

async fn search_page_highlights_and_escapes(app: TestApp) {
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    let me = promptvault::users::by_email(&app.state.db, "ann@example.com")
        .await
        .expect("lookup")
        .expect("ann")
        .id;
    insert_prompt(
        &app,
        &me,
        "<script>alert(1)</script> haiku",
        "Write a haiku about <b>autumn</b> leaves",
    )
    .await;
    insert_prompt(&app, &me, "Unrelated", "Summarise the meeting notes").await;
    let empty = c.page("/search").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Search the titles"));
    let r = c.page("/search?q=haiku").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("1 result"), "one hit");
    assert!(r.body.contains("<mark>haiku</mark>"), "matches highlighted");
    assert!(
        !r.body.contains("<script>alert(1)</script>"),
        "title escaped"
    );
    assert!(!r.body.contains("<b>autumn</b>"), "body escaped");
    assert!(!r.body.contains("Unrelated"));
    assert!(
        r.body.contains("value=\"haiku\""),
        "the query stays in the box"
    );
    csp_clean(&r.body);
    let none = c.page("/search?q=zebra").await;
    assert!(none.body.contains("No prompt matches"));
    let bad = c.page("/search?q=haiku&sort=sideways").await;
    assert_eq!(
        bad.status, 200,
        "a bad option is explained, not an error page"
    );
    assert!(bad.body.contains("not understood"));
    let other = app.client();
    register(&other, "bob@example.com", "Bob").await;
    let r = other.page("/search?q=haiku").await;
    assert!(
        r.body.contains("No prompt matches"),
        "private prompts stay private"
    );
    app.stop().await;
}

#[tokio::test]
async fn admin_system_card_shows_the_database_and_backs_up_now() {
    let dir = std::env::temp_dir().join(format!("pv-sys-{}", promptvault::db::new_id()));
    let backups = dir.clone();
    let Some(app) = TestApp::start_with(promptvault::db::Backend::Sqlite, move |c| {
        c.backup_dir = backups;
    })
    .await
    else {
        return;
    };
    let c = app.client();
    register(&c, "root@example.com", "Root").await;
    let r = c.page("/admin").await;
    assert_eq!(r.status, 200);
    let schema = format!("version {0} of {0}", promptvault::db::migrate::latest());
    for text in [
        "Schema",
        schema.as_str(),
        "Last backup",
        "none yet",
        "Back up now",
    ] {
        assert!(r.body.contains(text), "missing {text:?} on the System card");
    }
    let r = c.form("/admin/backups", &[]).await;
    assert_eq!(r.status, 303, "Post/Redirect/Get");
    let r = c.page("/admin").await;
    assert!(
        r.body.contains("promptvault_"),
        "the new backup is named on the card"
    );
    assert!(r.body.contains("1 file(s) kept"));
    let (s, system) = c.get("/api/admin/system").await;
    assert_eq!(s, 200);
    assert_eq!(system["backups"]["files"], 1);
    assert!(system["database"]["bytes"].as_i64().is_some_and(|b| b > 0));
    app.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
