//! Reading an import file into validated items: our JSON export, the 1.x export (tags as join
//! objects), the simple `[{title, body, tags: [names]}]`, or CSV with `act,prompt` columns.
//! Any bad item rejects the whole file with a message naming the item and the field.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::csv;
use crate::error::Problems;
use crate::error::{Error, FieldErrors};
use crate::prompts::chat::{self, Kind};
use crate::prompts::domain::{self, NewPrompt, PromptFields};
use crate::prompts::variables;

#[derive(Clone, Debug)]
pub struct ItemVersion {
    pub title: String,
    pub body: String,
    pub notes: Option<String>,
    pub model_hints: Option<String>,
    pub variables: Option<String>,
    pub message: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub kind: Kind,
    /// A chat version's messages as stored (JSON text); `body` is their plain text form.
    pub messages: Option<String>,
    /// The config as stored (compact JSON).
    pub config: Option<String>,
}

/// An item's (or version's) kind and messages: `kind` as given, else chat when `messages` is
/// an array. Problems are keyed by the file's field (`prefix` + `messages.N.role`, …).
fn kind_and_messages(
    m: &Map<String, Value>,
    err: &dyn Fn(&str, &str) -> Error,
    prefix: &str,
) -> Result<(Option<String>, Option<chat::RawMessages>), Error> {
    let kind = match m.get("kind") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(err(&format!("{prefix}kind"), "must be text or chat")),
    };
    let messages = match m.get("messages") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let mut p = Problems::default();
            let raw = chat::parse_json_messages(v, &mut p);
            if let Err(Error::Invalid { details, .. }) = p.finish()
                && let Some((field, problem)) = details.into_iter().next()
            {
                return Err(err(&format!("{prefix}{field}"), &problem));
            }
            raw
        }
    };
    Ok((kind, messages))
}

#[derive(Clone, Debug)]
pub struct ItemRating {
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub value: i32,
    pub created_at: Option<DateTime<Utc>>,
}

/// One prompt to import.
#[derive(Clone, Debug)]
pub struct Item {
    /// The prompt as the service creates it (checked by the same rules as the API's).
    pub prompt: NewPrompt,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub versions: Vec<ItemVersion>,
    pub ratings: Vec<ItemRating>,
    /// The owner's id in the exporting instance.
    pub source_user_id: Option<String>,
}

fn item_error(label: &str, key: &str, field: &str, problem: &str) -> Error {
    let mut details = FieldErrors::new();
    details.insert(format!("{key}.{field}"), problem.to_string());
    Error::Invalid {
        message: format!("{label}: {field} {problem}; nothing was imported"),
        details,
    }
}

/// The service's field error as an item error naming the file's field (`renames`: service
/// field -> file column).
fn relabel(e: Error, label: &str, key: &str, renames: &[(&str, &str)]) -> Error {
    match &e {
        Error::Invalid { details, .. } => match details.iter().next() {
            Some((field, problem)) => {
                let shown = renames
                    .iter()
                    .find(|(from, _)| from == field)
                    .map_or(field.as_str(), |(_, to)| to);
                item_error(label, key, shown, problem)
            }
            None => e,
        },
        _ => e,
    }
}

/// Reads the upload. `csv_hint` is true when the request said `text/csv`.
pub fn parse(bytes: &[u8], csv_hint: bool) -> Result<Vec<Item>, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::invalid_field("file", "must be UTF-8 text (JSON or CSV)"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(Error::invalid_field("file", "is empty"));
    }
    if text.contains('\0') {
        return Err(Error::invalid_field("file", crate::text::NUL_PROBLEM));
    }
    if !csv_hint && (trimmed.starts_with('[') || trimmed.starts_with('{')) {
        parse_json(trimmed)
    } else {
        parse_csv(text)
    }
}

fn parse_json(text: &str) -> Result<Vec<Item>, Error> {
    crate::text::check_json("file", text.as_bytes())?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid_field("file", format!("is not valid JSON: {e}")))?;
    let items = match value {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("prompts") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(Error::invalid_field(
                    "file",
                    "must be a JSON array of prompts (or an object with a \"prompts\" array)",
                ));
            }
        },
        _ => {
            return Err(Error::invalid_field(
                "file",
                "must be a JSON array of prompts",
            ));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let label = format!(
                "Item {} ({})",
                i + 1,
                v.get("title")
                    .and_then(Value::as_str)
                    .map_or_else(|| "untitled".to_string(), |t| format!("{:?}", truncate(t)))
            );
            let key = format!("items[{i}]");
            match v {
                Value::Object(o) => json_item(o, &label, &key),
                _ => Err(item_error(&label, &key, "item", "must be an object")),
            }
        })
        .collect()
}

fn truncate(t: &str) -> String {
    let mut s: String = t.chars().take(40).collect();
    if t.chars().count() > 40 {
        s.push('…');
    }
    s
}

fn opt_text(o: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.contains('\0') => Err("must not contain NUL characters".into()),
        Some(Value::String(s)) if s.len() > domain::MAX_NOTES_BYTES => {
            Err(format!("must be at most {} bytes", domain::MAX_NOTES_BYTES))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Ok(Some(other.to_string())),
    }
}

const TIME_PROBLEM: &str = "must be an ISO-8601 timestamp between the years 1 and 9999";

fn timestamp(o: &Map<String, Value>, field: &str) -> Result<Option<DateTime<Utc>>, String> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => crate::db::parse_time(s)
            .map(Some)
            .ok_or_else(|| TIME_PROBLEM.to_string()),
        Some(_) => Err(TIME_PROBLEM.into()),
    }
}

fn json_item(o: &Map<String, Value>, label: &str, key: &str) -> Result<Item, Error> {
    let err = |field: &str, problem: &str| item_error(label, key, field, problem);
    let title = match o.get("title").or_else(|| o.get("act")) {
        Some(Value::String(t)) => t.clone(),
        _ => return Err(err("title", "is required")),
    };
    let (kind, messages) = kind_and_messages(o, &err, "")?;
    let chat_item = messages.is_some() || kind.as_deref() == Some("chat");
    let body = match o
        .get("body")
        .or_else(|| o.get("prompt"))
        .or_else(|| o.get("content"))
    {
        // A chat item's body is the plain text form of its messages: the messages decide.
        Some(Value::String(_)) if messages.is_some() => None,
        Some(Value::String(b)) => Some(b.clone()),
        _ if chat_item => None,
        _ => return Err(err("body", "is required")),
    };
    let declared = variables::parse_declarations(o.get("variables").unwrap_or(&Value::Null))
        .map_err(|p| err("variables", &p))?;
    let visibility = match o.get("visibility") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v.clone()),
        Some(_) => return Err(err("visibility", "must be PRIVATE, TEAM or PUBLIC")),
    };
    let tags = match o.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let mut names = Vec::with_capacity(a.len());
            for t in a {
                let name = match t {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(m) => m
                        .get("tag")
                        .and_then(|t| t.get("name"))
                        .or_else(|| m.get("name"))
                        .and_then(Value::as_str),
                    _ => None,
                };
                names.push(
                    name.ok_or_else(|| err("tags", "must be names or {tag: {name}} objects"))?
                        .to_string(),
                );
            }
            names
        }
        Some(_) => return Err(err("tags", "must be an array")),
    };
    let prompt = PromptFields {
        title: Some(title),
        body,
        kind,
        messages,
        config: o.get("config").map(|c| Some(c.clone())),
        notes: o.get("notes").map(domain::json_text),
        model_hints: o.get("modelHints").map(domain::json_text),
        variables: Some(declared),
        tags: Some(tags),
        visibility,
        ..PromptFields::default()
    }
    .into_new()
    .map_err(|e| relabel(e, label, key, &[]))?;
    let created_at = timestamp(o, "createdAt").map_err(|p| err("createdAt", &p))?;
    let updated_at = timestamp(o, "updatedAt").map_err(|p| err("updatedAt", &p))?;
    let mut versions = Vec::new();
    if let Some(Value::Array(vs)) = o.get("versions") {
        for (j, v) in vs.iter().enumerate() {
            let field = |f: &str| format!("versions[{j}].{f}");
            let Value::Object(m) = v else {
                return Err(err(&format!("versions[{j}]"), "must be an object"));
            };
            let number = m
                .get("version")
                .and_then(Value::as_i64)
                .unwrap_or(j as i64 + 1);
            let t = match m.get("title") {
                Some(Value::String(t)) => {
                    domain::parse_title(t).map_err(|p| err(&field("title"), &p))?
                }
                _ => return Err(err(&field("title"), "is required")),
            };
            let prefix = format!("versions[{j}].");
            let (v_kind, v_messages) = kind_and_messages(m, &err, &prefix)?;
            let v_kind = match v_kind.as_deref() {
                Some(k) => Kind::parse(k).map_err(|p| err(&field("kind"), &p))?,
                None if v_messages.is_some() => Kind::Chat,
                None => Kind::Text,
            };
            let (b, v_messages) = match (v_kind, v_messages) {
                (Kind::Chat, raw) => {
                    let raw = match (raw, m.get("body")) {
                        (Some(raw), _) => raw,
                        (None, Some(Value::String(b))) => chat::parse_text(b)
                            .map_err(|p| err(&field("body"), &p))?
                            .into_iter()
                            .map(|m| (m.role.as_str().to_string(), m.content))
                            .collect(),
                        _ => return Err(err(&field("messages"), "is required for chat")),
                    };
                    let mut p = Problems::default();
                    let checked = chat::check_messages(&raw, domain::MAX_BODY_BYTES, &mut p);
                    if let Err(Error::Invalid { details, .. }) = p.finish()
                        && let Some((f, problem)) = details.into_iter().next()
                    {
                        return Err(err(&format!("{prefix}{f}"), &problem));
                    }
                    let checked = checked.unwrap_or_default();
                    (
                        chat::to_text(&checked),
                        Some(chat::messages_to_text(&checked)),
                    )
                }
                (Kind::Text, Some(_)) => {
                    return Err(err(&field("messages"), "only a chat version has messages"));
                }
                (Kind::Text, None) => match m.get("body") {
                    Some(Value::String(b)) => (
                        domain::parse_body(b).map_err(|p| err(&field("body"), &p))?,
                        None,
                    ),
                    _ => return Err(err(&field("body"), "is required")),
                },
            };
            let v_config = chat::check_config(&m.get("config").cloned())
                .map_err(|p| err(&field("config"), &p))?;
            let vars = variables::parse_declarations(m.get("variables").unwrap_or(&Value::Null))
                .map_err(|p| err(&field("variables"), &p))?;
            versions.push((
                number,
                ItemVersion {
                    variables: Some(variables::to_text(&variables::sync(&b, &vars))),
                    title: t,
                    body: b,
                    notes: opt_text(m, "notes").map_err(|p| err(&field("notes"), &p))?,
                    model_hints: opt_text(m, "modelHints")
                        .map_err(|p| err(&field("modelHints"), &p))?,
                    message: opt_text(m, "message").map_err(|p| err(&field("message"), &p))?,
                    created_at: timestamp(m, "createdAt")
                        .map_err(|p| err(&field("createdAt"), &p))?,
                    kind: v_kind,
                    messages: v_messages,
                    config: v_config,
                },
            ));
        }
    }
    versions.sort_by_key(|(n, _)| *n);
    let mut ratings = Vec::new();
    if let Some(Value::Array(rs)) = o.get("ratings") {
        for (j, r) in rs.iter().enumerate() {
            let value = r
                .get("value")
                .map(crate::ratings::parse_value)
                .unwrap_or_else(|| Err("is required".into()))
                .map_err(|p| err(&format!("ratings[{j}].value"), &p))?;
            ratings.push(ItemRating {
                user_id: r.get("userId").and_then(Value::as_str).map(str::to_string),
                user_email: r
                    .get("userEmail")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                value,
                created_at: r
                    .get("createdAt")
                    .and_then(Value::as_str)
                    .and_then(crate::db::parse_time),
            });
        }
    }
    Ok(Item {
        prompt,
        created_at,
        updated_at,
        versions: versions.into_iter().map(|(_, v)| v).collect(),
        ratings,
        source_user_id: o.get("userId").and_then(Value::as_str).map(str::to_string),
    })
}

fn parse_csv(text: &str) -> Result<Vec<Item>, Error> {
    let records = csv::parse(text)
        .map_err(|p| Error::invalid_field("file", format!("is not valid CSV: {p}")))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(Error::invalid_field("file", "is empty"));
    };
    let col = |name: &str| {
        header
            .fields
            .iter()
            .position(|h| h.trim().trim_matches('"').eq_ignore_ascii_case(name))
    };
    let (Some(act), Some(prompt)) = (col("act"), col("prompt")) else {
        return Err(Error::invalid_field(
            "file",
            "CSV needs a header row with \"act\" and \"prompt\" columns",
        ));
    };
    let width = header.fields.len();
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let label = format!("Row {} (line {})", i + 1, r.line);
            let key = format!("rows[{}]", i + 1);
            if r.fields.len() != width {
                return Err(item_error(
                    &label,
                    &key,
                    "columns",
                    &format!("expected {width} fields, found {}", r.fields.len()),
                ));
            }
            let new = PromptFields {
                title: Some(r.fields[act].clone()),
                body: Some(r.fields[prompt].clone()),
                ..PromptFields::default()
            }
            .into_new()
            .map_err(|e| relabel(e, &label, &key, &[("title", "act"), ("body", "prompt")]))?;
            Ok(Item {
                prompt: new,
                created_at: None,
                updated_at: None,
                versions: Vec::new(),
                ratings: Vec::new(),
                source_user_id: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_formats() {
        let ours = br#"[{"title":"A","body":"b","tags":[{"promptId":"p","tagId":"t","tag":{"id":"t","name":"x"}}],"versions":[{"version":2,"title":"A","body":"b"},{"version":1,"title":"A0","body":"b0"}]}]"#;
        let items = parse(ours, false).expect("valid");
        assert_eq!(items[0].prompt.tags.names(), ["x"]);
        assert_eq!(items[0].versions[0].title, "A0");
        let simple = br#"{"prompts":[{"title":"S","body":"b","tags":["a","A"]}]}"#;
        assert_eq!(
            parse(simple, false).expect("valid")[0].prompt.tags.names(),
            ["a"]
        );
        let csv = b"act,prompt,for_devs\n\"Linux Terminal\",\"act as a terminal, please\",TRUE\n";
        let items = parse(csv, false).expect("valid");
        assert_eq!(items[0].prompt.title.as_str(), "Linux Terminal");
        assert_eq!(items[0].prompt.body.as_str(), "act as a terminal, please");
    }

    #[test]
    fn errors_name_item_and_field() {
        let e = parse(
            br#"[{"title":"ok","body":"b"},{"title":"bad","body":"b","visibility":"X"}]"#,
            false,
        )
        .expect_err("bad");
        assert!(
            e.to_string().contains("Item 2 (\"bad\"): visibility"),
            "{e}"
        );
        let e = parse(b"act,prompt\nfine,ok\nbroken\n", false).expect_err("bad");
        assert!(e.to_string().contains("Row 2 (line 3): columns"), "{e}");
        let e = parse(b"act,prompt\n,empty title\n", false).expect_err("bad");
        assert!(e.to_string().contains("act is required"), "{e}");
        assert!(parse(b"title,text\na,b\n", false).is_err());
    }
}
