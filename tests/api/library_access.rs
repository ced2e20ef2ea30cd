//! Who may do what with prompts, and what hangs off them: the permission matrix, tags,
//! ratings, share links, the team feed, and deletion without dangling rows — on SQLite,
//! PostgreSQL and MariaDB.

use crate::common;

use common::TestApp;
use common::library::{cast, count, count_where, dangling_rows, library_rows, prompt};
use serde_json::{Value, json};

on_all_backends!(
    permission_matrix,
    tags_ratings_and_sort,
    sharing_links,
    team_feed_and_team_deletion,
    deleting_prompts_and_users_leaves_no_dangling_rows,
);

/// For each role × visibility × endpoint: the allowed answer, else 404 (cannot read) or 403
/// (can read but not the owner). Anonymous callers get 401.
async fn permission_matrix(app: TestApp) {
    let k = cast(&app).await;
    let visibilities = [
        ("PRIVATE", None),
        ("TEAM", None),
        ("TEAM", Some(k.team_a.clone())),
        ("PUBLIC", None),
    ];
    for (vis, team) in &visibilities {
        let p = prompt(
            &k.owner,
            json!({ "title": format!("{vis} {team:?}"), "body": "Hi {{x}}", "visibility": vis, "teamId": team, "tags": [format!("tag-{vis}-{}", team.is_some())] }),
        )
        .await;
        let id = p["id"].as_str().expect("id").to_string();
        let v1 = p["versions"][0]["id"].as_str().expect("v1").to_string();
        let can_read = |role: &str| match role {
            "owner" | "token" => true,
            "mate" => *vis != "PRIVATE",
            "other" | "admin" => *vis == "PUBLIC",
            _ => false,
        };
        let roles = [
            ("owner", &k.owner),
            ("mate", &k.mate),
            ("other", &k.other),
            ("admin", &k.admin),
            ("anon", &k.anon),
            ("token", &k.token),
        ];
        for (role, c) in roles {
            let read = can_read(role);
            let owner = matches!(role, "owner" | "token");
            let expect_read = if role == "anon" {
                401
            } else if read {
                200
            } else {
                404
            };
            let expect_write = if role == "anon" {
                401
            } else if owner {
                200
            } else if read {
                403
            } else {
                404
            };
            let reads = [
                ("GET", format!("/api/prompts/{id}"), Value::Null),
                ("GET", format!("/api/prompts/{id}/versions"), Value::Null),
                (
                    "GET",
                    format!("/api/prompts/{id}/versions/{v1}"),
                    Value::Null,
                ),
                ("GET", format!("/api/prompts/{id}/diff"), Value::Null),
                (
                    "POST",
                    format!("/api/prompts/{id}/render"),
                    json!({ "values": { "x": "1" } }),
                ),
                ("POST", format!("/api/ratings/{id}"), json!({ "value": 4 })),
                ("DELETE", format!("/api/ratings/{id}"), Value::Null),
            ];
            let writes = [
                (
                    "PUT",
                    format!("/api/prompts/{id}"),
                    json!({ "title": format!("{vis} {team:?}") }),
                ),
                (
                    "PUT",
                    format!("/api/prompts/{id}/visibility"),
                    json!({ "visibility": vis, "teamId": team }),
                ),
                (
                    "POST",
                    format!("/api/prompts/{id}/versions/{v1}/restore"),
                    json!({}),
                ),
                ("POST", format!("/api/share/{id}/public"), json!({})),
                ("DELETE", format!("/api/share/{id}/public"), Value::Null),
            ];
            for (list, expected) in [(&reads[..], expect_read), (&writes[..], expect_write)] {
                for (method, path, body) in list {
                    let (s, b) = match *method {
                        "GET" => c.get(path).await,
                        "POST" => c.post(path, body).await,
                        "PUT" => c.put(path, body).await,
                        _ => c.delete(path).await,
                    };
                    assert_eq!(
                        s.as_u16(),
                        expected,
                        "{role} {method} {path} on {vis} {team:?}: {b}"
                    );
                    if s == 404 {
                        assert_eq!(b["error"], "Not found", "no hint of existence");
                    }
                }
            }
            if !owner {
                let (s, _) = c.delete(&format!("/api/prompts/{id}")).await;
                assert_eq!(s.as_u16(), expect_write, "{role} DELETE on {vis}");
            }
            // Tags list only shows tags of readable prompts (admins: all).
            if role != "anon" {
                let (_, tags) = c.get("/api/tags").await;
                let visible = tags
                    .to_string()
                    .contains(&format!("tag-{vis}-{}", team.is_some()));
                assert_eq!(visible, read || role == "admin", "{role} tags on {vis}");
            }
        }
        // Nobody else changed anything; the owner deletes last (earlier rounds' prompts wait
        // in the owner's trash).
        assert_eq!(
            count_where(&app, "Prompt", "\"deletedAt\" IS NULL").await,
            1
        );
        let (s, _) = k.owner.delete(&format!("/api/prompts/{id}")).await;
        assert_eq!(s, 200);
    }
    // Others' prompts never appear in someone's own list.
    prompt(
        &k.owner,
        json!({ "title": "pub", "body": "b", "visibility": "PUBLIC" }),
    )
    .await;
    let (_, list) = k.mate.get("/api/prompts").await;
    assert_eq!(list, json!([]));
    let (_, admin_list) = k.admin.get("/api/prompts").await;
    assert_eq!(admin_list, json!([]));
    app.stop().await;
}

async fn tags_ratings_and_sort(app: TestApp) {
    let k = cast(&app).await;
    let a = prompt(
        &k.owner,
        json!({ "title": "A", "body": "a", "visibility": "PUBLIC", "tags": ["Shared"] }),
    )
    .await;
    let b = prompt(
        &k.owner,
        json!({ "title": "B", "body": "b", "visibility": "PUBLIC", "tags": ["shared", "Other"] }),
    )
    .await;
    let (aid, bid) = (a["id"].as_str().expect("a"), b["id"].as_str().expect("b"));
    assert_eq!(
        a["tags"][0]["tagId"], b["tags"][1]["tagId"],
        "one tag, any case"
    );
    // Ratings: anyone who can read; a second rating replaces the first; removable.
    for (c, v) in [(&k.mate, 2), (&k.other, 4), (&k.other, 5), (&k.owner, 5)] {
        let (s, r) = c
            .post(&format!("/api/ratings/{bid}"), &json!({ "value": v }))
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["value"], v);
    }
    let (s, _) = k
        .mate
        .post(&format!("/api/ratings/{aid}"), &json!({ "value": 1 }))
        .await;
    assert_eq!(s, 200);
    let (_, got) = k.other.get(&format!("/api/prompts/{bid}")).await;
    assert_eq!(got["ratingCount"], 3);
    assert_eq!(got["avgRating"], 4.0);
    assert_eq!(got["myRating"], 5);
    assert_eq!(got["canEdit"], false);
    assert_eq!(got["publicShareId"], Value::Null);
    let (_, sorted) = k.owner.get("/api/prompts?sort=rating").await;
    assert_eq!(sorted[0]["title"], "B");
    assert_eq!(sorted[1]["avgRating"], 1.0);
    let (s, _) = k.other.delete(&format!("/api/ratings/{bid}")).await;
    assert_eq!(s, 200);
    let (_, got) = k.other.get(&format!("/api/prompts/{bid}")).await;
    assert_eq!(
        (got["ratingCount"].as_i64(), got["myRating"].clone()),
        (Some(2), Value::Null)
    );
    assert_eq!(got["avgRating"], 3.5);

    // Tag administration.
    let (s, _) = k.owner.post("/api/tags", &json!({ "name": "x" })).await;
    assert_eq!(s, 403);
    let (s, t) = k
        .admin
        .post("/api/tags", &json!({ "name": "  Fresh " }))
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["name"], "Fresh");
    let fresh = t["id"].as_str().expect("id").to_string();
    assert_eq!(count(&app, "Prompt").await, 2, "no junk prompt");
    let (s, _) = k
        .admin
        .post("/api/tags", &json!({ "name": "SHARED" }))
        .await;
    assert_eq!(s, 409);
    let (s, _) = k
        .admin
        .post("/api/tags", &json!({ "name": "y".repeat(51) }))
        .await;
    assert_eq!(s, 400);
    let (_, tags) = k.admin.get("/api/tags").await;
    let find = |tags: &Value, name: &str| {
        tags.as_array()
            .expect("tags")
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
    };
    assert_eq!(find(&tags, "Fresh").expect("fresh")["_count"]["prompts"], 0);
    let shared = find(&tags, "Shared").expect("shared");
    assert_eq!(shared["_count"]["prompts"], 2);
    let shared_id = shared["id"].as_str().expect("id").to_string();
    let other_id = find(&tags, "Other").expect("other")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (s, e) = k.admin.delete(&format!("/api/tags/{shared_id}")).await;
    assert_eq!(s, 400);
    assert_eq!(e["details"]["usageCount"], "2");
    let (s, _) = k
        .admin
        .put(
            &format!("/api/tags/{other_id}"),
            &json!({ "name": "shared" }),
        )
        .await;
    assert_eq!(s, 409);
    let (s, r) = k
        .admin
        .put(&format!("/api/tags/{other_id}"), &json!({ "name": "Misc" }))
        .await;
    assert_eq!((s.as_u16(), r["name"].as_str()), (200, Some("Misc")));
    let (s, _) = k
        .admin
        .post(
            &format!("/api/tags/{other_id}/merge"),
            &json!({ "into": shared_id }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, tags) = k.mate.get("/api/tags").await;
    assert!(find(&tags, "Misc").is_none());
    assert_eq!(
        find(&tags, "Shared").expect("shared")["_count"]["prompts"],
        2
    );
    let (s, _) = k.admin.delete(&format!("/api/tags/{fresh}")).await;
    assert_eq!(s, 200);
    let (_, b_now) = k.owner.get(&format!("/api/prompts/{bid}")).await;
    assert_eq!(b_now["tags"].as_array().map(Vec::len), Some(1));
    app.stop().await;
}

async fn sharing_links(app: TestApp) {
    let k = cast(&app).await;
    let p = prompt(
        &k.owner,
        json!({ "title": "S", "body": "Secret {{x}}", "notes": "n", "tags": ["t1"] }),
    )
    .await;
    let id = p["id"].as_str().expect("id");
    let (s, on) = k
        .owner
        .post(&format!("/api/share/{id}/public"), &json!({}))
        .await;
    assert_eq!(s, 200, "{on}");
    let share = on["shareId"].as_str().expect("share id").to_string();
    assert!(share.len() >= 22, "128 bits base64url");
    assert!(
        on["publicUrl"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/share/{share}"))
    );
    let (_, again) = k
        .owner
        .post(&format!("/api/share/{id}/public"), &json!({}))
        .await;
    assert_eq!(again["shareId"], share.as_str(), "stable while on");
    let (s, public) = app
        .client()
        .get(&format!("/api/share/public/{share}"))
        .await;
    assert_eq!(s, 200);
    let mut keys: Vec<&str> = public
        .as_object()
        .expect("obj")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "author",
            "body",
            "createdAt",
            "id",
            "modelHints",
            "notes",
            "tags",
            "title",
            "updatedAt",
            "variables"
        ]
    );
    assert_eq!(public["tags"], json!(["t1"]));
    assert_eq!(public["author"], json!({ "name": "owner@example.com" }));
    let (_, own) = k.owner.get(&format!("/api/prompts/{id}")).await;
    assert_eq!(
        (
            own["isPubliclyShared"].as_bool(),
            own["publicShareId"].as_str()
        ),
        (Some(true), Some(share.as_str()))
    );
    let (s, off) = k.owner.delete(&format!("/api/share/{id}/public")).await;
    assert_eq!((s.as_u16(), &off), (200, &json!({ "success": true })));
    let (s, _) = app
        .client()
        .get(&format!("/api/share/public/{share}"))
        .await;
    assert_eq!(s, 404, "old link dead at once");
    let (_, on2) = k
        .owner
        .post(&format!("/api/share/{id}/public"), &json!({}))
        .await;
    assert_ne!(on2["shareId"], share.as_str());
    let (s, _) = app.client().get("/api/share/public/guess").await;
    assert_eq!(s, 404);
    app.stop().await;
}

async fn team_feed_and_team_deletion(app: TestApp) {
    let k = cast(&app).await;
    let (s, e) = k.admin.get("/api/prompts/feed/team").await;
    assert_eq!(
        (s.as_u16(), e["error"].as_str()),
        (404, Some("No team assigned"))
    );
    prompt(
        &k.owner,
        json!({ "title": "team-any", "body": "b", "visibility": "TEAM" }),
    )
    .await;
    let scoped = prompt(
        &k.owner,
        json!({ "title": "team-a", "body": "b", "visibility": "TEAM", "teamId": k.team_a }),
    )
    .await;
    prompt(
        &k.owner,
        json!({ "title": "public", "body": "b", "visibility": "PUBLIC" }),
    )
    .await;
    prompt(&k.owner, json!({ "title": "private", "body": "b" })).await;
    prompt(
        &k.other,
        json!({ "title": "b-team", "body": "b", "visibility": "TEAM" }),
    )
    .await;
    let titles = |v: &Value| {
        let mut t: Vec<String> = v
            .as_array()
            .expect("arr")
            .iter()
            .map(|p| p["title"].as_str().expect("t").to_string())
            .collect();
        t.sort();
        t
    };
    let (_, feed) = k.mate.get("/api/prompts/feed/team").await;
    assert_eq!(titles(&feed), vec!["public", "team-a", "team-any"]);
    assert_eq!(feed[0]["user"]["email"], "owner@example.com");
    let (_, feed) = k.other.get("/api/prompts/feed/team").await;
    assert_eq!(titles(&feed), vec!["b-team"]);
    // The other user joins team A too: the feed spans all their teams.
    let (s, _) = k
        .admin
        .post(
            &format!("/api/admin/teams/{}/members", k.team_a),
            &json!({ "userId": k.other_id }),
        )
        .await;
    assert_eq!(s, 201);
    let (_, feed) = k.other.get("/api/prompts/feed/team").await;
    assert_eq!(
        titles(&feed),
        vec!["b-team", "public", "team-a", "team-any"]
    );
    // Filtered to one team: prompts naming it, or naming none from one of its members.
    let (s, feed) = k
        .other
        .get(&format!("/api/prompts/feed/team?team={}", k.team_b))
        .await;
    assert_eq!(s, 200);
    assert_eq!(titles(&feed), vec!["b-team"]);
    let (_, feed) = k
        .other
        .get(&format!("/api/prompts/feed/team?team={}", k.team_a))
        .await;
    assert_eq!(
        titles(&feed),
        vec!["b-team", "public", "team-a", "team-any"]
    );
    let (_, feed) = k
        .other
        .get(&format!("/api/prompts/feed/team?team={}&q=team", k.team_b))
        .await;
    assert_eq!(
        titles(&feed),
        vec!["b-team"],
        "search honours the team filter"
    );
    // Deleting team A makes its scoped TEAM prompt PRIVATE.
    let (s, _) = k
        .admin
        .delete(&format!("/api/admin/teams/{}", k.team_a))
        .await;
    assert_eq!(s, 200);
    let (_, p) = k
        .owner
        .get(&format!(
            "/api/prompts/{}",
            scoped["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(
        (p["visibility"].as_str(), &p["teamId"]),
        (Some("PRIVATE"), &Value::Null)
    );
    let (s, _) = k
        .mate
        .get(&format!(
            "/api/prompts/{}",
            scoped["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(s, 404);
    // An owner who left the prompt's team can still change its visibility; setting a team
    // they are not in is refused.
    let team_c = common::library::team(&k.admin, "Team C", &[&k.owner_id]).await;
    let p = prompt(
        &k.owner,
        json!({ "title": "c", "body": "b", "visibility": "TEAM", "teamId": team_c }),
    )
    .await;
    let pid = p["id"].as_str().expect("id");
    let (s, _) = k
        .admin
        .delete(&format!("/api/admin/teams/{team_c}/members/{}", k.owner_id))
        .await;
    assert_eq!(s, 200);
    let (s, b) = k
        .owner
        .put(
            &format!("/api/prompts/{pid}/visibility"),
            &json!({ "visibility": "PUBLIC" }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), b["teamId"].as_str()),
        (200, Some(team_c.as_str())),
        "{b}"
    );
    let (s, e) = k
        .owner
        .put(
            &format!("/api/prompts/{pid}/visibility"),
            &json!({ "visibility": "TEAM", "teamId": k.team_b }),
        )
        .await;
    assert_eq!(
        (s.as_u16(), e["details"]["teamId"].is_string()),
        (400, true),
        "{e}"
    );
    let _ = &k.mate_id;
    app.stop().await;
}

async fn deleting_prompts_and_users_leaves_no_dangling_rows(app: TestApp) {
    let k = cast(&app).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let p = prompt(&k.mate, json!({ "title": format!("m{i}"), "body": "b", "visibility": "PUBLIC", "tags": ["x", "y"] })).await;
        let id = p["id"].as_str().expect("id").to_string();
        k.mate
            .ok_put(&format!("/api/prompts/{id}"), &json!({ "body": "b2" }))
            .await;
        k.mate
            .ok_post(&format!("/api/share/{id}/public"), &json!({}))
            .await;
        k.other
            .ok_post(&format!("/api/ratings/{id}"), &json!({ "value": 3 }))
            .await;
        ids.push(id);
    }
    let o = prompt(
        &k.other,
        json!({ "title": "o", "body": "b", "visibility": "PUBLIC" }),
    )
    .await;
    k.mate
        .ok_post(
            &format!("/api/ratings/{}", o["id"].as_str().expect("id")),
            &json!({ "value": 5 }),
        )
        .await;
    // One prompt deleted by its owner, then deleted for good from the trash: all its rows go.
    let (s, _) = k.mate.delete(&format!("/api/prompts/{}", ids[0])).await;
    assert_eq!(s, 200);
    let (s, _) = k.mate.delete(&format!("/api/trash/{}", ids[0])).await;
    assert_eq!(s, 200);
    assert_eq!(dangling_rows(&app).await, 0);
    assert_eq!(library_rows(&app).await[..4], [3, 5, 4, 3]);
    // Deleting a user with prompts needs a choice.
    let (s, _) = k
        .admin
        .delete(&format!("/api/admin/users/{}", k.mate_id))
        .await;
    assert_eq!(s, 409);
    let (s, b) = k
        .admin
        .delete(&format!(
            "/api/admin/users/{}?prompts=transfer&to={}",
            k.mate_id, k.owner_id
        ))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(dangling_rows(&app).await, 0);
    let (_, owned) = k.owner.get("/api/prompts").await;
    assert_eq!(
        owned.as_array().map(Vec::len),
        Some(2),
        "transferred with their versions"
    );
    assert_eq!(owned[0]["_count"]["versions"], 2);
    assert_eq!(
        library_rows(&app).await[..4],
        [3, 5, 4, 2],
        "the deleted user's own rating went"
    );
    // Delete the owner with their prompts.
    let (s, b) = k
        .admin
        .delete(&format!("/api/admin/users/{}?prompts=delete", k.owner_id))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(dangling_rows(&app).await, 0);
    assert_eq!(library_rows(&app).await[..4], [1, 1, 0, 0]);
    app.stop().await;
}
