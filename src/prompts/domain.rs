//! Validated prompt input: titles, bodies, visibility, tags and the create/update payloads.

use serde::{Deserialize, Deserializer};

use super::variables::{self, Declaration};
use crate::error::{Error, Problems, Result};

pub const MAX_TITLE_CHARS: usize = 200;
/// Largest body: 1 MiB of UTF-8.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_NOTES_BYTES: usize = 1024 * 1024;
pub const MAX_MODEL_HINTS_CHARS: usize = 2000;
pub const MAX_MESSAGE_CHARS: usize = 500;
pub const MAX_TAG_CHARS: usize = 50;
pub const MAX_TAGS: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Private,
    Team,
    Public,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "PRIVATE",
            Visibility::Team => "TEAM",
            Visibility::Public => "PUBLIC",
        }
    }

    pub fn parse(raw: &str) -> std::result::Result<Visibility, String> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "PRIVATE" => Ok(Visibility::Private),
            "TEAM" => Ok(Visibility::Team),
            "PUBLIC" => Ok(Visibility::Public),
            _ => Err("must be PRIVATE, TEAM or PUBLIC".into()),
        }
    }
}

pub fn parse_title(raw: &str) -> std::result::Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("is required".into());
    }
    if t.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("must be at most {MAX_TITLE_CHARS} characters"));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters or line breaks".into());
    }
    Ok(t.to_string())
}

pub fn parse_body(raw: &str) -> std::result::Result<String, String> {
    if raw.trim().is_empty() {
        return Err("is required".into());
    }
    if raw.len() > MAX_BODY_BYTES {
        return Err(format!("must be at most {MAX_BODY_BYTES} bytes (1 MiB)"));
    }
    if raw.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(raw.to_string())
}

/// A tag name: trimmed, 1–50 characters, no control characters.
pub fn parse_tag(raw: &str) -> std::result::Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("tag names must not be empty".into());
    }
    if t.chars().count() > MAX_TAG_CHARS {
        return Err(format!(
            "tag names must be at most {MAX_TAG_CHARS} characters"
        ));
    }
    if t.chars().any(char::is_control) {
        return Err("tag names must not contain control characters".into());
    }
    Ok(t.to_string())
}

/// Tag names trimmed and checked, duplicates (ignoring case) merged, first spelling kept.
pub fn parse_tags(raw: &[String]) -> std::result::Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let t = parse_tag(r)?;
        if !out
            .iter()
            .any(|o| crate::text::fold(o) == crate::text::fold(&t))
        {
            out.push(t);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    Ok(out)
}

fn parse_optional_text(
    v: Option<&serde_json::Value>,
    max_bytes: usize,
) -> std::result::Result<Option<String>, String> {
    let text = match v {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.len() > max_bytes {
        return Err(format!("must be at most {max_bytes} bytes"));
    }
    if text.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(if text.is_empty() { None } else { Some(text) })
}

/// Deserialises a present field as `Some(value)` (so `null` is `Some(None)`, absent is `None`).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The fields of `POST /api/prompts` and `PUT /api/prompts/:id` (absent fields are kept on
/// update).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromptInput {
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub variables: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    pub notes: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    pub model_hints: Option<serde_json::Value>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub team_id: Option<Option<String>>,
    /// Change note recorded on the new version.
    pub message: Option<String>,
}

/// The versioned content of a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub notes: Option<String>,
    pub model_hints: Option<String>,
    /// Declarations kept in sync with the body.
    pub variables: Vec<Declaration>,
}

impl Content {
    pub fn variables_text(&self) -> String {
        variables::to_text(&self.variables)
    }
}

/// What an input changes, validated. `None` = keep the current value.
#[derive(Debug, Default)]
pub struct Changes {
    pub title: Option<String>,
    pub body: Option<String>,
    pub notes: Option<Option<String>>,
    pub model_hints: Option<Option<String>>,
    pub variables: Option<Vec<Declaration>>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<Visibility>,
    pub team_id: Option<Option<String>>,
    pub message: Option<String>,
}

impl PromptInput {
    /// Validates every present field; `create` also requires title and body.
    pub fn validate(&self, create: bool) -> Result<Changes> {
        let mut p = Problems::default();
        let mut c = Changes::default();
        match &self.title {
            Some(t) => c.title = p.check("title", parse_title(t)),
            None if create => p.add("title", "is required"),
            None => {}
        }
        match &self.body {
            Some(b) => c.body = p.check("body", parse_body(b)),
            None if create => p.add("body", "is required"),
            None => {}
        }
        if let Some(v) = &self.notes {
            c.notes = p.check("notes", parse_optional_text(Some(v), MAX_NOTES_BYTES));
        }
        if let Some(v) = &self.model_hints {
            let hints = parse_optional_text(Some(v), MAX_MODEL_HINTS_CHARS * 4).and_then(|h| {
                if h.as_ref()
                    .is_some_and(|h| h.chars().count() > MAX_MODEL_HINTS_CHARS)
                {
                    Err(format!(
                        "must be at most {MAX_MODEL_HINTS_CHARS} characters"
                    ))
                } else {
                    Ok(h)
                }
            });
            c.model_hints = p.check("modelHints", hints);
        }
        if let Some(v) = &self.variables {
            c.variables = p.check("variables", variables::parse_declarations(v));
        }
        if let Some(t) = &self.tags {
            c.tags = p.check("tags", parse_tags(t));
        }
        if let Some(v) = &self.visibility {
            c.visibility = p.check("visibility", Visibility::parse(v));
        }
        if let Some(t) = &self.team_id {
            c.team_id = Some(t.clone().filter(|t| !t.trim().is_empty()));
        }
        if let Some(m) = &self.message {
            let m = m.trim();
            if m.contains('\0') {
                p.add("message", "must not contain NUL characters");
            } else if m.chars().count() > MAX_MESSAGE_CHARS {
                p.add(
                    "message",
                    format!("must be at most {MAX_MESSAGE_CHARS} characters"),
                );
            } else if !m.is_empty() {
                c.message = Some(m.to_string());
            }
        }
        p.finish()?;
        Ok(c)
    }
}

/// Validation failure naming one field.
pub fn bad(field: &str, problem: impl Into<String>) -> Error {
    Error::invalid_field(field, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_bodies() {
        assert!(parse_title("  ").is_err());
        assert_eq!(parse_title(" Hi ").as_deref(), Ok("Hi"));
        assert!(parse_title(&"x".repeat(201)).is_err());
        assert!(parse_title(&"é".repeat(200)).is_ok());
        assert!(parse_body(&"x".repeat(MAX_BODY_BYTES + 1)).is_err());
        assert!(parse_body("x").is_ok());
    }

    #[test]
    fn tags_are_trimmed_and_merged() {
        let t = parse_tags(&[" AI ".into(), "ai".into(), "Writing".into()]).expect("valid");
        assert_eq!(t, vec!["AI", "Writing"]);
        assert!(parse_tags(&["x".repeat(51)]).is_err());
        assert!(parse_tags(&["  ".into()]).is_err());
    }

    #[test]
    fn null_and_absent_differ() {
        let i: PromptInput = serde_json::from_str(r#"{"notes": null}"#).expect("json");
        assert_eq!(i.notes, Some(serde_json::Value::Null));
        let i: PromptInput = serde_json::from_str("{}").expect("json");
        assert!(i.notes.is_none());
        assert!(
            PromptInput {
                visibility: Some("SECRET".into()),
                ..Default::default()
            }
            .validate(false)
            .is_err()
        );
    }
}
