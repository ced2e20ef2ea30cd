//! A tiny JSON HTTP client for tests: one cookie jar per client.

use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub bearer: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        promptvault::client::install_tls();
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_string(),
            bearer: None,
        }
    }

    /// A client that authenticates with an API token instead of cookies.
    pub fn with_token(base: &str, token: &str) -> Client {
        Client {
            bearer: Some(token.to_string()),
            ..Client::new(base)
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.bearer {
            r = r.bearer_auth(t);
        }
        r
    }

    /// Sends and returns the status and the body parsed as JSON (`Value::Null` when empty,
    /// a string when it is not JSON).
    pub async fn send(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = r.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    #[must_use = "check the status, or use a setup helper that asserts it (`ok_get`)"]
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::GET, path)).await
    }

    #[must_use = "check the status, or use a setup helper that asserts it (`ok_post`)"]
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    #[must_use = "check the status, or use a setup helper that asserts it (`ok_put`)"]
    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.request(Method::PUT, path).json(body)).await
    }

    #[must_use = "check the status, or use a setup helper that asserts it (`ok_delete`)"]
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// Setup steps: the request must succeed (2xx); the body is returned.
    pub async fn ok_get(&self, path: &str) -> Value {
        let (s, body) = self.get(path).await;
        assert!(s.is_success(), "GET {path}: {s} {body}");
        body
    }

    pub async fn ok_post(&self, path: &str, body: &Value) -> Value {
        let (s, answer) = self.post(path, body).await;
        assert!(s.is_success(), "POST {path}: {s} {answer}");
        answer
    }

    pub async fn ok_put(&self, path: &str, body: &Value) -> Value {
        let (s, answer) = self.put(path, body).await;
        assert!(s.is_success(), "PUT {path}: {s} {answer}");
        answer
    }

    pub async fn ok_delete(&self, path: &str) -> Value {
        let (s, body) = self.delete(path).await;
        assert!(s.is_success(), "DELETE {path}: {s} {body}");
        body
    }

    /// Raw body with a content type, for malformed-input tests.
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        self.send(
            self.request(Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

impl Client {
    /// Sends and returns the raw response (headers, status) for tests that need them.
    pub async fn send_raw(&self, r: reqwest::RequestBuilder) -> reqwest::Response {
        r.send().await.expect("request sent")
    }
}
