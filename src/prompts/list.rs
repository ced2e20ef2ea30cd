//! Listing prompts: the caller's own, the team feed, or everything the caller can read, with
//! filters, sort and pagination. One query for the page and one for the total.

use super::domain::Visibility;
use super::store::{self, Arg, PromptRow};
use crate::db::Tx;
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Updated,
    Created,
    Title,
    Rating,
}

impl Sort {
    pub fn parse(raw: &str) -> std::result::Result<Sort, String> {
        match raw {
            "updated" | "updatedAt" => Ok(Sort::Updated),
            "created" | "createdAt" => Ok(Sort::Created),
            "title" => Ok(Sort::Title),
            "rating" => Ok(Sort::Rating),
            _ => Err("must be updated, created, title or rating".into()),
        }
    }
}

/// Filters, sort and page of a prompt list.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub q: Option<String>,
    /// Prompts must carry every one of these tags (names, any case).
    pub tags: Vec<String>,
    pub visibility: Option<Visibility>,
    /// Only prompts shared with this team (team id), see [`IN_TEAM`].
    pub team: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            q: None,
            tags: Vec::new(),
            visibility: None,
            team: None,
            sort: Sort::Updated,
            limit: 50,
            offset: 0,
        }
    }
}

impl ListQuery {
    /// Reads `q`, `tag` (repeatable, also `tags=a,b`), `visibility`, `sort`, `limit`, `offset`
    /// from query-string pairs. Unknown values are a 400 naming the parameter.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<ListQuery> {
        let mut out = ListQuery::default();
        for (k, v) in pairs {
            match k.as_str() {
                "q" | "search" => {
                    let v = v.trim();
                    if v.chars().count() > 500 {
                        return Err(Error::invalid_field("q", "must be at most 500 characters"));
                    }
                    out.q = (!v.is_empty()).then(|| v.to_string());
                }
                "tag" | "tags" | "tag[]" => {
                    for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        let t = super::domain::parse_tag(t)
                            .map_err(|p| Error::invalid_field("tag", p))?;
                        out.tags.push(t);
                    }
                }
                "visibility" if !v.is_empty() => {
                    out.visibility = Some(
                        Visibility::parse(v).map_err(|p| Error::invalid_field("visibility", p))?,
                    );
                }
                "team" | "teamId" if !v.trim().is_empty() => {
                    crate::text::check_id("team", v.trim())?;
                    out.team = Some(v.trim().to_string());
                }
                "sort" if !v.is_empty() => {
                    out.sort = Sort::parse(v).map_err(|p| Error::invalid_field("sort", p))?;
                }
                "limit" => {
                    let n: i64 = v
                        .parse()
                        .map_err(|_| Error::invalid_field("limit", "must be a number"))?;
                    if n < 1 {
                        return Err(Error::invalid_field("limit", "must be between 1 and 200"));
                    }
                    out.limit = n.min(200);
                }
                "offset" => {
                    let n: i64 = v
                        .parse()
                        .map_err(|_| Error::invalid_field("offset", "must be a number"))?;
                    if n < 0 {
                        return Err(Error::invalid_field("offset", "must be 0 or more"));
                    }
                    out.offset = n;
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Which prompts a list covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The caller's own prompts.
    Own,
    /// TEAM and PUBLIC prompts of people who share a team with the caller (or scoped to one of
    /// the caller's teams), readable by the caller.
    TeamFeed,
    /// Every prompt the caller can read.
    #[default]
    Readable,
}

/// "Shared with team `?`": the prompt names the team, or names none and its owner is a member
/// (TEAM without a team means all the owner's teams). Bind the team id twice.
pub const IN_TEAM: &str = "(p.\"teamId\" = ? OR (p.\"teamId\" IS NULL AND p.\"userId\" IN \
    (SELECT tm.\"userId\" FROM \"UserTeam\" tm WHERE tm.\"teamId\" = ?)))";

/// The condition (on prompt `p`) that defines a scope, with its binds. Shared with search.
pub fn scope_condition(caller: &str, scope: Scope) -> (String, Vec<Arg>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    match scope {
        Scope::Own => {
            conds.push("p.\"userId\" = ?".into());
            args.push(Arg::S(caller.into()));
        }
        Scope::TeamFeed => {
            conds.push(
                "p.\"visibility\" IN ('TEAM', 'PUBLIC') AND (\
                 p.\"teamId\" IN (SELECT f1.\"teamId\" FROM \"UserTeam\" f1 WHERE f1.\"userId\" = ?) \
                 OR p.\"userId\" IN (SELECT f3.\"userId\" FROM \"UserTeam\" f2 \
                 JOIN \"UserTeam\" f3 ON f3.\"teamId\" = f2.\"teamId\" WHERE f2.\"userId\" = ?))"
                    .into(),
            );
            args.push(Arg::S(caller.into()));
            args.push(Arg::S(caller.into()));
            let (cond, a) = store::readable(caller);
            conds.push(cond.into());
            args.extend(a);
        }
        Scope::Readable => {
            let (cond, a) = store::readable(caller);
            conds.push(cond.into());
            args.extend(a);
        }
    }
    (conds.join(" AND "), args)
}

fn conditions(caller: &str, scope: Scope, q: &ListQuery) -> (String, Vec<Arg>) {
    let (scope_sql, mut args) = scope_condition(caller, scope);
    let mut conds = vec![scope_sql];
    if let Some(v) = q.visibility {
        conds.push("p.\"visibility\" = ?".into());
        args.push(Arg::S(v.as_str().into()));
    }
    if let Some(team) = &q.team {
        conds.push(IN_TEAM.into());
        args.push(Arg::S(team.clone()));
        args.push(Arg::S(team.clone()));
    }
    for tag in &q.tags {
        conds.push(
            "EXISTS (SELECT 1 FROM \"PromptTag\" ft JOIN \"Tag\" t ON t.\"id\" = ft.\"tagId\" \
             WHERE ft.\"promptId\" = p.\"id\" AND t.\"nameKey\" = ?)"
                .into(),
        );
        args.push(Arg::S(crate::text::fold(tag)));
    }
    (conds.join(" AND "), args)
}

/// One page of prompt rows and the total number matching.
pub async fn page(
    tx: &mut Tx,
    caller: &str,
    scope: Scope,
    q: &ListQuery,
) -> Result<(Vec<PromptRow>, i64)> {
    let (cond, args) = conditions(caller, scope, q);
    let order = match q.sort {
        Sort::Updated => "p.\"updatedAt\" DESC, p.\"id\" DESC".to_string(),
        Sort::Created => "p.\"createdAt\" DESC, p.\"id\" DESC".to_string(),
        Sort::Title => "LOWER(p.\"title\") ASC, p.\"id\" ASC".to_string(),
        Sort::Rating => format!(
            "COALESCE((SELECT {} FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\"), 0) DESC, \
             p.\"updatedAt\" DESC, p.\"id\" DESC",
            tx.backend().as_f64("AVG(r.\"value\")")
        ),
    };
    let total = store::fetch_count(
        tx,
        format!("SELECT COUNT(*) FROM \"Prompt\" p WHERE {cond}"),
        &args,
    )
    .await?;
    let mut page_args = args;
    page_args.push(Arg::I(q.limit));
    page_args.push(Arg::I(q.offset));
    let rows = store::fetch_all(
        tx,
        format!("SELECT p.* FROM \"Prompt\" p WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?"),
        &page_args,
    )
    .await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).expect("pairs")
    }

    #[test]
    fn reads_repeated_tags_and_checks_values() {
        let q = ListQuery::from_pairs(&pairs("tag=a&tag=b,c&sort=rating&limit=500")).expect("ok");
        assert_eq!(q.tags, vec!["a", "b", "c"]);
        assert_eq!(q.sort, Sort::Rating);
        assert_eq!(q.limit, 200);
        assert!(ListQuery::from_pairs(&pairs("sort=best")).is_err());
        assert!(ListQuery::from_pairs(&pairs("limit=x")).is_err());
        assert!(ListQuery::from_pairs(&pairs("visibility=SECRET")).is_err());
    }
}
