//! `/search`: ranked full-text search over every prompt the caller can read, with highlighted
//! snippets; the same service as `GET /api/search`.

use askama::Template;
use axum::extract::{RawQuery, State};

use super::cards::visibility_label;
use super::ctx::{Layout, Me};
use super::fmt;
use super::respond::{self, OrPage, PageResult, describe, url_encode};
use crate::search::{self, ParsedQuery, SearchRequest, snippet};
use crate::state::AppState;

const PER_PAGE: i64 = 20;

pub struct HitView {
    pub href: String,
    /// Escaped by the search service, matches wrapped in `<mark>`.
    pub title_html: String,
    pub snippet_html: String,
    pub visibility: &'static str,
    pub vis_icon: &'static str,
    pub updated: String,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    l: &'a Layout,
    q: String,
    visibility: String,
    sort: String,
    mine_only: bool,
    hits: Vec<HitView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: String,
    next: String,
    error: Option<String>,
}

fn page_href(req: &SearchRequest, sort: &str, mine_only: bool, page: i64) -> String {
    let mut parts = vec![format!("q={}", url_encode(&req.q))];
    if let Some(v) = &req.visibility {
        parts.push(format!("visibility={v}"));
    }
    if !sort.is_empty() {
        parts.push(format!("sort={sort}"));
    }
    if mine_only {
        parts.push("owner=me".into());
    }
    for t in &req.tags {
        parts.push(format!("tag={}", url_encode(t)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    format!("/search?{}", parts.join("&"))
}

pub async fn page(State(state): State<AppState>, me: Me, RawQuery(raw): RawQuery) -> PageResult {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let page = get("page").parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let sort = get("sort").to_string();
    let mine_only = get("owner") == "me";
    // The API's parser keeps one reading of the parameters; `page` is the page's own.
    let without_page: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "page" | "limit" | "offset"))
        .cloned()
        .collect();
    let query = serde_urlencoded::to_string(&without_page).unwrap_or_default();
    let (mut req, mut error) = match search::api::request_from_query(Some(&query), &me.user.id) {
        Ok(r) => (r, None),
        Err(e) => (
            SearchRequest {
                q: get("q").to_string(),
                ..SearchRequest::default()
            },
            Some(format!(
                "Some options were not understood ({}).",
                describe(&e)
            )),
        ),
    };
    req.limit = PER_PAGE;
    req.offset = (page - 1) * PER_PAGE;
    let (hits, total) = if req.q.trim().is_empty() {
        (Vec::new(), 0)
    } else {
        match search::search(&state.db, &me.user.id, &req).await {
            Ok(results) => {
                let rows = crate::search::api::hits_json(&state.db, &me.user.id, &results.hits)
                    .await
                    .or_page(&me.ctx)?;
                let terms = ParsedQuery::parse(&req.q).highlight_words();
                let hits = rows
                    .iter()
                    .map(|r| {
                        let s = |k: &str| r[k].as_str().unwrap_or_default();
                        let mine = s("userId") == me.user.id;
                        let (visibility, vis_icon) = visibility_label(s("visibility"));
                        let updated = chrono::DateTime::parse_from_rfc3339(s("updatedAt"))
                            .map(|t| fmt::ago(&t.with_timezone(&chrono::Utc)))
                            .unwrap_or_default();
                        HitView {
                            href: format!(
                                "{}/{}",
                                if mine { "/prompts" } else { "/team-feed" },
                                s("id")
                            ),
                            title_html: snippet::make(&[s("title")], &terms),
                            snippet_html: s("snippet").to_string(),
                            visibility,
                            vis_icon,
                            updated,
                            mine,
                        }
                    })
                    .collect();
                (hits, results.total)
            }
            Err(e) if !e.status().is_server_error() => {
                error = Some(describe(&e));
                (Vec::new(), 0)
            }
            Err(e) => return Err(respond::error_page(&me.ctx, &e).into()),
        }
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let mut l = me.ctx.layout(
        if req.q.is_empty() {
            "Search".to_string()
        } else {
            format!("Search: {}", req.q)
        },
        "search",
    );
    l.q = req.q.clone();
    Ok(respond::ok(
        &me.ctx,
        &SearchPage {
            l: &l,
            prev: page_href(&req, &sort, mine_only, page - 1),
            next: page_href(&req, &sort, mine_only, page + 1),
            q: req.q.clone(),
            visibility: req.visibility.clone().unwrap_or_default(),
            sort,
            mine_only,
            hits,
            total,
            page,
            pages,
            error,
        },
    ))
}
