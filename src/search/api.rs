//! `GET /api/search`: ranked full-text search with the prompt list's filters and pagination.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::{Hit, SearchRequest, Sort};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::http::Page;
use crate::http::extract::with_total;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

/// Reads `q`, `tag` (repeatable), `visibility`, `owner` (`me` or a user id), `team`, `sort`,
/// `limit`, `offset` from a query string.
pub fn request_from_query(raw: Option<&str>, caller: &str) -> Result<SearchRequest> {
    let pairs = crate::text::query_pairs(raw.unwrap_or_default())?;
    let mut req = SearchRequest::default();
    let mut page = Page::default();
    let number = |field: &str, v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| Error::invalid_field(field, "must be a whole number"))
    };
    for (k, v) in pairs {
        match k.as_str() {
            "q" => req.q = v,
            "tag" | "tags" if !v.trim().is_empty() => req.tags.push(v),
            "visibility" if !v.is_empty() => req.visibility = Some(v.trim().to_uppercase()),
            "owner" if v == "me" => req.owner = Some(caller.to_string()),
            "owner" if !v.is_empty() => {
                crate::text::check_id("owner", &v)?;
                req.owner = Some(v);
            }
            "team" | "teamId" if !v.is_empty() => {
                crate::text::check_id("team", &v)?;
                req.team = Some(v);
            }
            "sort" => req.sort = Sort::parse(&v)?,
            "limit" => page.limit = number("limit", &v)?,
            "offset" => page.offset = number("offset", &v)?,
            _ => {}
        }
    }
    let page = page.checked()?;
    req.limit = page.limit;
    req.offset = page.offset;
    Ok(req)
}

async fn search(
    State(s): State<AppState>,
    me: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let req = request_from_query(raw.as_deref(), me.id())?;
    if req.q.trim().is_empty() {
        return Err(Error::invalid_field("q", "is required"));
    }
    let results = super::search(&s.db, me.id(), &req).await?;
    let items = hits_json(&s.db, me.id(), &results.hits).await?;
    Ok(with_total(items, results.total))
}

/// Search hits as full prompt objects (the list's shape), in hit order, each with `snippet`
/// (HTML-escaped, matches in `<mark>`) and `score`.
pub async fn hits_json(db: &Db, caller: &str, hits: &[Hit]) -> Result<Vec<serde_json::Value>> {
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    let views = crate::prompts::views_in_order(db, caller, &ids).await?;
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        let Some(hit) = hits.iter().find(|h| h.id == v.prompt.id) else {
            continue;
        };
        let mut json = serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()))?;
        json["snippet"] = serde_json::json!(hit.snippet);
        json["score"] = serde_json::json!(hit.score);
        out.push(json);
    }
    Ok(out)
}
