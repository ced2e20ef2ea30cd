//! Template variables: `{{name}}` placeholders in a prompt body, their declarations, and
//! rendering.
//!
//! - A placeholder is `{{name}}` (spaces inside the braces are allowed: `{{ name }}`); a name is
//!   1–100 letters, digits, `_`, `-` or `.`.
//! - **Escape**: `\{{` is a literal `{{` — it starts no placeholder, and rendering turns it into
//!   `{{` (so `\{{name}}` renders as `{{name}}`). Any other `{{` that does not form a valid
//!   placeholder is left as it is.
//! - Declarations are stored in `Prompt.variables` as JSON text:
//!   `[{"name": "x", "description": "…", "default": "…"}]` (description and default optional),
//!   one entry per placeholder in order of first use, so a variable used in the body always
//!   appears in the list and a declaration whose placeholder left the body is dropped.
//! - **Typed schema.** A declaration may also say `type` (`text`, `string`, `number`,
//!   `integer`, `boolean`, `enum` with `values`) and `required`. Declarations without a type are
//!   optional text (every 1.x prompt). Once any declaration has a type, the list is a schema and
//!   must agree with the body exactly ([`check_schema`]): saving refuses a declared variable the
//!   body does not use and a used one the schema does not declare. Rendering checks each value
//!   against its type ([`check_values`]): one error per field, answered as 422.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// A variable's declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Declaration {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The value's type; absent: optional text (declarations written before types).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<VarType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// The type of a variable's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    /// Multi-line text.
    Text,
    /// One line.
    String,
    Number,
    Integer,
    Boolean,
    Enum,
}

impl Declaration {
    pub fn is_required(&self) -> bool {
        self.required == Some(true)
    }

    /// Why `value` does not fit this declaration, if it does not.
    pub fn check(&self, value: &str) -> Option<String> {
        match self.kind {
            None | Some(VarType::Text) => None,
            Some(VarType::String) => value
                .contains(['\n', '\r'])
                .then(|| "must be one line".to_string()),
            Some(VarType::Number) => match value.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => None,
                _ => Some("must be a number".into()),
            },
            Some(VarType::Integer) => value
                .trim()
                .parse::<i64>()
                .is_err()
                .then(|| "must be an integer".to_string()),
            Some(VarType::Boolean) => (!matches!(value.trim(), "true" | "false"))
                .then(|| "must be true or false".to_string()),
            Some(VarType::Enum) => {
                let allowed = self.values.as_deref().unwrap_or_default();
                (!allowed.iter().any(|v| v == value))
                    .then(|| format!("must be one of: {}", allowed.join(", ")))
            }
        }
    }
}

/// Declarations edited where types cannot be (the editor form, untyped clients) keep the types
/// `current` gives their names, so such an edit never drops a schema.
pub fn keep_types(given: &[Declaration], current: &[Declaration]) -> Vec<Declaration> {
    given
        .iter()
        .map(|g| match current.iter().find(|c| c.name == g.name) {
            Some(c) if g.kind.is_none() => Declaration {
                kind: c.kind,
                required: c.required,
                values: c.values.clone(),
                ..g.clone()
            },
            _ => g.clone(),
        })
        .collect()
}

/// Whether the declarations form a typed schema (any of them has a type).
pub fn is_schema(decls: &[Declaration]) -> bool {
    decls.iter().any(|d| d.kind.is_some())
}

/// A typed schema must declare exactly the variables `body` uses; each declaration must be
/// coherent (an enum has values, a default fits the type). Field errors keyed `variables.NAME`.
pub fn check_schema(body: &str, decls: &[Declaration]) -> crate::error::FieldErrors {
    let mut out = crate::error::FieldErrors::new();
    let used = names(body);
    for d in decls {
        if !used.contains(&d.name) {
            out.insert(
                format!("variables.{}", d.name),
                "is declared but the text does not use it".into(),
            );
        }
        if d.kind == Some(VarType::Enum) && d.values.as_ref().is_none_or(Vec::is_empty) {
            out.insert(
                format!("variables.{}", d.name),
                "an enum needs its values".into(),
            );
        } else if let Some(problem) = d.default.as_deref().and_then(|v| d.check(v)) {
            out.insert(format!("variables.{}.default", d.name), problem);
        }
    }
    for u in used {
        if !decls.iter().any(|d| d.name == u) {
            out.insert(
                format!("variables.{u}"),
                "is used in the text but not declared in the schema".into(),
            );
        }
    }
    out
}

/// Checks render values against the declarations: a required variable without a value or
/// default, a value of the wrong type, a value not in its enum. Field errors keyed `values.NAME`.
pub fn check_values(
    decls: &[Declaration],
    values: &BTreeMap<String, String>,
) -> crate::error::FieldErrors {
    let mut out = crate::error::FieldErrors::new();
    for d in decls {
        match values.get(&d.name) {
            Some(v) => {
                if let Some(problem) = d.check(v) {
                    out.insert(format!("values.{}", d.name), problem);
                }
            }
            None if d.is_required() && d.default.is_none() => {
                out.insert(format!("values.{}", d.name), "is required".into());
            }
            None => {}
        }
    }
    out
}

/// A piece of a parsed body.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// The characters of a variable name, as a regular-expression class body for the browser
/// (`new RegExp("[" + NAME_CHARS + "]+", "u")`): the editor's live variable list reads it from
/// the page, so browser and server share one definition. It matches [`is_name_char`] exactly:
/// Rust's `is_alphanumeric` is the Unicode `Alphabetic` property or a number (`N`).
pub const NAME_CHARS: &str = r"\p{Alphabetic}\p{N}_.\-";

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits a body into literal text and placeholders; `\{{` becomes the literal text `{{`.
fn parse(body: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(pos) = rest.find("{{") {
        if pos > 0 && rest[..pos].ends_with('\\') {
            out.push(Piece::Text(&rest[..pos - 1]));
            out.push(Piece::Text("{{"));
            rest = &rest[pos + 2..];
            continue;
        }
        let after = &rest[pos + 2..];
        if let Some(end) = after.find("}}") {
            let name = after[..end].trim();
            if !name.is_empty() && name.chars().count() <= 100 && name.chars().all(is_name_char) {
                out.push(Piece::Text(&rest[..pos]));
                out.push(Piece::Var(name));
                rest = &after[end + 2..];
                continue;
            }
        }
        out.push(Piece::Text(&rest[..pos + 2]));
        rest = after;
    }
    out.push(Piece::Text(rest));
    out
}

/// Placeholder names used in `body`, in order of first use, without repeats.
pub fn names(body: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    parse(body)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Var(n) if seen.insert(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Reads declarations from the API's `variables` field: JSON text, or an array of objects
/// `{name, description?, default?}` or of plain names. `null`/empty means none.
pub fn parse_declarations(
    value: &serde_json::Value,
) -> std::result::Result<Vec<Declaration>, String> {
    use serde_json::Value;
    let parsed;
    let value = match value {
        Value::Null => return Ok(Vec::new()),
        Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|_| "must be a JSON array of {name, description, default}".to_string())?;
            &parsed
        }
        other => other,
    };
    let Value::Array(items) = value else {
        return Err("must be an array of {name, description, default}".into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let d = match item {
            Value::String(name) => Declaration {
                name: name.trim().to_string(),
                ..Declaration::default()
            },
            Value::Object(_) => {
                serde_json::from_value::<Declaration>(item.clone()).map_err(|_| {
                    format!(
                        "item {i}: expected {{name, description?, default?, type?, required?, values?}} \
                         (type: text, string, number, integer, boolean or enum)"
                    )
                })?
            }
            _ => return Err(format!("item {i}: expected an object or a name")),
        };
        out.push(d);
    }
    check_declarations(out)
}

/// Declarations with checked names (trimmed; letters, digits, `_`, `-` and `.`; at most 100
/// characters), however they arrived (JSON, the editor form, a file).
pub fn check_declarations(
    decls: Vec<Declaration>,
) -> std::result::Result<Vec<Declaration>, String> {
    let mut out = Vec::with_capacity(decls.len());
    for (i, d) in decls.into_iter().enumerate() {
        let name = d.name.trim();
        if name.is_empty() || name.chars().count() > 100 || !name.chars().all(is_name_char) {
            return Err(format!(
                "item {i}: invalid name {name:?} (letters, digits, _, - and . only)"
            ));
        }
        out.push(Declaration {
            name: name.to_string(),
            ..d
        });
    }
    Ok(out)
}

/// The declarations to store for `body`: one per placeholder in order of first use, keeping the
/// description and default given for it.
pub fn sync(body: &str, declared: &[Declaration]) -> Vec<Declaration> {
    names(body)
        .into_iter()
        .map(|name| {
            declared
                .iter()
                .find(|d| d.name == name)
                .cloned()
                .unwrap_or(Declaration {
                    name,
                    ..Declaration::default()
                })
        })
        .collect()
}

/// The JSON text stored in `Prompt.variables`.
pub fn to_text(decls: &[Declaration]) -> String {
    serde_json::to_string(decls).unwrap_or_else(|_| "[]".into())
}

/// Stored JSON text back to declarations (lenient: unreadable text counts as none).
pub fn from_text(text: Option<&str>) -> Vec<Declaration> {
    text.and_then(|t| parse_declarations(&serde_json::Value::String(t.to_string())).ok())
        .unwrap_or_default()
}

/// The outcome of filling a body's placeholders.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Rendered {
    /// The text filled in (a chat prompt: its messages' plain text form).
    pub text: String,
    pub missing: Vec<String>,
    /// A chat prompt's messages filled in, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<super::chat::Message>>,
}

/// Fills placeholders with `values`, then declared defaults. A placeholder with neither stays
/// as `{{name}}` and is listed in `missing`. `\{{` becomes `{{`.
pub fn render(body: &str, decls: &[Declaration], values: &BTreeMap<String, String>) -> Rendered {
    let mut text = String::with_capacity(body.len());
    let mut missing: Vec<String> = Vec::new();
    for piece in parse(body) {
        match piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Var(name) => {
                let value = values.get(name).map(String::as_str).or_else(|| {
                    decls
                        .iter()
                        .find(|d| d.name == name)
                        .and_then(|d| d.default.as_deref())
                });
                match value {
                    Some(v) => text.push_str(v),
                    None => {
                        text.push_str("{{");
                        text.push_str(name);
                        text.push_str("}}");
                        if !missing.iter().any(|m| m == name) {
                            missing.push(name.to_string());
                        }
                    }
                }
            }
        }
    }
    Rendered {
        text,
        missing,
        messages: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_in_order_without_repeats() {
        assert_eq!(
            names("Hi {{name}}, {{ topic.main }} and {{name}} {{bad name}} {{a-b_c}}"),
            vec!["name", "topic.main", "a-b_c"]
        );
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert!(names(r"\{{name}} is literal").is_empty());
        let r = render(
            r"\{{x}} and {{x}}",
            &[],
            &BTreeMap::from([("x".into(), "1".into())]),
        );
        assert_eq!(r.text, "{{x}} and 1");
    }

    #[test]
    fn render_uses_values_then_defaults_and_reports_missing() {
        let decls = vec![Declaration {
            name: "b".into(),
            default: Some("B".into()),
            ..Declaration::default()
        }];
        let r = render(
            "{{a}}-{{b}}-{{c}}-{{c}}",
            &decls,
            &BTreeMap::from([("a".into(), "A".into())]),
        );
        assert_eq!(r.text, "A-B-{{c}}-{{c}}");
        assert_eq!(r.missing, vec!["c"]);
    }

    #[test]
    fn sync_keeps_declarations_of_used_names_only() {
        let declared = parse_declarations(&serde_json::json!(
            "[{\"name\":\"a\",\"description\":\"first\"},{\"name\":\"gone\"}]"
        ))
        .expect("valid");
        let s = sync("{{b}} {{a}}", &declared);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "b");
        assert_eq!(s[1].description.as_deref(), Some("first"));
        assert!(parse_declarations(&serde_json::json!([{"name": "bad name"}])).is_err());
        assert!(parse_declarations(&serde_json::json!(5)).is_err());
    }

    #[test]
    fn a_typed_schema_must_agree_with_the_text_and_checks_values() {
        let decls = parse_declarations(&serde_json::json!([
            {"name": "n", "type": "integer", "required": true},
            {"name": "tone", "type": "enum", "values": ["warm", "dry"], "default": "warm"},
            {"name": "extra", "type": "text"}
        ]))
        .expect("valid");
        assert!(is_schema(&decls));
        let problems = check_schema("{{n}} {{tone}} {{other}}", &decls);
        assert!(problems.contains_key("variables.extra"), "{problems:?}");
        assert!(problems.contains_key("variables.other"), "{problems:?}");
        assert!(check_schema("{{n}} {{tone}} {{extra}}", &decls).is_empty());
        let bad = check_values(&decls, &BTreeMap::from([("tone".into(), "loud".into())]));
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad["values.n"].contains("required"));
        assert!(bad["values.tone"].contains("one of"));
        let bad = check_values(&decls, &BTreeMap::from([("n".into(), "1.5".into())]));
        assert!(bad["values.n"].contains("integer"));
        assert!(check_values(&decls, &BTreeMap::from([("n".into(), "15".into())])).is_empty());
        assert!(parse_declarations(&serde_json::json!([{"name": "x", "type": "colour"}])).is_err());
    }

    #[test]
    fn unclosed_and_empty_braces_stay_text() {
        assert!(names("{{ }} {{").is_empty());
        let r = render("a {{ b", &[], &BTreeMap::new());
        assert_eq!(r.text, "a {{ b");
    }
}
