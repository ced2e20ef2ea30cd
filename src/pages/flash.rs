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
}

impl Flash {
    pub fn ok(message: impl Into<String>) -> Flash {
        Flash {
            kind: "ok",
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Flash {
        Flash {
            kind: "error",
            message: message.into(),
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.kind, self.message))
    }

    pub fn decode(raw: &str) -> Option<Flash> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, message) = text.split_once('\n')?;
        let kind = match kind {
            "ok" => "ok",
            "error" => "error",
            _ => "info",
        };
        let message: String = message.chars().take(300).collect();
        (!message.is_empty()).then_some(Flash { kind, message })
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
    }
}
