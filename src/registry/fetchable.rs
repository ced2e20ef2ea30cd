//! What a caller may fetch by name: every prompt they may read (anyone's, not only their own
//! namespaces' as in [`super::catalog`]), a page at a time, each with the version a fetch with
//! a given label would answer (the labelled version, or the newest when the prompt has no such
//! label) and that version's variables. The MCP server lists prompts and search results from
//! it; a token limited to namespaces sees only those.
//!
//! Pages are keyset-paginated on the prompt id, so a page costs the same at any depth.

use crate::auth::TokenLimits;
use crate::db::Tx;
use crate::db::dynamic::{Arg, fetch_all, marks};
use crate::prompts::access;
use crate::prompts::variables::{self, Declaration};

/// Most entries in one page.
pub const MAX_PAGE: i64 = 200;

/// One fetchable prompt.
#[derive(Clone, Debug)]
pub struct Entry {
    pub prompt_id: String,
    pub namespace: String,
    pub name: String,
    pub title: String,
    pub notes: Option<String>,
    /// The version chosen for the label, or `None` when the prompt has no such label (the
    /// entry then describes the newest version).
    pub labelled_version: Option<i32>,
    pub variables: Vec<Declaration>,
}

impl Entry {
    /// `namespace/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct Row {
    id: String,
    title: String,
    notes: Option<String>,
    name: String,
    namespace: String,
    body: String,
    variables: Option<String>,
    labelled_version: Option<i32>,
}

/// A page of the prompts `caller` may read (within the token's namespaces), after the prompt
/// id `after`, in id order. `label` picks the version each entry describes.
pub async fn page(
    tx: &mut Tx,
    caller: &str,
    limits: Option<&TokenLimits>,
    label: &str,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    select(tx, caller, limits, label, Which::After(after), limit).await
}

/// The entries of these prompts (those `caller` may read within the token's namespaces), in
/// the order of `ids`.
pub async fn by_ids(
    tx: &mut Tx,
    caller: &str,
    limits: Option<&TokenLimits>,
    label: &str,
    ids: &[String],
) -> sqlx::Result<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = select(tx, caller, limits, label, Which::Ids(ids), MAX_PAGE).await?;
    found.sort_by_key(|e| ids.iter().position(|i| *i == e.prompt_id));
    Ok(found)
}

enum Which<'a> {
    After(Option<&'a str>),
    Ids(&'a [String]),
}

async fn select(
    tx: &mut Tx,
    caller: &str,
    limits: Option<&TokenLimits>,
    label: &str,
    which: Which<'_>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    let (readable, mut read_args) = access::readable(caller);
    let mut args = vec![Arg::S(label.to_string()), Arg::B(true), Arg::B(true)];
    args.append(&mut read_args);
    let mut extra = String::new();
    match which {
        Which::After(Some(after)) => {
            extra.push_str(" AND p.\"id\" > ?");
            args.push(Arg::S(after.to_string()));
        }
        Which::After(None) => {}
        Which::Ids(ids) => {
            extra.push_str(&format!(" AND p.\"id\" IN ({})", marks(ids.len())));
            args.extend(ids.iter().map(|i| Arg::S(i.clone())));
        }
    }
    if let Some(names) = limits.and_then(|l| l.namespaces.as_ref()) {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        extra.push_str(&format!(
            " AND n.\"scope\" IN (SELECT COALESCE(x.\"userId\", x.\"teamId\") FROM \"Namespace\" x \
             WHERE x.\"name\" IN ({}))",
            marks(names.len())
        ));
        args.extend(names.iter().map(|n| Arg::S(n.clone())));
    }
    args.push(Arg::I(limit.clamp(1, MAX_PAGE)));
    let rows: Vec<Row> = fetch_all(
        tx,
        format!(
            "SELECT p.\"id\", p.\"title\", p.\"notes\", n.\"name\", ns.\"name\" AS \"namespace\", \
             CASE WHEN v.\"id\" IS NULL THEN p.\"body\" ELSE v.\"body\" END AS \"body\", \
             CASE WHEN v.\"id\" IS NULL THEN p.\"variables\" ELSE v.\"variables\" END AS \"variables\", \
             v.\"version\" AS \"labelledVersion\" \
             FROM \"Prompt\" p \
             LEFT JOIN \"PromptLabel\" l ON l.\"promptId\" = p.\"id\" AND l.\"label\" = ? \
             LEFT JOIN \"PromptVersion\" v ON v.\"promptId\" = p.\"id\" AND v.\"version\" = l.\"version\" \
             JOIN \"PromptName\" n ON n.\"promptId\" = p.\"id\" AND n.\"isCurrent\" = ? \
             JOIN \"Namespace\" ns ON ns.\"isCurrent\" = ? \
               AND (ns.\"userId\" = n.\"scope\" OR ns.\"teamId\" = n.\"scope\") \
             WHERE {readable}{extra} ORDER BY p.\"id\" LIMIT ?"
        ),
        &args,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            variables: variables::sync(&r.body, &variables::from_text(r.variables.as_deref())),
            prompt_id: r.id,
            namespace: r.namespace,
            name: r.name,
            title: r.title,
            notes: r.notes,
            labelled_version: r.labelled_version,
        })
        .collect())
}
