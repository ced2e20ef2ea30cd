//! The backend-specific half of search: one query for the page, one for the total, one for the
//! snippet texts. Values always travel as bound parameters.

use super::query::{ParsedQuery, Term};
use super::snippet;
use super::{CANDIDATES, Hit, Results};
use crate::db::dynamic::{Arg, fetch_all, marks};
use crate::db::{Backend, Tx};
use crate::listing::{self, ListQuery, Scope, Sort};

/// FROM/WHERE for the matching prompts `p` on this backend, with the match condition's binds
/// first, and the relevance expression.
struct Matcher {
    from_where: String,
    binds: Vec<Arg>,
    score: String,
    /// Values for `?` inside `score` (they come first in the page query).
    score_binds: Vec<Arg>,
    /// Candidate order before the cap (newest matches first where the engine allows it).
    candidate_order: &'static str,
}

/// `stop_words`: the words of the query's phrases that PostgreSQL's English configuration drops
/// (see [`phrase_stop_words`]); empty elsewhere.
fn matcher(backend: Backend, q: &ParsedQuery, stop_words: &[String]) -> Matcher {
    match backend {
        Backend::Sqlite => Matcher {
            // Through the narrow key table and idx_prompt_access, never the wide rows.
            from_where: "PromptSearch JOIN PromptSearchKey k ON k.rowid = PromptSearch.rowid \
                         JOIN \"Prompt\" p INDEXED BY idx_prompt_access ON p.\"id\" = k.promptId \
                         WHERE PromptSearch MATCH ?"
                .into(),
            binds: vec![Arg::S(q.fts5())],
            // title, body, notes, tags; promptId is not indexed. bm25 is negative: lower is better.
            score: "-bm25(PromptSearch, 0.0, 10.0, 1.0, 2.0, 5.0)".into(),
            score_binds: Vec::new(),
            candidate_order: " ORDER BY PromptSearch.rowid DESC",
        },
        Backend::Postgres => {
            let mut from_where =
                "\"PromptSearch\" ps JOIN \"Prompt\" p ON p.\"id\" = ps.\"promptId\" \
                                  CROSS JOIN (SELECT to_tsquery('english', ?) AS q) tq \
                                  WHERE ps.\"document\" @@ tq.q"
                    .to_string();
            let mut binds = vec![Arg::S(q.tsquery())];
            // The English configuration drops stop words, so "follow up" alone would match any
            // "follow": a phrase with a stop word is also checked word by word on the text. A
            // phrase without one is exact in the index (`<->` counts dropped words' positions),
            // and leaving the text check out lets the planner stop after the candidates it
            // needs instead of joining every prompt (two common words: 269 ms → a few ms).
            let phrases = q
                .include
                .iter()
                .map(|t| (t, false))
                .chain(q.exclude.iter().map(|t| (t, true)));
            for (term, negate) in phrases {
                if let Term::Phrase(words) = term
                    && words.iter().any(|w| stop_words.contains(w))
                {
                    let op = if negate { "!~*" } else { "~*" };
                    from_where.push_str(&format!(
                        " AND (p.\"title\" || ' ' || p.\"body\" || ' ' || coalesce(p.\"notes\", '') || ' ' || ps.\"tags\") {op} ?"
                    ));
                    binds.push(Arg::S(format!("\\m{}\\M", words.join("\\W+"))));
                }
            }
            Matcher {
                from_where,
                binds,
                score: "ts_rank(ps.\"document\", tq.q)".into(),
                score_binds: Vec::new(),
                candidate_order: "",
            }
        }
        Backend::MySql => {
            let m = q.mysql();
            let mut from_where =
                "\"PromptSearch\" ps JOIN \"Prompt\" p ON p.\"id\" = ps.\"promptId\" WHERE 1 = 1"
                    .to_string();
            let mut binds = Vec::new();
            let mut score = "0".to_string();
            let mut score_binds = Vec::new();
            if let Some(boolean) = &m.boolean {
                from_where.push_str(
                    " AND MATCH(ps.\"title\", ps.\"body\", ps.\"notes\", ps.\"tags\") AGAINST (? IN BOOLEAN MODE)",
                );
                binds.push(Arg::S(boolean.clone()));
                score = "(MATCH(ps.\"title\") AGAINST (? IN BOOLEAN MODE) * 5 + \
                         MATCH(ps.\"title\", ps.\"body\", ps.\"notes\", ps.\"tags\") AGAINST (? IN BOOLEAN MODE))"
                    .into();
                score_binds = vec![Arg::S(boolean.clone()), Arg::S(boolean.clone())];
            }
            for (word, negate) in &m.short {
                from_where.push_str(if *negate {
                    " AND CONCAT_WS(' ', ps.\"title\", ps.\"body\", ps.\"notes\", ps.\"tags\") NOT REGEXP ?"
                } else {
                    " AND CONCAT_WS(' ', ps.\"title\", ps.\"body\", ps.\"notes\", ps.\"tags\") REGEXP ?"
                });
                binds.push(Arg::S(format!("(^|[^[:alnum:]]){word}([^[:alnum:]]|$)")));
            }
            Matcher {
                from_where,
                binds,
                score,
                score_binds,
                candidate_order: "",
            }
        }
    }
}

/// The words of the query's phrases that PostgreSQL's English configuration drops (stop words:
/// their `tsvector` is empty). One round trip, only for queries with a phrase.
async fn phrase_stop_words(tx: &mut Tx, q: &ParsedQuery) -> sqlx::Result<Vec<String>> {
    let words: Vec<String> = q
        .include
        .iter()
        .chain(q.exclude.iter())
        .filter_map(|t| match t {
            Term::Phrase(words) => Some(words.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String,)> = fetch_all(
        tx,
        format!(
            "SELECT w FROM (VALUES {}) v(w) WHERE length(to_tsvector('english', w)) = 0",
            vec!["(CAST(? AS TEXT))"; words.len()].join(", ")
        ),
        &words.into_iter().map(Arg::S).collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    score: f64,
    /// Relevance order: how many candidates there are (at most `CANDIDATES + 1`); else -1.
    n: i64,
}

#[derive(sqlx::FromRow)]
struct Texts {
    id: String,
    title: String,
    body: String,
    notes: Option<String>,
}

pub async fn run(
    tx: &mut Tx,
    caller: &str,
    q: &ParsedQuery,
    scope: Scope,
    req: &ListQuery,
) -> sqlx::Result<Results> {
    let backend = tx.backend();
    let stop_words = if backend == Backend::Postgres {
        phrase_stop_words(tx, q).await?
    } else {
        Vec::new()
    };
    let m = matcher(backend, q, &stop_words);
    let sort = req.effective_sort();
    let (cond, filter_binds) = listing::conditions(caller, scope, req);
    let filter_sql = format!(" AND {cond}");
    let mut binds = m.binds.clone();
    binds.extend(filter_binds.iter().cloned());

    // Relevance order ranks at most CANDIDATES matches (the newest), so only those can be
    // paged through: the page query counts them itself (one more says "at least"), and no
    // count query runs. Other orders page through every match and count up to
    // SEARCH_COUNT_CAP in a second query.
    let page_sql = if sort == Sort::Relevance {
        let score = backend.as_f64(&m.score);
        format!(
            "SELECT c.\"id\", c.\"score\", COUNT(*) OVER () AS \"n\" FROM (SELECT p.\"id\" AS \"id\", \
             p.\"updatedAt\" AS \"updatedAt\", {score} AS \"score\" FROM {}{filter_sql}{} LIMIT {}) c \
             ORDER BY c.\"score\" DESC, c.\"updatedAt\" DESC, c.\"id\" DESC LIMIT ? OFFSET ?",
            m.from_where,
            m.candidate_order,
            CANDIDATES + 1
        )
    } else {
        let zero = backend.as_f64("0");
        let none = backend.as_i64("-1");
        format!(
            "SELECT p.\"id\" AS \"id\", {zero} AS \"score\", {none} AS \"n\" FROM {}{filter_sql} ORDER BY {} LIMIT ? OFFSET ?",
            m.from_where,
            listing::order_by(sort, backend)
        )
    };
    let mut page_binds = if sort == Sort::Relevance {
        m.score_binds.clone()
    } else {
        Vec::new()
    };
    page_binds.extend(binds.iter().cloned());
    page_binds.push(Arg::I(req.limit));
    page_binds.push(Arg::I(req.offset));
    let rows: Vec<Row> = fetch_all(tx, page_sql, &page_binds).await?;
    let counted = rows.first().map_or(-1, |r| r.n);
    let total = if req.offset == 0 && (rows.len() as i64) < req.limit {
        // A first page that is not full holds every match: nothing more to count.
        listing::Total::exact(rows.len() as i64)
    } else if counted >= 0 {
        listing::Total::from_count_up_to(counted, CANDIDATES)
    } else {
        let cap = if sort == Sort::Relevance {
            CANDIDATES
        } else {
            listing::SEARCH_COUNT_CAP
        };
        let count_sql =
            listing::capped_count_sql_up_to(&format!("{}{filter_sql}", m.from_where), cap);
        let page = format!("{} {} {sort:?}", req.limit, req.offset);
        let n = listing::counts::count(tx, count_sql, &binds, &page).await?;
        listing::Total::from_count_up_to(n, cap)
    };

    let hits = with_snippets(tx, q, rows).await?;
    Ok(Results { hits, total })
}

/// Snippets for one page: PostgreSQL marks the body with `ts_headline`; elsewhere (and when the
/// match is not in the body) the text is marked here.
async fn with_snippets(tx: &mut Tx, q: &ParsedQuery, rows: Vec<Row>) -> sqlx::Result<Vec<Hit>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let backend = tx.backend();
    let placeholders = marks(rows.len());
    let headline = match backend {
        Backend::Postgres => format!(
            "ts_headline('english', p.\"body\", to_tsquery('english', ?), \
             'StartSel={}, StopSel={}, MaxWords=30, MinWords=12, MaxFragments=1')",
            snippet::OPEN,
            snippet::CLOSE
        ),
        _ => "p.\"body\"".into(),
    };
    let texts_sql = format!(
        "SELECT p.\"id\", p.\"title\", {headline} AS \"body\", p.\"notes\" FROM \"Prompt\" p WHERE p.\"id\" IN ({placeholders})"
    );
    let mut binds = Vec::new();
    if backend == Backend::Postgres {
        binds.push(Arg::S(q.tsquery()));
    }
    binds.extend(rows.iter().map(|r| Arg::S(r.id.clone())));
    let texts: Vec<Texts> = fetch_all(tx, texts_sql, &binds).await?;
    let words = q.highlight_words();
    Ok(rows
        .into_iter()
        .map(|r| {
            let snippet = texts
                .iter()
                .find(|t| t.id == r.id)
                .map(|t| {
                    if t.body.contains(snippet::OPEN) {
                        snippet::escape(&t.body)
                    } else {
                        snippet::make(
                            &[&t.body, t.notes.as_deref().unwrap_or_default(), &t.title],
                            &words,
                        )
                    }
                })
                .unwrap_or_default();
            Hit {
                id: r.id,
                score: r.score,
                snippet,
            }
        })
        .collect())
}
