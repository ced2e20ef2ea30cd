//! What prompt lists show: cards (or table rows) built from the service's `PromptView`, the
//! filter state of a list page and the links that change it.

use crate::pages::fmt;
use crate::pages::respond::url_encode;
use crate::prompts::{ListQuery, PromptView, Sort, Total, Visibility};

/// How many characters of a body a card shows before fading out.
const PREVIEW_CHARS: usize = 400;

pub struct Card {
    pub id: String,
    pub href: String,
    pub title: String,
    pub preview: String,
    pub more: bool,
    pub tags: Vec<String>,
    pub visibility: &'static str,
    pub vis_icon: &'static str,
    pub shared: bool,
    pub avg: String,
    pub stars: Vec<bool>,
    pub rating_count: i64,
    pub versions: i64,
    pub updated: String,
    pub updated_iso: String,
    pub author: String,
    pub mine: bool,
    /// Starred by the viewer.
    pub favorite: bool,
}

pub fn visibility_label(v: Visibility) -> (&'static str, &'static str) {
    match v {
        Visibility::Public => ("Everyone signed in", "globe"),
        Visibility::Team => ("Team", "users"),
        Visibility::Private => ("Private", "lock"),
    }
}

/// Five booleans: which stars of an average (rounded to the nearest half up) are filled.
pub fn stars(avg: f64) -> Vec<bool> {
    let filled = avg.round() as i64;
    (1..=5).map(|i| i <= filled).collect()
}

/// The first lines of a body, cut at a character boundary.
pub fn preview(body: &str) -> (String, bool) {
    let lines: Vec<&str> = body.lines().take(8).collect();
    let text = lines.join("\n");
    if text.chars().count() > PREVIEW_CHARS {
        let cut: String = text.chars().take(PREVIEW_CHARS).collect();
        return (format!("{}…", cut.trim_end()), true);
    }
    (text, body.lines().count() > lines.len())
}

pub fn card(v: &PromptView, href_base: &str) -> Card {
    let p = &v.prompt;
    let (visibility, vis_icon) = visibility_label(p.visibility);
    let (preview, more) = preview(&p.body);
    Card {
        id: p.id.clone(),
        href: format!("{href_base}/{}", p.id),
        title: p.title.clone(),
        preview,
        more,
        tags: v.tag_names(),
        visibility,
        vis_icon,
        shared: p.is_publicly_shared && v.can_edit,
        avg: if v.rating_count > 0 {
            format!("{:.1}", v.avg_rating)
        } else {
            String::new()
        },
        stars: stars(v.avg_rating),
        rating_count: v.rating_count,
        versions: v.count.versions,
        updated: fmt::ago(&p.updated_at),
        updated_iso: fmt::iso(&p.updated_at),
        author: v
            .user
            .as_ref()
            .map(|u| u.name.clone().unwrap_or_else(|| u.email.clone()))
            .unwrap_or_default(),
        mine: v.can_edit,
        favorite: v.favorite,
    }
}

/// A tag chip: its name, whether it filters now, and the link that toggles it.
pub struct Chip {
    pub name: String,
    pub on: bool,
    pub href: String,
    pub count: i64,
}

/// The filters of a list page as the page shows and links them.
pub struct ListState {
    pub path: &'static str,
    pub q: String,
    pub tags: Vec<String>,
    pub visibility: String,
    /// The team filter (team id) and the teams to choose from (the team feed only).
    pub team: String,
    pub teams: Vec<(String, String)>,
    pub sort: &'static str,
    /// Only the viewer's favourites (`favorites=1`).
    pub favorites: bool,
    pub table: bool,
    pub page: i64,
    pub pages: i64,
    pub total: Total,
    pub per_page: i64,
    pub error: Option<String>,
}

impl ListState {
    /// Reads the page's query string: the service's `ListQuery` plus `page` and `view`.
    /// A bad value resets the filters and says so, instead of failing the page.
    pub fn parse(
        path: &'static str,
        pairs: &[(String, String)],
        per_page: i64,
        caller: &str,
    ) -> (ListState, ListQuery) {
        let page = pairs
            .iter()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 100_000);
        let table = pairs.iter().any(|(k, v)| k == "view" && v == "table");
        let wanted: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "page" | "view" | "limit" | "offset"))
            .cloned()
            .collect();
        let (mut q, error) = match ListQuery::from_pairs(&wanted, caller) {
            Ok(q) => (q, None),
            Err(e) => (
                ListQuery::default(),
                Some(format!(
                    "Some filters were not understood ({}); showing everything.",
                    crate::pages::respond::describe(&e)
                )),
            ),
        };
        q.limit = per_page;
        q.offset = (page - 1) * per_page;
        let state = ListState {
            path,
            q: q.q.clone().unwrap_or_default(),
            tags: q.tags.clone(),
            visibility: q
                .visibility
                .map(|v: Visibility| v.as_str().to_string())
                .unwrap_or_default(),
            team: q.team.clone().unwrap_or_default(),
            teams: Vec::new(),
            sort: q.sort.unwrap_or(Sort::Updated).as_str(),
            favorites: q.favorites,
            table,
            page,
            pages: 1,
            total: Total::default(),
            per_page,
            error,
        };
        (state, q)
    }

    pub fn set_total(&mut self, total: Total) {
        self.total = total;
        self.pages = ((total.count + self.per_page - 1) / self.per_page).max(1);
    }

    pub fn filtered(&self) -> bool {
        !self.q.is_empty()
            || !self.tags.is_empty()
            || !self.visibility.is_empty()
            || !self.team.is_empty()
            || self.favorites
    }

    /// The address of this list with other tags, page or view.
    fn href(&self, tags: &[String], page: i64, table: bool) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", url_encode(&self.q)));
        }
        for t in tags {
            parts.push(format!("tag={}", url_encode(t)));
        }
        if !self.visibility.is_empty() {
            parts.push(format!("visibility={}", self.visibility));
        }
        if !self.team.is_empty() {
            parts.push(format!("team={}", url_encode(&self.team)));
        }
        if self.favorites {
            parts.push("favorites=1".into());
        }
        if self.sort != "updated" {
            parts.push(format!("sort={}", self.sort));
        }
        if table {
            parts.push("view=table".into());
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            self.path.to_string()
        } else {
            format!("{}?{}", self.path, parts.join("&"))
        }
    }

    pub fn chip(&self, name: &str, count: i64) -> Chip {
        let on = self.tags.iter().any(|t| t.eq_ignore_ascii_case(name));
        let tags: Vec<String> = if on {
            self.tags
                .iter()
                .filter(|t| !t.eq_ignore_ascii_case(name))
                .cloned()
                .collect()
        } else {
            let mut t = self.tags.clone();
            t.push(name.to_string());
            t
        };
        Chip {
            name: name.to_string(),
            on,
            href: self.href(&tags, 1, self.table),
            count,
        }
    }

    /// The table's column header link: this list sorted by `sort`.
    pub fn sort_href(&self, sort: &str) -> String {
        let other = ListState {
            path: self.path,
            q: self.q.clone(),
            tags: self.tags.clone(),
            visibility: self.visibility.clone(),
            team: self.team.clone(),
            teams: Vec::new(),
            sort: match sort {
                "title" => "title",
                "rating" => "rating",
                "created" => "created",
                _ => "updated",
            },
            favorites: self.favorites,
            table: true,
            page: 1,
            pages: 1,
            total: self.total,
            per_page: self.per_page,
            error: None,
        };
        other.href(&self.tags, 1, true)
    }

    /// `aria-sort` of a column: `descending`/`ascending` when the list is sorted by it.
    pub fn aria_sort(&self, sort: &str) -> &'static str {
        match (self.sort == sort, sort) {
            (false, _) => "none",
            (true, "title") => "ascending",
            (true, _) => "descending",
        }
    }

    pub fn prev_href(&self) -> String {
        self.href(&self.tags, self.page - 1, self.table)
    }

    pub fn next_href(&self) -> String {
        self.href(&self.tags, self.page + 1, self.table)
    }

    pub fn first_href(&self) -> String {
        self.href(&self.tags, 1, self.table)
    }

    pub fn grid_href(&self) -> String {
        self.href(&self.tags, self.page, false)
    }

    pub fn table_href(&self) -> String {
        self.href(&self.tags, self.page, true)
    }

    /// Filters other than the favourites one are set.
    pub fn filtered_beyond_favorites(&self) -> bool {
        !self.q.is_empty()
            || !self.tags.is_empty()
            || !self.visibility.is_empty()
            || !self.team.is_empty()
    }

    /// This list with the favourites filter switched (first page).
    pub fn favorites_href(&self) -> String {
        let other = ListState {
            path: self.path,
            q: self.q.clone(),
            tags: self.tags.clone(),
            visibility: self.visibility.clone(),
            team: self.team.clone(),
            teams: Vec::new(),
            sort: self.sort,
            favorites: !self.favorites,
            table: self.table,
            page: 1,
            pages: 1,
            total: self.total,
            per_page: self.per_page,
            error: None,
        };
        other.href(&self.tags, 1, self.table)
    }

    pub fn clear_href(&self) -> String {
        if self.table {
            format!("{}?view=table", self.path)
        } else {
            self.path.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).expect("pairs")
    }

    #[test]
    fn list_state_reads_and_links_filters() {
        let (mut s, q) = ListState::parse(
            "/prompts",
            &pairs("q=a b&tag=x&sort=title&page=3&view=table"),
            24,
            "me1",
        );
        assert_eq!((q.limit, q.offset), (24, 48));
        assert_eq!(q.q.as_deref(), Some("a b"));
        s.set_total(Total::exact(100));
        assert_eq!(s.pages, 5);
        assert_eq!(
            s.prev_href(),
            "/prompts?q=a+b&tag=x&sort=title&view=table&page=2"
        );
        assert_eq!(s.grid_href(), "/prompts?q=a+b&tag=x&sort=title&page=3");
        let on = s.chip("X", 4);
        assert!(on.on, "tags match ignoring case");
        assert_eq!(
            on.href, "/prompts?q=a+b&sort=title&view=table",
            "clicking removes it"
        );
        let off = s.chip("y & z", 1);
        assert_eq!(
            off.href,
            "/prompts?q=a+b&tag=x&tag=y+%26+z&sort=title&view=table"
        );
        assert!(s.filtered());
        let (s, q) = ListState::parse("/prompts", &pairs("favorites=1&view=table"), 24, "me1");
        assert!(q.favorites && s.favorites && s.filtered());
        assert_eq!(s.first_href(), "/prompts?favorites=1&view=table");
        assert_eq!(s.favorites_href(), "/prompts?view=table");
    }

    #[test]
    fn bad_filters_reset_with_a_message() {
        let (s, q) = ListState::parse("/prompts", &pairs("sort=sideways&page=-4"), 24, "me1");
        assert!(s.error.is_some());
        assert_eq!((q.offset, s.page), (0, 1));
    }

    #[test]
    fn previews_cut_long_bodies() {
        let (short, more) = preview("one\ntwo");
        assert_eq!((short.as_str(), more), ("one\ntwo", false));
        let (cut, more) = preview(&"é".repeat(1000));
        assert!(more && cut.ends_with('…') && cut.chars().count() == PREVIEW_CHARS + 1);
        let (_, more) = preview(&"line\n".repeat(20));
        assert!(more, "more lines than shown");
        assert_eq!(stars(3.6), vec![true, true, true, true, false]);
    }
}
