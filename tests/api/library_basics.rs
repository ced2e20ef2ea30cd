//! Everyday basics of the library through the JSON API and the plain-form pages: favourites
//! (stars), the trash (delete, undo, restore, delete for good, purge after 30 days) and the
//! table view's bulk export. Run on SQLite, PostgreSQL and MariaDB.

use crate::common;

use common::TestApp;
use common::library::{cast, count, count_where, prompt};
use common::pages::register;
use serde_json::{Value, json};

on_all_backends!(
    favourites_per_user_and_readable_only,
    trash_hides_everywhere_and_restores_whole,
    trash_delete_forever_empty_and_purge,
    pages_star_trash_undo_and_bulk_export,
);

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

fn id(p: &Value) -> String {
    p["id"].as_str().expect("id").to_string()
}

async fn favourites_per_user_and_readable_only(app: TestApp) {
    let k = cast(&app).await;
    let own = prompt(&k.owner, json!({ "title": "Own", "body": "b" })).await;
    let team = prompt(
        &k.mate,
        json!({ "title": "Team one", "body": "b", "visibility": "TEAM" }),
    )
    .await;
    let public = prompt(
        &k.other,
        json!({ "title": "Public one", "body": "b", "visibility": "PUBLIC" }),
    )
    .await;
    let secret = prompt(&k.other, json!({ "title": "Secret", "body": "b" })).await;
    assert_eq!(own["favorite"], false);

    for p in [&own, &team, &public] {
        let (s, b) = k
            .owner
            .put(&format!("/api/prompts/{}/favorite", id(p)), &json!({}))
            .await;
        assert_eq!((s.as_u16(), &b["favorite"]), (200, &json!(true)), "{b}");
    }
    // Twice is still one star.
    k.owner
        .ok_put(&format!("/api/prompts/{}/favorite", id(&own)), &json!({}))
        .await;
    assert_eq!(count(&app, "Favorite").await, 3);
    // Someone else's private prompt: 404, as if it did not exist; so is a made-up id.
    let (s, _) = k
        .owner
        .put(
            &format!("/api/prompts/{}/favorite", id(&secret)),
            &json!({}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = k
        .owner
        .put("/api/prompts/cnothere/favorite", &json!({}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = k
        .anon
        .put(&format!("/api/prompts/{}/favorite", id(&own)), &json!({}))
        .await;
    assert_eq!(s, 401);

    // The prompt JSON says it, for the caller only.
    let (_, got) = k.owner.get(&format!("/api/prompts/{}", id(&team))).await;
    assert_eq!(got["favorite"], true);
    let (_, got) = k.mate.get(&format!("/api/prompts/{}", id(&team))).await;
    assert_eq!(got["favorite"], false, "stars are per user");

    // The list: favourites across everything readable; the plain list stays the own one.
    let (_, favs) = k.owner.get("/api/prompts?favorites=true").await;
    let mut got = ids(&favs);
    got.sort();
    let mut want = vec![id(&own), id(&team), id(&public)];
    want.sort();
    assert_eq!(got, want);
    assert!(
        favs.as_array()
            .expect("a")
            .iter()
            .all(|p| p["favorite"] == true)
    );
    let (_, plain) = k.owner.get("/api/prompts").await;
    assert_eq!(ids(&plain), vec![id(&own)]);
    let (_, none) = k.mate.get("/api/prompts?favorites=1").await;
    assert_eq!(none, json!([]));
    let (s, _) = k.owner.get("/api/prompts?favorites=maybe").await;
    assert_eq!(s, 400);
    // Favourites combine with the other filters and with a text query (search).
    let (_, q) = k.owner.get("/api/prompts?favorites=true&q=public").await;
    assert_eq!(ids(&q), vec![id(&public)]);
    let (_, vis) = k
        .owner
        .get("/api/prompts?favorites=true&visibility=TEAM")
        .await;
    assert_eq!(ids(&vis), vec![id(&team)]);

    // No longer readable: not listed (the star stays, harmless, until read access returns).
    k.other
        .ok_put(
            &format!("/api/prompts/{}", id(&public)),
            &json!({ "visibility": "PRIVATE" }),
        )
        .await;
    let (_, favs) = k.owner.get("/api/prompts?favorites=true").await;
    assert_eq!(favs.as_array().map(Vec::len), Some(2));
    let (s, _) = k
        .owner
        .delete(&format!("/api/prompts/{}/favorite", id(&public)))
        .await;
    assert_eq!(s, 404, "unreadable now");

    // Unstar.
    let b = k
        .owner
        .ok_delete(&format!("/api/prompts/{}/favorite", id(&own)))
        .await;
    assert_eq!(b["favorite"], false);
    k.owner
        .ok_delete(&format!("/api/prompts/{}/favorite", id(&own)))
        .await;
    let (_, favs) = k.owner.get("/api/prompts?favorites=true").await;
    assert_eq!(ids(&favs), vec![id(&team)]);

    // Deleting a user takes their stars; deleting a prompt for good takes its stars.
    k.mate
        .ok_put(&format!("/api/prompts/{}/favorite", id(&team)), &json!({}))
        .await;
    assert_eq!(
        count_where(&app, "Favorite", &format!("\"promptId\" = '{}'", id(&team))).await,
        2
    );
    k.mate
        .ok_delete(&format!("/api/prompts/{}", id(&team)))
        .await;
    k.mate.ok_delete(&format!("/api/trash/{}", id(&team))).await;
    assert_eq!(
        count_where(&app, "Favorite", &format!("\"promptId\" = '{}'", id(&team))).await,
        0
    );
    k.other
        .ok_put(
            &format!("/api/prompts/{}/favorite", id(&secret)),
            &json!({}),
        )
        .await;
    let (s, b) = k
        .admin
        .delete(&format!("/api/admin/users/{}?prompts=delete", k.other_id))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        count_where(&app, "Favorite", &format!("\"userId\" = '{}'", k.other_id)).await,
        0
    );
    app.stop().await;
}

async fn trash_hides_everywhere_and_restores_whole(app: TestApp) {
    let k = cast(&app).await;
    let p = prompt(
        &k.owner,
        json!({ "title": "Support reply", "body": "Dear {{name}}, zebrafish",
                "visibility": "PUBLIC", "tags": ["binned"] }),
    )
    .await;
    let pid = id(&p);
    let keep = prompt(
        &k.owner,
        json!({ "title": "Keeper", "body": "zebrafish too", "visibility": "PUBLIC" }),
    )
    .await;
    k.owner
        .ok_put(
            &format!("/api/prompts/{pid}"),
            &json!({ "body": "Hi {{name}}, zebrafish" }),
        )
        .await;
    k.mate
        .ok_post(&format!("/api/ratings/{pid}"), &json!({ "value": 4 }))
        .await;
    k.mate
        .ok_put(&format!("/api/prompts/{pid}/favorite"), &json!({}))
        .await;
    let share = k
        .owner
        .ok_post(&format!("/api/share/{pid}/public"), &json!({}))
        .await;
    let share_id = share["publicUrl"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("share id")
        .to_string();
    let ns = p["namespace"].as_str().expect("namespace").to_string();
    let name = p["name"].as_str().expect("name").to_string();
    let registry_path = format!("/api/registry/{ns}/{name}?label=latest");
    assert_eq!(k.mate.get(&registry_path).await.0, 200);
    let mcp_list = json!({ "jsonrpc": "2.0", "id": 1, "method": "prompts/list", "params": {} });
    let (s, listed) = k.token.post("/mcp", &mcp_list).await;
    assert_eq!(s, 200, "{listed}");
    assert!(listed.to_string().contains(&name), "MCP lists it: {listed}");

    // Only the owner deletes; the answer is the 1.x one.
    let (s, _) = k.mate.delete(&format!("/api/prompts/{pid}")).await;
    assert_eq!(s, 403);
    let (s, b) = k.owner.delete(&format!("/api/prompts/{pid}")).await;
    assert_eq!((s.as_u16(), b), (200, json!({ "success": true })));
    let (s, _) = k.owner.delete(&format!("/api/prompts/{pid}")).await;
    assert_eq!(s, 404, "already in the trash");

    // Gone from every read, for everyone.
    for c in [&k.owner, &k.mate] {
        assert_eq!(c.get(&format!("/api/prompts/{pid}")).await.0, 404);
        assert_eq!(c.get(&format!("/api/prompts/{pid}/versions")).await.0, 404);
        assert_eq!(c.get(&registry_path).await.0, 404);
        let (_, found) = c.get("/api/search?q=zebrafish").await;
        let found = found.to_string();
        assert!(
            !found.contains(&pid) && found.contains(&id(&keep)),
            "{found}"
        );
        let (_, tags) = c.get("/api/tags").await;
        assert!(!tags.to_string().contains("binned"), "{tags}");
        let (_, cat) = c.get("/api/registry").await;
        assert!(!cat.to_string().contains(&pid), "{cat}");
    }
    let (_, listed) = k.token.post("/mcp", &mcp_list).await;
    assert!(
        !listed.to_string().contains(&name),
        "MCP leaves it out: {listed}"
    );
    let (_, mine) = k.owner.get("/api/prompts").await;
    assert_eq!(ids(&mine), vec![id(&keep)]);
    let (_, feed) = k.mate.get("/api/prompts/feed/team").await;
    assert_eq!(ids(&feed), vec![id(&keep)]);
    let (_, favs) = k.mate.get("/api/prompts?favorites=true").await;
    assert_eq!(favs, json!([]));
    assert_eq!(
        k.anon.get(&format!("/api/share/public/{share_id}")).await.0,
        404
    );
    assert_eq!(
        k.mate
            .post(&format!("/api/ratings/{pid}"), &json!({ "value": 1 }))
            .await
            .0,
        404
    );
    assert_eq!(
        k.owner
            .put(&format!("/api/prompts/{pid}"), &json!({ "title": "x" }))
            .await
            .0,
        404,
        "no edits in the trash"
    );
    let export = k.owner.ok_get("/api/import-export/export").await;
    assert_eq!(ids(&export), vec![id(&keep)], "export leaves the trash out");

    // The owner's trash lists it; nobody else's does, and nobody else restores it.
    let (s, trash) = k.owner.get("/api/trash").await;
    assert_eq!(s, 200);
    assert_eq!(ids(&trash), vec![pid.clone()]);
    assert_eq!(trash[0]["title"], "Support reply");
    assert!(trash[0]["deletedAt"].is_string() && trash[0]["purgeAt"].is_string());
    let (_, theirs) = k.mate.get("/api/trash").await;
    assert_eq!(theirs, json!([]));
    assert_eq!(
        k.mate
            .post(&format!("/api/trash/{pid}/restore"), &json!({}))
            .await
            .0,
        404
    );
    assert_eq!(k.mate.delete(&format!("/api/trash/{pid}")).await.0, 404);
    assert_eq!(
        k.owner
            .post(&format!("/api/trash/{}/restore", id(&keep)), &json!({}))
            .await
            .0,
        404,
        "a live prompt is not in the trash"
    );

    // Restored whole: versions, tags, rating, star, name, share link.
    let (s, b) = k
        .owner
        .post(&format!("/api/trash/{pid}/restore"), &json!({}))
        .await;
    assert_eq!((s.as_u16(), b), (200, json!({ "success": true })));
    let back = k.mate.ok_get(&format!("/api/prompts/{pid}")).await;
    assert_eq!(back["_count"]["versions"], 2);
    assert_eq!(back["ratingCount"], 1);
    assert_eq!(back["favorite"], true);
    assert_eq!(back["tags"][0]["tag"]["name"], "binned");
    assert_eq!(k.mate.get(&registry_path).await.0, 200);
    assert_eq!(
        k.anon.get(&format!("/api/share/public/{share_id}")).await.0,
        200
    );
    let (_, trash) = k.owner.get("/api/trash").await;
    assert_eq!(trash, json!([]));
    // The audit trail tells the story.
    let (_, audit) = k.owner.get(&format!("/api/prompts/{pid}/audit")).await;
    let actions = audit.to_string();
    assert!(
        actions.contains("prompt.trash") && actions.contains("prompt.restore"),
        "{actions}"
    );

    // Bulk delete goes to the trash too.
    let r = k
        .owner
        .ok_post(
            "/api/prompts/bulk",
            &json!({ "ids": [pid, id(&keep)], "action": "delete" }),
        )
        .await;
    assert_eq!(r["count"], 2);
    let (s, trash) = k
        .owner
        .send(k.owner.request(reqwest::Method::GET, "/api/trash?limit=1"))
        .await;
    assert_eq!((s.as_u16(), trash.as_array().map(Vec::len)), (200, Some(1)));
    let resp = k
        .owner
        .request(reqwest::Method::GET, "/api/trash")
        .send()
        .await
        .expect("trash");
    assert_eq!(resp.headers()["x-total-count"], "2");
    assert_eq!(count(&app, "Prompt").await, 2, "rows kept");
    app.stop().await;
}

async fn trash_delete_forever_empty_and_purge(app: TestApp) {
    let k = cast(&app).await;
    let mut made = Vec::new();
    for i in 0..4 {
        let p = prompt(
            &k.owner,
            json!({ "title": format!("P{i}"), "body": "b", "tags": ["t"], "visibility": "PUBLIC" }),
        )
        .await;
        k.mate
            .ok_post(&format!("/api/ratings/{}", id(&p)), &json!({ "value": 5 }))
            .await;
        made.push(id(&p));
    }
    for p in &made {
        k.owner.ok_delete(&format!("/api/prompts/{p}")).await;
    }
    // Delete one for good: its rows go.
    let (s, b) = k.owner.delete(&format!("/api/trash/{}", made[0])).await;
    assert_eq!((s.as_u16(), b), (200, json!({ "success": true })));
    assert_eq!(
        k.owner.delete(&format!("/api/trash/{}", made[0])).await.0,
        404
    );
    assert_eq!(
        count_where(&app, "Rating", &format!("\"promptId\" = '{}'", made[0])).await,
        0
    );
    assert_eq!(count(&app, "Prompt").await, 3);

    // The purge takes only what is older than 30 days.
    let db = &app.state.db;
    let long_ago = promptvault::db::now() - chrono::Duration::days(31);
    {
        let mut tx = db.write().await.expect("tx");
        promptvault::prompts::store::execute(
            &mut tx,
            "UPDATE \"Prompt\" SET \"deletedAt\" = ? WHERE \"id\" = ?".into(),
            &[
                promptvault::prompts::store::Arg::T(long_ago),
                promptvault::prompts::store::Arg::S(made[1].clone()),
            ],
        )
        .await
        .expect("age it");
        tx.commit().await.expect("commit");
    }
    let n = promptvault::prompts::trash::purge_expired(db)
        .await
        .expect("purge");
    assert_eq!(n, 1);
    let (_, trash) = k.owner.get("/api/trash").await;
    let mut left = ids(&trash);
    left.sort();
    let mut want = vec![made[2].clone(), made[3].clone()];
    want.sort();
    assert_eq!(left, want);

    // Empty the trash.
    let b = k.owner.ok_delete("/api/trash").await;
    assert_eq!(b["count"], 2);
    assert_eq!(count(&app, "Prompt").await, 0);
    assert_eq!(count(&app, "Rating").await, 0);
    assert_eq!(count(&app, "PromptVersion").await, 0);
    app.stop().await;
}

async fn pages_star_trash_undo_and_bulk_export(app: TestApp) {
    let c = app.client();
    register(&c, "ann@example.com", "Ann").await;
    let mut made = Vec::new();
    for t in ["Alpha", "Beta", "Gamma"] {
        let r = c
            .form(
                "/prompts/new",
                &[("title", t), ("body", &format!("{t} body")), ("tags", "x")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        made.push(r.location.trim_start_matches("/prompts/").to_string());
    }
    // Star from the list (no JavaScript: a form and a redirect back).
    let list = c.page("/prompts").await;
    assert!(
        list.body
            .contains(&format!("action=\"/prompts/{}/favorite\"", made[0]))
    );
    assert!(list.body.contains("aria-pressed=\"false\""));
    let r = c
        .form(
            &format!("/prompts/{}/favorite", made[0]),
            &[("on", "1"), ("back", "/prompts?view=table")],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/prompts?view=table")
    );
    let page = c.page(&format!("/prompts/{}", made[0])).await;
    assert!(
        page.body.contains("aria-pressed=\"true\""),
        "starred on its page"
    );
    let favs = c.page("/prompts?favorites=1").await;
    assert_eq!(favs.status, 200);
    assert!(favs.body.contains("<h1>Favourites"));
    assert!(favs.body.contains("Alpha") && !favs.body.contains("Beta"));
    let r = c
        .form(&format!("/prompts/{}/favorite", made[0]), &[("on", "0")])
        .await;
    assert_eq!(r.location, format!("/prompts/{}", made[0]));
    let favs = c.page("/prompts?favorites=1").await;
    assert!(favs.body.contains("No favourites yet"));

    // Delete from the prompt page: to the trash, with an Undo in the message.
    let r = c.form(&format!("/prompts/{}/delete", made[1]), &[]).await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/prompts"));
    let landed = c.page("/prompts").await;
    assert!(
        landed.body.contains("moved to the trash"),
        "{}",
        landed.body
    );
    assert!(landed.body.contains("action=\"/trash/restore\""));
    assert!(
        landed
            .body
            .contains(&format!("name=\"ids\" value=\"{}\"", made[1]))
    );
    assert!(!landed.body.contains("Beta body"));
    let r = c
        .form(
            "/trash/restore",
            &[("ids", made[1].as_str()), ("back", "/prompts")],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/prompts"));
    assert!(c.page("/prompts").await.body.contains("Beta"));

    // Bulk delete of two: one Undo restores both.
    let r = c
        .form(
            "/prompts/bulk",
            &[
                ("ids", made[1].as_str()),
                ("ids", made[2].as_str()),
                ("op", "tag"),
                ("op", "delete"),
                ("back", "/prompts?view=table"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let landed = c.page("/prompts?view=table").await;
    let undo = format!("value=\"{},{}\"", made[1], made[2]);
    assert!(landed.body.contains(&undo), "{}", landed.body);
    let trash = c.page("/trash").await;
    assert_eq!(trash.status, 200);
    assert!(trash.body.contains("Beta") && trash.body.contains("Gamma"));
    assert!(
        trash
            .body
            .contains(&format!("action=\"/trash/{}/delete\"", made[2]))
    );
    let both = format!("{},{}", made[1], made[2]);
    let r = c
        .form(
            "/trash/restore",
            &[("ids", both.as_str()), ("back", "/prompts")],
        )
        .await;
    assert_eq!(r.status, 303);
    let list = c.page("/prompts").await;
    assert!(list.body.contains("Beta") && list.body.contains("Gamma"));

    // Delete forever and empty from the trash page.
    c.form(&format!("/prompts/{}/delete", made[2]), &[]).await;
    let r = c.form(&format!("/trash/{}/delete", made[2]), &[]).await;
    assert_eq!((r.status.as_u16(), r.location.as_str()), (303, "/trash"));
    c.form(&format!("/prompts/{}/delete", made[1]), &[]).await;
    let r = c.form("/trash/empty", &[]).await;
    assert_eq!(r.status, 303);
    assert!(c.page("/trash").await.body.contains("The trash is empty"));
    assert_eq!(count(&app, "Prompt").await, 1);

    // Bulk export of the selected prompts, JSON and Markdown.
    let more = c
        .form(
            "/prompts/new",
            &[("title", "Delta"), ("body", "Delta body")],
        )
        .await
        .location
        .trim_start_matches("/prompts/")
        .to_string();
    let table = c.page("/prompts?view=table").await;
    assert!(
        table.body.contains("value=\"export\""),
        "export in the bulk bar"
    );
    let r = c
        .form(
            "/prompts/bulk",
            &[
                ("ids", made[0].as_str()),
                ("ids", more.as_str()),
                ("op", "tag"),
                ("op", "export"),
                ("format", "json"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("promptvault-export.json")
    );
    let items: Value = serde_json::from_str(&r.body).expect("json");
    let mut got = ids(&items);
    got.sort();
    let mut want = vec![made[0].clone(), more.clone()];
    want.sort();
    assert_eq!(got, want);
    assert!(items[0]["versions"].is_array());
    let r = c
        .form(
            "/prompts/bulk",
            &[
                ("ids", more.as_str()),
                ("op", "export"),
                ("format", "markdown"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Delta body") && !r.body.contains("Alpha body"));
    // Nothing selected, or someone else's prompt: back with a message, no download.
    let r = c
        .form(
            "/prompts/bulk",
            &[("op", "export"), ("back", "/prompts?view=table")],
        )
        .await;
    assert_eq!(r.status, 303);
    app.stop().await;
}
