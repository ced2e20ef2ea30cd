//! SQL for `Tag` and `PromptTag`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::dynamic::{Arg, execute, fetch_all, insert_rows, marks};
use crate::db::{self, Backend, Tx};
use crate::on;
use crate::prompts::access::readable;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TagRow {
    pub id: String,
    pub name: String,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
}

/// The tag with this name under the folding rule (`text::fold`, compared with `nameKey`: the
/// column the unique key is on, so lookups and the key agree on every backend).
pub async fn by_name(tx: &mut Tx, name: &str) -> sqlx::Result<Option<TagRow>> {
    let key = crate::text::fold(name);
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"id\", \"name\", \"createdAt\" FROM \"Tag\" WHERE \"nameKey\" = ?"
    ))
    .bind(&key)
    .fetch_optional(conn)
    .await)
}

pub async fn by_id(tx: &mut Tx, id: &str) -> sqlx::Result<Option<TagRow>> {
    if !crate::text::is_id(id) {
        return Ok(None);
    }
    on!(tx, |conn, sql| sqlx::query_as(sql(
        "SELECT \"id\", \"name\", \"createdAt\" FROM \"Tag\" WHERE \"id\" = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

pub async fn insert(tx: &mut Tx, t: &TagRow) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "INSERT INTO \"Tag\" (\"id\", \"name\", \"nameKey\", \"createdAt\") VALUES (?, ?, ?, ?)"
    ))
    .bind(&t.id)
    .bind(&t.name)
    .bind(crate::text::fold(&t.name))
    .bind(crate::db::Ts(t.created_at))
    .execute(conn)
    .await
    .map(drop))
}

/// The tag with this name (any case), created when missing. Race-free: the insert yields to a
/// tag of the same name that a concurrent transaction created (the unique key decides), and the
/// read that follows sees whichever row won.
pub async fn get_or_create(tx: &mut Tx, name: &str) -> sqlx::Result<TagRow> {
    if let Some(t) = by_name(tx, name).await? {
        return Ok(t);
    }
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "INSERT OR IGNORE INTO \"Tag\" (\"id\", \"name\", \"nameKey\", \"createdAt\") \
             VALUES (?, ?, ?, ?)"
        }
        Backend::Postgres => {
            "INSERT INTO \"Tag\" (\"id\", \"name\", \"nameKey\", \"createdAt\") \
             VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
        }
        Backend::MySql => {
            "INSERT IGNORE INTO \"Tag\" (\"id\", \"name\", \"nameKey\", \"createdAt\") \
             VALUES (?, ?, ?, ?)"
        }
    };
    execute(
        tx,
        sql.into(),
        &[
            Arg::S(db::new_id()),
            Arg::S(name.to_string()),
            Arg::S(crate::text::fold(name)),
            Arg::T(db::now()),
        ],
    )
    .await?;
    by_name(tx, name)
        .await?
        .ok_or_else(|| sqlx::Error::Protocol("the tag was neither created nor found".into()))
}

/// Replaces the tags of a prompt with `names` (already validated and de-duplicated).
pub async fn set_for_prompt(tx: &mut Tx, prompt_id: &str, names: &[String]) -> sqlx::Result<()> {
    execute(
        tx,
        "DELETE FROM \"PromptTag\" WHERE \"promptId\" = ?".into(),
        &[Arg::S(prompt_id.into())],
    )
    .await?;
    link_names(tx, &[(prompt_id, names)]).await
}

/// Names per lookup: far below every backend's limit of bound values.
const PER_STATEMENT: usize = 1_000;

/// Links prompts that have no tags yet to tags by name, creating the missing tags: the existing
/// tags are read a thousand names per query and the links written a few hundred per statement,
/// so one prompt or an import of thousands costs a few statements.
pub async fn link_names(tx: &mut Tx, prompts: &[(&str, &[String])]) -> sqlx::Result<()> {
    let fold = crate::text::fold;
    let mut keys: Vec<String> = prompts
        .iter()
        .flat_map(|(_, names)| names.iter().map(|n| fold(n)))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut ids: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for chunk in keys.chunks(PER_STATEMENT) {
        let existing: Vec<(String, String)> = fetch_all(
            tx,
            format!(
                "SELECT \"id\", \"nameKey\" FROM \"Tag\" WHERE \"nameKey\" IN ({})",
                marks(chunk.len())
            ),
            &chunk.iter().cloned().map(Arg::S).collect::<Vec<_>>(),
        )
        .await?;
        ids.extend(existing.into_iter().map(|(id, key)| (key, id)));
    }
    let mut links: Vec<(&str, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (prompt_id, names) in prompts {
        for name in names.iter() {
            let key = fold(name);
            let id = match ids.get(&key) {
                Some(id) => id.clone(),
                // Only missing tags are created, one by one (race-free, see get_or_create).
                None => {
                    let id = get_or_create(tx, name).await?.id;
                    ids.insert(key, id.clone());
                    id
                }
            };
            if seen.insert((*prompt_id, id.clone())) {
                links.push((prompt_id, id));
            }
        }
    }
    insert_rows(
        tx,
        "PromptTag",
        &["promptId", "tagId"],
        &links,
        |(prompt_id, tag_id)| vec![Arg::S((*prompt_id).to_string()), Arg::S(tag_id.clone())],
    )
    .await
}

pub async fn link(tx: &mut Tx, prompt_id: &str, tag_id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "INSERT INTO \"PromptTag\" (\"promptId\", \"tagId\") VALUES (?, ?)"
    ))
    .bind(prompt_id)
    .bind(tag_id)
    .execute(conn)
    .await
    .map(drop))
}

/// `(promptId, tagId, name)` for a page of prompts, in one query.
pub async fn for_prompts(
    tx: &mut Tx,
    ids: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    fetch_all(
        tx,
        format!(
            "SELECT pt.\"promptId\", t.\"id\", t.\"name\" FROM \"PromptTag\" pt \
             JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" WHERE pt.\"promptId\" IN ({}) \
             ORDER BY t.\"nameKey\", t.\"name\"",
            marks(ids.len())
        ),
        &ids.iter().cloned().map(Arg::S).collect::<Vec<_>>(),
    )
    .await
}

/// `(id, name, prompts)`: tags on prompts `caller` can read, with how many such prompts.
pub async fn list_readable(tx: &mut Tx, caller: &str) -> sqlx::Result<Vec<(String, String, i64)>> {
    let (cond, args) = readable(caller);
    fetch_all(
        tx,
        format!(
            "SELECT t.\"id\", t.\"name\", COUNT(p.\"id\") FROM \"Tag\" t \
             JOIN \"PromptTag\" pt ON pt.\"tagId\" = t.\"id\" \
             JOIN \"Prompt\" p ON p.\"id\" = pt.\"promptId\" \
             WHERE {cond} GROUP BY t.\"id\", t.\"name\", t.\"nameKey\" ORDER BY t.\"nameKey\", t.\"name\""
        ),
        &args,
    )
    .await
}

/// Tags of the prompts in a list scope, with how many of those prompts carry each.
pub async fn list_in_scope(
    tx: &mut Tx,
    caller: &str,
    scope: crate::listing::Scope,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    let (cond, args) = crate::listing::scope_condition(caller, scope);
    fetch_all(
        tx,
        format!(
            "SELECT t.\"id\", t.\"name\", COUNT(p.\"id\") FROM \"Tag\" t \
             JOIN \"PromptTag\" pt ON pt.\"tagId\" = t.\"id\" \
             JOIN \"Prompt\" p ON p.\"id\" = pt.\"promptId\" \
             WHERE {cond} GROUP BY t.\"id\", t.\"name\", t.\"nameKey\" ORDER BY t.\"nameKey\", t.\"name\""
        ),
        &args,
    )
    .await
}

/// Every tag with its number of prompts, those in the trash left out (administrators).
pub async fn list_all(tx: &mut Tx) -> sqlx::Result<Vec<(String, String, i64)>> {
    fetch_all(
        tx,
        "SELECT t.\"id\", t.\"name\", COUNT(p.\"id\") FROM \"Tag\" t \
         LEFT JOIN \"PromptTag\" pt ON pt.\"tagId\" = t.\"id\" \
         LEFT JOIN \"Prompt\" p ON p.\"id\" = pt.\"promptId\" AND p.\"deletedAt\" IS NULL \
         GROUP BY t.\"id\", t.\"name\", t.\"nameKey\" ORDER BY t.\"nameKey\", t.\"name\""
            .into(),
        &[],
    )
    .await
}

pub async fn usage_count(tx: &mut Tx, id: &str) -> sqlx::Result<i64> {
    on!(tx, |conn, sql| sqlx::query_scalar(sql(
        "SELECT COUNT(*) FROM \"PromptTag\" WHERE \"tagId\" = ?"
    ))
    .bind(id)
    .fetch_one(conn)
    .await)
}

pub async fn rename(tx: &mut Tx, id: &str, name: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Tag\" SET \"name\" = ?, \"nameKey\" = ? WHERE \"id\" = ?"
    ))
    .bind(name)
    .bind(crate::text::fold(name))
    .bind(id)
    .execute(conn)
    .await
    .map(drop))
}

pub async fn delete(tx: &mut Tx, id: &str) -> sqlx::Result<()> {
    execute(
        tx,
        "DELETE FROM \"PromptTag\" WHERE \"tagId\" = ?".into(),
        &[Arg::S(id.into())],
    )
    .await?;
    execute(
        tx,
        "DELETE FROM \"Tag\" WHERE \"id\" = ?".into(),
        &[Arg::S(id.into())],
    )
    .await
    .map(drop)
}

/// Moves the links of tag `from` to tag `into` (prompts that have both keep one link).
pub async fn move_links(tx: &mut Tx, from: &str, into: &str) -> sqlx::Result<()> {
    execute(
        tx,
        "DELETE FROM \"PromptTag\" WHERE \"tagId\" = ? AND \"promptId\" IN \
         (SELECT x.\"promptId\" FROM (SELECT \"promptId\" FROM \"PromptTag\" WHERE \"tagId\" = ?) x)"
            .into(),
        &[Arg::S(from.into()), Arg::S(into.into())],
    )
    .await?;
    execute(
        tx,
        "UPDATE \"PromptTag\" SET \"tagId\" = ? WHERE \"tagId\" = ?".into(),
        &[Arg::S(into.into()), Arg::S(from.into())],
    )
    .await
    .map(drop)
}
