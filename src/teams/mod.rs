//! Teams: admins create, rename and delete them and manage members. A user's primary team name
//! is kept in `User.team` (the guide queries it) and follows membership changes.

pub mod api;
pub mod store;

use crate::auth::Admin;
use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
pub use store::{Member, TeamRow, TeamWithCount};

/// The role of a team member who may move protected labels of the team's prompts, rename the
/// team's namespace and make other members maintainers (`UserTeam.role`; null: a member).
pub const MAINTAINER: &str = "MAINTAINER";

/// Makes a member of `team_id` a maintainer (`maintainer`) or a plain member again. Allowed to
/// administrators and the team's maintainers; 404 when the user is not a member.
pub async fn set_role(
    db: &Db,
    caller: &crate::users::UserRow,
    team_id: &str,
    user_id: &str,
    maintainer: bool,
) -> Result<()> {
    let mut tx = db.write().await?;
    store::by_id(&mut tx, team_id)
        .await?
        .ok_or_else(Error::not_found)?;
    if !caller.is_admin()
        && store::role(&mut tx, team_id, &caller.id).await?.as_deref() != Some(MAINTAINER)
    {
        return Err(Error::Forbidden(
            "Only administrators and the team's maintainers grant roles".into(),
        ));
    }
    let role = maintainer.then_some(MAINTAINER);
    if store::set_role(&mut tx, team_id, user_id, role).await? == 0 {
        return Err(Error::NotFound(
            "The user is not a member of this team".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// A team name: trimmed, 1–100 characters, no control characters.
pub fn parse_name(raw: &str) -> std::result::Result<String, String> {
    crate::text::required_name(raw)
}

pub async fn list(db: &Db) -> Result<Vec<TeamWithCount>> {
    let mut tx = db.read().await?;
    Ok(store::list(&mut tx).await?)
}

/// The teams a user belongs to, by name.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<TeamRow>> {
    let mut tx = db.read().await?;
    Ok(store::of_user(&mut tx, user_id).await?)
}

/// The team names of each of these users, in one query.
pub async fn names_by_user(
    db: &Db,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    let mut tx = db.read().await?;
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for m in store::of_users(&mut tx, user_ids).await? {
        out.entry(m.user_id).or_default().push(m.name);
    }
    Ok(out)
}

pub async fn create(db: &Db, _: Admin, name: &str) -> Result<TeamRow> {
    let name = parse_name(name).map_err(|p| Error::invalid_field("name", p))?;
    let mut tx = db.write().await?;
    if store::by_name(&mut tx, &name).await?.is_some() {
        return Err(Error::conflict(
            "A team with this name already exists",
            "team_exists",
        ));
    }
    let now = db::now();
    let team = TeamRow {
        id: db::new_id(),
        name,
        created_at: now,
        updated_at: now,
    };
    store::insert(&mut tx, &team).await.map_err(unique_name)?;
    let slug = crate::registry::names::slugify(&team.name, "team", 40);
    crate::registry::names::set_namespace(&mut tx, None, Some(&team.id), &slug, false).await?;
    tx.commit().await?;
    Ok(team)
}

pub async fn rename(db: &Db, _: Admin, id: &str, name: &str) -> Result<TeamRow> {
    let name = parse_name(name).map_err(|p| Error::invalid_field("name", p))?;
    let mut tx = db.write().await?;
    let mut team = store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    if let Some(other) = store::by_name(&mut tx, &name).await?
        && other.id != team.id
    {
        return Err(Error::conflict(
            "A team with this name already exists",
            "team_exists",
        ));
    }
    let now = db::now();
    store::rename(&mut tx, id, &name, now)
        .await
        .map_err(unique_name)?;
    store::rename_user_team(&mut tx, &team.name, &name).await?;
    tx.commit().await?;
    team.name = name;
    team.updated_at = now;
    Ok(team)
}

/// Deletes a team: memberships go, its TEAM prompts become PRIVATE, members' primary team moves on.
pub async fn delete(db: &Db, _: Admin, id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    let members = store::member_ids(&mut tx, id).await?;
    store::privatise_prompts(&mut tx, id).await?;
    store::delete(&mut tx, id).await?;
    for user_id in members {
        refresh_primary(&mut tx, &user_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn members(db: &Db, id: &str) -> Result<Vec<Member>> {
    let mut tx = db.read().await?;
    store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    Ok(store::members(&mut tx, id).await?)
}

pub async fn add_member(db: &Db, _: Admin, team_id: &str, user_id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    store::by_id(&mut tx, team_id)
        .await?
        .ok_or_else(Error::not_found)?;
    crate::users::store::by_id(&mut tx, user_id)
        .await?
        .ok_or_else(|| Error::NotFound("User not found".into()))?;
    store::add_member(&mut tx, team_id, user_id, db::now()).await?;
    refresh_primary(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, _: Admin, team_id: &str, user_id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    if store::remove_member(&mut tx, team_id, user_id).await? == 0 {
        return Err(Error::not_found());
    }
    refresh_primary(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces a user's memberships with `team_ids` (each must exist).
pub async fn set_user_teams(tx: &mut Tx, user_id: &str, team_ids: &[String]) -> Result<()> {
    for id in team_ids {
        if store::by_id(tx, id).await?.is_none() {
            return Err(Error::invalid_field(
                "teams",
                format!("unknown team id {id:?}"),
            ));
        }
    }
    store::remove_all_memberships(tx, user_id).await?;
    let now = db::now();
    for id in team_ids {
        store::add_member(tx, id, user_id, now).await?;
    }
    refresh_primary(tx, user_id).await
}

/// The 1.x `team` field of the admin API: `team` (a team id or name) becomes the user's primary
/// team, replacing the previous primary membership (1.x knew one team per user); `None` or an
/// empty string takes the user out of their primary team. Other memberships are kept.
pub async fn set_primary_team(tx: &mut Tx, user_id: &str, team: Option<&str>) -> Result<()> {
    let wanted = match team.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match if crate::text::is_id(t) {
            store::by_id(tx, t).await?
        } else {
            None
        } {
            Some(found) => Some(found),
            None => Some(store::by_name(tx, t).await?.ok_or_else(|| {
                Error::invalid_field("team", format!("no team has the id or name {t:?}"))
            })?),
        },
    };
    let Some(user) = crate::users::store::by_id(tx, user_id).await? else {
        return Err(Error::not_found());
    };
    let current = match user.team.as_deref() {
        Some(name) => store::by_name(tx, name).await?,
        None => None,
    };
    if let Some(old) = &current
        && wanted.as_ref().is_none_or(|w| w.id != old.id)
    {
        store::remove_member(tx, &old.id, user_id).await?;
    }
    match wanted {
        Some(team) => {
            store::add_member(tx, &team.id, user_id, db::now()).await?;
            store::set_primary(tx, user_id, Some(&team.name)).await?;
        }
        None => store::set_primary(tx, user_id, None).await?,
    }
    refresh_primary(tx, user_id).await
}

/// Keeps `User.team` on a team the user belongs to: the current one if still a member,
/// otherwise the first by name, or none.
pub async fn refresh_primary(tx: &mut Tx, user_id: &str) -> Result<()> {
    let Some(user) = crate::users::store::by_id(tx, user_id).await? else {
        return Ok(());
    };
    let teams = store::of_user(tx, user_id).await?;
    let keep = user
        .team
        .as_deref()
        .filter(|current| teams.iter().any(|t| t.name == *current))
        .map(str::to_string);
    let primary = keep.or_else(|| teams.first().map(|t| t.name.clone()));
    if primary != user.team {
        store::set_primary(tx, user_id, primary.as_deref()).await?;
    }
    Ok(())
}

fn unique_name(e: sqlx::Error) -> Error {
    if db::is_unique_violation(&e) {
        Error::conflict("A team with this name already exists", "team_exists")
    } else {
        Error::Db(e)
    }
}

/// A team by id or by name.
pub async fn find(db: &Db, id_or_name: &str) -> Result<TeamRow> {
    if id_or_name.trim().is_empty() {
        return Err(Error::invalid_field("team", "is required"));
    }
    let mut tx = db.read().await?;
    if let Some(t) = store::by_id(&mut tx, id_or_name).await? {
        return Ok(t);
    }
    store::by_name(&mut tx, id_or_name.trim())
        .await?
        .ok_or_else(|| Error::NotFound("Team not found".into()))
}

/// Makes `team_name` (a team the user belongs to) the user's primary team.
pub async fn make_primary(db: &Db, user_id: &str, team_name: &str) -> Result<()> {
    let mut tx = db.write().await?;
    store::set_primary(&mut tx, user_id, Some(team_name)).await?;
    tx.commit().await?;
    Ok(())
}
