//! `/team-feed`: prompts shared with my teams (and public ones).

use askama::Template;
use axum::extract::State;

use super::cards::{self, Card, ListState};
use super::ctx::{Layout, Me};
use super::form::PageQuery;
use super::respond::{self, PageResult};
use crate::prompts;
use crate::state::AppState;

const PER_PAGE: i64 = 24;

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage<'a> {
    l: &'a Layout,
    s: ListState,
    cards: Vec<Card>,
    /// The table shows selection boxes for bulk actions.
    bulk: bool,
    no_team: bool,
}

pub async fn feed(
    State(state): State<AppState>,
    me: Me,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    let (mut s, q) = ListState::parse("/team-feed", &pairs, PER_PAGE, &me.user.id);
    s.teams = crate::teams::of_user(&state.db, &me.user.id)
        .await
        .map_err(|e| respond::error_page(&me.ctx, &e))?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let (views, total, in_team) = prompts::shared_feed(&state.db, &me.user, &q)
        .await
        .map_err(|e| respond::error_page(&me.ctx, &e))?;
    s.set_total(total);
    let cards = views.iter().map(|v| cards::card(v, "/team-feed")).collect();
    let no_team = !in_team;
    let l = me.ctx.layout("Team feed", "feed");
    Ok(respond::ok(
        &me.ctx,
        &FeedPage {
            l: &l,
            bulk: false,
            s,
            cards,
            no_team,
        },
    ))
}
