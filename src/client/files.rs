//! Prompts as files: one Markdown file per prompt at `DIR/<namespace>/<name>.md` (a name's
//! folders become directories), a TOML header between two `+++` lines, then the body.
//!
//! ```text
//! +++
//! namespace = "team-a"
//! name = "support/reply"
//! title = "Reply to a customer"
//! visibility = "TEAM"
//! tags = ["email", "support"]
//! model_hints = "gpt-4o, temperature 0.2"
//! version = 3
//!
//! [labels]
//! "production" = 2
//!
//! [[variables]]
//! name = "customer"
//! type = "string"
//! required = true
//! +++
//! Dear {{customer}}, …
//! ```
//!
//! - The body is every byte after the line that closes the header, exactly: leading and
//!   trailing whitespace, CRLF line ends, `---` or `+++` lines, `{{vars}}`. A final line break
//!   is part of the body when present (an editor that adds one changes the prompt).
//! - The closing `+++` is the first such line after which the header reads as TOML, so a `+++`
//!   line inside a multi-line string of the header cannot end it early.
//! - `namespace` and `name` may be left out (the file's place says them); when given they must
//!   agree with it. `version` is the newest version when pulled, for the reader: push ignores it.
//! - `labels` maps a label to a version number (`latest` is implicit): push moves labels that
//!   differ. `notes` and `model_hints` are left out when empty.
//! - A chat prompt says `kind = "chat"` (left out: text) and its body is the messages' plain
//!   text form (`## system`, `## user`, `## assistant` lines, see [`crate::prompts::chat`]).
//! - `config` is the version's config object as a TOML inline table
//!   (`config = { model = "gpt-4o", temperature = 0.2 }`); a config TOML cannot say (a `null`,
//!   an integer beyond 64-bit) is written as its JSON text in a string. Left out: none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::prompts::chat::Kind;
use crate::prompts::variables::Declaration;
use crate::registry::catalog::CatalogEntry;

/// A prompt as a file says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptFile {
    pub namespace: String,
    pub name: String,
    pub title: String,
    /// `None`: not said (a new prompt gets the default, an existing one keeps its own).
    pub visibility: Option<String>,
    pub tags: Vec<String>,
    pub model_hints: Option<String>,
    pub notes: Option<String>,
    pub version: Option<i32>,
    pub labels: BTreeMap<String, i32>,
    pub variables: Vec<Declaration>,
    /// `text` (the default) or `chat` (then `body` is the messages' plain text form).
    pub kind: Kind,
    /// The config as the server stores it (compact JSON, keys sorted); `None`: none.
    pub config: Option<String>,
    pub body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    namespace: Option<String>,
    name: Option<String>,
    title: String,
    visibility: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    model_hints: Option<String>,
    notes: Option<String>,
    version: Option<i32>,
    #[serde(default)]
    labels: BTreeMap<String, i32>,
    #[serde(default)]
    variables: Vec<Declaration>,
    kind: Option<String>,
    config: Option<toml::Value>,
}

impl PromptFile {
    /// The file of a catalogue entry.
    pub fn from_entry(e: &CatalogEntry) -> PromptFile {
        PromptFile {
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            title: e.title.clone(),
            visibility: Some(e.visibility.as_str().to_string()),
            tags: e.tags.clone(),
            model_hints: e.model_hints.clone().filter(|h| !h.is_empty()),
            notes: e.notes.clone().filter(|n| !n.is_empty()),
            version: Some(e.version),
            labels: e.labels.clone(),
            variables: e.variables.clone(),
            kind: e.kind,
            config: crate::prompts::chat::check_config(&Some(e.config.clone()))
                .ok()
                .flatten(),
            body: e.body.clone(),
        }
    }

    /// Where the file lives under `dir`.
    pub fn path_in(&self, dir: &Path) -> PathBuf {
        let mut p = dir.join(&self.namespace);
        let mut parts: Vec<&str> = self.name.split('/').collect();
        let last = parts.pop().unwrap_or_default();
        for part in parts {
            p.push(part);
        }
        p.push(format!("{last}.md"));
        p
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut h = String::from("+++\n");
        let mut line = |k: &str, v: String| h.push_str(&format!("{k} = {v}\n"));
        line("namespace", quote(&self.namespace));
        line("name", quote(&self.name));
        line("title", quote(&self.title));
        if let Some(v) = &self.visibility {
            line("visibility", quote(v));
        }
        line("tags", list(&self.tags));
        if self.kind != Kind::Text {
            line("kind", quote(self.kind.as_str()));
        }
        if let Some(m) = &self.model_hints {
            line("model_hints", quote(m));
        }
        if let Some(n) = &self.notes {
            line("notes", quote(n));
        }
        if let Some(v) = self.version {
            line("version", v.to_string());
        }
        if let Some(c) = &self.config {
            line("config", config_to_toml(c));
        }
        if !self.labels.is_empty() {
            h.push_str("\n[labels]\n");
            for (l, v) in &self.labels {
                h.push_str(&format!("{} = {v}\n", quote(l)));
            }
        }
        for d in &self.variables {
            h.push_str("\n[[variables]]\n");
            h.push_str(&format!("name = {}\n", quote(&d.name)));
            if let Some(k) = d.kind {
                let k = serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                h.push_str(&format!("type = {}\n", quote(&k)));
            }
            if let Some(r) = d.required {
                h.push_str(&format!("required = {r}\n"));
            }
            if let Some(v) = &d.default {
                h.push_str(&format!("default = {}\n", quote(v)));
            }
            if let Some(v) = &d.values {
                h.push_str(&format!("values = {}\n", list(v)));
            }
            if let Some(v) = &d.description {
                h.push_str(&format!("description = {}\n", quote(v)));
            }
        }
        h.push_str("+++\n");
        h.push_str(&self.body);
        h
    }

    /// Reads a file's text; `namespace` and `name` are what its place under the folder says.
    pub fn parse(namespace: &str, name: &str, text: &str) -> Result<PromptFile, String> {
        let first_end = text
            .find('\n')
            .ok_or("no header: the file must start with a +++ line")?;
        if text[..first_end].trim_end_matches('\r') != "+++" {
            return Err("no header: the file must start with a +++ line".into());
        }
        let rest = &text[first_end + 1..];
        let mut at = 0;
        let mut last_error = None;
        while at <= rest.len() {
            let line_end = rest[at..].find('\n').map(|i| at + i);
            let line = &rest[at..line_end.unwrap_or(rest.len())];
            if line.trim_end_matches('\r') == "+++" {
                let body_start = line_end.map_or(rest.len(), |e| e + 1);
                match toml::from_str::<Header>(&rest[..at]) {
                    Ok(h) => return header_to_file(h, namespace, name, &rest[body_start..]),
                    Err(e) => last_error = Some(e.to_string()),
                }
            }
            match line_end {
                Some(e) => at = e + 1,
                None => break,
            }
        }
        Err(match last_error {
            Some(e) => format!("the header is not valid TOML: {}", e.trim()),
            None => "the header has no closing +++ line".into(),
        })
    }
}

fn header_to_file(
    h: Header,
    namespace: &str,
    name: &str,
    body: &str,
) -> Result<PromptFile, String> {
    if let Some(ns) = &h.namespace
        && ns != namespace
    {
        return Err(format!(
            "the header says namespace {ns:?} but the file is in the folder {namespace:?}"
        ));
    }
    if let Some(n) = &h.name
        && n != name
    {
        return Err(format!(
            "the header says name {n:?} but the file's place says {name:?}"
        ));
    }
    let kind = match h.kind.as_deref() {
        None => Kind::Text,
        Some(k) => Kind::parse(k).map_err(|p| format!("kind {p}"))?,
    };
    let config = match h.config {
        None => None,
        Some(v) => config_from_toml(v)?,
    };
    if kind == Kind::Chat {
        crate::prompts::chat::parse_text(body)?;
    }
    Ok(PromptFile {
        kind,
        config,
        namespace: namespace.to_string(),
        name: name.to_string(),
        title: h.title,
        visibility: h.visibility,
        tags: h.tags,
        model_hints: h.model_hints.filter(|m| !m.is_empty()),
        notes: h.notes.filter(|n| !n.is_empty()),
        version: h.version,
        labels: h.labels,
        variables: h.variables,
        body: body.to_string(),
    })
}

/// A stored config (JSON text) as a TOML value: an inline table when TOML can say every value
/// of it, else its JSON text as a string.
fn config_to_toml(json_text: &str) -> String {
    use serde_json::Value;
    fn inline(v: &Value, out: &mut String) -> bool {
        match v {
            Value::Null => return false,
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                if n.is_u64() && n.as_i64().is_none() {
                    return false;
                }
                out.push_str(&n.to_string());
            }
            Value::String(s) => out.push_str(&quote(s)),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if !inline(item, out) {
                        return false;
                    }
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { " " });
                    let bare = !k.is_empty()
                        && k.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                    if bare {
                        out.push_str(k);
                    } else {
                        out.push_str(&quote(k));
                    }
                    out.push_str(" = ");
                    if !inline(item, out) {
                        return false;
                    }
                }
                out.push_str(if map.is_empty() { "}" } else { " }" });
            }
        }
        true
    }
    let mut out = String::new();
    match serde_json::from_str::<Value>(json_text) {
        Ok(v) if inline(&v, &mut out) => out,
        _ => quote(json_text),
    }
}

/// The header's `config` as the server stores it: an inline table (or table), or a string
/// holding a JSON object.
fn config_from_toml(v: toml::Value) -> Result<Option<String>, String> {
    use serde_json::Value;
    fn json(v: toml::Value) -> Result<Value, String> {
        Ok(match v {
            toml::Value::String(s) => Value::String(s),
            toml::Value::Integer(i) => Value::from(i),
            toml::Value::Float(f) => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or("config: a number must be finite")?,
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => Value::String(d.to_string()),
            toml::Value::Array(items) => {
                Value::Array(items.into_iter().map(json).collect::<Result<_, _>>()?)
            }
            toml::Value::Table(t) => Value::Object(
                t.into_iter()
                    .map(|(k, v)| json(v).map(|v| (k, v)))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
    let value = match v {
        toml::Value::String(s) => serde_json::from_str::<Value>(&s)
            .map_err(|e| format!("config: the string is not JSON: {e}"))?,
        other => json(other)?,
    };
    crate::prompts::chat::check_config(&Some(value)).map_err(|p| format!("config {p}"))
}

/// A TOML basic string: every character that must be escaped is, the rest as is.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A prompt file found under a folder: its place and its text, or why it could not be read.
pub struct Found {
    pub path: PathBuf,
    pub file: Result<PromptFile, String>,
}

/// Every `*.md` file under `dir/<namespace>/` (hidden entries skipped; files directly in `dir`,
/// such as a README, are not prompts). Sorted by path.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    let mut namespaces: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    namespaces.sort_by_key(|e| e.file_name());
    for ns in namespaces {
        let ns_name = ns.file_name().to_string_lossy().into_owned();
        if ns_name.starts_with('.') || !ns.file_type()?.is_dir() {
            continue;
        }
        walk(&ns.path(), &ns_name, "", &mut out)?;
    }
    Ok(out)
}

fn walk(dir: &Path, namespace: &str, prefix: &str, out: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let fname = e.file_name().to_string_lossy().into_owned();
        if fname.starts_with('.') {
            continue;
        }
        let path = e.path();
        if e.file_type()?.is_dir() {
            walk(&path, namespace, &format!("{prefix}{fname}/"), out)?;
            continue;
        }
        let Some(stem) = fname.strip_suffix(".md") else {
            continue;
        };
        let name = format!("{prefix}{stem}");
        let file = check_place(namespace, &name).and_then(|()| {
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            PromptFile::parse(namespace, &name, &text)
        });
        out.push(Found { path, file });
    }
    Ok(())
}

/// Whether a namespace and a name are ones the server could have given (so they make a path
/// inside the folder: no `..`, no absolute parts).
pub(super) fn check_place(namespace: &str, name: &str) -> Result<(), String> {
    crate::registry::names::parse_namespace(namespace)
        .map_err(|p| format!("the folder {namespace:?} is not a namespace: it {p}"))?;
    crate::registry::names::parse_prompt_name(name)
        .map_err(|p| format!("{name:?} is not a prompt name: it {p}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(body: &str) -> PromptFile {
        PromptFile {
            namespace: "team-a".into(),
            name: "support/reply".into(),
            title: "Reply \"quoted\" \\ tab\t".into(),
            visibility: Some("TEAM".into()),
            tags: vec!["Café".into(), "a\"b".into()],
            model_hints: Some("gpt\n+++\n".into()),
            notes: Some("line 1\r\n+++\n'''\"\"\"\u{7f}\u{1}".into()),
            version: Some(3),
            labels: BTreeMap::from([("production".into(), 2), ("v1.2".into(), 1)]),
            variables: vec![Declaration {
                name: "x".into(),
                default: Some("d\n".into()),
                values: Some(vec!["a".into()]),
                ..Declaration::default()
            }],
            kind: Kind::Text,
            config: None,
            body: body.into(),
        }
    }

    #[test]
    fn chat_files_and_configs_round_trip() {
        use crate::prompts::chat::{Message, Role, to_text};
        let configs = [
            None,
            Some(r#"{}"#),
            Some(r#"{"model":"gpt-4o","temperature":0.2}"#),
            Some(r#"{"a b":{"c":[1,2.5,"x\n\"y\""],"d":true},"max_tokens":100000,"t":1e+100}"#),
            Some(r#"{"stop":null}"#),
            Some(r#"{"big":18446744073709551615}"#),
            Some(r#"{"nested":[{"k":[]}],"é":"🙂"}"#),
        ];
        for config in configs {
            let mut f = sample("");
            f.kind = Kind::Chat;
            f.config = config.map(str::to_string);
            f.body = to_text(&[
                Message {
                    role: Role::System,
                    content: "## user\n\\## user\n+++\n".into(),
                },
                Message {
                    role: Role::User,
                    content: String::new(),
                },
            ]);
            let text = f.to_text();
            let back = PromptFile::parse("team-a", "support/reply", &text).expect("parses");
            assert_eq!(back, f, "{text}");
        }
        let e = PromptFile::parse(
            "a",
            "b",
            "+++\ntitle = \"x\"\nkind = \"chat\"\n+++\nno header",
        )
        .expect_err("refused");
        assert!(e.contains("## user"), "{e}");
        let e = PromptFile::parse("a", "b", "+++\ntitle = \"x\"\nconfig = [1]\n+++\nx")
            .expect_err("refused");
        assert!(e.contains("config"), "{e}");
        let e = PromptFile::parse("a", "b", "+++\ntitle = \"x\"\nkind = \"voice\"\n+++\nx")
            .expect_err("refused");
        assert!(e.contains("kind"), "{e}");
    }

    #[test]
    fn round_trips_exactly() {
        for body in [
            "plain",
            "",
            "\n\n  lead\r\ntrail  \n\n",
            "---\ntitle: x\n---\n+++\n+++\r\n{{x}} \\{{y}}",
            "ünï 😀 \u{feff}\t",
            "+++",
            "no newline at end",
        ] {
            let f = sample(body);
            let text = f.to_text();
            let back = PromptFile::parse("team-a", "support/reply", &text).expect("parses");
            assert_eq!(back, f, "{text}");
        }
    }

    #[test]
    fn the_place_and_the_header_must_agree() {
        let text = sample("b").to_text();
        assert!(
            PromptFile::parse("team-b", "support/reply", &text)
                .expect_err("refused")
                .contains("namespace")
        );
        assert!(
            PromptFile::parse("team-a", "other", &text)
                .expect_err("refused")
                .contains("name")
        );
        assert!(PromptFile::parse("a", "b", "no header").is_err());
        assert!(
            PromptFile::parse("a", "b", "+++\ntitle = \"x\"\n")
                .expect_err("refused")
                .contains("closing")
        );
        let e = PromptFile::parse("a", "b", "+++\ntitle = \"x\"\ncolour = 1\n+++\nbody")
            .expect_err("refused");
        assert!(e.contains("colour"), "{e}");
        let f =
            PromptFile::parse("a", "b/c", "+++\r\ntitle = \"x\"\r\n+++\r\nbody\r\n").expect("ok");
        assert_eq!((f.body.as_str(), f.namespace.as_str()), ("body\r\n", "a"));
        assert_eq!(
            f.path_in(Path::new("/d")),
            Path::new("/d").join("a").join("b").join("c.md")
        );
    }
}
