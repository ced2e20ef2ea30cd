//! A folder of prompt files against the server: the catalogue, the comparison, and the push.
//!
//! Rules:
//! - A file and a prompt are the same when their `namespace/name` are. A file with no prompt
//!   is created (in the caller's namespace, or a team's: the prompt belongs to that team); a
//!   prompt with no file is left alone (reported by `--check`).
//! - Compared: title, kind, body (byte for byte; a chat prompt's messages as its body reads),
//!   config, notes, model hints, variables (as the server would store them), tags (ignoring
//!   case and order) and visibility (when the file says one).
//!   `version` and `labels` in a file are for the reader: they are neither compared nor applied.
//! - A push sends only the fields that differ; the server records a new version only when the
//!   text or the versioned metadata (title, notes, model hints, variables) changes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::files::{Found, PromptFile};
use super::{Client, ClientError};
use crate::prompts::Visibility;
use crate::prompts::chat::Kind;
use crate::prompts::variables::{self, Declaration};
use crate::registry::catalog::CatalogEntry;

/// The whole catalogue of the caller (`GET /api/registry`, page by page).
pub async fn catalog(client: &Client) -> Result<Vec<CatalogEntry>, ClientError> {
    let mut out: Vec<CatalogEntry> = Vec::new();
    loop {
        let after = out.last().map(|e| e.prompt_id.clone()).unwrap_or_default();
        let page: Vec<CatalogEntry> = client
            .json(
                Method::GET,
                &format!(
                    "/api/registry?limit=1000&after={}",
                    super::http::encode(&after)
                ),
                None,
            )
            .await?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// What differs between a file and its prompt, field by field (empty: nothing).
pub fn differences(file: &PromptFile, server: &CatalogEntry) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    if file.title.trim() != server.title.trim() {
        out.push("title");
    }
    if file.kind != server.kind {
        out.push("kind");
    }
    let same_text = match file.kind {
        Kind::Text => file.body == server.body,
        Kind::Chat => {
            let messages = crate::prompts::chat::parse_text(&file.body)?;
            server.messages.as_ref() == Some(&messages)
        }
    };
    if !same_text {
        out.push("body");
    }
    let server_config = crate::prompts::chat::check_config(&Some(server.config.clone()))
        .ok()
        .flatten();
    if file.config != server_config {
        out.push("config");
    }
    let norm = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
    if norm(&file.notes) != norm(&server.notes) {
        out.push("notes");
    }
    if norm(&file.model_hints) != norm(&server.model_hints) {
        out.push("model_hints");
    }
    if stored_variables(&file.body, &file.variables, &server.variables) != server.variables {
        out.push("variables");
    }
    let fold = |tags: &[String]| {
        let mut t: Vec<String> = tags.iter().map(|t| crate::text::fold(t.trim())).collect();
        t.sort();
        t.dedup();
        t
    };
    if fold(&file.tags) != fold(&server.tags) {
        out.push("tags");
    }
    if let Some(v) = &file.visibility
        && visibility(v)? != server.visibility
    {
        out.push("visibility");
    }
    Ok(out)
}

fn visibility(v: &str) -> Result<Visibility, String> {
    Visibility::parse(v).map_err(|p| format!("visibility {p}"))
}

/// The declarations the server would store for `body` given `declared` (the update rule: an
/// untyped list keeps the current types of its names).
fn stored_variables(
    body: &str,
    declared: &[Declaration],
    current: &[Declaration],
) -> Vec<Declaration> {
    let given = if variables::is_schema(declared) {
        declared.to_vec()
    } else {
        variables::keep_types(declared, current)
    };
    variables::sync(body, &given)
}

/// What a push does to one prompt.
#[derive(Clone, Debug)]
pub enum Action {
    Create,
    /// The fields that differ.
    Update(Vec<&'static str>),
}

/// One step of a plan.
#[derive(Clone, Debug)]
pub struct Step {
    pub path: PathBuf,
    pub file: PromptFile,
    /// The prompt's id when it exists.
    pub prompt_id: Option<String>,
    pub action: Action,
    /// What the server holds (updates), to show the differences.
    pub server: Option<Box<CatalogEntry>>,
}

/// Most lines of a body's diff shown for one prompt.
const DIFF_LINES: usize = 60;

impl Step {
    /// The differences, field by field, for people (`-` the server, `+` the file).
    pub fn details(&self) -> Vec<String> {
        let (Action::Update(fields), Some(server)) = (&self.action, &self.server) else {
            return Vec::new();
        };
        let f = &self.file;
        let mut out = Vec::new();
        let mut pair = |what: &str, old: String, new: String| {
            out.push(format!("    {what}: - {old}"));
            out.push(format!("    {what}: + {new}"));
        };
        for field in fields {
            match *field {
                "title" => pair(
                    "title",
                    format!("{:?}", server.title),
                    format!("{:?}", f.title),
                ),
                "notes" => pair(
                    "notes",
                    format!("{:?}", server.notes),
                    format!("{:?}", f.notes),
                ),
                "model_hints" => pair(
                    "model_hints",
                    format!("{:?}", server.model_hints),
                    format!("{:?}", f.model_hints),
                ),
                "tags" => pair(
                    "tags",
                    format!("{:?}", server.tags),
                    format!("{:?}", f.tags),
                ),
                "visibility" => pair(
                    "visibility",
                    server.visibility.to_string(),
                    f.visibility.clone().unwrap_or_default(),
                ),
                "variables" => pair(
                    "variables",
                    serde_json::to_string(&server.variables).unwrap_or_default(),
                    serde_json::to_string(&f.variables).unwrap_or_default(),
                ),
                "kind" => pair(
                    "kind",
                    server.kind.as_str().to_string(),
                    f.kind.as_str().to_string(),
                ),
                "config" => pair(
                    "config",
                    server.config.to_string(),
                    f.config.clone().unwrap_or_else(|| "null".into()),
                ),
                _ => {}
            }
        }
        if fields.contains(&"body") {
            out.extend(body_diff(&server.body, &f.body));
        }
        out
    }
}

/// A unified diff of two bodies (server first), at most [`DIFF_LINES`] lines.
fn body_diff(server: &str, file: &str) -> Vec<String> {
    if server.replace("\r\n", "\n") == file.replace("\r\n", "\n") {
        return vec!["    body: only the line ends (CRLF / LF) differ".into()];
    }
    let diff = similar::TextDiff::from_lines(server, file);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("server", "file")
        .to_string();
    let mut lines: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
    if lines.len() > DIFF_LINES {
        let more = lines.len() - DIFF_LINES;
        lines.truncate(DIFF_LINES);
        lines.push(format!("    … {more} more line(s)"));
    }
    lines
}

/// Everything that differs between a folder and the server.
#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Prompts of the catalogue no file stands for (`namespace/name`).
    pub only_on_server: Vec<String>,
    /// Files that could not be read or compared, with why.
    pub errors: Vec<(PathBuf, String)>,
    /// Files equal to their prompt.
    pub unchanged: usize,
}

impl Plan {
    /// Whether the folder and the server hold the same prompts.
    pub fn in_step(&self) -> bool {
        self.steps.is_empty() && self.only_on_server.is_empty() && self.errors.is_empty()
    }

    /// One line per difference, for people.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.steps {
            let full = format!("{}/{}", s.file.namespace, s.file.name);
            match &s.action {
                Action::Create => out.push(format!("create  {full}  ({})", s.path.display())),
                Action::Update(fields) => {
                    out.push(format!("update  {full}: {}", fields.join(", ")))
                }
            }
            out.extend(s.details());
        }
        for n in &self.only_on_server {
            out.push(format!("server  {n}: no file (kept)"));
        }
        for (p, e) in &self.errors {
            out.push(format!("error   {}: {e}", p.display()));
        }
        out
    }
}

/// Compares the files found under a folder with the catalogue.
pub fn plan(found: Vec<Found>, catalog: &[CatalogEntry]) -> Plan {
    let by_name: HashMap<(&str, &str), &CatalogEntry> = catalog
        .iter()
        .map(|e| ((e.namespace.as_str(), e.name.as_str()), e))
        .collect();
    let mut seen: std::collections::HashSet<(String, String)> = Default::default();
    let mut plan = Plan::default();
    for f in found {
        let file = match f.file {
            Ok(file) => file,
            Err(e) => {
                plan.errors.push((f.path, e));
                continue;
            }
        };
        seen.insert((file.namespace.clone(), file.name.clone()));
        match by_name.get(&(file.namespace.as_str(), file.name.as_str())) {
            None => {
                if let Some(v) = &file.visibility
                    && let Err(e) = visibility(v)
                {
                    plan.errors.push((f.path, e));
                    continue;
                }
                plan.steps.push(Step {
                    path: f.path,
                    file,
                    prompt_id: None,
                    action: Action::Create,
                    server: None,
                });
            }
            Some(entry) => match differences(&file, entry) {
                Err(e) => plan.errors.push((f.path, e)),
                Ok(d) if d.is_empty() => plan.unchanged += 1,
                Ok(d) => plan.steps.push(Step {
                    path: f.path,
                    prompt_id: Some(entry.prompt_id.clone()),
                    server: Some(Box::new((*entry).clone())),
                    file,
                    action: Action::Update(d),
                }),
            },
        }
    }
    let mut missing: Vec<String> = catalog
        .iter()
        .filter(|e| !seen.contains(&(e.namespace.clone(), e.name.clone())))
        .map(|e| format!("{}/{}", e.namespace, e.name))
        .collect();
    missing.sort();
    plan.only_on_server = missing;
    plan
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamespaceRef {
    name: String,
    #[serde(default)]
    team_id: Option<String>,
    is_current: bool,
}

#[derive(Deserialize)]
struct VersionRef {
    version: i32,
}

#[derive(Deserialize)]
struct Saved {
    id: String,
    #[serde(default)]
    versions: Vec<VersionRef>,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    /// `namespace/name` → (label, version) moved by `--label`.
    pub labelled: Vec<(String, String, i32)>,
    pub errors: Vec<(PathBuf, String)>,
}

const MESSAGE: &str = "Pushed from files";

/// Carries out a plan: creates and updates prompts, then (with `label`) points `label` at the
/// newest version of every prompt created or changed. Errors are collected per file.
pub async fn apply(client: &Client, plan: &Plan, label: Option<&str>) -> Pushed {
    let mut out = Pushed::default();
    let mut teams: Option<BTreeMap<String, Option<String>>> = None;
    for s in &plan.steps {
        let full = format!("{}/{}", s.file.namespace, s.file.name);
        let saved = match (&s.action, &s.prompt_id) {
            (Action::Update(fields), Some(id)) => {
                let body = update_body(&s.file, fields);
                client
                    .json::<Saved>(Method::PUT, &format!("/api/prompts/{id}"), Some(&body))
                    .await
            }
            _ => {
                if teams.is_none() {
                    match namespaces(client).await {
                        Ok(t) => teams = Some(t),
                        Err(e) => {
                            out.errors.push((s.path.clone(), e.to_string()));
                            continue;
                        }
                    }
                }
                let Some(team) = teams.as_ref().and_then(|t| t.get(&s.file.namespace)) else {
                    out.errors.push((
                        s.path.clone(),
                        format!(
                            "{:?} is not one of your namespaces (your handle or one of your teams)",
                            s.file.namespace
                        ),
                    ));
                    continue;
                };
                let body = create_body(&s.file, team.as_deref());
                client
                    .json::<Saved>(Method::POST, "/api/prompts", Some(&body))
                    .await
            }
        };
        let saved = match saved {
            Ok(p) => p,
            Err(e) => {
                out.errors.push((s.path.clone(), e.to_string()));
                continue;
            }
        };
        match s.action {
            Action::Create => out.created.push(full.clone()),
            Action::Update(_) => out.updated.push(full.clone()),
        }
        if let Some(l) = label {
            let newest = saved.versions.iter().map(|v| v.version).max().unwrap_or(1);
            let moved: Result<Value, _> = client
                .json(
                    Method::PUT,
                    &format!(
                        "/api/prompts/{}/labels/{}",
                        saved.id,
                        super::http::encode(l)
                    ),
                    Some(&json!({ "version": newest })),
                )
                .await;
            match moved {
                Ok(_) => out.labelled.push((full, l.to_string(), newest)),
                Err(e) => out.errors.push((s.path.clone(), format!("label {l}: {e}"))),
            }
        }
    }
    out
}

/// The caller's current namespaces: name → team id (`None`: their own handle).
async fn namespaces(client: &Client) -> Result<BTreeMap<String, Option<String>>, ClientError> {
    let list: Vec<NamespaceRef> = client.json(Method::GET, "/api/namespaces", None).await?;
    Ok(list
        .into_iter()
        .filter(|n| n.is_current)
        .map(|n| (n.name, n.team_id))
        .collect())
}

fn create_body(f: &PromptFile, team: Option<&str>) -> Value {
    let default_visibility = if team.is_some() { "TEAM" } else { "PRIVATE" };
    json!({
        "name": f.name,
        "title": f.title,
        "kind": f.kind,
        "body": f.body,
        "config": config_json(f),
        "notes": f.notes,
        "modelHints": f.model_hints,
        "variables": f.variables,
        "tags": f.tags,
        "visibility": f.visibility.as_deref().unwrap_or(default_visibility),
        "teamId": team,
        "message": MESSAGE,
    })
}

fn update_body(f: &PromptFile, fields: &[&str]) -> Value {
    let mut body = serde_json::Map::new();
    for field in fields {
        let (k, v) = match *field {
            "title" => ("title", json!(f.title)),
            "body" => ("body", json!(f.body)),
            "notes" => ("notes", json!(f.notes)),
            "model_hints" => ("modelHints", json!(f.model_hints)),
            "tags" => ("tags", json!(f.tags)),
            "config" => ("config", config_json(f)),
            "visibility" => ("visibility", json!(f.visibility)),
            _ => continue,
        };
        body.insert(k.into(), v);
    }
    // The body and the variables travel together: the server keeps them in step.
    // A chat body is read as the messages' plain text form: the kind goes with it.
    if fields
        .iter()
        .any(|f| matches!(*f, "variables" | "body" | "kind"))
    {
        body.insert("variables".into(), json!(f.variables));
        body.insert("body".into(), json!(f.body));
        body.insert("kind".into(), json!(f.kind));
    }
    body.insert("message".into(), json!(MESSAGE));
    Value::Object(body)
}

/// The file's config as the API takes it (`null`: none).
fn config_json(f: &PromptFile) -> Value {
    crate::prompts::chat::config_value(f.config.as_deref())
}

/// Writes the files of a catalogue under `dir`; a file whose text is already that is not
/// touched. Returns the paths of the prompts' files and how many were written.
pub fn write_all(dir: &Path, catalog: &[CatalogEntry]) -> std::io::Result<(Vec<PathBuf>, usize)> {
    let mut paths = Vec::with_capacity(catalog.len());
    let mut written = 0;
    for e in catalog {
        // The server's names are checked again: a file is never written outside `dir`.
        super::files::check_place(&e.namespace, &e.name)
            .map_err(|p| std::io::Error::new(std::io::ErrorKind::InvalidData, p))?;
        let f = PromptFile::from_entry(e);
        let path = f.path_in(dir);
        let text = f.to_text();
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, text)?;
            written += 1;
        }
        paths.push(path);
    }
    Ok((paths, written))
}
