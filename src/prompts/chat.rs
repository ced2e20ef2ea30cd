//! Chat prompts and per-version config.
//!
//! A version is of a [`Kind`]: `text` (one body) or `chat` (an ordered list of [`Message`]s,
//! each a role and its content). Chat messages are stored as JSON text in the `messages`
//! column; the `body` column of a chat version holds their **plain text form** ([`to_text`]),
//! so full-text search, 1.x clients, text diffs and exports see every message unchanged.
//!
//! The plain text form is also the body of a chat prompt's file (`promptvault pull`) and the
//! body a client may send instead of `messages`. It is lossless: [`parse_text`] gives back the
//! same messages for any content.
//!
//! - Each message is a header line `## system`, `## user` or `## assistant` (exactly that: no
//!   leading or trailing spaces), a line break, then the content as is.
//! - Messages are separated by one blank line: the content, `\n\n`, the next header.
//! - **Escape**: a content line that would read as a header gets one `\` in front (`## user` →
//!   `\## user`), and a line that already is `\…\## user` gets one more. Reading removes one
//!   `\` from such lines. Other lines (`## Steps`, `### user`) are never touched.
//!
//! `config` is an optional JSON object (model, temperature, …), at most [`MAX_CONFIG_BYTES`]
//! as compact JSON, stored with its keys sorted so equal configs are equal text.

use serde::{Deserialize, Serialize};

/// Most messages in one chat version.
pub const MAX_MESSAGES: usize = 200;
/// Largest config: 16 KiB of compact JSON.
pub const MAX_CONFIG_BYTES: usize = 16 * 1024;

/// What a version holds: one text, or chat messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Text,
    Chat,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Chat => "chat",
        }
    }

    pub fn parse(raw: &str) -> std::result::Result<Kind, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Kind::Text),
            "chat" => Ok(Kind::Chat),
            _ => Err("must be text or chat".into()),
        }
    }
}

crate::text_column!(Kind);

/// Who speaks a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::System, Role::User, Role::Assistant];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    pub fn parse(raw: &str) -> std::result::Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| "must be system, user or assistant".to_string())
    }
}

/// One message of a chat prompt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub role: Role,
    /// May contain `{{variables}}`; may be empty.
    pub content: String,
}

/// The header line of a role.
fn header(role: Role) -> String {
    format!("## {}", role.as_str())
}

/// The role a line names when it is a header line.
fn header_role(line: &str) -> Option<Role> {
    let name = line.strip_prefix("## ")?;
    Role::ALL.into_iter().find(|r| r.as_str() == name)
}

/// Whether `line` is a header behind one or more `\` (an escaped content line).
fn is_escaped_header(line: &str) -> bool {
    let rest = line.trim_start_matches('\\');
    rest.len() < line.len() && header_role(rest).is_some()
}

/// Applies `f` to every line of `text` (split on `\n`, line ends kept as they are).
fn map_lines(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match f(line) {
            Some(changed) => out.push_str(&changed),
            None => out.push_str(line),
        }
    }
    out
}

fn escape(content: &str) -> String {
    map_lines(content, |line| {
        (header_role(line).is_some() || is_escaped_header(line)).then(|| format!("\\{line}"))
    })
}

fn unescape(content: &str) -> String {
    map_lines(content, |line| {
        is_escaped_header(line).then(|| line[1..].to_string())
    })
}

/// The plain text form of `messages` (see the module's rules).
pub fn to_text(messages: &[Message]) -> String {
    let mut out = String::new();
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&header(m.role));
        out.push('\n');
        out.push_str(&escape(&m.content));
    }
    out
}

/// Messages back from their plain text form. The text must start with a header line. A
/// hand-written form with no blank line before a header is read too (the line break before
/// it is not part of the content).
pub fn parse_text(text: &str) -> std::result::Result<Vec<Message>, String> {
    // Header lines: (start of line, end of line incl. its '\n', role).
    let mut heads: Vec<(usize, usize, Role)> = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        let end = (at + line.len() + 1).min(text.len());
        if let Some(role) = header_role(line) {
            heads.push((at, end, role));
        }
        at += line.len() + 1;
    }
    match heads.first() {
        Some((0, _, _)) => {}
        _ => {
            return Err(
                "a chat prompt's text must start with a line \"## system\", \"## user\" or \
                 \"## assistant\""
                    .into(),
            );
        }
    }
    let mut out = Vec::with_capacity(heads.len());
    for (i, (_, content_start, role)) in heads.iter().enumerate() {
        let raw = match heads.get(i + 1) {
            Some((next, _, _)) => {
                let seg = &text[*content_start..*next];
                seg.strip_suffix("\n\n")
                    .or_else(|| seg.strip_suffix('\n'))
                    .unwrap_or(seg)
            }
            None => &text[*content_start..],
        };
        out.push(Message {
            role: *role,
            content: unescape(raw),
        });
    }
    Ok(out)
}

/// Messages as a client sends them, before the rules: `(role, content)` pairs.
pub type RawMessages = Vec<(String, String)>;

/// Reads the JSON `messages` field: an array of `{role, content}` objects. Problems are keyed
/// `messages` or `messages.N.role` / `messages.N.content`.
pub fn parse_json_messages(
    value: &serde_json::Value,
    p: &mut crate::error::Problems,
) -> Option<RawMessages> {
    use serde_json::Value;
    let Value::Array(items) = value else {
        p.add("messages", "must be an array of {role, content}");
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            p.add(
                &format!("messages.{i}"),
                "must be an object {role, content}",
            );
            ok = false;
            continue;
        };
        if let Some(extra) = obj.keys().find(|k| *k != "role" && *k != "content") {
            p.add(
                &format!("messages.{i}.{extra}"),
                "is not a field of a message (role, content)",
            );
            ok = false;
        }
        let role = match obj.get("role") {
            Some(Value::String(r)) => r.clone(),
            _ => {
                p.add(
                    &format!("messages.{i}.role"),
                    "is required: system, user or assistant",
                );
                ok = false;
                String::new()
            }
        };
        let content = match obj.get("content") {
            Some(Value::String(c)) => c.clone(),
            None | Some(Value::Null) => String::new(),
            Some(_) => {
                p.add(&format!("messages.{i}.content"), "must be a string");
                ok = false;
                String::new()
            }
        };
        out.push((role, content));
    }
    ok.then_some(out)
}

/// The message rules: at least one message, at most [`MAX_MESSAGES`], known roles, no NUL,
/// and a plain text form of at most `max_bytes`.
pub fn check_messages(
    raw: &[(String, String)],
    max_bytes: usize,
    p: &mut crate::error::Problems,
) -> Option<Vec<Message>> {
    if raw.is_empty() {
        p.add("messages", "must hold at least one message");
        return None;
    }
    if raw.len() > MAX_MESSAGES {
        p.add(
            "messages",
            format!("must hold at most {MAX_MESSAGES} messages"),
        );
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (i, (role, content)) in raw.iter().enumerate() {
        match Role::parse(role) {
            Ok(r) => out.push(Message {
                role: r,
                content: content.clone(),
            }),
            Err(e) => {
                p.add(&format!("messages.{i}.role"), e);
                ok = false;
            }
        }
        if content.contains('\0') {
            p.add(
                &format!("messages.{i}.content"),
                "must not contain NUL characters",
            );
            ok = false;
        }
    }
    if ok && to_text(&out).len() > max_bytes {
        p.add(
            "messages",
            format!("must be at most {max_bytes} bytes (1 MiB) in all"),
        );
        return None;
    }
    ok.then_some(out)
}

/// The config rule: `null` (none) or a JSON object of at most [`MAX_CONFIG_BYTES`] as compact
/// JSON. Returns the stored text (keys sorted).
pub fn check_config(
    value: &Option<serde_json::Value>,
) -> std::result::Result<Option<String>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Object(map)) => {
            let text = serde_json::to_string(map).map_err(|e| e.to_string())?;
            if text.len() > MAX_CONFIG_BYTES {
                return Err(format!(
                    "must be at most {MAX_CONFIG_BYTES} bytes (16 KiB) as compact JSON"
                ));
            }
            if text.contains("\\u0000") {
                return Err("must not contain NUL characters".into());
            }
            Ok(Some(text))
        }
        Some(_) => Err("must be a JSON object (or null)".into()),
    }
}

/// Stored messages back (lenient: unreadable text counts as none).
pub fn messages_from_text(text: Option<&str>) -> Option<Vec<Message>> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// Messages as stored.
pub fn messages_to_text(messages: &[Message]) -> String {
    serde_json::to_string(messages).unwrap_or_else(|_| "[]".into())
}

/// A stored config back as a JSON value (`null` when none or unreadable).
pub fn config_value(text: Option<&str>) -> serde_json::Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// Serialises stored JSON text (messages, config) as the JSON it holds; `null` when none.
pub fn ser_json_text<S: serde::Serializer>(
    text: &Option<String>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    config_value(text.as_deref()).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: Role, content: &str) -> Message {
        Message {
            role,
            content: content.into(),
        }
    }

    fn round_trip(messages: Vec<Message>) {
        let text = to_text(&messages);
        assert_eq!(
            parse_text(&text).as_ref(),
            Ok(&messages),
            "text form: {text:?}"
        );
    }

    #[test]
    fn plain_form_reads_back() {
        let ms = vec![
            m(Role::System, "You are {{persona}}."),
            m(Role::User, "Hi"),
            m(Role::Assistant, ""),
        ];
        assert_eq!(
            to_text(&ms),
            "## system\nYou are {{persona}}.\n\n## user\nHi\n\n## assistant\n"
        );
        round_trip(ms);
    }

    #[test]
    fn adversarial_contents_survive() {
        let nasty = [
            "",
            "\n",
            "\n\n",
            "## user",
            "## user\n",
            "\n## user\n",
            "a\n\n## assistant\nb",
            "\\## user",
            "\\\\## system\n\\## assistant",
            "## users",
            "## User",
            " ## user",
            "## user ",
            "### user",
            "## Steps\n1. do",
            "\\",
            "ends with backslash \\",
            "\r\n## user\r\n",
            "## user\r",
            "+++\n---\n",
            "trailing blank lines\n\n\n",
            "{{x}} \\{{y}}",
            "é🙂\u{2028}",
        ];
        for a in nasty {
            for b in nasty {
                round_trip(vec![m(Role::System, a), m(Role::User, b)]);
                round_trip(vec![m(Role::Assistant, a)]);
            }
        }
    }

    #[test]
    fn variables_of_the_plain_form_are_those_of_the_messages() {
        // The service reads a chat version's variables from its body: no placeholder may
        // span two messages or come from a header or an escape.
        let parts = [
            "{{",
            "a}}",
            "{{ b",
            "}}",
            "\\",
            "{{c}}",
            "## user",
            "{{d}}\n## user",
        ];
        for a in parts {
            for b in parts {
                let ms = vec![m(Role::System, a), m(Role::User, b)];
                let mut each = crate::prompts::variables::names(a);
                for n in crate::prompts::variables::names(b) {
                    if !each.contains(&n) {
                        each.push(n);
                    }
                }
                assert_eq!(
                    crate::prompts::variables::names(&to_text(&ms)),
                    each,
                    "{a:?} / {b:?}"
                );
            }
        }
    }

    #[test]
    fn hand_written_forms() {
        assert_eq!(
            parse_text("## system\nBe brief.\n## user\nHi\n"),
            Ok(vec![m(Role::System, "Be brief."), m(Role::User, "Hi\n")])
        );
        assert!(parse_text("Hello\n## user\nHi").is_err());
        assert!(parse_text("").is_err());
        assert_eq!(parse_text("## user"), Ok(vec![m(Role::User, "")]));
    }

    #[test]
    fn rules() {
        let mut p = crate::error::Problems::default();
        assert!(check_messages(&[], 100, &mut p).is_none());
        let mut p = crate::error::Problems::default();
        let raw = vec![("tool".to_string(), "x".to_string())];
        assert!(check_messages(&raw, 100, &mut p).is_none());
        assert!(p.finish().is_err());
        assert_eq!(check_config(&None), Ok(None));
        assert_eq!(check_config(&Some(serde_json::Value::Null)), Ok(None));
        assert!(check_config(&Some(serde_json::json!([1]))).is_err());
        assert!(check_config(&Some(serde_json::json!("{}"))).is_err());
        assert_eq!(
            check_config(&Some(serde_json::json!({"b": 1, "a": {"z": 2, "y": 3}}))),
            Ok(Some(r#"{"a":{"y":3,"z":2},"b":1}"#.into()))
        );
        let big = serde_json::json!({ "k": "x".repeat(MAX_CONFIG_BYTES) });
        assert!(check_config(&Some(big)).is_err());
    }
}
