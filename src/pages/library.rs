//! The star toggle (`POST /prompts/:id/favorite`) and the trash (`/trash`: list, restore,
//! delete for good, empty; the "Undo" of a delete posts to `/trash/restore`).

use askama::Template;
use axum::extract::{Path, State};

use super::cards::visibility_label;
use super::ctx::{Layout, Me};
use super::form::{Form, PageQuery};
use super::respond::{self, Flash, OrPage, PageResult, redirect_with, safe_next};
use crate::prompts::{favorites, trash};
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// `POST /prompts/:id/favorite` (`on=1` stars, `on=0` unstars), back to `back`.
pub async fn favorite(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let to = super::detail::back(&form, &id);
    let on = form.get("on") != "0";
    favorites::set(&state.db, &me.user, &id, on)
        .await
        .or_flash(&to)?;
    Ok(redirect_with(
        &to,
        Flash::ok(if on {
            "Added to your favourites."
        } else {
            "Removed from your favourites."
        }),
    ))
}

pub struct TrashRow {
    pub id: String,
    pub title: String,
    pub visibility: &'static str,
    pub deleted: String,
    pub deleted_iso: String,
    pub purge: String,
    pub purge_iso: String,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage<'a> {
    l: &'a Layout,
    rows: Vec<TrashRow>,
    total: i64,
    page: i64,
    pages: i64,
    keep_days: i64,
}

/// `GET /trash`: the caller's deleted prompts.
pub async fn page(
    State(state): State<AppState>,
    me: Me,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    let page = pairs
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (items, total) = trash::list(&state.db, &me.user, PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .or_page(&me.ctx)?;
    let rows = items
        .into_iter()
        .map(|t| TrashRow {
            visibility: visibility_label(t.visibility).0,
            deleted: super::fmt::ago(&t.deleted_at),
            deleted_iso: super::fmt::iso(&t.deleted_at),
            purge: t.purge_at.format("%-d %B %Y").to_string(),
            purge_iso: super::fmt::iso(&t.purge_at),
            id: t.id,
            title: t.title,
        })
        .collect();
    let l = me.ctx.layout("Trash", "prompts");
    Ok(respond::ok(
        &me.ctx,
        &TrashPage {
            l: &l,
            rows,
            total: total.count,
            page,
            pages: ((total.count + PER_PAGE - 1) / PER_PAGE).max(1),
            keep_days: trash::KEEP_DAYS,
        },
    ))
}

/// `POST /trash/restore`: `ids` (repeated, or comma-separated as the "Undo" sends them) come
/// back, then `back` (the page the "Undo" was on, else the trash).
pub async fn restore(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let back = safe_next(form.opt("back")).unwrap_or("/trash").to_string();
    let ids: Vec<String> = form
        .all("ids")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Ok(redirect_with(&back, Flash::error("Nothing to restore.")));
    }
    let n = trash::restore(&state.db, &me.user, &ids)
        .await
        .or_flash(&back)?;
    Ok(redirect_with(
        &back,
        Flash::ok(format!(
            "{n} prompt{} restored.",
            if n == 1 { "" } else { "s" }
        )),
    ))
}

/// `POST /trash/:id/delete`: deletes a trashed prompt for good.
pub async fn delete_forever(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> PageResult {
    trash::delete_forever(&state.db, &me.user, &id)
        .await
        .or_flash("/trash")?;
    Ok(redirect_with("/trash", Flash::ok("Deleted for good.")))
}

/// `POST /trash/empty`: deletes everything in the trash for good.
pub async fn empty(State(state): State<AppState>, me: Me) -> PageResult {
    let n = trash::empty(&state.db, &me.user).await.or_flash("/trash")?;
    Ok(redirect_with(
        "/trash",
        Flash::ok(format!(
            "Trash emptied: {n} prompt{} deleted for good.",
            if n == 1 { "" } else { "s" }
        )),
    ))
}
