//! The one shape of every prompt list: which prompts (scope and filters), in what order (sort)
//! and which slice (paging). The prompt lists, the team feed and search all read their query
//! parameters with [`ListQuery::from_pairs`] and build their `WHERE` and `ORDER BY` here, so a
//! filter, a sort or a page means the same everywhere.

pub mod counts;

use crate::db::Backend;
use crate::db::dynamic::Arg;
use crate::error::{Error, Result};
use crate::prompts::access;
use crate::prompts::domain::{self, Visibility};

/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page; a larger `limit` counts as this.
pub const MAX_LIMIT: i64 = 200;
/// Longest text query.
pub const MAX_QUERY_CHARS: usize = 500;

/// Lists and searches count matches up to this many; past it the total is "at least this"
/// (`X-Total-Count` says the cap and `X-Total-Count-Capped: true`; pages show "10000+"): the
/// work of a page view must not grow with the number of prompts.
pub const COUNT_CAP: i64 = 10_000;

/// Searches count matches up to this many: each counted match is checked for access, so a
/// search over common words would otherwise check 10,000 prompts per page view.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// How many prompts match: exact up to [`COUNT_CAP`], else at least the cap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub count: i64,
    /// More than `count` match.
    pub capped: bool,
}

impl Total {
    /// From a count made with [`capped_count_sql`] (at most `COUNT_CAP + 1`).
    pub fn from_count(n: i64) -> Total {
        Total::from_count_up_to(n, COUNT_CAP)
    }

    /// From a count made with [`capped_count_sql_up_to`] and the same `cap`.
    pub fn from_count_up_to(n: i64, cap: i64) -> Total {
        Total {
            count: n.min(cap),
            capped: n > cap,
        }
    }

    /// An exact total (small lists that are always counted in full).
    pub fn exact(n: i64) -> Total {
        Total {
            count: n,
            capped: false,
        }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.count, if self.capped { "+" } else { "" })
    }
}

/// `SELECT COUNT(*)` of the rows of `from_where` (a `FROM … WHERE …` text), stopping after
/// `COUNT_CAP + 1` of them.
pub fn capped_count_sql(from_where: &str) -> String {
    capped_count_sql_up_to(from_where, COUNT_CAP)
}

/// [`capped_count_sql`] stopping after `cap + 1` rows.
pub fn capped_count_sql_up_to(from_where: &str, cap: i64) -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT 1 AS \"one\" FROM {from_where} LIMIT {}) capped",
        cap + 1
    )
}

/// `limit` and `offset` checked: `limit` 1.. (capped at [`MAX_LIMIT`]), `offset` 0.. . The one
/// rule for every paged answer (lists, search, admin lists).
pub fn check_page(limit: i64, offset: i64) -> Result<(i64, i64)> {
    if limit < 1 {
        return Err(Error::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if offset < 0 {
        return Err(Error::invalid_field("offset", "must be 0 or more"));
    }
    Ok((limit.min(MAX_LIMIT), offset))
}

fn whole_number(field: &str, v: &str) -> Result<i64> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid_field(field, "must be a whole number"))
}

/// Which prompts a list covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The caller's own prompts.
    Own,
    /// TEAM and PUBLIC prompts of people who share a team with the caller (or scoped to one of
    /// the caller's teams), readable by the caller.
    TeamFeed,
    /// The team feed page: [`Scope::TeamFeed`] plus every prompt shared with everyone signed
    /// in (PUBLIC), also for someone in no team.
    Shared,
    /// Every prompt the caller can read.
    #[default]
    Readable,
}

/// The order of a list. Ties are broken the same way everywhere: newest change first, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (with a text query; without one, as `updated`).
    Relevance,
    Updated,
    Created,
    Title,
    Rating,
}

impl Sort {
    pub fn parse(raw: &str) -> std::result::Result<Sort, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "relevance" | "rank" => Ok(Sort::Relevance),
            "updated" | "updatedat" => Ok(Sort::Updated),
            "created" | "createdat" => Ok(Sort::Created),
            "title" => Ok(Sort::Title),
            "rating" => Ok(Sort::Rating),
            _ => Err("must be relevance, updated, created, title or rating".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Updated => "updated",
            Sort::Created => "created",
            Sort::Title => "title",
            Sort::Rating => "rating",
        }
    }
}

/// Filters, text, sort and page of a prompt list or a search.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// Full-text query (lists with one are answered by search).
    pub q: Option<String>,
    /// Prompts must carry every one of these tags (names, any case).
    pub tags: Vec<String>,
    /// Those of [`ListQuery::tags`] on so many prompts that a page is found faster by walking
    /// the list in its order and checking each prompt for the tag than by reading every prompt
    /// of the tag and sorting them ([`frequent_tags`]; filled in for a page, empty otherwise).
    pub frequent_tags: Vec<String>,
    pub visibility: Option<Visibility>,
    /// Only prompts of this owner (user id).
    pub owner: Option<String>,
    /// Only prompts shared with this team (team id), see [`IN_TEAM`].
    pub team: Option<String>,
    /// Only the caller's favourites (starred prompts).
    pub favorites: bool,
    /// `None`: relevance with a text query, newest change first without.
    pub sort: Option<Sort>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            q: None,
            tags: Vec::new(),
            frequent_tags: Vec::new(),
            visibility: None,
            owner: None,
            team: None,
            favorites: false,
            sort: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl ListQuery {
    /// Reads `q`, `tag` (repeatable, also `tags=a,b`), `visibility`, `owner` (`me` or a user
    /// id), `team`, `favorites` (`true`/`1`), `sort`, `limit` and `offset` from query-string pairs; `caller` is who `me`
    /// means. A value that cannot be used is a 400 naming the parameter.
    pub fn from_pairs(pairs: &[(String, String)], caller: &str) -> Result<ListQuery> {
        let mut out = ListQuery::default();
        let (mut limit, mut offset) = (DEFAULT_LIMIT, 0);
        for (k, v) in pairs {
            match k.as_str() {
                "q" | "search" => {
                    let v = v.trim();
                    if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(Error::invalid_field(
                            "q",
                            format!("must be at most {MAX_QUERY_CHARS} characters"),
                        ));
                    }
                    out.q = (!v.is_empty()).then(|| v.to_string());
                }
                "tag" | "tags" | "tag[]" => {
                    for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        let t = domain::parse_tag(t).map_err(|p| Error::invalid_field("tag", p))?;
                        out.tags.push(t);
                    }
                }
                "visibility" if !v.trim().is_empty() => {
                    out.visibility = Some(
                        Visibility::parse(v).map_err(|p| Error::invalid_field("visibility", p))?,
                    );
                }
                "owner" if v.trim() == "me" => out.owner = Some(caller.to_string()),
                "owner" if !v.trim().is_empty() => {
                    crate::text::check_id("owner", v.trim())?;
                    out.owner = Some(v.trim().to_string());
                }
                "team" | "teamId" if !v.trim().is_empty() => {
                    crate::text::check_id("team", v.trim())?;
                    out.team = Some(v.trim().to_string());
                }
                "favorites" | "favourites" => {
                    out.favorites = match v.trim().to_ascii_lowercase().as_str() {
                        "" | "0" | "false" | "no" | "off" => false,
                        "1" | "true" | "yes" | "on" => true,
                        _ => {
                            return Err(Error::invalid_field("favorites", "must be true or false"));
                        }
                    };
                }
                "sort" if !v.trim().is_empty() => {
                    out.sort = Some(Sort::parse(v).map_err(|p| Error::invalid_field("sort", p))?);
                }
                "limit" => limit = whole_number("limit", v)?,
                "offset" => offset = whole_number("offset", v)?,
                _ => {}
            }
        }
        (out.limit, out.offset) = check_page(limit, offset)?;
        // `tag:NAME` (or `tag:"two words"`) in the text is a tag filter.
        if let Some(text) = out.q.take() {
            let (rest, tags) = split_tag_terms(&text);
            for t in tags {
                let t = domain::parse_tag(&t).map_err(|p| Error::invalid_field("q", p))?;
                if !out
                    .tags
                    .iter()
                    .any(|x| crate::text::fold(x) == crate::text::fold(&t))
                {
                    out.tags.push(t);
                }
            }
            out.q = (!rest.is_empty()).then_some(rest);
        }
        Ok(out)
    }

    /// The order to use: the one asked for, else relevance with a text query and newest
    /// change first without one.
    pub fn effective_sort(&self) -> Sort {
        match (self.sort, &self.q) {
            (Some(Sort::Relevance), None) => Sort::Updated,
            (Some(s), _) => s,
            (None, Some(_)) => Sort::Relevance,
            (None, None) => Sort::Updated,
        }
    }
}

/// Takes the `tag:NAME` and `tag:"two words"` terms out of a text query (outside quoted
/// phrases; `tag:` in any case): the rest of the text and the tag names.
pub fn split_tag_terms(text: &str) -> (String, Vec<String>) {
    let mut rest = String::new();
    let mut tags = Vec::new();
    let mut s = text.trim();
    while !s.is_empty() {
        if s.get(..4).is_some_and(|h| h.eq_ignore_ascii_case("tag:")) {
            let after = &s[4..];
            let (name, tail) = if let Some(q) = after.strip_prefix('"') {
                q.split_once('"').unwrap_or((q, ""))
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                after.split_at(end)
            };
            if !name.trim().is_empty() {
                tags.push(name.trim().to_string());
            }
            s = tail.trim_start();
            continue;
        }
        // Copy one token (a quoted phrase is one token) to the rest.
        let neg = usize::from(s.starts_with('-'));
        let end = if s[neg..].starts_with('"') {
            s[neg + 1..].find('"').map_or(s.len(), |i| neg + 1 + i + 1)
        } else {
            s.find(char::is_whitespace).unwrap_or(s.len())
        };
        if !rest.is_empty() {
            rest.push(' ');
        }
        rest.push_str(&s[..end]);
        s = s[end..].trim_start();
    }
    (rest, tags)
}

/// "Shared with team `?`": the prompt names the team, or names none and its owner is a member
/// (TEAM without a team means all the owner's teams). Bind the team id twice.
pub const IN_TEAM: &str = "(p.\"teamId\" = ? OR (p.\"teamId\" IS NULL AND p.\"userId\" IN \
    (SELECT tm.\"userId\" FROM \"UserTeam\" tm WHERE tm.\"teamId\" = ?)))";

/// "Starred by the caller": bind the caller's id once.
pub const FAVORITE: &str =
    "p.\"id\" IN (SELECT fv.\"promptId\" FROM \"Favorite\" fv WHERE fv.\"userId\" = ?)";

/// The condition (on prompt `p`) that defines a scope, with its binds. Every scope leaves out
/// prompts in the trash ([`access::LIVE`]).
pub fn scope_condition(caller: &str, scope: Scope) -> (String, Vec<Arg>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    match scope {
        Scope::Own => {
            conds.push(access::LIVE.into());
            conds.push("p.\"userId\" = ?".into());
            args.push(Arg::S(caller.into()));
        }
        Scope::Shared => {
            let (team, a) = scope_condition(caller, Scope::TeamFeed);
            conds.push(format!("(p.\"visibility\" = 'PUBLIC' OR ({team}))"));
            args.extend(a);
        }
        Scope::TeamFeed => {
            // Shared in one of the caller's teams, or by a teammate; and readable (see
            // `access::READABLE`): PUBLIC, or TEAM in one of the caller's teams, or TEAM with no
            // team by a teammate (or the caller). Uncorrelated subqueries only: each is
            // evaluated once per query, not once per prompt.
            conds.push(access::LIVE.into());
            conds.push(
                "p.\"visibility\" IN ('TEAM', 'PUBLIC') AND (\
                 p.\"teamId\" IN (SELECT f1.\"teamId\" FROM \"UserTeam\" f1 WHERE f1.\"userId\" = ?) \
                 OR (p.\"userId\" IN (SELECT f3.\"userId\" FROM \"UserTeam\" f2 \
                 JOIN \"UserTeam\" f3 ON f3.\"teamId\" = f2.\"teamId\" WHERE f2.\"userId\" = ?) \
                 AND (p.\"visibility\" = 'PUBLIC' OR p.\"teamId\" IS NULL OR p.\"userId\" = ?)))"
                    .into(),
            );
            for _ in 0..3 {
                args.push(Arg::S(caller.into()));
            }
        }
        Scope::Readable => {
            let (cond, a) = access::readable(caller);
            conds.push(cond.into());
            args.extend(a);
        }
    }
    (conds.join(" AND "), args)
}

/// A tag on at least this many prompts is checked while the list is walked in order: a page
/// of 50 then meets about 50 × prompts / links of them (2,500 at 100,000 prompts), no more than
/// reading the tag's own prompts would when the tag is rarer.
pub const FREQUENT_TAG_LINKS: i64 = 2_000;

/// Those of `q`'s tags on at least [`FREQUENT_TAG_LINKS`] prompts (counted up to that, and
/// kept like list totals: [`counts`]).
pub async fn frequent_tags(tx: &mut crate::db::Tx, q: &ListQuery) -> sqlx::Result<Vec<String>> {
    let mut out = Vec::new();
    for tag in &q.tags {
        let links = counts::count(
            tx,
            format!(
                "SELECT COUNT(*) FROM (SELECT 1 AS \"one\" FROM \"PromptTag\" ft WHERE ft.\"tagId\" = \
                 (SELECT t.\"id\" FROM \"Tag\" t WHERE t.\"nameKey\" = ?) LIMIT {FREQUENT_TAG_LINKS}) links"
            ),
            &[Arg::S(crate::text::fold(tag.trim()))],
            "tag links",
        )
        .await?;
        if links >= FREQUENT_TAG_LINKS {
            out.push(tag.clone());
        }
    }
    Ok(out)
}

/// Scope and filters (not the text query) as one condition on prompt `p`, with its binds.
pub fn conditions(caller: &str, scope: Scope, q: &ListQuery) -> (String, Vec<Arg>) {
    let (scope_sql, mut args) = scope_condition(caller, scope);
    let mut conds = vec![scope_sql];
    if let Some(v) = q.visibility {
        conds.push("p.\"visibility\" = ?".into());
        args.push(Arg::S(v.as_str().into()));
    }
    if let Some(owner) = &q.owner {
        conds.push("p.\"userId\" = ?".into());
        args.push(Arg::S(owner.clone()));
    }
    if let Some(team) = &q.team {
        conds.push(IN_TEAM.into());
        args.push(Arg::S(team.clone()));
        args.push(Arg::S(team.clone()));
    }
    if q.favorites {
        conds.push(FAVORITE.into());
        args.push(Arg::S(caller.into()));
    }
    for tag in &q.tags {
        conds.push(if q.frequent_tags.contains(tag) {
            // Correlated: checked for each prompt met while the list is read in its order (one
            // probe of PromptTag's key each), so a page stops after its last prompt.
            "EXISTS (SELECT 1 FROM \"PromptTag\" ft WHERE ft.\"promptId\" = p.\"id\" AND ft.\"tagId\" = \
             (SELECT t.\"id\" FROM \"Tag\" t WHERE t.\"nameKey\" = ?))"
                .into()
        } else {
            // Not correlated: the planner starts from the tag's prompts, which are few (or this
            // is a count, which reads them all anyway). The tag's id is found once (PostgreSQL,
            // tag page: 12.5 ms → 5.4 ms).
            "p.\"id\" IN (SELECT ft.\"promptId\" FROM \"PromptTag\" ft WHERE ft.\"tagId\" = \
             (SELECT t.\"id\" FROM \"Tag\" t WHERE t.\"nameKey\" = ?))"
                .into()
        });
        // Tag names match under the one folding rule (`text::fold`, the `nameKey` column).
        args.push(Arg::S(crate::text::fold(tag.trim())));
    }
    (conds.join(" AND "), args)
}

/// `"Prompt" p` for a list's page (or, with `count`, its total), with an index hint on SQLite.
/// SQLite's planner cannot tell that most prompts pass a scope's test, so for the team feed and
/// the readable list it would fetch every shared prompt and sort them all for one page: the
/// page is read in order from (updatedAt, id) or (createdAt, id) instead, stopping after the
/// page, and the count from the narrow access index. Filters that pick few prompts (a rare
/// tag, an owner) and the own list keep the planner's choice.
pub fn prompts_from(backend: Backend, scope: Scope, q: &ListQuery, count: bool) -> &'static str {
    const PLAIN: &str = "\"Prompt\" p";
    let rare_tag = q.tags.iter().any(|t| !q.frequent_tags.contains(t));
    if backend != Backend::Sqlite
        || scope == Scope::Own
        || (rare_tag || (count && !q.tags.is_empty()))
        || q.owner.is_some()
        || q.favorites
    {
        return PLAIN;
    }
    if count {
        return "\"Prompt\" p INDEXED BY idx_prompt_access";
    }
    match q.effective_sort() {
        Sort::Relevance | Sort::Updated => "\"Prompt\" p INDEXED BY idx_prompt_updated_id",
        Sort::Created => "\"Prompt\" p INDEXED BY idx_prompt_created_id",
        Sort::Title | Sort::Rating => PLAIN,
    }
}

/// `ORDER BY` (without the keywords) for prompt `p`. Relevance has no column here: search
/// orders by its score first and uses this (as `updated`) for ties.
pub fn order_by(sort: Sort, backend: Backend) -> String {
    match sort {
        Sort::Relevance | Sort::Updated => "p.\"updatedAt\" DESC, p.\"id\" DESC".into(),
        Sort::Created => "p.\"createdAt\" DESC, p.\"id\" DESC".into(),
        Sort::Title => "LOWER(p.\"title\") ASC, p.\"id\" ASC".into(),
        Sort::Rating => format!(
            "COALESCE((SELECT {} FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\"), 0) DESC, \
             p.\"updatedAt\" DESC, p.\"id\" DESC",
            backend.as_f64("AVG(r.\"value\")")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_terms_become_filters() {
        let (rest, tags) = split_tag_terms("tag:writing summary TAG:\"two words\" \"tag:no\" -x");
        assert_eq!(rest, "summary \"tag:no\" -x");
        assert_eq!(tags, vec!["writing".to_string(), "two words".to_string()]);
        let (rest, tags) = split_tag_terms("tag:");
        assert!(rest.is_empty() && tags.is_empty());
        let q = ListQuery::from_pairs(&[("q".into(), "tag:Writing".into())], "me").expect("ok");
        assert_eq!((q.q, q.tags), (None, vec!["Writing".to_string()]));
    }

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).expect("pairs")
    }

    #[test]
    fn reads_repeated_tags_and_checks_values() {
        let q = ListQuery::from_pairs(&pairs("tag=a&tag=b,c&sort=rating&limit=500"), "me1")
            .expect("ok");
        assert_eq!(q.tags, vec!["a", "b", "c"]);
        assert_eq!(q.sort, Some(Sort::Rating));
        assert_eq!(q.limit, 200);
        for bad in [
            "sort=best",
            "limit=x",
            "limit=0",
            "offset=-1",
            "visibility=SECRET",
        ] {
            assert!(ListQuery::from_pairs(&pairs(bad), "me1").is_err(), "{bad}");
        }
        let q = ListQuery::from_pairs(&pairs("owner=me&q=x"), "me1").expect("ok");
        assert_eq!(q.owner.as_deref(), Some("me1"));
        assert_eq!(q.effective_sort(), Sort::Relevance);
        let q = ListQuery::from_pairs(&pairs("sort=relevance"), "me1").expect("ok");
        assert_eq!(q.effective_sort(), Sort::Updated);
    }

    #[test]
    fn favourites_filter_and_every_scope_leaves_the_trash_out() {
        for (raw, want) in [("true", true), ("1", true), ("0", false), ("", false)] {
            let q = ListQuery::from_pairs(&pairs(&format!("favorites={raw}")), "me1").expect("ok");
            assert_eq!(q.favorites, want, "{raw}");
        }
        assert!(ListQuery::from_pairs(&pairs("favorites=maybe"), "me1").is_err());
        let q = ListQuery::from_pairs(&pairs("favourites=yes"), "me1").expect("ok");
        let (cond, args) = conditions("me1", Scope::Own, &q);
        assert!(cond.contains(FAVORITE));
        assert_eq!(args.len(), 2, "owner and favourites binds");
        for scope in [Scope::Own, Scope::TeamFeed, Scope::Shared, Scope::Readable] {
            let (cond, _) = scope_condition("me1", scope);
            assert!(cond.contains(access::LIVE), "{scope:?}");
        }
    }
}
