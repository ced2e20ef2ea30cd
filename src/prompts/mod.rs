//! Prompts: the heart of PromptVault. Every rule about prompts lives in this service; the JSON
//! API (`api.rs`) and the web pages call these functions.
//!
//! Rules:
//! - Reads go through [`access::READABLE`]; a prompt the caller cannot read is 404, never 403,
//!   so its existence does not leak. Administrators get no special access.
//! - Only the owner edits, deletes, changes visibility or sharing: a reader who is not the
//!   owner gets 403.
//! - Version 1 is recorded on create; a new version only when title, body, notes, variables or
//!   model hints actually change; the prompt's content always equals its newest version.

pub mod access;
pub mod api;
pub mod chat;
pub mod diff;
pub mod domain;
pub mod favorites;
pub mod library_api;
pub mod list;
pub mod search_api;
pub mod store;
pub mod trash;
pub mod variables;
pub mod versions;
pub mod view;

use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
pub use crate::listing::{ListQuery, Scope, Sort, Total};
use crate::users::UserRow;
pub use domain::{Content, NewPrompt, PromptChanges, PromptFields, PromptInput, Visibility};
pub use store::{PromptRow, VersionRow};
pub use view::PromptView;

/// The current content of a stored prompt.
pub fn content_of(p: &PromptRow) -> Content {
    Content {
        title: p.title.clone(),
        body: p.body.clone(),
        notes: p.notes.clone(),
        model_hints: p.model_hints.clone(),
        variables: variables::from_text(p.variables.as_deref()),
        kind: p.kind,
        messages: chat::messages_from_text(p.messages.as_deref()),
        config: p.config.clone(),
    }
}

fn apply_content(p: &mut PromptRow, c: &Content) {
    p.title = c.title.clone();
    p.body = c.body.clone();
    p.notes = c.notes.clone();
    p.model_hints = c.model_hints.clone();
    p.variables = Some(c.variables_text());
    p.kind = c.kind;
    p.messages = c.messages.as_deref().map(chat::messages_to_text);
    p.config = c.config.clone();
}

/// Records `p`'s current content as its next version.
pub(crate) async fn record_version(
    tx: &mut Tx,
    p: &PromptRow,
    author: Option<&str>,
    message: Option<String>,
) -> Result<VersionRow> {
    let next = store::max_version(tx, &p.id).await? + 1;
    record_numbered_version(tx, p, next, author, message).await
}

/// Records `p`'s current content as its version `next` (1 for a prompt created in `tx`).
pub(crate) async fn record_numbered_version(
    tx: &mut Tx,
    p: &PromptRow,
    next: i32,
    author: Option<&str>,
    message: Option<String>,
) -> Result<VersionRow> {
    let v = VersionRow {
        id: db::new_id(),
        prompt_id: p.id.clone(),
        version: next,
        title: p.title.clone(),
        body: p.body.clone(),
        notes: p.notes.clone(),
        variables: p.variables.clone(),
        model_hints: p.model_hints.clone(),
        message,
        author_id: author.map(str::to_string),
        created_at: p.updated_at,
        kind: p.kind,
        messages: p.messages.clone(),
        config: p.config.clone(),
    };
    store::insert_version(tx, &v).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            Error::conflict(
                "The prompt was changed at the same time; try again",
                "concurrent_edit",
            )
        } else {
            Error::Db(e)
        }
    })?;
    Ok(v)
}

/// Checks the team rule for a `team_id` being set on a prompt owned by `owner`: it must be one
/// of the owner's teams. TEAM without a team is allowed even when the owner belongs to no team
/// (1.x allowed it): only the owner reads it until they join one (`access::READABLE`).
async fn check_team(tx: &mut Tx, owner: &str, team_id: Option<&str>) -> Result<()> {
    if let Some(team) = team_id
        && (!crate::text::is_id(team) || !store::is_member(tx, owner, team).await?)
    {
        return Err(Error::invalid_field(
            "teamId",
            "must be one of the owner's teams",
        ));
    }
    Ok(())
}

/// Creates a prompt owned by `caller`, with version 1 and its tags. Concurrent creates commit
/// together on SQLite ([`Db::grouped`]).
pub async fn create(db: &Db, caller: &UserRow, new: &NewPrompt) -> Result<PromptView> {
    let owner: std::sync::Arc<str> = caller.id.as_str().into();
    let new = std::sync::Arc::new(new.clone());
    let mut tries = 0;
    let row = loop {
        let (owner, new) = (owner.clone(), new.clone());
        let created = db
            .grouped(move |tx| {
                let (owner, new) = (owner.clone(), new.clone());
                Box::pin(async move { create_in(tx, &owner, &new).await })
            })
            .await;
        match created {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            other => break other?,
        }
    };
    // The answer is read after the commit, from a reader: on SQLite the one writer is free
    // for the next create six statements sooner.
    let mut tx = db.read().await?;
    Ok(view::full(&mut tx, &caller.id, row).await?)
}

/// A new prompt with version 1 and its audit event, inside `tx`.
async fn create_in(tx: &mut Tx, owner: &str, new: &NewPrompt) -> Result<PromptRow> {
    let now = db::now();
    let row = insert_new(tx, owner, new, now, now, Naming::Now).await?;
    record_numbered_version(tx, &row, 1, Some(owner), new.message.clone()).await?;
    crate::registry::audit::record(
        tx,
        Some(&row.id),
        Some(owner),
        "prompt.create",
        serde_json::json!({ "version": 1 }),
    )
    .await?;
    Ok(row)
}

/// Inserts a new prompt of `owner` with its tags inside `tx`, without versions (see
/// [`insert_many`]).
pub(crate) async fn insert_new(
    tx: &mut Tx,
    owner: &str,
    new: &NewPrompt,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    naming: Naming,
) -> Result<PromptRow> {
    insert_many(tx, owner, &[(new, created_at, updated_at)], naming)
        .await?
        .pop()
        .ok_or_else(|| Error::Db(sqlx::Error::RowNotFound))
}

/// Inserts new prompts of `owner` (each with its creation and change time) with their tags
/// inside `tx`, without versions: the one place prompt rows are created (the API, the pages and
/// import all come here). The caller records the versions: version 1 for a new prompt, the
/// file's history for an import. Thousands of prompts cost a few statements.
pub(crate) async fn insert_many(
    tx: &mut Tx,
    owner: &str,
    news: &[(
        &NewPrompt,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    )],
    naming: Naming,
) -> Result<Vec<PromptRow>> {
    let mut teams: Vec<&str> = news
        .iter()
        .filter_map(|(n, ..)| n.team_id.as_deref())
        .collect();
    teams.sort_unstable();
    teams.dedup();
    for team in teams {
        check_team(tx, owner, Some(team)).await?;
    }
    let mut rows = Vec::with_capacity(news.len());
    for (new, created_at, updated_at) in news {
        check_schema(new.body.as_str(), &new.variables)?;
        let content = Content {
            variables: variables::sync(new.body.as_str(), &new.variables),
            title: new.title.as_str().to_string(),
            body: new.body.as_str().to_string(),
            notes: new.notes.clone(),
            model_hints: new.model_hints.clone(),
            kind: new.kind,
            messages: new.messages.clone(),
            config: new.config.clone(),
        };
        let mut row = PromptRow {
            id: db::new_id(),
            title: String::new(),
            body: String::new(),
            variables: None,
            notes: None,
            model_hints: None,
            visibility: new.visibility,
            user_id: owner.to_string(),
            created_at: *created_at,
            updated_at: *updated_at,
            is_publicly_shared: false,
            public_share_id: None,
            team_id: new.team_id.clone(),
            kind: chat::Kind::Text,
            messages: None,
            config: None,
        };
        apply_content(&mut row, &content);
        rows.push(row);
    }
    let links: Vec<(&str, &[String])> = rows
        .iter()
        .zip(news)
        .filter(|(_, (new, ..))| !new.tags.names().is_empty())
        .map(|(row, (new, ..))| (row.id.as_str(), new.tags.names()))
        .collect();
    if tx.backend() == crate::db::Backend::Sqlite && !links.is_empty() {
        // On SQLite the tags go in first (foreign keys checked at commit), so the search
        // index writes each prompt's document once, tags included: linked afterwards, every
        // tag rewrote the whole document (an FTS5 update deletes and re-indexes it).
        crate::db::dynamic::execute(tx, "PRAGMA defer_foreign_keys = ON".into(), &[]).await?;
        crate::tags::store::link_names(tx, &links).await?;
        store::insert_many(tx, &rows).await?;
    } else {
        store::insert_many(tx, &rows).await?;
        crate::tags::store::link_names(tx, &links).await?;
    }
    for (row, (new, ..)) in rows.iter().zip(news) {
        if new.name.is_some() || naming == Naming::Now {
            crate::registry::name_new_prompt(tx, row, new.name.as_deref()).await?;
        }
    }
    Ok(rows)
}

/// When [`insert_new`] gives a prompt without a requested name its suggested name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Naming {
    /// At once (one prompt).
    Now,
    /// Later, by the caller, for many at once ([`crate::registry::names::name_in_bulk`]).
    InBulk,
}

/// A typed variables schema must agree with the text (`variables::check_schema`).
fn check_schema(body: &str, declared: &[variables::Declaration]) -> Result<()> {
    if variables::is_schema(declared) {
        let problems = variables::check_schema(body, declared);
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
    }
    Ok(())
}

/// A prompt the caller may read, with versions and ratings; 404 otherwise.
pub async fn get(db: &Db, caller: &UserRow, id: &str) -> Result<PromptView> {
    view::readable_full(db, &caller.id, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// A readable prompt row (no extras): 404 when the caller may not read it.
pub async fn readable_row(tx: &mut Tx, caller: &str, id: &str) -> Result<PromptRow> {
    store::get_readable(tx, id, caller)
        .await?
        .ok_or_else(Error::not_found)
}

/// "Save a copy": a new private prompt of the caller's with the content, variables and tags of
/// a prompt the caller can read (theirs or shared with them), titled "Copy of …".
pub async fn duplicate(db: &Db, caller: &UserRow, id: &str) -> Result<PromptView> {
    let v = get(db, caller, id).await?;
    let p = &v.prompt;
    let title: String = format!("Copy of {}", p.title)
        .chars()
        .take(domain::MAX_TITLE_CHARS)
        .collect();
    let content = content_of(p);
    let fields = PromptFields {
        title: Some(title),
        body: Some(p.body.clone()),
        kind: Some(p.kind.as_str().to_string()),
        messages: content.messages.map(|ms| {
            ms.into_iter()
                .map(|m| (m.role.as_str().to_string(), m.content))
                .collect()
        }),
        config: Some(Some(chat::config_value(p.config.as_deref()))),
        variables: Some(variables::from_text(p.variables.as_deref())),
        notes: Some(p.notes.clone()),
        model_hints: Some(p.model_hints.clone()),
        tags: Some(v.tag_names()),
        visibility: None,
        team_id: None,
        message: Some(format!("Copied from “{}”", p.title)),
        name: None,
    };
    create(db, caller, &fields.into_new()?).await
}

/// Loads a prompt for a change by its owner, locked for the transaction: 404 when the caller
/// cannot read it, 403 when they can but are not the owner.
pub async fn owned_row(tx: &mut Tx, caller: &str, id: &str) -> Result<PromptRow> {
    let row = store::get_for_update(tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    if row.user_id == caller {
        return Ok(row);
    }
    if store::get_readable(tx, id, caller).await?.is_some() {
        Err(Error::Forbidden(
            "Forbidden: only the owner can change this prompt".into(),
        ))
    } else {
        Err(Error::not_found())
    }
}

/// Owner-only update of any subset of the fields. A new version is recorded only when the
/// content actually changes.
pub async fn update(
    db: &Db,
    caller: &UserRow,
    id: &str,
    changes: &PromptChanges,
) -> Result<PromptView> {
    update_reporting(db, caller, id, changes)
        .await
        .map(|(view, _)| view)
}

/// [`update`], also saying whether anything changed: a change that changes nothing (same
/// content, visibility, team and tags) writes nothing and records no version.
pub async fn update_reporting(
    db: &Db,
    caller: &UserRow,
    id: &str,
    changes: &PromptChanges,
) -> Result<(PromptView, bool)> {
    let mut tries = 0;
    loop {
        match update_once(db, caller, id, changes).await {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            other => return other,
        }
    }
}

async fn update_once(
    db: &Db,
    caller: &UserRow,
    id: &str,
    c: &PromptChanges,
) -> Result<(PromptView, bool)> {
    let mut tx = db.write().await?;
    let mut row = owned_row(&mut tx, &caller.id, id).await?;
    let current = content_of(&row);
    let mut next = current.clone();
    if let Some(t) = &c.title {
        next.title = t.as_str().to_string();
    }
    if c.kind.is_some() || c.messages.is_some() || c.body.is_some() {
        let text =
            domain::resolve_text(c.kind, c.messages.as_ref(), c.body.as_ref(), Some(&current))?;
        next.body = domain::Body::parse(&text.body)
            .map_err(|e| Error::invalid_field("messages", e))?
            .as_str()
            .to_string();
        next.kind = text.kind;
        next.messages = text.messages;
    }
    if let Some(config) = &c.config {
        next.config = config.clone();
    }
    if let Some(n) = &c.notes {
        next.notes = n.clone();
    }
    if let Some(h) = &c.model_hints {
        next.model_hints = h.clone();
    }
    let declared = match &c.variables {
        Some(given) if !variables::is_schema(given) => {
            variables::keep_types(given, &current.variables)
        }
        Some(given) => given.clone(),
        None => current.variables.clone(),
    };
    check_schema(&next.body, &declared)?;
    next.variables = variables::sync(&next.body, &declared);

    let mut touched = false;
    let team_before = row.team_id.clone();
    if let Some(v) = c.visibility {
        touched |= row.visibility != v;
        row.visibility = v;
    }
    if let Some(t) = c.team_id.clone()
        && row.team_id != t
    {
        check_team(&mut tx, &caller.id, t.as_deref()).await?;
        touched = true;
        row.team_id = t;
    }
    let changed = next != current;
    let tags_changed = match &c.tags {
        None => false,
        Some(tags) => {
            let mut now: Vec<String> = crate::tags::store::for_prompts(&mut tx, &[row.id.clone()])
                .await?
                .into_iter()
                .map(|(_, _, name)| name)
                .collect();
            let mut wanted: Vec<String> = tags.names().to_vec();
            now.sort();
            wanted.sort();
            now != wanted
        }
    };
    let renaming = team_before != row.team_id || c.name.is_some();
    if !(changed || touched || tags_changed || renaming) {
        let view = view::full(&mut tx, &caller.id, row).await?;
        tx.commit().await?;
        return Ok((view, false));
    }
    row.updated_at = db::now();
    if changed {
        apply_content(&mut row, &next);
    }
    store::update(&mut tx, &row).await?;
    if changed {
        let v = record_version(&mut tx, &row, Some(&caller.id), c.message.clone()).await?;
        crate::registry::audit::record(
            &mut tx,
            Some(&row.id),
            Some(&caller.id),
            "prompt.edit",
            serde_json::json!({ "from": v.version - 1, "to": v.version }),
        )
        .await?;
    }
    if let Some(tags) = &c.tags
        && tags_changed
    {
        crate::tags::store::set_for_prompt(&mut tx, &row.id, tags.names()).await?;
    }
    if renaming {
        crate::registry::rename_prompt(&mut tx, &caller.id, &row, c.name.as_deref()).await?;
    }
    let view = view::full(&mut tx, &caller.id, row).await?;
    tx.commit().await?;
    Ok((view, true))
}

/// Owner-only: moves the prompt to the trash ([`trash`]): it disappears from every read until
/// it is restored, and is deleted for good after [`trash::KEEP_DAYS`] days.
pub async fn delete(db: &Db, caller: &UserRow, id: &str) -> Result<()> {
    trash::move_to_trash(db, caller, id).await
}

/// Owner-only: `PUT /:id/visibility {visibility, teamId?}`.
pub async fn set_visibility(
    db: &Db,
    caller: &UserRow,
    id: &str,
    visibility: Visibility,
    team_id: Option<Option<String>>,
) -> Result<PromptView> {
    update(
        db,
        caller,
        id,
        &PromptChanges::visibility(visibility, team_id),
    )
    .await
}

/// The caller's own prompts (`GET /api/prompts`), with the total. With `favorites`, the
/// caller's favourites among every prompt they can read (their own, their teams', public).
pub async fn list_own(
    db: &Db,
    caller: &UserRow,
    q: &ListQuery,
) -> Result<(Vec<PromptView>, Total)> {
    let scope = if q.favorites {
        Scope::Readable
    } else {
        Scope::Own
    };
    list_scope(db, caller, scope, q).await
}

/// The team feed: TEAM and PUBLIC prompts across all the caller's teams. 404 `No team
/// assigned` when the caller belongs to no team.
pub async fn team_feed(
    db: &Db,
    caller: &UserRow,
    q: &ListQuery,
) -> Result<(Vec<PromptView>, Total)> {
    {
        let mut tx = db.read().await?;
        if store::team_count(&mut tx, &caller.id).await? == 0 {
            return Err(Error::NotFound("No team assigned".into()));
        }
    }
    list_scope(db, caller, Scope::TeamFeed, q).await
}

/// The team feed page: what the caller's teams share plus what is shared with everyone signed
/// in; someone in no team still sees the latter. The second value says whether the caller is in
/// a team.
pub async fn shared_feed(
    db: &Db,
    caller: &UserRow,
    q: &ListQuery,
) -> Result<(Vec<PromptView>, Total, bool)> {
    let in_team = {
        let mut tx = db.read().await?;
        store::team_count(&mut tx, &caller.id).await? > 0
    };
    let (views, total) = list_scope(db, caller, Scope::Shared, q).await?;
    Ok((views, total, in_team))
}

/// A page of prompts in `scope`, each with tags, ratings and counts, in a constant number of
/// queries (2 for the page and total + 6 for the extras).
pub async fn list_scope(
    db: &Db,
    caller: &UserRow,
    scope: Scope,
    q: &ListQuery,
) -> Result<(Vec<PromptView>, Total)> {
    if q.q.is_some() {
        return search_scope(db, caller, scope, q).await;
    }
    let mut tx = db.read().await?;
    let (rows, total) = list::page(&mut tx, &caller.id, scope, q).await?;
    let views = view::build(&mut tx, &caller.id, rows).await?;
    Ok((views, total))
}

/// A list with `q`: the full-text search service picks the prompts; a list keeps its
/// newest-first order unless another is asked for.
async fn search_scope(
    db: &Db,
    caller: &UserRow,
    scope: Scope,
    q: &ListQuery,
) -> Result<(Vec<PromptView>, Total)> {
    let mut q = q.clone();
    q.sort.get_or_insert(Sort::Updated);
    let (found, total) = search_views(db, &caller.id, scope, &q).await?;
    Ok((found.into_iter().map(|(view, _)| view).collect(), total))
}

/// Full-text search over `scope` (`q.q` is the text): the prompts' list views in hit order,
/// each with its hit (snippet and score), and the total. The search page and `/api/search`
/// both come here.
pub async fn search_views(
    db: &Db,
    caller: &str,
    scope: Scope,
    q: &ListQuery,
) -> Result<(Vec<(PromptView, crate::search::Hit)>, Total)> {
    let found = crate::search::search(db, caller, scope, q).await?;
    let ids: Vec<String> = found.hits.iter().map(|h| h.id.clone()).collect();
    let views = views_in_order(db, caller, &ids).await?;
    let mut hits = found.hits;
    let out = views
        .into_iter()
        .filter_map(|v| {
            let at = hits.iter().position(|h| h.id == v.prompt.id)?;
            Some((v, hits.swap_remove(at)))
        })
        .collect();
    Ok((out, found.total))
}

/// The list views of the prompts `ids` (already permission-checked), in the order given.
/// Ids that no longer exist are left out.
pub async fn views_in_order(db: &Db, caller: &str, ids: &[String]) -> Result<Vec<PromptView>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let args: Vec<store::Arg> = ids.iter().map(|id| store::Arg::S(id.clone())).collect();
    let sql = format!(
        "SELECT * FROM \"Prompt\" p WHERE p.\"id\" IN ({})",
        store::marks(args.len())
    );
    let mut tx = db.read().await?;
    let mut rows: Vec<store::PromptRow> = store::fetch_all(&mut tx, sql, &args).await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    let views = view::build(&mut tx, caller, rows).await?;
    tx.commit().await?;
    Ok(views)
}

/// Fills a readable prompt's variables (`POST /:id/render`). With `strict`, missing values are
/// a 422 listing them.
pub async fn render(
    db: &Db,
    caller: &UserRow,
    id: &str,
    values: &std::collections::BTreeMap<String, String>,
    strict: bool,
) -> Result<variables::Rendered> {
    let mut tx = db.read().await?;
    let row = readable_row(&mut tx, &caller.id, id).await?;
    let decls = variables::from_text(row.variables.as_deref());
    let messages = chat::messages_from_text(row.messages.as_deref());
    render_version(&row.body, messages.as_deref(), &decls, values, strict)
}

/// Renders a version: a text version's body, or each message of a chat version (then
/// `messages` holds them rendered and `text` their plain text form). Values are checked as by
/// [`render_checked`].
pub fn render_version(
    body: &str,
    messages: Option<&[chat::Message]>,
    decls: &[variables::Declaration],
    values: &std::collections::BTreeMap<String, String>,
    strict: bool,
) -> Result<variables::Rendered> {
    let Some(messages) = messages else {
        return render_checked(body, decls, values, strict);
    };
    let mut rendered = Vec::with_capacity(messages.len());
    let mut missing: Vec<String> = Vec::new();
    for m in messages {
        let out = render_checked(&m.content, decls, values, false)?;
        for name in out.missing {
            if !missing.contains(&name) {
                missing.push(name);
            }
        }
        rendered.push(chat::Message {
            role: m.role,
            content: out.text,
        });
    }
    if strict && !missing.is_empty() {
        return Err(Error::Unprocessable {
            message: format!("Missing values for: {}", missing.join(", ")),
            code: "missing_variables",
            details: serde_json::json!({ "missing": missing }),
        });
    }
    Ok(variables::Rendered {
        text: chat::to_text(&rendered),
        missing,
        messages: Some(rendered),
    })
}

/// Renders `body` after checking `values` against typed declarations (422 with one error per
/// field); with `strict`, missing values are a 422 too.
pub fn render_checked(
    body: &str,
    decls: &[variables::Declaration],
    values: &std::collections::BTreeMap<String, String>,
    strict: bool,
) -> Result<variables::Rendered> {
    let problems = variables::check_values(decls, values);
    if !problems.is_empty() {
        return Err(Error::Unprocessable {
            message: "Some values do not fit the prompt's variables".into(),
            code: "invalid_values",
            details: serde_json::json!({ "fields": problems }),
        });
    }
    let out = variables::render(body, decls, values);
    if strict && !out.missing.is_empty() {
        return Err(Error::Unprocessable {
            message: format!("Missing values for: {}", out.missing.join(", ")),
            code: "missing_variables",
            details: serde_json::json!({ "missing": out.missing }),
        });
    }
    Ok(out)
}

/// What a bulk action does to each selected prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkAction {
    /// Adds this tag (kept when already there).
    AddTag(String),
    SetVisibility(Visibility),
    /// Moves them to the trash.
    Delete,
}

/// Most prompts one bulk action may touch.
pub const BULK_MAX: usize = 200;

/// Applies `action` to the caller's prompts `ids` (owner only; unknown or other people's ids
/// are a 404 before anything changes). Each prompt changes in its own transaction through the
/// same rules as a single change. Returns how many prompts were changed.
pub async fn bulk(db: &Db, caller: &UserRow, ids: &[String], action: &BulkAction) -> Result<usize> {
    if ids.is_empty() {
        return Err(Error::invalid_field("ids", "select at least one prompt"));
    }
    if ids.len() > BULK_MAX {
        return Err(Error::invalid_field(
            "ids",
            format!("at most {BULK_MAX} prompts at once"),
        ));
    }
    let mut views = Vec::with_capacity(ids.len());
    for id in ids {
        crate::text::check_id("ids", id)?;
        let v = get(db, caller, id).await?;
        if !v.can_edit {
            return Err(Error::not_found());
        }
        views.push(v);
    }
    let mut changed = 0;
    for v in views {
        let id = v.prompt.id.clone();
        let fields = match action {
            BulkAction::Delete => {
                delete(db, caller, &id).await?;
                changed += 1;
                continue;
            }
            BulkAction::AddTag(tag) => {
                let mut tags = v.tag_names();
                tags.push(tag.clone());
                PromptFields {
                    tags: Some(tags),
                    ..PromptFields::default()
                }
            }
            BulkAction::SetVisibility(vis) => PromptFields {
                visibility: Some(vis.as_str().to_string()),
                ..PromptFields::default()
            },
        };
        let (_, did) = update_reporting(db, caller, &id, &fields.into_changes()?).await?;
        changed += usize::from(did);
    }
    Ok(changed)
}
