//! A client of a PromptVault server for programs written in Rust, and the engine of the
//! `promptvault get`, `pull` and `push` commands.
//!
//! - [`Client::fetch`] asks the registry for a prompt version by name and label (or version),
//!   keeps the answer in a [`Cache`] keyed by its ETag, sends `If-None-Match` next time (a
//!   304 costs no body), and serves the last good copy when the server cannot be reached
//!   (connection refused, timeout, 5xx) — saying so in [`Fetch::source`].
//! - [`Prompt::render`] fills the variables with the server's own code
//!   ([`crate::prompts::render_checked`]), so a render from the cache while offline gives the
//!   same text and the same errors as the server.
//! - [`files`] reads and writes prompts as Markdown files; [`sync`] compares a folder of them
//!   with the server and pushes the differences.
//!
//! `https://` servers are checked against the system's certificate store (`SSL_CERT_FILE`
//! names another CA bundle, e.g. a private CA's); `http://` is for a server on the same
//! machine or network.
//!
//! ```no_run
//! use promptvault::client::{Cache, Client, Selector};
//! use std::collections::BTreeMap;
//!
//! # async fn example() -> Result<(), promptvault::client::ClientError> {
//! let client = Client::new("http://127.0.0.1:3000", Some("pv_…"))?
//!     .with_cache(Cache::new(Cache::default_dir().expect("a cache directory")));
//! let got = client.fetch("team-a/support/reply", &Selector::label("production")).await?;
//! if let promptvault::client::Source::Cache { reason } = &got.source {
//!     eprintln!("offline ({reason}): using the cached copy");
//! }
//! let values = BTreeMap::from([("name".to_string(), "Ann".to_string())]);
//! let text = got.prompt.render(&values, false)?.text;
//! # let _ = text;
//! # Ok(())
//! # }
//! ```

mod cache;
pub mod files;
mod http;
pub mod sync;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use cache::Cache;
pub use http::Client;

use crate::prompts::variables::{Declaration, Rendered};

/// Makes TLS available to HTTP clients in this process: rustls with the ring provider
/// (certificates are checked against the system's store; `SSL_CERT_FILE` names another
/// bundle). Every `reqwest` client needs it before it is built; calling it again is harmless.
///
/// ring rather than rustls's newer default (aws-lc-rs, which adds post-quantum key exchange):
/// aws-lc-rs compiles a large C library on every clean build and for the static musl image;
/// ring's TLS 1.3 with X25519 and ECDSA/RSA/Ed25519 certificates is what servers offer today.
#[allow(deprecated)] // rustls marks ring's provider "no post-quantum algorithms", no more.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What went wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Bad input from the caller (a name that is not `namespace/name`, a bad URL…).
    #[error("{0}")]
    Usage(String),
    /// The server could not be reached or failed (5xx), and no cached copy could stand in.
    #[error("the server is unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error (4xx).
    #[error("{message} (HTTP {status}{}){}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default(), field_problems(details))]
    Server {
        status: u16,
        code: Option<String>,
        message: String,
        /// `details` of the error body (field errors).
        details: serde_json::Value,
    },
    /// Values that do not fit the prompt's variables (the server's rules, checked here).
    #[error("{message}: {}", fields.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join("; "))]
    Values {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// An answer that is not what the API describes.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The cache directory could not be read or written.
    #[error("cache: {0}")]
    Cache(String),
}

/// The field errors of an error body (`{"title": "is required", …}`) as `: title is required; …`.
fn field_problems(details: &serde_json::Value) -> String {
    let Some(fields) = details.as_object() else {
        return String::new();
    };
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k} {v}")))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// Which version of a prompt to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// A label (`production`, `staging`, …; `latest` is the newest version).
    Label(String),
    Version(i32),
}

impl Selector {
    pub fn label(l: &str) -> Selector {
        Selector::Label(l.to_string())
    }

    /// The query string of the registry URL.
    fn query(&self) -> String {
        match self {
            Selector::Label(l) => format!("label={}", http::encode(l)),
            Selector::Version(n) => format!("version={n}"),
        }
    }
}

/// A prompt version as the registry answers it (`GET /api/registry/{namespace}/{name}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub namespace: String,
    pub name: String,
    /// The name asked for, when it was an old name of this prompt.
    #[serde(default)]
    pub requested: Option<String>,
    pub prompt_id: String,
    pub version: i32,
    pub labels: Vec<String>,
    pub title: String,
    pub body: String,
    /// `text` or `chat` (servers before chat prompts send neither this nor `messages`).
    #[serde(default)]
    pub kind: crate::prompts::chat::Kind,
    /// A chat version's messages.
    #[serde(default)]
    pub messages: Option<Vec<crate::prompts::chat::Message>>,
    /// The version's config object, or null.
    #[serde(default)]
    pub config: serde_json::Value,
    #[serde(default)]
    pub variables: Vec<Declaration>,
    #[serde(default)]
    pub model_hints: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// The answer exactly as the server sent it.
    #[serde(skip)]
    pub raw: serde_json::Value,
}

impl Prompt {
    /// Fills the placeholders with `values` then declared defaults, after checking the values
    /// against the typed variables — the server's code, so the result is what
    /// `POST /api/registry/…` answers. With `strict`, missing values are an error.
    pub fn render(
        &self,
        values: &BTreeMap<String, String>,
        strict: bool,
    ) -> Result<Rendered, ClientError> {
        crate::prompts::render_version(
            &self.body,
            self.messages.as_deref(),
            &self.variables,
            values,
            strict,
        )
        .map_err(|e| match e {
            crate::error::Error::Unprocessable {
                message, details, ..
            } => {
                let mut fields = BTreeMap::new();
                if let Some(f) = details.get("fields").and_then(|f| f.as_object()) {
                    for (k, v) in f {
                        let k = k.strip_prefix("values.").unwrap_or(k);
                        fields.insert(k.to_string(), v.as_str().unwrap_or_default().into());
                    }
                }
                if let Some(m) = details.get("missing").and_then(|m| m.as_array()) {
                    for name in m.iter().filter_map(|n| n.as_str()) {
                        fields.insert(name.to_string(), "has no value".into());
                    }
                }
                ClientError::Values { message, fields }
            }
            other => ClientError::Protocol(other.to_string()),
        })
    }

    /// The JSON answer of a render, as the server's `POST` gives it.
    pub fn rendered_json(&self, r: &Rendered) -> serde_json::Value {
        serde_json::json!({
            "text": r.text,
            "missing": r.missing,
            "messages": r.messages,
            "namespace": self.namespace,
            "name": self.name,
            "version": self.version,
            "labels": self.labels,
        })
    }
}

/// Where a fetched prompt came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A fresh answer (stored in the cache).
    Server,
    /// The server confirmed the cached copy (304).
    NotModified,
    /// The server could not be reached: the last good copy, with why.
    Cache { reason: String },
}

/// A fetched prompt and where it came from.
#[derive(Clone, Debug)]
pub struct Fetch {
    pub prompt: Prompt,
    pub source: Source,
}

/// Splits `namespace/name` (the name may contain `/`).
pub fn split_name(full: &str) -> Result<(&str, &str), ClientError> {
    match full.trim_matches('/').split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok((ns, name)),
        _ => Err(ClientError::Usage(format!(
            "{full:?} is not a prompt name: write namespace/name (e.g. team-a/support/reply)"
        ))),
    }
}
