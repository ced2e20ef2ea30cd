//! One page of a prompt list (no text query: lists with one go to search), in the shape that
//! `crate::listing` defines: one query for the page and one for the total.

use super::store::{self, Arg, PromptRow};
use crate::db::Tx;
use crate::error::Result;
use crate::listing::{self, ListQuery, Scope, Total};

/// One page of prompt rows and how many match (counted up to `listing::COUNT_CAP`).
pub async fn page(
    tx: &mut Tx,
    caller: &str,
    scope: Scope,
    q: &ListQuery,
) -> Result<(Vec<PromptRow>, Total)> {
    // The total reads every prompt of a tag anyway: from the tag.
    let (cond, args) = listing::conditions(caller, scope, q);
    let backend = tx.backend();
    let order = listing::order_by(q.effective_sort(), backend);
    let total = Total::from_count(
        listing::counts::count(
            tx,
            listing::capped_count_sql(&format!(
                "{} WHERE {cond}",
                listing::prompts_from(backend, scope, q, true)
            )),
            &args,
            &format!("{} {} {:?}", q.limit, q.offset, q.effective_sort()),
        )
        .await?,
    );
    // PostgreSQL plans both forms of the tag condition as one semi-join, MariaDB was not
    // measured faster either way: the choice is SQLite's.
    let frequent = if backend == crate::db::Backend::Sqlite {
        listing::frequent_tags(tx, q).await?
    } else {
        Vec::new()
    };
    let planned;
    let (q, cond, mut page_args) = if frequent.is_empty() {
        (q, cond, args)
    } else {
        planned = ListQuery {
            frequent_tags: frequent,
            ..q.clone()
        };
        let (cond, args) = listing::conditions(caller, scope, &planned);
        (&planned, cond, args)
    };
    page_args.push(Arg::I(q.limit));
    page_args.push(Arg::I(q.offset));
    let rows = store::fetch_all(
        tx,
        format!(
            "SELECT p.* FROM {} WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?",
            listing::prompts_from(backend, scope, q, false)
        ),
        &page_args,
    )
    .await?;
    Ok((rows, total))
}
