//! The one-time message shown on the next page after a redirect (Post/Redirect/Get), carried
//! in a short-lived cookie.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const FLASH_COOKIE: &str = "flash";

/// A one-time message shown on the next page: `kind` is `ok`, `error` or `info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub kind: &'static str,
    pub message: String,
    /// Prompts just moved to the trash: the message offers an "Undo" button restoring them.
    pub undo: Vec<String>,
}

/// At most this many prompts are named in an "Undo" (the cookie stays small); a larger delete
/// points to the trash instead.
pub const UNDO_MAX: usize = 50;

impl Flash {
    pub fn ok(message: impl Into<String>) -> Flash {
        Flash {
            kind: "ok",
            message: message.into(),
            undo: Vec::new(),
        }
    }

    /// A success message with an "Undo" of the prompts `ids` just moved to the trash (none when
    /// there are more than [`UNDO_MAX`]).
    pub fn ok_undo(message: impl Into<String>, ids: &[String]) -> Flash {
        Flash {
            undo: if ids.len() <= UNDO_MAX {
                ids.to_vec()
            } else {
                Vec::new()
            },
            ..Flash::ok(message)
        }
    }

    /// The ids of an "Undo", comma-separated (the form's value).
    pub fn undo_ids(&self) -> String {
        self.undo.join(",")
    }

    pub fn error(message: impl Into<String>) -> Flash {
        Flash {
            kind: "error",
            message: message.into(),
            undo: Vec::new(),
        }
    }

    pub fn encode(&self) -> String {
        let head = if self.undo.is_empty() {
            self.kind.to_string()
        } else {
            format!("{};undo={}", self.kind, self.undo.join(","))
        };
        URL_SAFE_NO_PAD.encode(format!("{head}\n{}", self.message))
    }

    pub fn decode(raw: &str) -> Option<Flash> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (head, message) = text.split_once('\n')?;
        let (kind, undo) = head.split_once(";undo=").unwrap_or((head, ""));
        let undo: Vec<String> = undo
            .split(',')
            .filter(|id| crate::text::is_id(id))
            .take(UNDO_MAX)
            .map(str::to_string)
            .collect();
        let kind = match kind {
            "ok" => "ok",
            "error" => "error",
            _ => "info",
        };
        let message: String = message.chars().take(300).collect();
        (!message.is_empty()).then_some(Flash {
            kind,
            message,
            undo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_round_trip_and_tampering() {
        let f = Flash::ok("Saved <b>it</b>");
        assert_eq!(Flash::decode(&f.encode()), Some(f));
        assert_eq!(Flash::decode("!!!"), None);
        let odd = URL_SAFE_NO_PAD.encode("weird\nhello");
        assert_eq!(Flash::decode(&odd).map(|f| f.kind), Some("info"));
        let ids = vec!["cabc".to_string(), "cdef".to_string()];
        let u = Flash::ok_undo("Moved 2 prompts to the trash.", &ids);
        assert_eq!(Flash::decode(&u.encode()), Some(u.clone()));
        assert_eq!(u.undo_ids(), "cabc,cdef");
        let many: Vec<String> = (0..=UNDO_MAX).map(|i| format!("c{i}")).collect();
        assert!(Flash::ok_undo("x", &many).undo.is_empty());
        let forged = URL_SAFE_NO_PAD.encode("ok;undo=c1,'; DROP\nhi");
        assert_eq!(
            Flash::decode(&forged).map(|f| f.undo),
            Some(vec!["c1".into()])
        );
    }
}
