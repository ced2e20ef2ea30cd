//! `GET /api/search`: ranked full-text search with the prompt list's filters and pagination
//! (the search engine is `crate::search`; this answers with the prompts' list views).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::PromptView;
use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::extract::with_total;
use crate::listing::{ListQuery, Scope, Sort};
use crate::openapi::schemas::ErrorBody;
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

#[utoipa::path(get, path = "/search", tag = "search", params(SearchParams),
    description = "Ranked full-text search over title, body, notes and tags of every prompt the caller can read. `tag:NAME` (or `tag:\"two words\"`) in `q` filters by tag; `q` of only such terms lists the readable prompts with those tags.",
    responses((status = 200, body = Vec<SearchHit>, headers(("x-total-count" = i64, description = "Matching prompts: in relevance order the 300 ranked ones (only those are paged), in other orders counted up to 1000"), ("x-total-count-capped" = bool, description = "Present (true) when more match than were counted (300 ranked or 1000): the total is at least x-total-count"))),
              (status = 400, body = ErrorBody)))]
async fn search(
    State(s): State<AppState>,
    me: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let pairs = crate::text::query_pairs(raw.as_deref().unwrap_or_default())?;
    let q = ListQuery::from_pairs(&pairs, me.id())?;
    if q.q.is_none() {
        if q.tags.is_empty() {
            return Err(Error::invalid_field("q", "is required"));
        }
        // Only `tag:` terms (or `tag` filters): every readable prompt with those tags.
        let (views, total) = super::list_scope(&s.db, &me.user, Scope::Readable, &q).await?;
        let items: Vec<SearchHit> = views
            .into_iter()
            .map(|prompt| SearchHit {
                snippet: crate::search::snippet::make(&[&prompt.prompt.body], &[]),
                prompt,
                score: 0.0,
            })
            .collect();
        return Ok(with_total(items, total));
    }
    let (found, total) = super::search_views(&s.db, me.id(), Scope::Readable, &q).await?;
    let items: Vec<SearchHit> = found
        .into_iter()
        .map(|(prompt, hit)| SearchHit {
            prompt,
            snippet: hit.snippet,
            score: hit.score,
        })
        .collect();
    Ok(with_total(items, total))
}
