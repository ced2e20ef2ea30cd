//! Helpers for page tests: plain form posts and HTML reads, as a browser without JavaScript does.

use reqwest::{Method, StatusCode};

use super::Client;

/// A page response: status, `Location` (redirects), body text, headers.
pub struct Html {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Html {
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

async fn read(resp: reqwest::Response) -> Html {
    let status = resp.status();
    let headers = resp.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = resp.text().await.expect("body");
    Html {
        status,
        location,
        body,
        headers,
    }
}

impl Client {
    pub async fn page(&self, path: &str) -> Html {
        read(
            self.request(Method::GET, path)
                .send()
                .await
                .expect("GET page"),
        )
        .await
    }

    /// Posts `application/x-www-form-urlencoded` fields like a browser form (same-origin).
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Html {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        read(
            self.request(Method::POST, path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(body)
                .send()
                .await
                .expect("POST form"),
        )
        .await
    }
}

/// Registers through the page form (the first account becomes the administrator).
pub async fn register(c: &Client, email: &str, name: &str) -> Html {
    let r = c
        .form(
            "/auth?register=true",
            &[
                ("email", email),
                ("password", "password-123"),
                ("name", name),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "register {email}: {}", r.body);
    r
}

/// Asserts a page has no inline script or style the CSP would block.
pub fn csp_clean(html: &str) {
    for (i, _) in html.match_indices("<script") {
        let tag_end = html[i..].find('>').map_or(html.len(), |e| i + e);
        assert!(
            html[i..tag_end].contains(" src="),
            "inline script in page: {}",
            &html[i..tag_end.min(i + 200)]
        );
    }
    assert!(!html.contains(" style="), "inline style attribute in page");
    assert!(!html.contains("<style"), "inline style element in page");
    assert!(!html.contains(" onclick="), "inline event handler in page");
}
