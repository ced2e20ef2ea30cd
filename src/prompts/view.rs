//! The prompt object of the API, assembled for a whole page of prompts in one statement (tags,
//! rating statistics, the caller's rating, version count, owner and the caller's star are
//! subqueries of it), and a prompt's full view, with its versions and ratings, in one more.

use std::collections::HashMap;

use serde::Serialize;

use super::store::{self, PromptRow, VersionRow};
use crate::db::dynamic::{Arg, fetch_all, fetch_all_alone, marks};
use crate::db::{Backend, Db, Tx};
use crate::ratings::store::RatingRow;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TagRef {
    pub id: String,
    pub name: String,
}

/// A tag link in the 1.x shape: `{promptId, tagId, tag: {id, name}}`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagLink {
    pub prompt_id: String,
    pub tag_id: String,
    pub tag: TagRef,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub versions: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub id: String,
    #[schema(required = true)]
    pub name: Option<String>,
    pub email: String,
}

/// The API's prompt object.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromptView {
    #[serde(flatten)]
    pub prompt: PromptRow,
    pub tags: Vec<TagLink>,
    pub avg_rating: f64,
    pub rating_count: i64,
    #[schema(required = true)]
    pub my_rating: Option<i32>,
    #[serde(rename = "_count")]
    pub count: Counts,
    #[schema(required = true)]
    pub user: Option<Owner>,
    pub can_edit: bool,
    /// The caller has starred this prompt (`PUT /api/prompts/{id}/favorite`).
    pub favorite: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratings: Option<Vec<RatingRow>>,
    /// The prompt's name in its namespace (full view only): fetch it by
    /// `/api/registry/{namespace}/{name}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl PromptView {
    pub fn tag_names(&self) -> Vec<String> {
        self.tags.iter().map(|t| t.tag.name.clone()).collect()
    }
}

/// The columns of a prompt's view besides its own row ([`ExtraColumns`]), as subqueries over
/// the prompt aliased `p`, so that a page of views is one statement and not seven. Binds the
/// caller's id twice (their rating, their star): [`extra_args`].
fn extra_columns(backend: Backend) -> String {
    let avg = backend.as_f64("AVG(r.\"value\")");
    let tags = backend.json_rows(
        "t.\"id\", t.\"name\", t.\"nameKey\"",
        "FROM \"PromptTag\" pt JOIN \"Tag\" t ON t.\"id\" = pt.\"tagId\" \
         WHERE pt.\"promptId\" = p.\"id\"",
    );
    format!(
        "(SELECT COUNT(*) FROM \"PromptVersion\" v WHERE v.\"promptId\" = p.\"id\") AS \"xVersions\", \
         (SELECT {avg} FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\") AS \"xAvg\", \
         (SELECT COUNT(*) FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\") AS \"xRatings\", \
         (SELECT r.\"value\" FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\" AND r.\"userId\" = ?) \
         AS \"xMine\", \
         (SELECT u.\"name\" FROM \"User\" u WHERE u.\"id\" = p.\"userId\") AS \"xOwnerName\", \
         (SELECT u.\"email\" FROM \"User\" u WHERE u.\"id\" = p.\"userId\") AS \"xOwnerEmail\", \
         (SELECT COUNT(*) FROM \"Favorite\" f WHERE f.\"promptId\" = p.\"id\" AND f.\"userId\" = ?) \
         AS \"xStarred\", \
         {tags} AS \"xTags\""
    )
}

fn extra_args(caller: &str) -> [Arg; 2] {
    [Arg::S(caller.into()), Arg::S(caller.into())]
}

/// What [`extra_columns`] reads (the default: a prompt gone since its row was read).
#[derive(Default, sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct ExtraColumns {
    x_versions: i64,
    x_avg: Option<f64>,
    x_ratings: i64,
    x_mine: Option<i32>,
    x_owner_name: Option<String>,
    x_owner_email: Option<String>,
    x_starred: i64,
    /// `[[tag id, name, nameKey], …]`
    x_tags: Option<String>,
}

/// A prompt's id with its [`ExtraColumns`].
#[derive(sqlx::FromRow)]
struct ExtrasOf {
    id: String,
    #[sqlx(flatten)]
    x: ExtraColumns,
}

/// JSON text made by [`Backend::json_rows`] (NULL: no rows).
fn parse_json<T: serde::de::DeserializeOwned>(text: Option<&str>) -> sqlx::Result<Vec<T>> {
    match text {
        None => Ok(Vec::new()),
        Some(t) => serde_json::from_str(t).map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

/// Builds the views of `rows` for `caller`, keeping their order. One query, whatever the
/// number of rows.
pub async fn build(
    tx: &mut Tx,
    caller: &str,
    rows: Vec<PromptRow>,
) -> sqlx::Result<Vec<PromptView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = extra_args(caller).to_vec();
    args.extend(rows.iter().map(|r| Arg::S(r.id.clone())));
    let found: Vec<ExtrasOf> = fetch_all(
        tx,
        format!(
            "SELECT p.\"id\", {} FROM \"Prompt\" p WHERE p.\"id\" IN ({})",
            extra_columns(tx.backend()),
            marks(rows.len())
        ),
        &args,
    )
    .await?;
    let mut extras: HashMap<String, ExtraColumns> =
        found.into_iter().map(|f| (f.id, f.x)).collect();
    rows.into_iter()
        .map(|row| {
            let x = extras.remove(&row.id).unwrap_or_default();
            view_of(caller, row, x)
        })
        .collect()
}

/// A prompt's view (without versions, ratings and name) from its row and [`ExtraColumns`].
fn view_of(caller: &str, mut p: PromptRow, x: ExtraColumns) -> sqlx::Result<PromptView> {
    let mut tags: Vec<(String, String, String)> = parse_json(x.x_tags.as_deref())?;
    tags.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    let can_edit = p.user_id == caller;
    if !can_edit {
        // The anonymous link is the owner's to hand out.
        p.public_share_id = None;
    }
    let avg = if x.x_ratings > 0 {
        x.x_avg.unwrap_or(0.0)
    } else {
        0.0
    };
    Ok(PromptView {
        tags: tags
            .into_iter()
            .map(|(id, name, _)| TagLink {
                prompt_id: p.id.clone(),
                tag_id: id.clone(),
                tag: TagRef { id, name },
            })
            .collect(),
        avg_rating: (avg * 100.0).round() / 100.0,
        rating_count: x.x_ratings,
        my_rating: x.x_mine,
        count: Counts {
            versions: x.x_versions,
        },
        user: x.x_owner_email.map(|email| Owner {
            id: p.user_id.clone(),
            name: x.x_owner_name,
            email,
        }),
        can_edit,
        favorite: x.x_starred > 0,
        versions: None,
        ratings: None,
        name: None,
        namespace: None,
        prompt: p,
    })
}

/// Versions whose texts add up to more than this many characters are read by their own
/// statement: one row holding them all could pass MySQL's packet limit (16 MiB by default).
const VERSIONS_IN_ONE_ROW: i64 = 4_000_000;

/// What [`full_columns`] reads.
#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
struct FullColumns {
    #[sqlx(flatten)]
    x: ExtraColumns,
    /// `[[id, promptId, version, title, body, notes, variables, modelHints, message, authorId,
    /// createdAt, kind, messages, config], …]`, NULL when too long ([`VERSIONS_IN_ONE_ROW`]).
    x_version_rows: Option<String>,
    /// `[[id, userId, promptId, value, createdAt, updatedAt], …]`
    x_rating_rows: Option<String>,
    x_name: Option<String>,
    x_namespace: Option<String>,
}

impl FullColumns {
    /// The versions were too long for this row: their own statement reads them.
    fn versions_apart(&self) -> bool {
        self.x_version_rows.is_none() && self.x.x_versions > 0
    }
}

/// [`extra_columns`] and the rest of a full view: the versions, the ratings and the current
/// name. Binds [`full_args`].
fn full_columns(backend: Backend) -> String {
    let versions = backend.json_rows(
        "v.\"id\", v.\"promptId\", v.\"version\", v.\"title\", v.\"body\", v.\"notes\", \
         v.\"variables\", v.\"modelHints\", v.\"message\", v.\"authorId\", v.\"createdAt\", v.\"kind\", \
         v.\"messages\", v.\"config\"",
        "FROM \"PromptVersion\" v WHERE v.\"promptId\" = p.\"id\"",
    );
    let ratings = backend.json_rows(
        "r.\"id\", r.\"userId\", r.\"promptId\", r.\"value\", r.\"createdAt\", r.\"updatedAt\"",
        "FROM \"Rating\" r WHERE r.\"promptId\" = p.\"id\"",
    );
    format!(
        "{}, \
         CASE WHEN (SELECT COALESCE(SUM(LENGTH(v.\"body\") + COALESCE(LENGTH(v.\"messages\"), 0)), 0) \
         FROM \"PromptVersion\" v WHERE v.\"promptId\" = p.\"id\") <= {VERSIONS_IN_ONE_ROW} \
         THEN {versions} END AS \"xVersionRows\", \
         {ratings} AS \"xRatingRows\", {}",
        extra_columns(backend),
        crate::registry::CURRENT_NAME_COLUMNS
    )
}

fn full_args(caller: &str) -> Vec<Arg> {
    let mut args = extra_args(caller).to_vec();
    args.extend(crate::registry::current_name_args());
    args
}

type VersionJson = (
    String,
    String,
    i32,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

type RatingJson = (String, String, String, i32, String, String);

fn json_time(s: &str) -> sqlx::Result<chrono::DateTime<chrono::Utc>> {
    crate::db::parse_json_time(s)
        .ok_or_else(|| sqlx::Error::Decode(format!("not a time: {s:?}").into()))
}

fn decode<T, E: std::fmt::Display>(r: Result<T, E>) -> sqlx::Result<T> {
    r.map_err(|e| sqlx::Error::Decode(e.to_string().into()))
}

/// The versions (newest first) and ratings (oldest first) of a full view, from their JSON;
/// versions too long for the row ([`FullColumns::versions_apart`]) are read through `tx`, which
/// must then be given.
async fn versions_and_ratings(
    tx: Option<&mut Tx>,
    id: &str,
    f: &FullColumns,
) -> sqlx::Result<(Vec<VersionRow>, Vec<RatingRow>)> {
    let mut versions = match tx {
        Some(tx) if f.versions_apart() => store::versions(tx, id).await?,
        _ => parse_json::<VersionJson>(f.x_version_rows.as_deref())?
            .into_iter()
            .map(|v| {
                Ok(VersionRow {
                    id: v.0,
                    prompt_id: v.1,
                    version: v.2,
                    title: v.3,
                    body: v.4,
                    notes: v.5,
                    variables: v.6,
                    model_hints: v.7,
                    message: v.8,
                    author_id: v.9,
                    created_at: json_time(&v.10)?,
                    kind: decode(super::chat::Kind::parse(&v.11))?,
                    messages: v.12,
                    config: v.13,
                })
            })
            .collect::<sqlx::Result<_>>()?,
    };
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    let mut rated: Vec<RatingRow> = parse_json::<RatingJson>(f.x_rating_rows.as_deref())?
        .into_iter()
        .map(|r| {
            Ok(RatingRow {
                id: r.0,
                user_id: r.1,
                prompt_id: r.2,
                value: r.3,
                created_at: json_time(&r.4)?,
                updated_at: json_time(&r.5)?,
            })
        })
        .collect::<sqlx::Result<_>>()?;
    rated.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok((versions, rated))
}

/// A prompt row with everything its full view needs besides.
#[derive(sqlx::FromRow)]
struct FullRow {
    #[sqlx(flatten)]
    prompt: PromptRow,
    #[sqlx(flatten)]
    f: FullColumns,
}

/// One prompt's full view: the page view plus its versions (newest first), ratings and
/// current name, in one statement (two when its versions are very long).
pub async fn full(tx: &mut Tx, caller: &str, row: PromptRow) -> sqlx::Result<PromptView> {
    let mut args = full_args(caller);
    args.push(Arg::S(row.id.clone()));
    let found: Vec<FullColumns> = fetch_all(
        tx,
        format!(
            "SELECT {} FROM \"Prompt\" p WHERE p.\"id\" = ?",
            full_columns(tx.backend())
        ),
        &args,
    )
    .await?;
    let f = found.into_iter().next().ok_or(sqlx::Error::RowNotFound)?;
    let (versions, ratings) = versions_and_ratings(Some(tx), &row.id, &f).await?;
    assemble_full(caller, row, f, versions, ratings)
}

/// The full view of a prompt `caller` may read (`None` otherwise), in one statement outside a
/// transaction (two when its versions are very long).
pub async fn readable_full(db: &Db, caller: &str, id: &str) -> sqlx::Result<Option<PromptView>> {
    let (cond, readable_args) = super::access::readable(caller);
    let mut args = full_args(caller);
    args.push(Arg::S(id.into()));
    args.extend(readable_args);
    let sql = format!(
        "SELECT p.*, {} FROM \"Prompt\" p WHERE p.\"id\" = ? AND {cond}",
        full_columns(db.backend())
    );
    let Some(found) = fetch_all_alone::<FullRow>(db, sql, &args)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let FullRow { prompt, f } = found;
    let (versions, ratings) = if f.versions_apart() {
        let mut tx = db.read().await?;
        versions_and_ratings(Some(&mut tx), &prompt.id, &f).await?
    } else {
        versions_and_ratings(None, &prompt.id, &f).await?
    };
    Ok(Some(assemble_full(caller, prompt, f, versions, ratings)?))
}

fn assemble_full(
    caller: &str,
    row: PromptRow,
    f: FullColumns,
    versions: Vec<VersionRow>,
    ratings: Vec<RatingRow>,
) -> sqlx::Result<PromptView> {
    let FullColumns {
        x,
        x_name,
        x_namespace,
        ..
    } = f;
    let mut view = view_of(caller, row, x)?;
    view.versions = Some(versions);
    view.ratings = Some(ratings);
    if let Some(name) = x_name {
        view.name = Some(name);
        view.namespace = x_namespace;
    }
    Ok(view)
}
