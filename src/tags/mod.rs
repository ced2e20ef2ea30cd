//! Tags: names trimmed, 1–50 characters, unique ignoring case. Everyone sees the tags on
//! prompts they can read; administrators see all and create, rename, merge and delete them.

pub mod api;
pub mod store;

use serde::Serialize;

use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::prompts::domain::parse_tag;
use crate::users::UserRow;
pub use store::TagRow;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub prompts: i64,
}

/// `{id, name, _count: {prompts}}`
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagView {
    pub id: String,
    pub name: String,
    #[serde(rename = "_count")]
    pub count: TagCount,
}

/// Tags on prompts `caller` can read (administrators: every tag), with prompt counts.
pub async fn list(db: &Db, caller: &UserRow) -> Result<Vec<TagView>> {
    let mut tx = db.read().await?;
    let rows = if caller.is_admin() {
        store::list_all(&mut tx).await?
    } else {
        store::list_readable(&mut tx, &caller.id).await?
    };
    Ok(rows
        .into_iter()
        .map(|(id, name, prompts)| TagView {
            id,
            name,
            count: TagCount { prompts },
        })
        .collect())
}

/// Tags of the prompts a list shows (`scope`), counted the way that list counts them: a chip's
/// number is what the list filtered by the tag shows.
pub async fn in_scope(
    db: &Db,
    caller: &UserRow,
    scope: crate::listing::Scope,
) -> Result<Vec<TagView>> {
    let mut tx = db.read().await?;
    let rows = store::list_in_scope(&mut tx, &caller.id, scope).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, prompts)| TagView {
            id,
            name,
            count: TagCount { prompts },
        })
        .collect())
}

fn taken() -> Error {
    Error::conflict("A tag with this name already exists", "tag_exists")
}

fn map_unique(e: sqlx::Error) -> Error {
    if db::is_unique_violation(&e) {
        taken()
    } else {
        Error::Db(e)
    }
}

/// Admin: a new tag without any prompt. 409 when the name exists (any case).
pub async fn create(db: &Db, _: crate::auth::Admin, name: &str) -> Result<TagRow> {
    let name = parse_tag(name).map_err(|p| Error::invalid_field("name", p))?;
    let mut tx = db.write().await?;
    if store::by_name(&mut tx, &name).await?.is_some() {
        return Err(taken());
    }
    let tag = TagRow {
        id: db::new_id(),
        name,
        created_at: db::now(),
    };
    store::insert(&mut tx, &tag).await.map_err(map_unique)?;
    tx.commit().await?;
    Ok(tag)
}

/// Admin: renames a tag (a change of case only is allowed). 409 when another tag has the name.
pub async fn rename(db: &Db, _: crate::auth::Admin, id: &str, name: &str) -> Result<TagRow> {
    let name = parse_tag(name).map_err(|p| Error::invalid_field("name", p))?;
    let mut tx = db.write().await?;
    let mut tag = store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    if let Some(other) = store::by_name(&mut tx, &name).await?
        && other.id != tag.id
    {
        return Err(taken());
    }
    store::rename(&mut tx, id, &name)
        .await
        .map_err(map_unique)?;
    tx.commit().await?;
    tag.name = name;
    Ok(tag)
}

/// Admin: deletes an unused tag; a tag still on prompts is a 400 with its `usageCount`.
pub async fn delete(db: &Db, _: crate::auth::Admin, id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    let used = store::usage_count(&mut tx, id).await?;
    if used > 0 {
        return Err(Error::Invalid {
            message: format!(
                "Tag is in use by {used} prompt(s): merge it into another tag instead"
            ),
            details: [("usageCount".to_string(), used.to_string())].into(),
        });
    }
    store::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Admin: moves every prompt of tag `id` to tag `into`, then deletes `id`.
pub async fn merge(db: &Db, _: crate::auth::Admin, id: &str, into: &str) -> Result<TagRow> {
    if into.trim().is_empty() {
        return Err(Error::invalid_field("into", "is required"));
    }
    if id == into {
        return Err(Error::invalid_field("into", "must be another tag"));
    }
    let mut tx = db.write().await?;
    store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    let target = store::by_id(&mut tx, into)
        .await?
        .ok_or_else(|| Error::invalid_field("into", "no such tag"))?;
    store::move_links(&mut tx, id, into).await?;
    store::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(target)
}
