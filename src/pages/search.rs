//! `/search`: ranked full-text search over every prompt the caller can read, with highlighted
//! snippets; the same service as `GET /api/search`.

use askama::Template;
use axum::extract::{RawQuery, State};

use super::cards::visibility_label;
use super::ctx::{Layout, Me};
use super::fmt;
use super::respond::{self, PageResult, describe, url_encode};
use crate::listing::{ListQuery, Scope};
use crate::prompts;
use crate::search::{ParsedQuery, snippet};
use crate::state::AppState;

const PER_PAGE: i64 = 20;

pub struct HitView {
    pub id: String,
    pub href: String,
    pub tags: Vec<String>,
    /// Escaped by the search service, matches wrapped in `<mark>`.
    pub title_html: String,
    pub snippet_html: String,
    pub visibility: &'static str,
    pub vis_icon: &'static str,
    pub updated: String,
    pub mine: bool,
}

/// A tag chip of the search page: toggles the tag in the filters.
pub struct SearchChip {
    pub name: String,
    pub on: bool,
    pub href: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    l: &'a Layout,
    q: String,
    /// Something to search or filter by was given.
    asked: bool,
    tags: Vec<String>,
    chips: Vec<SearchChip>,
    visibility: String,
    sort: String,
    mine_only: bool,
    hits: Vec<HitView>,
    total: crate::listing::Total,
    page: i64,
    pages: i64,
    prev: String,
    next: String,
    error: Option<String>,
}

fn page_href(req: &ListQuery, sort: &str, mine_only: bool, page: i64) -> String {
    page_href_tags(req, &req.tags, sort, mine_only, page)
}

fn page_href_tags(
    req: &ListQuery,
    tags: &[String],
    sort: &str,
    mine_only: bool,
    page: i64,
) -> String {
    let mut parts = vec![format!(
        "q={}",
        url_encode(req.q.as_deref().unwrap_or_default())
    )];
    if let Some(v) = &req.visibility {
        parts.push(format!("visibility={}", v.as_str()));
    }
    if !sort.is_empty() {
        parts.push(format!("sort={sort}"));
    }
    if mine_only {
        parts.push("owner=me".into());
    }
    for t in tags {
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
    let (mut req, mut error) = match ListQuery::from_pairs(&without_page, &me.user.id) {
        Ok(r) => (r, None),
        Err(e) => (
            ListQuery {
                q: Some(get("q").trim().to_string()).filter(|q| !q.is_empty()),
                ..ListQuery::default()
            },
            Some(format!(
                "Some options were not understood ({}).",
                describe(&e)
            )),
        ),
    };
    req.limit = PER_PAGE;
    req.offset = (page - 1) * PER_PAGE;
    let to_hit = |v: &prompts::PromptView, title_html: String, snippet_html: String| {
        let p = &v.prompt;
        let mine = p.user_id == me.user.id;
        let (visibility, vis_icon) = visibility_label(p.visibility);
        HitView {
            id: p.id.clone(),
            href: format!("{}/{}", if mine { "/prompts" } else { "/team-feed" }, p.id),
            tags: v.tag_names(),
            title_html,
            snippet_html,
            visibility,
            vis_icon,
            updated: fmt::ago(&p.updated_at),
            mine,
        }
    };
    let (hits, total) = match &req.q {
        // Only filters (e.g. `tag:writing`): every readable prompt that matches them.
        None if !req.tags.is_empty() || req.visibility.is_some() || mine_only => {
            match prompts::list_scope(&state.db, &me.user, Scope::Readable, &req).await {
                Ok((views, total)) => (
                    views
                        .iter()
                        .map(|v| {
                            to_hit(
                                v,
                                snippet::make(&[&v.prompt.title], &[]),
                                snippet::make(&[&v.prompt.body], &[]),
                            )
                        })
                        .collect(),
                    total,
                ),
                Err(e) if !e.status().is_server_error() => {
                    error = Some(describe(&e));
                    (Vec::new(), crate::listing::Total::default())
                }
                Err(e) => return Err(respond::error_page(&me.ctx, &e).into()),
            }
        }
        None => (Vec::new(), crate::listing::Total::default()),
        Some(text) => {
            match prompts::search_views(&state.db, &me.user.id, Scope::Readable, &req).await {
                Ok((found, total)) => {
                    let terms = ParsedQuery::parse(text).highlight_words();
                    let hits = found
                        .into_iter()
                        .map(|(v, hit)| {
                            to_hit(&v, snippet::make(&[&v.prompt.title], &terms), hit.snippet)
                        })
                        .collect();
                    (hits, total)
                }
                Err(e) if !e.status().is_server_error() => {
                    error = Some(describe(&e));
                    (Vec::new(), crate::listing::Total::default())
                }
                Err(e) => return Err(respond::error_page(&me.ctx, &e).into()),
            }
        }
    };
    // Tag chips: the ones filtering now, then the most used of what the caller can read.
    let mut all_tags = crate::tags::in_scope(&state.db, &me.user, Scope::Readable)
        .await
        .unwrap_or_default();
    all_tags.sort_by(|a, b| {
        b.count
            .prompts
            .cmp(&a.count.prompts)
            .then(a.name.cmp(&b.name))
    });
    let fold = crate::text::fold;
    let mut names: Vec<String> = req.tags.clone();
    for t in all_tags.iter().take(16) {
        if !names.iter().any(|n| fold(n) == fold(&t.name)) {
            names.push(t.name.clone());
        }
    }
    let chips = names
        .into_iter()
        .map(|name| {
            let on = req.tags.iter().any(|t| fold(t) == fold(&name));
            let tags: Vec<String> = if on {
                req.tags
                    .iter()
                    .filter(|t| fold(t) != fold(&name))
                    .cloned()
                    .collect()
            } else {
                let mut t = req.tags.clone();
                t.push(name.clone());
                t
            };
            SearchChip {
                href: page_href_tags(&req, &tags, &sort, mine_only, 1),
                count: all_tags
                    .iter()
                    .find(|t| fold(&t.name) == fold(&name))
                    .map_or(0, |t| t.count.prompts),
                on,
                name,
            }
        })
        .collect();
    let pages = ((total.count + PER_PAGE - 1) / PER_PAGE).max(1);
    let text = req.q.clone().unwrap_or_default();
    let asked = req.q.is_some() || !req.tags.is_empty() || req.visibility.is_some() || mine_only;
    let mut l = me.ctx.layout(
        if text.is_empty() {
            "Search".to_string()
        } else {
            format!("Search: {text}")
        },
        "search",
    );
    l.q = text.clone();
    Ok(respond::ok(
        &me.ctx,
        &SearchPage {
            l: &l,
            prev: page_href(&req, &sort, mine_only, page - 1),
            next: page_href(&req, &sort, mine_only, page + 1),
            q: text,
            asked,
            tags: req.tags.clone(),
            chips,
            visibility: req
                .visibility
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
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
