//! The prompt object of the API, assembled for a whole page of prompts in a constant number of
//! queries (tags, rating statistics, the caller's ratings, version counts, owners, the caller's
//! stars: one each).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::store::{self, PromptRow, VersionRow};
use crate::db::Tx;
use crate::ratings::store::{self as ratings, RatingRow};
use crate::tags::store as tags;

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

/// What the views of some prompts are made of, besides the rows.
struct Extras {
    tags: Vec<(String, String, String)>,
    /// prompt id → (average rating, number of ratings)
    stats: HashMap<String, (f64, i64)>,
    mine: HashMap<String, i32>,
    versions: HashMap<String, i64>,
    owners: HashMap<String, Owner>,
    starred: HashSet<String>,
}

async fn owners(tx: &mut Tx, ids: &[String]) -> sqlx::Result<HashMap<String, Owner>> {
    Ok(store::owners(tx, ids)
        .await?
        .into_iter()
        .map(|(id, name, email)| (id.clone(), Owner { id, name, email }))
        .collect())
}

/// Builds the views of `rows` for `caller`, keeping their order. Six queries, whatever the
/// number of rows.
pub async fn build(
    tx: &mut Tx,
    caller: &str,
    rows: Vec<PromptRow>,
) -> sqlx::Result<Vec<PromptView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut owner_ids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    owner_ids.sort();
    owner_ids.dedup();
    let extras = Extras {
        tags: tags::for_prompts(tx, &ids).await?,
        stats: ratings::stats(tx, &ids)
            .await?
            .into_iter()
            .map(|(id, avg, n)| (id, (avg, n)))
            .collect(),
        mine: ratings::mine(tx, caller, &ids).await?.into_iter().collect(),
        versions: store::version_counts(tx, &ids).await?.into_iter().collect(),
        owners: owners(tx, &owner_ids).await?,
        starred: super::favorites::starred(tx, caller, &ids)
            .await?
            .into_iter()
            .collect(),
    };
    Ok(assemble(caller, rows, extras))
}

fn assemble(caller: &str, rows: Vec<PromptRow>, extras: Extras) -> Vec<PromptView> {
    let Extras {
        tags,
        stats,
        mine,
        versions,
        owners,
        starred,
    } = extras;
    let mut tag_map: HashMap<String, Vec<TagLink>> = HashMap::new();
    for (prompt_id, tag_id, name) in tags {
        tag_map.entry(prompt_id.clone()).or_default().push(TagLink {
            prompt_id,
            tag_id: tag_id.clone(),
            tag: TagRef { id: tag_id, name },
        });
    }
    rows.into_iter()
        .map(|mut p| {
            let can_edit = p.user_id == caller;
            if !can_edit {
                // The anonymous link is the owner's to hand out.
                p.public_share_id = None;
            }
            let (avg, n) = stats.get(&p.id).copied().unwrap_or((0.0, 0));
            PromptView {
                tags: tag_map.remove(&p.id).unwrap_or_default(),
                avg_rating: (avg * 100.0).round() / 100.0,
                rating_count: n,
                my_rating: mine.get(&p.id).copied(),
                count: Counts {
                    versions: versions.get(&p.id).copied().unwrap_or(0),
                },
                user: owners.get(&p.user_id).cloned(),
                can_edit,
                favorite: starred.contains(&p.id),
                versions: None,
                ratings: None,
                name: None,
                namespace: None,
                prompt: p,
            }
        })
        .collect()
}

/// One prompt's full view: the page view plus its versions (newest first) and ratings. Five
/// queries: the counts, the average and the caller's rating come from the lists themselves.
pub async fn full(tx: &mut Tx, caller: &str, row: PromptRow) -> sqlx::Result<PromptView> {
    let id = row.id.clone();
    let versions = store::versions(tx, &id).await?;
    let rated = ratings::of_prompt(tx, &id).await?;
    let n = rated.len() as i64;
    let mut stats = HashMap::new();
    if n > 0 {
        let sum: i64 = rated.iter().map(|r| i64::from(r.value)).sum();
        stats.insert(id.clone(), (sum as f64 / n as f64, n));
    }
    let extras = Extras {
        tags: tags::for_prompts(tx, std::slice::from_ref(&id)).await?,
        stats,
        mine: rated
            .iter()
            .filter(|r| r.user_id == caller)
            .map(|r| (id.clone(), r.value))
            .collect(),
        versions: HashMap::from([(id.clone(), versions.len() as i64)]),
        owners: owners(tx, std::slice::from_ref(&row.user_id)).await?,
        starred: super::favorites::starred(tx, caller, std::slice::from_ref(&id))
            .await?
            .into_iter()
            .collect(),
    };
    let mut view = assemble(caller, vec![row], extras)
        .pop()
        .ok_or(sqlx::Error::RowNotFound)?;
    view.versions = Some(versions);
    view.ratings = Some(rated);
    if let Some(n) = crate::registry::current_name(tx, &view.prompt.id).await? {
        view.name = Some(n.name);
        view.namespace = n.namespace;
    }
    Ok(view)
}
