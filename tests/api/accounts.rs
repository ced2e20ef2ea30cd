//! Accounts, sessions, tokens, settings and user administration: one scenario suite, run on
//! SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::{Client, TestApp};
use serde_json::{Value, json};

on_all_backends!(
    register_login_me_logout,
    first_user_is_admin_and_registration_setting,
    profile_update_requires_current_password,
    api_tokens_authenticate_and_revoke,
    a_token_revoked_elsewhere_is_refused_within_a_second,
    admin_manages_users,
    last_admin_is_protected,
    role_change_and_deletion_take_effect_at_once,
    login_is_rate_limited,
    bad_input_gets_clear_json_errors,
    cross_site_cookie_writes_are_refused,
    the_1x_client_dialect_keeps_working,
);

/// Fails if any response body leaks a password hash.
fn no_hash(body: &Value) {
    let text = body.to_string();
    assert!(
        !text.contains("$argon2") && !text.contains("\"password\""),
        "hash leaked: {text}"
    );
}

async fn register_login_me_logout(app: TestApp) {
    let c = app.client();
    let (s, me) = c.get("/api/auth/me").await;
    assert_eq!((s.as_u16(), &me), (200, &json!({ "user": null })));

    let resp = c
        .request(reqwest::Method::POST, "/api/auth/register")
        .json(&json!({ "email": "Ann@Example.com", "password": "password-123", "name": "Ann" }))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), 201);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        cookie.starts_with("token=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    let session = cookie.split(';').next().expect("pair").to_string();
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(
            resp.headers().contains_key(h),
            "missing security header {h}"
        );
    }
    let user: Value = resp.json().await.expect("json");
    no_hash(&user);
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["role"], "ADMIN");
    let keys: Vec<&str> = user
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.len(),
        5,
        "user object is {{id,email,name,team,role}}: {keys:?}"
    );

    let (s, me) = c.get("/api/auth/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["user"]["email"], "ann@example.com");

    // A second browser logs in; wrong password and unknown email answer the same.
    let other = app.client();
    let (s1, b1) = other
        .post(
            "/api/auth/login",
            &json!({ "email": "ann@example.com", "password": "wrong-password" }),
        )
        .await;
    let (s2, b2) = other
        .post(
            "/api/auth/login",
            &json!({ "email": "nobody@example.com", "password": "wrong-password" }),
        )
        .await;
    assert_eq!((s1.as_u16(), s2.as_u16()), (401, 401));
    assert_eq!(b1, b2);
    assert_eq!(b1["error"], "Invalid credentials");
    let (s, body) = other
        .post(
            "/api/auth/login",
            &json!({ "email": "ANN@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    no_hash(&body);

    // Logout revokes the server-side session: the old cookie no longer works.
    let (s, body) = c.post("/api/auth/logout", &json!({})).await;
    assert_eq!((s.as_u16(), &body), (200, &json!({ "ok": true })));
    let replay = app.client();
    let (_, me) = replay
        .send(
            replay
                .request(reqwest::Method::GET, "/api/auth/me")
                .header("cookie", &session),
        )
        .await;
    assert_eq!(
        me,
        json!({ "user": null }),
        "revoked session still accepted"
    );
    let (_, me) = other.get("/api/auth/me").await;
    assert_eq!(
        me["user"]["email"], "ann@example.com",
        "other sessions stay signed in"
    );
    app.stop().await;
}

async fn first_user_is_admin_and_registration_setting(app: TestApp) {
    let admin = app.user("root@example.com").await;
    let bob = app.user("bob@example.com").await;
    let (_, me) = bob.get("/api/auth/me").await;
    assert_eq!(me["user"]["role"], "USER");

    let (s, body) = app.client().get("/settings").await;
    assert_eq!(
        (s.as_u16(), &body),
        (200, &json!({ "allowRegistration": true }))
    );
    let (s, _) = bob
        .put(
            "/api/admin/settings",
            &json!({ "allowRegistration": false }),
        )
        .await;
    assert_eq!(s, 403);
    let (s, body) = admin
        .put(
            "/api/admin/settings",
            &json!({ "allowRegistration": false }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), &body["allowRegistration"]),
        (200, &json!(false))
    );
    let (_, body) = app.client().get("/api/settings").await;
    assert_eq!(body, json!({ "allowRegistration": false }));

    let (s, body) = app
        .client()
        .post(
            "/api/auth/register",
            &json!({ "email": "late@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), body["error"].as_str()),
        (403, Some("Registration disabled"))
    );

    // Admins can still create accounts.
    let (s, body) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "late@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    no_hash(&body);
    let (s, body) = admin
        .post(
            "/api/auth/register",
            &json!({ "email": "bob@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 403, "{body}");
    app.stop().await;
}

async fn profile_update_requires_current_password(app: TestApp) {
    let c = app.user("pat@example.com").await;
    let (s, body) = c
        .put("/api/auth/profile", &json!({ "name": "  Pat Doe  " }))
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["user"]["name"], "Pat Doe");
    no_hash(&body);

    let (s, body) = c
        .put(
            "/api/auth/profile",
            &json!({ "password": "new-password-1" }),
        )
        .await;
    assert_eq!(s, 400);
    assert!(body["details"]["currentPassword"].is_string(), "{body}");
    let (s, _) = c
        .put(
            "/api/auth/profile",
            &json!({ "password": "new-password-1", "currentPassword": "not-it-at-all" }),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = c
        .put(
            "/api/auth/profile",
            &json!({ "password": "short", "currentPassword": "password-123" }),
        )
        .await;
    assert_eq!(s, 400);

    let second = app.client();
    let (s, _) = second
        .post(
            "/api/auth/login",
            &json!({ "email": "pat@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = c
        .put(
            "/api/auth/profile",
            &json!({ "password": "new-password-1", "currentPassword": "password-123" }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, me) = c.get("/api/auth/me").await;
    assert_eq!(
        me["user"]["email"], "pat@example.com",
        "the session that changed it stays"
    );
    let (_, me) = second.get("/api/auth/me").await;
    assert_eq!(
        me["user"],
        Value::Null,
        "other sessions are signed out after a password change"
    );
    let (s, _) = app
        .client()
        .post(
            "/api/auth/login",
            &json!({ "email": "pat@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 401);
    let (s, _) = app
        .client()
        .post(
            "/api/auth/login",
            &json!({ "email": "pat@example.com", "password": "new-password-1" }),
        )
        .await;
    assert_eq!(s, 200);

    // Users cannot put themselves in teams any more.
    let (s, _) = app
        .user("zed@example.com")
        .await
        .post("/api/auth/team", &json!({ "team": "development" }))
        .await;
    assert_eq!(s, 403);
    app.stop().await;
}

async fn api_tokens_authenticate_and_revoke(app: TestApp) {
    let c = app.user("tok@example.com").await;
    let (s, body) = c.post("/api/auth/tokens", &json!({})).await;
    assert_eq!(s, 400, "a token needs a name: {body}");
    let (s, created) = c
        .post("/api/auth/tokens", &json!({ "name": "ci script" }))
        .await;
    assert_eq!(s, 201, "{created}");
    let secret = created["token"]
        .as_str()
        .expect("secret shown once")
        .to_string();
    assert!(secret.starts_with("pv_") && secret.len() > 40);

    let (_, list) = c.get("/api/auth/tokens").await;
    let list_text = list.to_string();
    assert!(
        !list_text.contains(&secret),
        "the secret is never listed again"
    );
    assert_eq!(list[0]["name"], "ci script");
    assert!(secret.starts_with(list[0]["prefix"].as_str().expect("prefix")));

    let program = Client::with_token(&app.base, &secret);
    let (s, me) = program.get("/api/auth/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["user"]["email"], "tok@example.com");
    // Bearer-authenticated writes are not subject to the cookie CSRF check.
    let (s, _) = program
        .send(
            program
                .request(reqwest::Method::PUT, "/api/auth/profile")
                .header("origin", "http://elsewhere.example")
                .json(&json!({ "name": "Robot" })),
        )
        .await;
    assert_eq!(s, 200);
    let bad = Client::with_token(&app.base, "pv_not-a-real-token");
    assert_eq!(bad.get("/api/auth/me").await.1, json!({ "user": null }));
    // Used again within a second, the token is not read again; a revocation through this
    // instance is still seen by the very next request.
    for _ in 0..3 {
        assert_eq!(program.get("/api/auth/me").await.1["user"]["name"], "Robot");
    }

    let id = list[0]["id"].as_str().expect("id");
    let (s, _) = c.delete(&format!("/api/auth/tokens/{id}")).await;
    assert_eq!(s, 200);
    let (_, me) = program.get("/api/auth/me").await;
    assert_eq!(me, json!({ "user": null }), "revoked token still works");
    let (s, _) = c.delete(&format!("/api/auth/tokens/{id}")).await;
    assert_eq!(s, 404);
    app.stop().await;
}

/// Another instance on the same database (or the command line) revokes a token: this instance
/// may have resolved it less than a second ago, and refuses it at most a second later.
async fn a_token_revoked_elsewhere_is_refused_within_a_second(app: TestApp) {
    let c = app.user("elsewhere@example.com").await;
    let (s, created) = c.post("/api/auth/tokens", &json!({ "name": "bot" })).await;
    assert_eq!(s, 201, "{created}");
    let program = Client::with_token(&app.base, created["token"].as_str().expect("secret"));
    for _ in 0..3 {
        let (s, me) = program.get("/api/auth/me").await;
        assert_eq!(
            (s.as_u16(), &me["user"]["email"]),
            (200, &json!("elsewhere@example.com"))
        );
    }
    // Not through this server: its own writes would tell it at once.
    let other = promptvault::db::connect(&app.db.url, 1)
        .await
        .expect("a second pool");
    let mut tx = other.read().await.expect("transaction");
    promptvault::db::dynamic::execute(&mut tx, "DELETE FROM \"ApiToken\"".into(), &[])
        .await
        .expect("delete");
    tx.commit().await.expect("commit");
    other.close().await;
    tokio::time::sleep(
        promptvault::auth::tokens::RESOLVED_MAX_AGE + std::time::Duration::from_millis(100),
    )
    .await;
    let (_, me) = program.get("/api/auth/me").await;
    assert_eq!(
        me,
        json!({ "user": null }),
        "revoked elsewhere, still accepted"
    );
    app.stop().await;
}

async fn admin_manages_users(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let user = app.user("user@example.com").await;
    assert_eq!(user.get("/api/admin/users").await.0, 403);
    assert_eq!(app.client().get("/api/admin/users").await.0, 401);

    let (s, team) = admin
        .post("/api/admin/teams", &json!({ "name": "development" }))
        .await;
    assert_eq!(s, 201, "{team}");
    let team_id = team["id"].as_str().expect("team id").to_string();
    let (s, _) = admin
        .post("/api/admin/teams", &json!({ "name": "Development" }))
        .await;
    assert_eq!(s, 409, "team names are unique, ignoring case");

    let (s, body) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "not-an-email", "password": "x", "role": "ROOT" }),
        )
        .await;
    assert_eq!(s, 400);
    for field in ["email", "password", "role"] {
        assert!(
            body["details"][field].is_string(),
            "{field} should be reported: {body}"
        );
    }
    let (s, created) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "dev@example.com", "password": "password-123", "name": "Dev", "teams": [team_id] }),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    no_hash(&created);
    assert_eq!(created["team"], "development");
    let dev_id = created["id"].as_str().expect("id").to_string();
    let (s, _) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "DEV@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 409, "email is unique, ignoring case");

    let resp = admin
        .request(reqwest::Method::GET, "/api/admin/users?limit=2")
        .send()
        .await
        .expect("list");
    assert_eq!(
        resp.headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    let page: Value = resp.json().await.expect("json");
    assert_eq!(page.as_array().map(Vec::len), Some(2));
    no_hash(&page);
    assert_eq!(admin.get("/api/admin/users?limit=abc").await.0, 400);

    let (s, updated) = admin
        .put(
            &format!("/api/admin/users/{dev_id}"),
            &json!({ "name": "Developer", "role": "ADMIN", "teams": [] }),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(
        (updated["role"].as_str(), updated["team"].as_str()),
        (Some("ADMIN"), None)
    );
    let (s, _) = admin
        .put(
            &format!("/api/admin/users/{dev_id}"),
            &json!({ "role": "GOD" }),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = admin
        .put("/api/admin/users/no-such-user", &json!({ "name": "x" }))
        .await;
    assert_eq!(s, 404);

    // Password reset by an admin: the user logs in with the new one.
    let (s, _) = admin
        .put(
            &format!("/api/admin/users/{dev_id}"),
            &json!({ "password": "reset-password-9" }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .client()
        .post(
            "/api/auth/login",
            &json!({ "email": "dev@example.com", "password": "reset-password-9" }),
        )
        .await;
    assert_eq!(s, 200);

    let (s, _) = admin
        .delete(&format!("/api/admin/users/{dev_id}?prompts=explode"))
        .await;
    assert_eq!(s, 400);
    let (s, _) = admin.delete(&format!("/api/admin/users/{dev_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        admin.get(&format!("/api/admin/users/{dev_id}")).await.0,
        404
    );

    // Team rename follows into User.team; delete clears it.
    let (_, bob) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "bob@example.com", "password": "password-123", "teams": [team_id] }),
        )
        .await;
    let (s, _) = admin
        .put(
            &format!("/api/admin/teams/{team_id}"),
            &json!({ "name": "platform" }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, b) = admin
        .get(&format!(
            "/api/admin/users/{}",
            bob["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(b["team"], "platform");
    let (_, members) = admin
        .get(&format!("/api/admin/teams/{team_id}/members"))
        .await;
    assert_eq!(members.as_array().map(Vec::len), Some(1));
    let (s, _) = admin.delete(&format!("/api/admin/teams/{team_id}")).await;
    assert_eq!(s, 200);
    let (_, b) = admin
        .get(&format!(
            "/api/admin/users/{}",
            bob["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(b["team"], Value::Null);
    app.stop().await;
}

async fn last_admin_is_protected(app: TestApp) {
    let admin = app.user("only@example.com").await;
    let (_, me) = admin.get("/api/auth/me").await;
    let id = me["user"]["id"].as_str().expect("id").to_string();
    let (s, body) = admin
        .put(
            &format!("/api/admin/users/{id}"),
            &json!({ "role": "USER" }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), body["code"].as_str()),
        (409, Some("last_admin"))
    );
    let (s, _) = admin.delete(&format!("/api/admin/users/{id}")).await;
    assert_eq!(s, 409);
    let (_, me) = admin.get("/api/auth/me").await;
    assert_eq!(me["user"]["role"], "ADMIN");

    // With a second admin the first may step down.
    let (_, second) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "two@example.com", "password": "password-123", "role": "ADMIN" }),
        )
        .await;
    let (s, _) = admin
        .put(
            &format!("/api/admin/users/{id}"),
            &json!({ "role": "USER" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(admin.get("/api/admin/users").await.0, 403);
    let two = app.client();
    two.ok_post(
        "/api/auth/login",
        &json!({ "email": "two@example.com", "password": "password-123" }),
    )
    .await;
    let (s, _) = two
        .delete(&format!(
            "/api/admin/users/{}",
            second["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(s, 409, "the remaining admin cannot delete themselves");
    app.stop().await;
}

async fn role_change_and_deletion_take_effect_at_once(app: TestApp) {
    let admin = app.user("boss@example.com").await;
    let (_, created) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "temp@example.com", "password": "password-123", "role": "ADMIN" }),
        )
        .await;
    let temp_id = created["id"].as_str().expect("id").to_string();
    let temp = app.client();
    let (s, _) = temp
        .post(
            "/api/auth/login",
            &json!({ "email": "temp@example.com", "password": "password-123" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(temp.get("/api/admin/users").await.0, 200);
    admin
        .ok_put(
            &format!("/api/admin/users/{temp_id}"),
            &json!({ "role": "USER" }),
        )
        .await;
    assert_eq!(
        temp.get("/api/admin/users").await.0,
        403,
        "demotion applies on the next request"
    );
    admin
        .ok_delete(&format!("/api/admin/users/{temp_id}"))
        .await;
    assert_eq!(temp.get("/api/auth/me").await.1, json!({ "user": null }));
    assert_eq!(
        temp.put("/api/auth/profile", &json!({ "name": "x" }))
            .await
            .0,
        401
    );
    app.stop().await;
}

async fn login_is_rate_limited(app: TestApp) {
    app.user("rl@example.com").await;
    let c = app.client();
    for _ in 0..5 {
        let (s, _) = c
            .post(
                "/api/auth/login",
                &json!({ "email": "rl@example.com", "password": "bad-password" }),
            )
            .await;
        assert_eq!(s, 401);
    }
    let resp = c
        .request(reqwest::Method::POST, "/api/auth/login")
        .json(&json!({ "email": "rl@example.com", "password": "password-123" }))
        .send()
        .await
        .expect("login");
    assert_eq!(
        resp.status(),
        429,
        "even the right password waits once locked"
    );
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry >= 1);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "rate_limited");
    app.stop().await;
}

async fn bad_input_gets_clear_json_errors(app: TestApp) {
    let admin = app.user("admin@example.com").await;
    let (_, before) = admin.get("/api/admin/users").await;
    let anon = app.client();
    let cases: Vec<(&str, Value)> = vec![
        (
            "/api/auth/register",
            json!({ "email": 42, "password": "password-123" }),
        ),
        ("/api/auth/register", json!({ "email": "x@example.com" })),
        (
            "/api/auth/register",
            json!({ "email": "x@example.com", "password": ["a"] }),
        ),
        (
            "/api/auth/register",
            json!({ "email": "x'); DROP TABLE \"User\";--@example.com", "password": "password-123" }),
        ),
        (
            "/api/auth/register",
            json!({ "email": "y@example.com", "password": "password-123", "name": "n".repeat(500) }),
        ),
        ("/api/auth/register", json!([1, 2, 3])),
        (
            "/api/auth/login",
            json!({ "email": null, "password": null }),
        ),
        ("/api/auth/login", json!("just a string")),
    ];
    for (path, body) in cases {
        let (s, resp) = anon.post(path, &body).await;
        assert_eq!(s, 400, "{path} {body} -> {resp}");
        assert!(
            resp["error"].is_string() && resp["code"].is_string(),
            "{resp}"
        );
    }
    for raw in [
        "{bad json",
        "",
        "null",
        "{\"email\":\"a@b.io\",\"password\":",
    ] {
        let (s, resp) = anon
            .post_raw("/api/auth/register", raw.to_string(), "application/json")
            .await;
        assert_eq!(s, 400, "{raw:?} -> {resp}");
        assert_eq!(resp["code"], "invalid_input");
    }
    let huge = format!(
        "{{\"email\":\"a@b.io\",\"password\":\"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    // Its own client: the server answers 413 without reading the rest and closes the
    // connection, which a pooled connection would then fail to reuse.
    let (s, resp) = app
        .client()
        .post_raw("/api/auth/register", huge, "application/json")
        .await;
    assert_eq!(s, 413, "{resp}");
    assert_eq!(resp["code"], "payload_too_large");
    let (s, resp) = anon.get("/api/does/not/exist").await;
    assert_eq!(
        (s.as_u16(), resp["code"].as_str()),
        (404, Some("not_found"))
    );
    let (s, resp) = anon
        .send(anon.request(reqwest::Method::DELETE, "/api/auth/me"))
        .await;
    assert_eq!(s, 405, "{resp}");
    assert!(resp["error"].is_string());

    // SQL metacharacters are data, never SQL.
    let sneaky = "Robert'); DROP TABLE \"Prompt\";-- \" ` \\ %_";
    let (s, body) = admin
        .put("/api/auth/profile", &json!({ "name": sneaky }))
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["user"]["name"], sneaky);
    let (s, _) = admin
        .post(
            "/api/auth/login",
            &json!({ "email": "' OR 1=1 --", "password": "' OR '1'='1" }),
        )
        .await;
    assert_eq!(s, 401);

    let (_, after) = admin.get("/api/admin/users").await;
    assert_eq!(
        before.as_array().map(Vec::len),
        after.as_array().map(Vec::len),
        "nothing was created"
    );
    let (s, _) = admin.get("/health").await;
    assert_eq!(s, 200);
    app.stop().await;
}

async fn cross_site_cookie_writes_are_refused(app: TestApp) {
    let c = app.user("csrf@example.com").await;
    let (s, body) = c
        .send(
            c.request(reqwest::Method::PUT, "/api/auth/profile")
                .header("sec-fetch-site", "cross-site")
                .json(&json!({ "name": "pwned" })),
        )
        .await;
    assert_eq!(
        (s.as_u16(), body["code"].as_str()),
        (403, Some("csrf_rejected"))
    );
    let (s, _) = c
        .send(
            c.request(reqwest::Method::PUT, "/api/auth/profile")
                .header("origin", "https://evil.example")
                .json(&json!({ "name": "pwned" })),
        )
        .await;
    assert_eq!(s, 403);
    let host = app.base.trim_start_matches("http://").to_string();
    let (s, body) = c
        .send(
            c.request(reqwest::Method::PUT, "/api/auth/profile")
                .header("origin", format!("http://{host}"))
                .header("sec-fetch-site", "same-origin")
                .json(&json!({ "name": "fine" })),
        )
        .await;
    assert_eq!(s, 200, "same-origin 1.x pages keep working: {body}");
    app.stop().await;
}

/// What the 1.x web client sends: TEAM with no team (saved, owner-only until they join one),
/// and the admin page's single `team` field (an id or a name; "" takes the user out).
async fn the_1x_client_dialect_keeps_working(app: TestApp) {
    let admin = app.user("root@example.com").await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let (s, p) = ann
        .post(
            "/api/prompts",
            &json!({ "title": "Team idea", "body": "b", "visibility": "TEAM" }),
        )
        .await;
    assert_eq!(s, 201, "TEAM without a team is saved: {p}");
    assert_eq!(p["visibility"], "TEAM");
    let id = p["id"].as_str().expect("id").to_string();
    let (s, p2) = ann
        .post("/api/prompts", &json!({ "title": "Other", "body": "b" }))
        .await;
    assert_eq!(s, 201);
    let id2 = p2["id"].as_str().expect("id");
    let (s, u) = ann
        .put(
            &format!("/api/prompts/{id2}"),
            &json!({ "visibility": "TEAM" }),
        )
        .await;
    assert_eq!((s.as_u16(), &u["visibility"]), (200, &json!("TEAM")), "{u}");
    let (s, _) = bob.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 404, "nobody else reads it while Ann has no team");

    let (s, team) = admin
        .post("/api/admin/teams", &json!({ "name": "Writers" }))
        .await;
    assert_eq!(s, 201, "{team}");
    let team_id = team["id"].as_str().expect("team id").to_string();
    let (s, users) = admin.get("/api/admin/users?limit=100").await;
    assert_eq!(s, 200);
    let id_of = |email: &str| {
        users
            .as_array()
            .and_then(|a| a.iter().find(|u| u["email"] == email))
            .and_then(|u| u["id"].as_str())
            .map(str::to_string)
            .expect("user listed")
    };
    let (ann_id, bob_id) = (id_of("ann@example.com"), id_of("bob@example.com"));
    // The 1.x admin page: PUT {name, role, team: <teamId>}.
    let (s, v) = admin
        .put(
            &format!("/api/admin/users/{ann_id}"),
            &json!({ "name": "Ann", "role": "USER", "team": team_id }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["team"], "Writers");
    // By name works too.
    let (s, v) = admin
        .put(
            &format!("/api/admin/users/{bob_id}"),
            &json!({ "name": "Bob", "role": "USER", "team": "writers" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["teams"][0]["id"], team_id.as_str());
    let (s, _) = bob.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        s, 200,
        "Ann's TEAM prompt reaches her team once she has one"
    );
    // An unknown team is a clear field error, not silence.
    let (s, e) = admin
        .put(
            &format!("/api/admin/users/{bob_id}"),
            &json!({ "team": "no-such-team" }),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    // "" takes the user out of their team.
    let (s, v) = admin
        .put(
            &format!("/api/admin/users/{bob_id}"),
            &json!({ "name": "Bob", "role": "USER", "team": "" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["team"], json!(null), "{v}");
    assert_eq!(v["teams"], json!([]));
    let (s, _) = bob.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(s, 404);
    // The 1.x admin page creates users with `team`.
    let (s, v) = admin
        .post(
            "/api/admin/users",
            &json!({ "email": "cara@example.com", "password": "password-123", "name": "Cara", "role": "USER", "team": team_id }),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["team"], "Writers");
    app.stop().await;
}
