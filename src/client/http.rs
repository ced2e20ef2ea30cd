//! The HTTP side of the client: requests, error bodies, and the fetch that falls back to the
//! cache.

use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde::de::DeserializeOwned;

use super::cache::Entry;
use super::{Cache, ClientError, Fetch, Prompt, Selector, Source};

/// A PromptVault server, with an API token and an optional cache.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    cache: Option<Cache>,
}

/// Percent-encodes everything but unreserved characters (and `/` when `keep_slash`).
fn encode_with(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else if keep_slash && b == b'/' {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value or path segment.
pub(super) fn encode(s: &str) -> String {
    encode_with(s, false)
}

impl Client {
    /// A client of the server at `base_url` (`https://host` or `http://host:port`, with an
    /// optional path prefix),
    /// authenticating with `token` (an API token, `pv_…`). Requests time out after 10 s.
    pub fn new(base_url: &str, token: Option<&str>) -> Result<Client, ClientError> {
        Self::with_timeout(base_url, token, Duration::from_secs(10))
    }

    /// Like [`Client::new`] with another time limit per request.
    pub fn with_timeout(
        base_url: &str,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<Client, ClientError> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let host = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"));
        if host.is_none_or(str::is_empty) {
            return Err(ClientError::Usage(format!(
                "{base_url:?} is not a server URL: write https://HOST or http://HOST:PORT (set PROMPTVAULT_URL or --url)"
            )));
        }
        super::install_tls();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("promptvault/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Usage(format!("HTTP client: {e}")))?;
        Ok(Client {
            base,
            token: token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            http,
            cache: None,
        })
    }

    /// Keeps fetched prompts in `cache` and serves them from there when offline.
    pub fn with_cache(mut self, cache: Cache) -> Client {
        self.cache = Some(cache);
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(super) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    /// Sends a request; a transport failure or a 5xx is [`ClientError::Unreachable`], any
    /// other error status is [`ClientError::Server`] with the error body's message.
    pub(super) async fn send(
        &self,
        r: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let resp = r.send().await.map_err(|e| unreachable(&self.base, &e))?;
        let status = resp.status();
        if status.is_server_error() {
            return Err(ClientError::Unreachable(format!(
                "{} answered {status}",
                self.base
            )));
        }
        if status.is_client_error() {
            return Err(server_error(status, resp).await);
        }
        Ok(resp)
    }

    /// A JSON request whose answer is read as `T`.
    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, ClientError> {
        let mut r = self.request(method, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        let resp = self.send(r).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| unreachable(&self.base, &e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// A prompt version by `namespace/name` (see the module documentation for the cache).
    pub async fn fetch(&self, full_name: &str, sel: &Selector) -> Result<Fetch, ClientError> {
        let (ns, name) = super::split_name(full_name)?;
        let path = format!(
            "/api/registry/{}/{}?{}",
            encode(ns),
            encode_with(name, true),
            sel.query()
        );
        let key = format!("{}{path}", self.base);
        let cached = self.cache.as_ref().and_then(|c| c.load(&key));
        let mut r = self.request(Method::GET, &path);
        if let Some(e) = &cached {
            r = r.header(header::IF_NONE_MATCH, &e.etag);
        }
        let answer = match self.send(r).await {
            Ok(resp) => resp,
            Err(ClientError::Unreachable(reason)) => {
                return match cached {
                    Some(e) => Ok(Fetch {
                        prompt: parse_prompt(&e.answer)?,
                        source: Source::Cache { reason },
                    }),
                    None => Err(ClientError::Unreachable(format!(
                        "{reason}, and no copy of {full_name} is cached"
                    ))),
                };
            }
            Err(e) => return Err(e),
        };
        if answer.status() == StatusCode::NOT_MODIFIED
            && let Some(e) = cached
        {
            return Ok(Fetch {
                prompt: parse_prompt(&e.answer)?,
                source: Source::NotModified,
            });
        }
        let etag = answer
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = answer
            .text()
            .await
            .map_err(|e| unreachable(&self.base, &e))?;
        let prompt = parse_prompt(&text)?;
        if let (Some(cache), Some(etag)) = (&self.cache, etag) {
            cache.store(&Entry {
                key,
                etag,
                answer: text,
            })?;
        }
        Ok(Fetch {
            prompt,
            source: Source::Server,
        })
    }
}

fn parse_prompt(text: &str) -> Result<Prompt, ClientError> {
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ClientError::Protocol(e.to_string()))?;
    let mut p: Prompt =
        serde_json::from_value(raw.clone()).map_err(|e| ClientError::Protocol(e.to_string()))?;
    p.raw = raw;
    Ok(p)
}

fn unreachable(base: &str, e: &reqwest::Error) -> ClientError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    // The source chain says why (e.g. "Connection refused").
    let mut cause = String::new();
    let mut s: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(inner) = s {
        cause = inner.to_string();
        s = inner.source();
    }
    if cause.is_empty() {
        ClientError::Unreachable(format!("{base}: {what}"))
    } else {
        ClientError::Unreachable(format!("{base}: {what} ({cause})"))
    }
}

async fn server_error(status: StatusCode, resp: reqwest::Response) -> ClientError {
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let message = body
        .get("error")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let message = match status.as_u16() {
        401 => format!("{message}: set PROMPTVAULT_TOKEN (or --token) to a valid API token"),
        _ => message,
    };
    ClientError::Server {
        status: status.as_u16(),
        code: body
            .get("code")
            .and_then(|c| c.as_str())
            .map(str::to_string),
        message,
        details: body.get("details").cloned().unwrap_or_default(),
    }
}
