//! Rules for text that comes from outside, shared by every door (JSON API, pages, imports):
//! what an id looks like, and no NUL characters anywhere (PostgreSQL cannot store them).

use crate::error::{Error, Result};

/// The longest id a row can have (the id columns hold 64 ASCII characters).
pub const ID_MAX_LEN: usize = 64;

/// The id syntax as a regular expression, for the API description.
pub const ID_PATTERN: &str = "^[!-~]{1,64}$";

/// Could `s` be the id of a row? Ids are 1–64 visible ASCII characters (ours are cuid-shaped;
/// 1.x ids are kept as they were). Anything else names no row, so callers answer "not found"
/// without asking the database (MySQL compares ids under an ASCII collation and fails on other
/// characters; PostgreSQL refuses NUL).
pub fn is_id(s: &str) -> bool {
    (1..=ID_MAX_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

/// A filter or reference that must be an id: 400 naming `field` otherwise.
pub fn check_id(field: &str, s: &str) -> Result<()> {
    if is_id(s) {
        Ok(())
    } else {
        Err(Error::invalid_field(field, "is not a valid id"))
    }
}

/// The one case-folding rule for names compared without regard to case: emails, tag names and
/// team names. Unicode lower-casing as `str::to_lowercase` does it, without accent folding:
/// "Café" = "CAFÉ", "Café" ≠ "cafe". The folded form is stored (emails in place, tag and team
/// names in a `nameKey` column, see `db::schema::Folded`), and the unique keys compare it byte
/// for byte on SQLite, PostgreSQL and MySQL/MariaDB alike.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

pub const NUL_PROBLEM: &str = "must not contain NUL characters (\\u0000)";

/// Does a JSON text contain a `\u0000` escape? (A raw NUL byte is already invalid JSON.)
/// Backslashes only occur inside strings, and an escaped backslash is skipped, so the text
/// `"\\u0000"` (a backslash followed by `u0000`) is not mistaken for one.
pub fn json_has_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// A JSON request body or upload: 400 when it carries a NUL character, naming the top-level
/// field that holds it (or `field` when the document is not an object).
pub fn check_json(field: &str, bytes: &[u8]) -> Result<()> {
    if !json_has_nul(bytes) {
        return Ok(());
    }
    let holder = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            v.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, v)| k.contains('\0') || has_nul(v))
                    .map(|(k, _)| k.replace('\0', ""))
            })
        });
    Err(Error::invalid_field(
        holder.as_deref().unwrap_or(field),
        NUL_PROBLEM,
    ))
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// The name/value pairs of a query string (percent-decoded); 400 when it cannot be read or a
/// name or value holds a NUL character.
pub fn query_pairs(raw: &str) -> Result<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
        .map_err(|_| Error::invalid_field("query", "cannot be read"))?;
    match pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        Some((k, _)) => Err(Error::invalid_field(k.trim_matches('\0'), NUL_PROBLEM)),
        None => Ok(pairs),
    }
}

/// Longest name of a team, an API token or a person.
pub const NAME_MAX_CHARS: usize = 100;

/// A required name (a team's, an API token's): trimmed, 1–100 characters, no control
/// characters. The one rule for short names; a person's display name is the optional form
/// ([`optional_name`]).
pub fn required_name(raw: &str) -> std::result::Result<String, String> {
    optional_name(Some(raw))?.ok_or_else(|| "is required".to_string())
}

/// An optional name: blank is none; otherwise as [`required_name`].
pub fn optional_name(raw: Option<&str>) -> std::result::Result<Option<String>, String> {
    let Some(name) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("must be at most {NAME_MAX_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_visible_ascii_up_to_64() {
        assert!(is_id("cmonh98fh2qialapsqkmsreur"));
        assert!(is_id("3"));
        assert!(is_id("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!is_id(""));
        assert!(!is_id("a\0b"));
        assert!(!is_id("é"));
        assert!(!is_id("a b"));
        assert!(!is_id(&"a".repeat(65)));
    }

    #[test]
    fn nul_escapes_are_found_in_json() {
        assert!(json_has_nul(br#"{"title":"a\u0000b"}"#));
        assert!(json_has_nul(br#"{"a\u0000":1}"#));
        assert!(!json_has_nul(br#"{"title":"a\\u0000b"}"#));
        assert!(json_has_nul(br#"{"title":"a\\\u0000b"}"#));
        assert!(json_has_nul(br#"{"title":"\u00001"}"#));
        assert!(!json_has_nul(br#"{"title":"\u0001 \n"}"#));
    }

    #[test]
    fn query_strings_with_nul_are_refused() {
        assert!(query_pairs("q=a%00b").is_err());
        assert!(query_pairs("q=x&tag=%00").is_err());
        assert_eq!(
            query_pairs("q=caf%C3%A9").ok(),
            Some(vec![("q".into(), "café".into())])
        );
    }
}
