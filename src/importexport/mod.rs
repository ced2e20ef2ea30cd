//! Import and export of a user's prompts.
//!
//! - Export JSON: an array of prompt objects (the API's fields, tags as 1.x join objects) plus
//!   `versions` (oldest first) and `ratings` (`{userId, userEmail, value, …}`): full fidelity.
//! - Export Markdown: one document per prompt, a metadata header between `---` lines, then the
//!   body and the notes.
//! - Import: our JSON export, the 1.x export, `[{title, body, tags: [names]}]`, or CSV with
//!   `act,prompt` columns. All or nothing in one transaction; a bad item rejects the file with
//!   a message naming the item and field. An item whose title and body equal one of the
//!   caller's prompts (or an earlier item) is skipped. Imported prompts belong to the caller,
//!   keep their timestamps, versions, tags and visibility (TEAM becomes PRIVATE for a caller
//!   without a team; team scoping and share links are not carried over). An import creates only
//!   what the caller could create through the API: of the ratings, only the exporting owner's
//!   own (or ones carrying the caller's email) are kept, as the caller's; ratings by anyone else
//!   are left out. Times from the file are kept where plausible: one in the future becomes the
//!   time of the import.

pub mod api;
pub mod csv;
pub mod formats;
pub mod markdown;
pub mod store;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::db::{self, Db};
use crate::error::Result;
use crate::prompts::store::{self as prompts, PromptRow, VersionRow};
use crate::prompts::view::{TagLink, TagRef};
use crate::users::UserRow;

/// How long an import waits for its turn to write behind other long writes before it answers
/// 503 busy (interactive requests wait the pool's acquire timeout).
const IMPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedRating {
    pub user_id: String,
    pub user_email: String,
    pub value: i32,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One prompt in a JSON export.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    #[serde(flatten)]
    pub prompt: PromptRow,
    pub tags: Vec<TagLink>,
    /// Oldest first.
    pub versions: Vec<VersionRow>,
    pub ratings: Vec<ExportedRating>,
}

/// Every prompt of `caller`, oldest first, with tags, versions and ratings (four queries).
pub async fn export(db: &Db, caller: &UserRow) -> Result<Vec<Exported>> {
    export_of(db, caller, None).await
}

/// The caller's prompts `ids` (the table view's bulk export), as [`export`] writes them. Any
/// id that is not one of the caller's prompts is a 404 and nothing is exported.
pub async fn export_selected(db: &Db, caller: &UserRow, ids: &[String]) -> Result<Vec<Exported>> {
    if ids.is_empty() {
        return Err(crate::error::Error::invalid_field(
            "ids",
            "select at least one prompt",
        ));
    }
    if ids.len() > crate::prompts::BULK_MAX {
        return Err(crate::error::Error::invalid_field(
            "ids",
            format!("at most {} prompts at once", crate::prompts::BULK_MAX),
        ));
    }
    let mut unique: Vec<String> = ids.to_vec();
    unique.sort();
    unique.dedup();
    for id in &unique {
        crate::text::check_id("ids", id)?;
    }
    let out = export_of(db, caller, Some(&unique)).await?;
    if out.len() != unique.len() {
        return Err(crate::error::Error::not_found());
    }
    Ok(out)
}

async fn export_of(db: &Db, caller: &UserRow, only: Option<&[String]>) -> Result<Vec<Exported>> {
    let mut tx = db.read().await?;
    let rows = store::prompts_of(&mut tx, &caller.id, only).await?;
    let mut tag_map: HashMap<String, Vec<TagLink>> = HashMap::new();
    for (prompt_id, tag_id, name) in store::tags_of(&mut tx, &caller.id, only).await? {
        tag_map.entry(prompt_id.clone()).or_default().push(TagLink {
            prompt_id,
            tag_id: tag_id.clone(),
            tag: TagRef { id: tag_id, name },
        });
    }
    let mut version_map: HashMap<String, Vec<VersionRow>> = HashMap::new();
    for v in store::versions_of(&mut tx, &caller.id, only).await? {
        version_map.entry(v.prompt_id.clone()).or_default().push(v);
    }
    let mut rating_map: HashMap<String, Vec<ExportedRating>> = HashMap::new();
    for (prompt_id, user_id, user_email, value, created_at) in
        store::ratings_of(&mut tx, &caller.id, only).await?
    {
        rating_map
            .entry(prompt_id)
            .or_default()
            .push(ExportedRating {
                user_id,
                user_email,
                value,
                created_at,
            });
    }
    Ok(rows
        .into_iter()
        .map(|p| Exported {
            tags: tag_map.remove(&p.id).unwrap_or_default(),
            versions: version_map.remove(&p.id).unwrap_or_default(),
            ratings: rating_map.remove(&p.id).unwrap_or_default(),
            prompt: p,
        })
        .collect())
}

/// What an import did.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportReport {
    pub ok: bool,
    pub imported: usize,
    pub skipped: usize,
    /// The tag every prompt of this import got (`imported-YYYY-MM-DD`), to find them again;
    /// absent when nothing was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// The tag of the prompts imported on a day.
pub fn import_tag(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("imported-{}", now.format("%Y-%m-%d"))
}

/// A time from a file, kept only when it is not in the future.
fn plausible(
    t: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    t.filter(|t| *t <= now)
}

fn same_version(v: &VersionRow, p: &PromptRow) -> bool {
    v.title == p.title
        && v.body == p.body
        && v.notes == p.notes
        && v.model_hints == p.model_hints
        && v.variables == p.variables
        && v.kind == p.kind
        && v.messages == p.messages
        && v.config == p.config
}

/// Imports a file for `caller` (see the module notes). `csv_hint`: the upload said `text/csv`.
pub async fn import(
    db: &Db,
    caller: &UserRow,
    bytes: axum::body::Bytes,
    csv_hint: bool,
) -> Result<ImportReport> {
    import_tagged(db, caller, bytes, csv_hint, false).await
}

/// [`import`]; with `tag_imported` each imported prompt also gets the tag [`import_tag`] (the
/// web pages do this, so that "view the imported prompts" is one tag filter).
pub async fn import_tagged(
    db: &Db,
    caller: &UserRow,
    bytes: axum::body::Bytes,
    csv_hint: bool,
    tag_imported: bool,
) -> Result<ImportReport> {
    // Parsing a large file is CPU work: off the async workers (the bytes move, no copy).
    let items = crate::cpu::run(move || formats::parse(&bytes, csv_hint)).await??;
    // An import waits behind other imports rather than fail: at most IMPORT_WAIT.
    let mut tx = db.write_waiting(IMPORT_WAIT).await?;
    crate::search::index::later(&mut tx).await?;
    let mut titles: Vec<&str> = items.iter().map(|i| i.prompt.title.as_str()).collect();
    titles.sort_unstable();
    titles.dedup();
    let mut seen: HashSet<(String, String)> =
        store::titles_and_bodies(&mut tx, &caller.id, &titles)
            .await?
            .into_iter()
            .collect();
    let (mut imported, mut skipped) = (0, 0);
    let now = db::now();
    let tag_name = import_tag(now);
    // Which items to import, with their times; then every prompt, tag link and version in a
    // few statements per thousand (see prompts::insert_many).
    let mut batch = Vec::new();
    for item in items {
        let key = (
            item.prompt.title.as_str().to_string(),
            item.prompt.body.as_str().to_string(),
        );
        if seen.contains(&key) {
            skipped += 1;
            continue;
        }
        seen.insert(key);
        let created = plausible(item.created_at, now).unwrap_or(now);
        let updated = plausible(item.updated_at, now)
            .unwrap_or(created)
            .max(created);
        batch.push((item, created, updated));
    }
    let news: Vec<_> = batch
        .iter()
        .map(|(item, created, updated)| (&item.prompt, *created, *updated))
        .collect();
    let rows =
        crate::prompts::insert_many(&mut tx, &caller.id, &news, crate::prompts::Naming::InBulk)
            .await?;
    drop(news);
    let fold = crate::text::fold;
    let import_tag = [tag_name.clone()];
    let mut tag_links: Vec<(&str, &[String])> = Vec::new();
    let mut unnamed: Vec<(String, String, String)> = Vec::new();
    let mut versions: Vec<VersionRow> = Vec::new();
    for (row, (item, created, _)) in rows.iter().zip(batch) {
        if item.prompt.name.is_none() {
            unnamed.push((
                row.id.clone(),
                row.title.clone(),
                crate::registry::names::scope_of(&row.user_id, row.team_id.as_deref()),
            ));
        }
        if tag_imported
            && !item
                .prompt
                .tags
                .names()
                .iter()
                .any(|n| fold(n) == fold(&tag_name))
        {
            tag_links.push((row.id.as_str(), &import_tag));
        }
        let mut number = 0;
        let first = versions.len();
        for v in item.versions {
            number += 1;
            versions.push(VersionRow {
                id: db::new_id(),
                prompt_id: row.id.clone(),
                version: number,
                title: v.title,
                body: v.body,
                notes: v.notes,
                variables: v.variables,
                model_hints: v.model_hints,
                message: v.message,
                author_id: Some(caller.id.clone()),
                created_at: plausible(v.created_at, now).unwrap_or(created),
                kind: v.kind,
                messages: v.messages,
                config: v.config,
            });
        }
        if !versions[first..]
            .last()
            .is_some_and(|v| same_version(v, row))
        {
            versions.push(VersionRow {
                id: db::new_id(),
                prompt_id: row.id.clone(),
                version: number + 1,
                title: row.title.clone(),
                body: row.body.clone(),
                notes: row.notes.clone(),
                variables: row.variables.clone(),
                model_hints: row.model_hints.clone(),
                message: (number > 0).then(|| "Imported".to_string()),
                author_id: Some(caller.id.clone()),
                created_at: row.updated_at,
                kind: row.kind,
                messages: row.messages.clone(),
                config: row.config.clone(),
            });
        }
        // Only the caller's own rating can be carried over: one rating per prompt, the
        // exporter's own (their id is the item's owner) or one in the caller's name.
        let own = item.ratings.into_iter().find(|r| {
            (r.user_id.is_some() && r.user_id == item.source_user_id)
                || r.user_email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(&caller.email))
        });
        if let Some(r) = own {
            let at = plausible(r.created_at, now).unwrap_or(now);
            crate::ratings::rate_in(&mut tx, &caller.id, &row.id, r.value, at).await?;
        }
        imported += 1;
    }
    crate::tags::store::link_names(&mut tx, &tag_links).await?;
    prompts::insert_versions(&mut tx, &versions).await?;
    crate::registry::names::name_in_bulk(&mut tx, &unnamed).await?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    crate::search::index::catch_up(&mut tx, &ids).await?;
    tx.commit().await?;
    crate::db::statistics::refresh(db);
    Ok(ImportReport {
        ok: true,
        imported,
        skipped,
        tag: (tag_imported && imported > 0).then_some(tag_name),
    })
}
