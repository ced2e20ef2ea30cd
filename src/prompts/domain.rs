//! Validated prompt input: titles, bodies, visibility, tags and the create/update payloads.

use serde::{Deserialize, Deserializer};

use super::chat::{self, Kind, Message, RawMessages};
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

/// Who may read a prompt: the owner, the owner's team(s), or every signed-in user.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
#[schema(rename_all = "UPPERCASE")]
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

crate::text_column!(Visibility);

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// Tag names (trimmed, 1–50 characters; duplicates ignoring case merged).
    pub tags: Option<Vec<String>>,
    /// Case-insensitive; default PRIVATE.
    #[schema(value_type = Option<Visibility>)]
    pub visibility: Option<String>,
    /// One of the owner's teams (for TEAM); null = every team of the owner.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team_id: Option<Option<String>>,
    /// Change note recorded on the new version.
    pub message: Option<String>,
    /// The prompt's name in its namespace (`support/reply`); default: suggested from the
    /// title. A rename keeps the old name as an alias.
    pub name: Option<String>,
    /// `text` (default) or `chat`. Sending `messages` makes a prompt chat.
    #[schema(value_type = Option<Kind>)]
    pub kind: Option<String>,
    /// A chat prompt's messages, in order: `[{role: system|user|assistant, content}]`. For a
    /// chat prompt `body` is their plain text form; when `messages` is absent, a `body` sent
    /// for a chat prompt is read as that form.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Message>>)]
    pub messages: Option<serde_json::Value>,
    /// Model settings of the version (model, temperature, …): a JSON object of at most
    /// 16 KiB, or null to clear.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub config: Option<serde_json::Value>,
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
    pub kind: Kind,
    /// A chat version's messages (`body` is then their plain text form).
    pub messages: Option<Vec<Message>>,
    /// The config as stored (compact JSON, keys sorted).
    pub config: Option<String>,
}

impl Content {
    pub fn variables_text(&self) -> String {
        variables::to_text(&self.variables)
    }
}

/// A checked title: trimmed, 1–200 characters, no control characters or line breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> std::result::Result<Title, String> {
        parse_title(raw).map(Title)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A checked body: not blank, at most 1 MiB, no NUL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body(String);

impl Body {
    pub fn parse(raw: &str) -> std::result::Result<Body, String> {
        parse_body(raw).map(Body)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a version's text is made of, once the kind is known: the body to store and, for a
/// chat version, its messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub kind: Kind,
    pub body: String,
    pub messages: Option<Vec<Message>>,
}

/// Decides a version's kind and text from what was sent and, on update, the current content:
/// - the kind is the one sent, else `chat` when messages were sent, else the current one
///   (`text` for a new prompt);
/// - a chat version takes the messages sent, else reads the body sent as their plain text
///   form, else keeps the current messages (a text prompt turned chat needs one of those);
/// - a text version takes the body sent, else the current body (a chat prompt turned text
///   keeps its plain text form as its body).
pub fn resolve_text(
    kind: Option<Kind>,
    messages: Option<&Vec<Message>>,
    body: Option<&Body>,
    current: Option<&Content>,
) -> Result<Text> {
    let kind = kind
        .or(messages.map(|_| Kind::Chat))
        .or(current.map(|c| c.kind))
        .unwrap_or(Kind::Text);
    match kind {
        Kind::Text => {
            if messages.is_some() {
                return Err(Error::invalid_field(
                    "messages",
                    "only a chat prompt has messages (set kind to chat)",
                ));
            }
            let body = match (body, current) {
                (Some(b), _) => b.as_str().to_string(),
                (None, Some(c)) => c.body.clone(),
                (None, None) => return Err(Error::invalid_field("body", "is required")),
            };
            Ok(Text {
                kind,
                body,
                messages: None,
            })
        }
        Kind::Chat => {
            let messages = match (messages, body, current) {
                (Some(m), _, _) => m.clone(),
                (None, Some(b), _) => {
                    chat::parse_text(b.as_str()).map_err(|e| Error::invalid_field("body", e))?
                }
                (None, None, Some(c)) if c.kind == Kind::Chat => {
                    c.messages.clone().unwrap_or_default()
                }
                _ => {
                    return Err(Error::invalid_field(
                        "messages",
                        "is required for a chat prompt",
                    ));
                }
            };
            let mut p = Problems::default();
            let raw: RawMessages = messages
                .iter()
                .map(|m| (m.role.as_str().to_string(), m.content.clone()))
                .collect();
            let messages = chat::check_messages(&raw, MAX_BODY_BYTES, &mut p);
            p.finish()?;
            let messages = messages.unwrap_or_default();
            Ok(Text {
                kind,
                body: chat::to_text(&messages),
                messages: Some(messages),
            })
        }
    }
}

/// Checked tag names: trimmed, merged ignoring case, at most 50.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagNames(Vec<String>);

impl TagNames {
    pub fn parse(raw: &[String]) -> std::result::Result<TagNames, String> {
        parse_tags(raw).map(TagNames)
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// Proof that the field rules ran: only this module can make one, so no other module can build
/// a [`NewPrompt`] or [`PromptChanges`] by hand.
#[derive(Clone, Copy, Debug, Default)]
struct Checked;

/// A new prompt, valid by construction: only [`PromptFields::into_new`] builds one, so the
/// service cannot receive an invalid prompt.
#[derive(Clone, Debug)]
pub struct NewPrompt {
    pub title: Title,
    /// The text (for chat: the messages' plain text form).
    pub body: Body,
    pub kind: Kind,
    pub messages: Option<Vec<Message>>,
    /// The config as stored (compact JSON).
    pub config: Option<String>,
    pub notes: Option<String>,
    pub model_hints: Option<String>,
    /// As declared; the service keeps them in step with the body.
    pub variables: Vec<Declaration>,
    pub tags: TagNames,
    pub visibility: Visibility,
    pub team_id: Option<String>,
    /// Change note on version 1.
    pub message: Option<String>,
    /// The name asked for (checked); `None`: suggested from the title.
    pub name: Option<String>,
    _checked: Checked,
}

/// A change to a prompt, valid by construction (built by [`PromptFields::into_changes`]):
/// `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct PromptChanges {
    pub title: Option<Title>,
    pub body: Option<Body>,
    pub kind: Option<Kind>,
    pub messages: Option<Vec<Message>>,
    pub config: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub model_hints: Option<Option<String>>,
    pub variables: Option<Vec<Declaration>>,
    pub tags: Option<TagNames>,
    pub visibility: Option<Visibility>,
    pub team_id: Option<Option<String>>,
    pub message: Option<String>,
    pub name: Option<String>,
    _checked: Checked,
}

impl PromptChanges {
    /// Only the visibility (and team) change: `PUT /:id/visibility`.
    pub fn visibility(visibility: Visibility, team_id: Option<Option<String>>) -> PromptChanges {
        PromptChanges {
            visibility: Some(visibility),
            team_id: team_id.map(|t| t.filter(|t| !t.trim().is_empty())),
            ..PromptChanges::default()
        }
    }
}

/// The fields of a prompt as any edge receives them (JSON, the editor form, an import file),
/// not yet checked. `None` = not given (kept on update); `Some(None)` = cleared.
#[derive(Clone, Debug, Default)]
pub struct PromptFields {
    pub title: Option<String>,
    pub body: Option<String>,
    /// `text` or `chat`.
    pub kind: Option<String>,
    /// `(role, content)` pairs, checked by the rules.
    pub messages: Option<RawMessages>,
    /// `Some(None)` or `Some(Some(null))` clears.
    pub config: Option<Option<serde_json::Value>>,
    pub notes: Option<Option<String>>,
    pub model_hints: Option<Option<String>>,
    pub variables: Option<Vec<Declaration>>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<String>,
    pub team_id: Option<Option<String>>,
    pub message: Option<String>,
    pub name: Option<String>,
}

/// The field rules, applied once for every edge.
fn check_fields(f: PromptFields, create: bool, p: &mut Problems) -> PromptChanges {
    let mut c = PromptChanges::default();
    match &f.title {
        Some(t) => c.title = p.check("title", Title::parse(t)),
        None if create => p.add("title", "is required"),
        None => {}
    }
    if let Some(k) = &f.kind {
        c.kind = p.check("kind", Kind::parse(k));
    }
    let chat_asked = c.kind == Some(Kind::Chat) || f.messages.is_some();
    match &f.body {
        Some(b) => c.body = p.check("body", Body::parse(b)),
        None if create && !chat_asked => p.add("body", "is required"),
        None => {}
    }
    if let Some(m) = &f.messages {
        if c.kind == Some(Kind::Text) {
            p.add(
                "messages",
                "only a chat prompt has messages (set kind to chat)",
            );
        } else {
            c.messages = chat::check_messages(m, MAX_BODY_BYTES, p);
        }
    }
    if let Some(config) = &f.config {
        c.config = p.check("config", chat::check_config(config));
    }
    if let Some(n) = f.notes {
        c.notes = p.check("notes", check_text(n, MAX_NOTES_BYTES));
    }
    if let Some(h) = f.model_hints {
        let hints = check_text(h, MAX_MODEL_HINTS_CHARS * 4).and_then(|h| {
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
    if let Some(v) = f.variables {
        c.variables = p.check("variables", variables::check_declarations(v));
    }
    if let Some(t) = &f.tags {
        c.tags = p.check("tags", TagNames::parse(t));
    }
    if let Some(v) = &f.visibility {
        c.visibility = p.check("visibility", Visibility::parse(v));
    }
    if let Some(t) = f.team_id {
        c.team_id = Some(t.filter(|t| !t.trim().is_empty()));
    }
    if let Some(n) = &f.name {
        c.name = p.check("name", crate::registry::names::parse_prompt_name(n));
    }
    if let Some(m) = &f.message {
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
    c
}

/// Optional free text: empty is none; at most `max_bytes`; no NUL.
fn check_text(
    text: Option<String>,
    max_bytes: usize,
) -> std::result::Result<Option<String>, String> {
    let Some(text) = text else { return Ok(None) };
    if text.len() > max_bytes {
        return Err(format!("must be at most {max_bytes} bytes"));
    }
    if text.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(if text.is_empty() { None } else { Some(text) })
}

impl PromptFields {
    /// A new prompt (title and body required), or every problem at once.
    pub fn into_new(self) -> Result<NewPrompt> {
        let mut p = Problems::default();
        self.into_new_with(&mut p)
    }

    /// Like [`PromptFields::into_new`], adding problems to `p` (edges that found some already).
    pub fn into_new_with(self, p: &mut Problems) -> Result<NewPrompt> {
        let c = check_fields(self, true, p);
        std::mem::take(p).finish()?;
        let text = resolve_text(c.kind, c.messages.as_ref(), c.body.as_ref(), None)?;
        let body = Body::parse(&text.body).map_err(|e| Error::invalid_field("messages", e))?;
        match (c.title, Some(body)) {
            (Some(title), Some(body)) => Ok(NewPrompt {
                title,
                body,
                kind: text.kind,
                messages: text.messages,
                config: c.config.flatten(),
                notes: c.notes.flatten(),
                model_hints: c.model_hints.flatten(),
                variables: c.variables.unwrap_or_default(),
                tags: c.tags.unwrap_or_default(),
                visibility: c.visibility.unwrap_or(Visibility::Private),
                team_id: c.team_id.flatten(),
                message: c.message,
                name: c.name,
                _checked: Checked,
            }),
            _ => Err(Error::invalid_field("title", "is required")),
        }
    }

    /// A change (every field optional), or every problem at once.
    pub fn into_changes(self) -> Result<PromptChanges> {
        let mut p = Problems::default();
        self.into_changes_with(&mut p)
    }

    pub fn into_changes_with(self, p: &mut Problems) -> Result<PromptChanges> {
        let c = check_fields(self, false, p);
        std::mem::take(p).finish()?;
        Ok(c)
    }
}

/// The JSON text of an optional field: a string as is, `null` cleared, anything else as its
/// JSON text (1.x clients sent numbers and objects here).
pub fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl PromptInput {
    /// The edge's raw fields; JSON-only problems (malformed `variables`) go to `p`.
    fn fields(&self, p: &mut Problems) -> PromptFields {
        PromptFields {
            title: self.title.clone(),
            body: self.body.clone(),
            kind: self.kind.clone(),
            messages: match &self.messages {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => chat::parse_json_messages(v, p),
            },
            config: self.config.clone().map(Some),
            notes: self.notes.as_ref().map(json_text),
            model_hints: self.model_hints.as_ref().map(json_text),
            variables: self
                .variables
                .as_ref()
                .and_then(|v| p.check("variables", variables::parse_declarations(v))),
            tags: self.tags.clone(),
            visibility: self.visibility.clone(),
            team_id: self.team_id.clone(),
            message: self.message.clone(),
            name: self.name.clone(),
        }
    }

    /// `POST /api/prompts`: a new prompt, or every problem at once.
    pub fn to_new(&self) -> Result<NewPrompt> {
        let mut p = Problems::default();
        self.fields(&mut p).into_new_with(&mut p)
    }

    /// `PUT /api/prompts/:id`: a change, or every problem at once.
    pub fn to_changes(&self) -> Result<PromptChanges> {
        let mut p = Problems::default();
        self.fields(&mut p).into_changes_with(&mut p)
    }
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
            .to_changes()
            .is_err()
        );
    }
}
