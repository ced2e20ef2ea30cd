//! The registry: prompts for programs. Names in namespaces ([`names`]), labels that point at
//! versions, the audit trail ([`audit`]), and fetching or rendering a prompt by name.
//!
//! Rules:
//! - A prompt is fetched as `namespace/name` (aliases of renamed namespaces and prompts still
//!   resolve; the answer names the current one) with a label (default `production`), a
//!   version number, or `latest` (always the newest version). Without the asked label the
//!   answer is 404 with a hint; `fallback=latest` asks for the newest version instead.
//! - The caller must be able to read the prompt (`prompts::access::READABLE`); otherwise 404.
//!   A token limited to namespaces sees only those.
//! - Labels: `latest` is implicit and cannot be moved. The owner moves any label; a member of
//!   the prompt's team moves the others; the protected labels ([`Protected`]: the instance's
//!   `protected_labels` setting, by default [`PROTECTED_BY_DEFAULT`]) only the owner or a
//!   maintainer of the prompt's team. Every move is in the audit trail.

pub mod api;
pub mod audit;
pub mod catalog;
pub mod fetchable;
pub mod migrate;
pub mod names;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::TokenLimits;
use crate::db::dynamic::{Arg, execute, fetch_all};
use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
use crate::prompts::chat::{self, Message};
use crate::prompts::store::{self as prompt_store, PromptRow, VersionRow};
use crate::prompts::variables::{self, Declaration};
use crate::prompts::{Visibility, readable_row};
use crate::users::UserRow;

/// The protected labels of an instance that does not set `protected_labels`.
pub const PROTECTED_BY_DEFAULT: &[&str] = &["production"];

/// The labels only the owner or a maintainer of the prompt's team may move: the instance's
/// `protected_labels` setting (`Config::protected_labels`, checked at start).
#[derive(Clone, Copy, Debug)]
pub struct Protected<'a>(pub &'a [String]);

impl Protected<'_> {
    pub fn contains(&self, label: &str) -> bool {
        self.0.iter().any(|l| l == label)
    }

    fn mark(&self, labels: &mut [Label]) {
        for l in labels {
            l.protected = self.contains(&l.label);
        }
    }
}

/// The label a fetch uses when none is asked for.
pub const DEFAULT_LABEL: &str = "production";
/// The implicit label of the newest version.
pub const LATEST: &str = "latest";

/// A label: 1–64 lower-case letters, digits, `-`, `_` or `.`, starting with a letter or digit.
pub fn parse_label(raw: &str) -> std::result::Result<String, String> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(s.to_string())
    } else {
        Err("must be 1–64 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit".into())
    }
}

/// Gives a new prompt its name: the one asked for (409 when another prompt of the namespace
/// has it), or one suggested from the title.
pub(crate) async fn name_new_prompt(
    tx: &mut Tx,
    row: &PromptRow,
    wanted: Option<&str>,
) -> Result<()> {
    let scope = names::scope_of(&row.user_id, row.team_id.as_deref());
    match wanted {
        Some(w) => {
            if names::set_name(tx, &row.id, &scope, w, true, true)
                .await?
                .is_none()
            {
                return Err(name_taken(w));
            }
        }
        None => {
            names::set_name(
                tx,
                &row.id,
                &scope,
                &names::suggest_prompt_name(&row.title),
                false,
                true,
            )
            .await?;
        }
    }
    Ok(())
}

fn name_taken(name: &str) -> Error {
    Error::Conflict {
        message: format!("Another prompt in this namespace is already named {name:?}"),
        code: "name_taken",
    }
}

/// After an owner's change of name or team: the prompt's current name in its (possibly new)
/// namespace. Without `wanted`, the current name is kept (moved to the new namespace when the
/// team changed, with a suffix if taken there). The old name stays as an alias.
pub(crate) async fn rename_prompt(
    tx: &mut Tx,
    actor: &str,
    row: &PromptRow,
    wanted: Option<&str>,
) -> Result<()> {
    let before = current_name(tx, &row.id).await?;
    let scope = names::scope_of(&row.user_id, row.team_id.as_deref());
    let (name, exact) = match (wanted, &before) {
        (Some(w), _) => (w.to_string(), true),
        (None, Some(b)) => (b.name.clone(), false),
        (None, None) => (names::suggest_prompt_name(&row.title), false),
    };
    let given = names::set_prompt_name(tx, &row.id, &scope, &name, exact)
        .await?
        .ok_or_else(|| name_taken(&name))?;
    let after = current_name(tx, &row.id).await?;
    let full = |n: &Option<CurrentName>| n.as_ref().map(CurrentName::full);
    if full(&before) != full(&after) {
        audit::record(
            tx,
            Some(&row.id),
            Some(actor),
            "prompt.rename",
            serde_json::json!({ "from": full(&before), "to": full(&after).unwrap_or(given) }),
        )
        .await?;
    }
    Ok(())
}

/// A prompt's current name and namespace.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CurrentName {
    pub namespace: Option<String>,
    pub name: String,
}

impl CurrentName {
    pub fn full(&self) -> String {
        format!("{}/{}", self.namespace.as_deref().unwrap_or("?"), self.name)
    }
}

pub async fn current_name(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<Option<CurrentName>> {
    #[derive(sqlx::FromRow)]
    #[sqlx(rename_all = "camelCase")]
    struct Found {
        x_name: Option<String>,
        x_namespace: Option<String>,
    }
    let mut args = current_name_args().to_vec();
    args.push(Arg::S(prompt_id.to_string()));
    let found: Vec<Found> = fetch_all(
        tx,
        format!("SELECT {CURRENT_NAME_COLUMNS} FROM \"Prompt\" p WHERE p.\"id\" = ?"),
        &args,
    )
    .await?;
    Ok(found.into_iter().next().and_then(|f| {
        f.x_name.map(|name| CurrentName {
            name,
            namespace: f.x_namespace,
        })
    }))
}

/// A prompt's current name and its namespace as two columns (`xName`, `xNamespace`) of a
/// statement over the prompt aliased `p`, binding [`current_name_args`] first: its full view
/// reads them with everything else in one statement.
pub const CURRENT_NAME_COLUMNS: &str = "(SELECT n.\"name\" FROM \"PromptName\" n \
     WHERE n.\"promptId\" = p.\"id\" AND n.\"isCurrent\" = ? ORDER BY n.\"name\" LIMIT 1) AS \"xName\", \
     (SELECT (SELECT ns.\"name\" FROM \"Namespace\" ns WHERE ns.\"isCurrent\" = ? \
     AND (ns.\"userId\" = n.\"scope\" OR ns.\"teamId\" = n.\"scope\")) FROM \"PromptName\" n \
     WHERE n.\"promptId\" = p.\"id\" AND n.\"isCurrent\" = ? ORDER BY n.\"name\" LIMIT 1) \
     AS \"xNamespace\"";

pub fn current_name_args() -> [Arg; 3] {
    [Arg::B(true), Arg::B(true), Arg::B(true)]
}

/// What a prompt's page shows of the registry, read together.
pub struct Overview {
    pub labels: Vec<Label>,
    /// The newest version (`latest`).
    pub latest: i32,
    /// The newest audit events, at most the limit asked for.
    pub events: Vec<audit::AuditEvent>,
    /// Old names that still resolve, as `namespace/name`.
    pub aliases: Vec<String>,
}

/// A readable prompt's labels, newest audit events and old names, in one read.
pub async fn overview(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    audit_limit: i64,
    protected: Protected<'_>,
) -> Result<Overview> {
    let mut tx = db.read().await?;
    let row = readable_row(&mut tx, &caller.id, prompt_id).await?;
    let mut labels = labels_of(&mut tx, &row.id).await?;
    protected.mark(&mut labels);
    Ok(Overview {
        labels,
        latest: prompt_store::max_version(&mut tx, &row.id).await?,
        events: audit::for_prompt(&mut tx, &row.id, audit_limit).await?,
        aliases: aliases_of(&mut tx, &row.id).await?,
    })
}

/// A prompt's old names (aliases that still resolve), as `namespace/name`.
async fn aliases_of(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<Vec<String>> {
    let rows: Vec<CurrentName> = fetch_all(
        tx,
        "SELECT n.\"name\", (SELECT ns.\"name\" FROM \"Namespace\" ns WHERE ns.\"isCurrent\" = ? \
         AND (ns.\"userId\" = n.\"scope\" OR ns.\"teamId\" = n.\"scope\")) AS \"namespace\" \
         FROM \"PromptName\" n WHERE n.\"promptId\" = ? AND n.\"isCurrent\" = ? ORDER BY n.\"name\""
            .into(),
        &[Arg::B(true), Arg::S(prompt_id.to_string()), Arg::B(false)],
    )
    .await?;
    Ok(rows.iter().map(CurrentName::full).collect())
}

/// What `namespace/name` points at.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub prompt_id: String,
    /// The namespace's scope (a user or team id).
    pub scope: String,
    /// Whether the asked namespace or name is an alias.
    pub alias: bool,
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct ResolvedRow {
    prompt_id: String,
    scope: String,
    name_current: bool,
    namespace_current: bool,
}

/// Resolves `namespace/name` (either may be an alias) in one query.
pub async fn resolve(tx: &mut Tx, namespace: &str, name: &str) -> sqlx::Result<Option<Resolved>> {
    let rows: Vec<ResolvedRow> = fetch_all(
        tx,
        "SELECT n.\"promptId\", n.\"scope\", n.\"isCurrent\" AS \"nameCurrent\", \
         ns.\"isCurrent\" AS \"namespaceCurrent\" FROM \"Namespace\" ns \
         JOIN \"PromptName\" n ON n.\"scope\" = COALESCE(ns.\"userId\", ns.\"teamId\") AND n.\"name\" = ? \
         WHERE ns.\"name\" = ?"
            .into(),
        &[Arg::S(name.to_string()), Arg::S(namespace.to_string())],
    )
    .await?;
    Ok(rows.into_iter().next().map(|r| Resolved {
        prompt_id: r.prompt_id,
        scope: r.scope,
        alias: !(r.name_current && r.namespace_current),
    }))
}

/// Which version a fetch asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Label {
        label: String,
        fallback_latest: bool,
    },
    Version(i32),
}

/// A label on a prompt.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Label {
    pub label: String,
    pub version: i32,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub updated_at: DateTime<Utc>,
    #[schema(required = true)]
    pub updated_by: Option<String>,
    /// Only the owner or a team maintainer may move it.
    #[sqlx(skip)]
    pub protected: bool,
}

/// A prompt's labels, not yet marked protected ([`Protected::mark`]).
async fn labels_of(tx: &mut Tx, prompt_id: &str) -> sqlx::Result<Vec<Label>> {
    fetch_all(
        tx,
        "SELECT \"label\", \"version\", \"updatedAt\", \"updatedBy\" FROM \"PromptLabel\" \
         WHERE \"promptId\" = ? ORDER BY \"label\""
            .into(),
        &[Arg::S(prompt_id.to_string())],
    )
    .await
}

/// A prompt version as a program receives it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
    /// The current namespace and name (`namespace/name`).
    pub namespace: String,
    pub name: String,
    /// The name asked for, when it was an alias of this prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<String>,
    pub prompt_id: String,
    pub version: i32,
    /// Labels pointing at this version (`latest` when it is the newest).
    pub labels: Vec<String>,
    /// `text` or `chat`: the same as `kind` (the name older clients read).
    #[serde(rename = "type")]
    #[schema(value_type = chat::Kind)]
    pub type_name: &'static str,
    /// `text` or `chat`.
    pub kind: chat::Kind,
    pub title: String,
    /// The text; for a chat version, its messages' plain text form.
    pub body: String,
    /// A chat version's messages in order (`null` for text).
    #[schema(required = true)]
    pub messages: Option<Vec<Message>>,
    /// The version's config object (model, temperature, …), or null.
    #[schema(value_type = Option<Object>, required = true)]
    pub config: serde_json::Value,
    /// The variables schema (untyped declarations are optional text).
    pub variables: Vec<Declaration>,
    #[schema(required = true)]
    pub model_hints: Option<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[serde(serialize_with = "crate::db::ser_ts")]
    pub created_at: DateTime<Utc>,
}

/// Who asks, and with which token limits.
pub struct Caller<'a> {
    pub user: &'a UserRow,
    pub limits: Option<&'a TokenLimits>,
}

/// A prompt version by name: the service behind `GET /api/registry/{namespace}/{name}`.
pub async fn fetch(
    db: &Db,
    caller: &Caller<'_>,
    namespace: &str,
    name: &str,
    sel: &Selector,
) -> Result<Fetched> {
    let mut tx = db.read().await?;
    let found = locate(&mut tx, caller, namespace, name, sel).await?;
    load(&mut tx, found).await
}

/// Which version a fetch by name answers, found without reading the version itself: enough to
/// tell a cache that its copy is still good ([`Located::etag`]).
#[derive(Clone, Debug)]
pub struct Located {
    pub prompt_id: String,
    pub version: i32,
    /// Labels pointing at the version (`latest` when it is the newest).
    pub labels: Vec<String>,
    /// The current namespace and name.
    pub namespace: String,
    pub name: String,
    /// The name asked for, when it was an alias.
    pub requested: Option<String>,
}

impl Located {
    /// The answer's entity tag. A version never changes once written, so the answer is fully
    /// determined by the version (prompt and number), the labels on it, the names, and the
    /// server's version (the shape of the answer): a digest of those, no body needed.
    pub fn etag(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [
            env!("CARGO_PKG_VERSION"),
            ANSWER_SHAPE,
            &self.prompt_id,
            &self.version.to_string(),
            &self.labels.join(","),
            &self.namespace,
            &self.name,
            self.requested.as_deref().unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        format!("\"{}\"", hex::encode(&h.finalize()[..16]))
    }
}

/// The shape of a fetch's answer: changed when fields are added (2: `kind`, `messages`,
/// `config`), so caches holding the older shape fetch again.
const ANSWER_SHAPE: &str = "2";

/// Finds the version `sel` picks of `namespace/name` for `caller`: 404 when there is no such
/// prompt, the caller may not read it, the token's namespaces exclude it, or the label or
/// version does not exist.
pub async fn locate(
    tx: &mut Tx,
    caller: &Caller<'_>,
    namespace: &str,
    name: &str,
    sel: &Selector,
) -> Result<Located> {
    let not_found = || Error::NotFound(format!("No prompt named {namespace}/{name}"));
    let (Ok(namespace_ok), Some(name_ok)) =
        (names::parse_namespace(namespace), names::lookup_name(name))
    else {
        return Err(not_found());
    };
    let found = resolve(tx, &namespace_ok, &name_ok)
        .await?
        .ok_or_else(not_found)?;
    if let Some(limits) = caller.limits
        && !limits.allows_scope(tx, &found.scope).await?
    {
        return Err(not_found());
    }
    if !prompt_store::is_readable(tx, &found.prompt_id, &caller.user.id).await? {
        return Err(not_found());
    }
    let labels = labels_of(tx, &found.prompt_id).await?;
    let newest = prompt_store::max_version(tx, &found.prompt_id).await?;
    let number = match sel {
        Selector::Version(n) if *n <= newest => *n,
        Selector::Version(n) => {
            return Err(Error::NotFound(format!(
                "{namespace}/{name} has no version {n}"
            )));
        }
        Selector::Label { label, .. } if label == LATEST => newest,
        Selector::Label {
            label,
            fallback_latest,
        } => match labels.iter().find(|l| l.label == *label) {
            Some(l) => l.version,
            None if *fallback_latest => newest,
            None => {
                return Err(Error::NotFound(format!(
                    "{namespace}/{name} has no version labelled {label:?}: ask for label=latest, \
                     a version number, or add fallback=latest"
                )));
            }
        },
    };
    let mut on_it: Vec<String> = labels
        .iter()
        .filter(|l| l.version == number)
        .map(|l| l.label.clone())
        .collect();
    if number == newest {
        on_it.push(LATEST.to_string());
    }
    let current = current_name(tx, &found.prompt_id).await?;
    let (cur_ns, cur_name) = match current {
        Some(c) => (c.namespace.unwrap_or_else(|| namespace_ok.clone()), c.name),
        None => (namespace_ok.clone(), name_ok.clone()),
    };
    Ok(Located {
        requested: found.alias.then(|| format!("{namespace_ok}/{name_ok}")),
        prompt_id: found.prompt_id,
        version: number,
        labels: on_it,
        namespace: cur_ns,
        name: cur_name,
    })
}

/// The version [`locate`] found, as a program receives it.
pub async fn load(tx: &mut Tx, at: Located) -> Result<Fetched> {
    let v: VersionRow = prompt_store::version_by_number(tx, &at.prompt_id, at.version)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "{}/{} has no version {}",
                at.namespace, at.name, at.version
            ))
        })?;
    Ok(Fetched {
        requested: at.requested,
        namespace: at.namespace,
        name: at.name,
        prompt_id: at.prompt_id,
        version: v.version,
        labels: at.labels,
        type_name: v.kind.as_str(),
        kind: v.kind,
        title: v.title,
        variables: variables::sync(&v.body, &variables::from_text(v.variables.as_deref())),
        body: v.body,
        messages: chat::messages_from_text(v.messages.as_deref()),
        config: chat::config_value(v.config.as_deref()),
        model_hints: v.model_hints,
        notes: v.notes,
        created_at: v.created_at,
    })
}

/// Renders a prompt version fetched by name (`POST /api/registry/{namespace}/{name}`).
pub async fn render(
    db: &Db,
    caller: &Caller<'_>,
    namespace: &str,
    name: &str,
    sel: &Selector,
    values: &BTreeMap<String, String>,
    strict: bool,
) -> Result<(Fetched, variables::Rendered)> {
    let f = fetch(db, caller, namespace, name, sel).await?;
    let out = crate::prompts::render_version(
        &f.body,
        f.messages.as_deref(),
        &f.variables,
        values,
        strict,
    )?;
    Ok((f, out))
}

/// The labels of a readable prompt, with `latest`.
pub async fn labels(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    protected: Protected<'_>,
) -> Result<(Vec<Label>, i32)> {
    let mut tx = db.read().await?;
    let row = readable_row(&mut tx, &caller.id, prompt_id).await?;
    let mut labels = labels_of(&mut tx, &row.id).await?;
    protected.mark(&mut labels);
    let newest = prompt_store::max_version(&mut tx, &row.id).await?;
    Ok((labels, newest))
}

/// Whether `caller` may move `label` on `row` (readable): Ok, or 403 saying who may.
async fn may_move(
    tx: &mut Tx,
    caller: &str,
    row: &PromptRow,
    label: &str,
    protected: Protected<'_>,
) -> Result<()> {
    if row.user_id == caller {
        return Ok(());
    }
    // The prompt's teams: its own team, or (shared without one) every team of its owner.
    let teams: Vec<String> = match (&row.team_id, row.visibility) {
        (Some(t), _) => vec![t.clone()],
        (None, Visibility::Private) => Vec::new(),
        (None, _) => fetch_all::<(String,)>(
            tx,
            "SELECT \"teamId\" FROM \"UserTeam\" WHERE \"userId\" = ?".into(),
            &[Arg::S(row.user_id.clone())],
        )
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect(),
    };
    let mut roles = Vec::new();
    if !teams.is_empty() {
        let mut args = vec![Arg::S(caller.to_string())];
        args.extend(teams.iter().map(|t| Arg::S(t.clone())));
        roles = fetch_all::<(Option<String>,)>(
            tx,
            format!(
                "SELECT \"role\" FROM \"UserTeam\" WHERE \"userId\" = ? AND \"teamId\" IN ({})",
                crate::db::dynamic::marks(teams.len())
            ),
            &args,
        )
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    }
    let maintainer = roles
        .iter()
        .any(|r| r.as_deref() == Some(crate::teams::MAINTAINER));
    if protected.contains(label) {
        if maintainer {
            return Ok(());
        }
        return Err(Error::Forbidden(format!(
            "Only the owner or a maintainer of the prompt's team may move the protected label {label:?}"
        )));
    }
    if roles.is_empty() {
        return Err(Error::Forbidden(
            "Only the owner or a member of the prompt's team may move its labels".into(),
        ));
    }
    Ok(())
}

/// Points `label` at version `version` of a prompt (creating the label), recorded in the audit
/// trail. Moving it back is a rollback.
pub async fn move_label(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    label: &str,
    version: i32,
    protected: Protected<'_>,
) -> Result<Label> {
    let label = parse_label(label).map_err(|p| Error::invalid_field("label", p))?;
    if label == LATEST {
        return Err(Error::invalid_field(
            "label",
            "latest always follows the newest version and cannot be moved",
        ));
    }
    let mut tries = 0;
    loop {
        match move_once(db, caller, prompt_id, &label, Some(version), protected).await {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            Ok(l) => return l.ok_or_else(Error::not_found),
            Err(e) => return Err(e),
        }
    }
}

/// Removes `label` from a prompt (404 when it has no such label).
pub async fn remove_label(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    label: &str,
    protected: Protected<'_>,
) -> Result<()> {
    let label = parse_label(label).map_err(|p| Error::invalid_field("label", p))?;
    let mut tries = 0;
    loop {
        match move_once(db, caller, prompt_id, &label, None, protected).await {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            Ok(_) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

async fn move_once(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
    label: &str,
    to: Option<i32>,
    protected: Protected<'_>,
) -> Result<Option<Label>> {
    let mut tx = db.write().await?;
    // Locked for the transaction: concurrent moves of one prompt's labels queue here.
    prompt_store::get_for_update(&mut tx, prompt_id)
        .await?
        .ok_or_else(Error::not_found)?;
    let row = readable_row(&mut tx, &caller.id, prompt_id).await?;
    may_move(&mut tx, &caller.id, &row, label, protected).await?;
    let before: Option<i32> = labels_of(&mut tx, prompt_id)
        .await?
        .into_iter()
        .find(|l| l.label == label)
        .map(|l| l.version);
    let now = db::now();
    let out = match to {
        Some(version) => {
            if prompt_store::version_by_number(&mut tx, prompt_id, version)
                .await?
                .is_none()
            {
                return Err(Error::invalid_field(
                    "version",
                    format!("the prompt has no version {version}"),
                ));
            }
            if before.is_some() {
                execute(
                    &mut tx,
                    "UPDATE \"PromptLabel\" SET \"version\" = ?, \"updatedAt\" = ?, \"updatedBy\" = ? \
                     WHERE \"promptId\" = ? AND \"label\" = ?"
                        .into(),
                    &[
                        Arg::I(i64::from(version)),
                        Arg::T(now),
                        Arg::S(caller.id.clone()),
                        Arg::S(prompt_id.to_string()),
                        Arg::S(label.to_string()),
                    ],
                )
                .await?;
            } else {
                execute(
                    &mut tx,
                    "INSERT INTO \"PromptLabel\" (\"promptId\", \"label\", \"version\", \"updatedAt\", \"updatedBy\") \
                     VALUES (?, ?, ?, ?, ?)"
                        .into(),
                    &[
                        Arg::S(prompt_id.to_string()),
                        Arg::S(label.to_string()),
                        Arg::I(i64::from(version)),
                        Arg::T(now),
                        Arg::S(caller.id.clone()),
                    ],
                )
                .await?;
            }
            if before != Some(version) {
                audit::record(
                    &mut tx,
                    Some(prompt_id),
                    Some(&caller.id),
                    "label.move",
                    serde_json::json!({ "label": label, "from": before, "to": version }),
                )
                .await?;
            }
            Some(Label {
                label: label.to_string(),
                version,
                updated_at: now,
                updated_by: Some(caller.id.clone()),
                protected: protected.contains(label),
            })
        }
        None => {
            if before.is_none() {
                return Err(Error::NotFound(format!(
                    "The prompt has no label {label:?}"
                )));
            }
            execute(
                &mut tx,
                "DELETE FROM \"PromptLabel\" WHERE \"promptId\" = ? AND \"label\" = ?".into(),
                &[Arg::S(prompt_id.to_string()), Arg::S(label.to_string())],
            )
            .await?;
            audit::record(
                &mut tx,
                Some(prompt_id),
                Some(&caller.id),
                "label.remove",
                serde_json::json!({ "label": label, "from": before }),
            )
            .await?;
            None
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// A readable prompt's audit trail, newest first.
pub async fn prompt_audit(
    db: &Db,
    caller: &UserRow,
    prompt_id: &str,
) -> Result<Vec<audit::AuditEvent>> {
    let mut tx = db.read().await?;
    readable_row(&mut tx, &caller.id, prompt_id).await?;
    Ok(audit::for_prompt(&mut tx, prompt_id, 1000).await?)
}

/// The whole audit trail (administrators).
pub async fn all_audit(
    db: &Db,
    _: crate::auth::Admin,
    limit: i64,
    offset: i64,
) -> Result<Vec<audit::AuditEvent>> {
    let mut tx = db.read().await?;
    Ok(audit::all(&mut tx, limit, offset).await?)
}

/// A namespace with whether it is current.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[sqlx(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct NamespaceInfo {
    pub name: String,
    #[schema(required = true)]
    pub user_id: Option<String>,
    #[schema(required = true)]
    pub team_id: Option<String>,
    /// false: an old name, still resolving to its owner.
    pub is_current: bool,
}

/// The caller's namespaces: their handle and their teams' slugs (with the old names).
pub async fn my_namespaces(db: &Db, caller: &UserRow) -> Result<Vec<NamespaceInfo>> {
    let mut tx = db.read().await?;
    Ok(fetch_all(
        &mut tx,
        "SELECT \"name\", \"userId\", \"teamId\", \"isCurrent\" FROM \"Namespace\" WHERE \"userId\" = ? \
         OR \"teamId\" IN (SELECT \"teamId\" FROM \"UserTeam\" WHERE \"userId\" = ?) \
         ORDER BY \"isCurrent\" DESC, \"name\""
            .into(),
        &[Arg::S(caller.id.clone()), Arg::S(caller.id.clone())],
    )
    .await?)
}

/// Renames the caller's handle, or a team's slug (its maintainers and administrators). The
/// old name stays as an alias.
pub async fn rename_namespace(
    db: &Db,
    caller: &UserRow,
    team_id: Option<&str>,
    wanted: &str,
) -> Result<String> {
    let wanted = names::parse_namespace(wanted).map_err(|p| Error::invalid_field("name", p))?;
    let mut tx = db.write().await?;
    if let Some(team) = team_id {
        if crate::teams::store::by_id(&mut tx, team).await?.is_none() {
            return Err(Error::not_found());
        }
        let role: Vec<(Option<String>,)> = fetch_all(
            &mut tx,
            "SELECT \"role\" FROM \"UserTeam\" WHERE \"userId\" = ? AND \"teamId\" = ?".into(),
            &[Arg::S(caller.id.clone()), Arg::S(team.to_string())],
        )
        .await?;
        let maintainer = role
            .first()
            .is_some_and(|r| r.0.as_deref() == Some(crate::teams::MAINTAINER));
        if !maintainer && !caller.is_admin() {
            return Err(Error::Forbidden(
                "Only the team's maintainers and administrators rename a team's namespace".into(),
            ));
        }
    }
    let user = if team_id.is_none() {
        Some(caller.id.as_str())
    } else {
        None
    };
    let name = names::set_namespace(&mut tx, user, team_id, &wanted, true)
        .await?
        .ok_or_else(|| Error::Conflict {
            message: format!("The namespace {wanted:?} is taken"),
            code: "namespace_taken",
        })?;
    tx.commit().await?;
    Ok(name)
}
