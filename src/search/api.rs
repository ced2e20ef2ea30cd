//! `GET /api/search`: ranked full-text search with the prompt list's filters and pagination.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Hit, SearchRequest, Sort};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::http::Page;
use crate::http::extract::with_total;
use crate::openapi::ErrorBody;
use crate::prompts::PromptView;
use crate::state::AppState;

/// The route with its description (under `/api`).
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// The query string of `GET /api/search`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchParams {
    /// Required: words, `"phrases"`, `-excluded`, `prefix*`.
    q: String,
    /// Tag name; repeat to require several.
    tag: Option<Vec<String>>,
    /// Only prompts with this visibility (case-insensitive).
    #[param(inline)]
    visibility: Option<crate::prompts::domain::Visibility>,
    /// `me` or a user id.
    owner: Option<String>,
    /// Only prompts shared with this team (id).
    team: Option<String>,
    /// Default `relevance`.
    #[param(inline)]
    sort: Option<Sort>,
    /// At least 1, default 50; larger than 200 counts as 200.
    #[param(minimum = 1)]
    limit: Option<i64>,
    /// At least 0, default 0.
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// A search hit: the prompt object of the lists plus where it matched.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub prompt: PromptView,
    /// HTML-escaped text with `<mark>` around the matches.
    pub snippet: String,
    /// Higher is better; 0 when not sorted by relevance.
    pub score: f64,
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

#[utoipa::path(get, path = "/search", tag = "search", params(SearchParams),
    description = "Ranked full-text search over title, body, notes and tags of every prompt the caller can read.",
    responses((status = 200, body = Vec<SearchHit>, headers(("x-total-count" = i64))),
              (status = 400, body = ErrorBody)))]
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
        let json = serde_json::to_value(SearchHit {
            prompt: v,
            snippet: hit.snippet.clone(),
            score: hit.score,
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        out.push(json);
    }
    Ok(out)
}
