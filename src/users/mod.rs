//! Accounts: registration, login, profile, and the administration of users.
//! Every rule about users lives here; the JSON API and the CLI call these functions.

pub mod api;
pub mod domain;
pub mod password;
pub mod store;

use serde::Deserialize;

use crate::auth::Admin;
use crate::db::{self, Db, Tx};
use crate::error::{Error, Problems, Result};
use crate::teams;
pub use domain::{Email, Password, Role};
pub use store::{PublicUser, UserRow};

/// Input for a new account (registration, admin create, CLI). `email` and `password` are
/// required by validation (a 400 naming them when missing).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// An email address; stored trimmed and in lower case.
    pub email: Option<String>,
    /// 8 to 1024 characters.
    pub password: Option<String>,
    /// Display name, at most 100 characters; empty means none.
    pub name: Option<String>,
    /// Default USER (case-insensitive). Ignored on self-registration.
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// Team ids the account belongs to (administrators only).
    pub teams: Option<Vec<String>>,
    /// 1.x's single team (a team id or name), next to `teams`; ignored on self-registration.
    pub team: Option<String>,
}

struct ValidNewUser {
    email: Email,
    password: Password,
    name: Option<String>,
    role: Option<Role>,
}

fn validate_new(input: &NewUser) -> Result<ValidNewUser> {
    let mut p = Problems::default();
    let email = p.check(
        "email",
        Email::parse(input.email.as_deref().unwrap_or_default()),
    );
    let password = match input.password.as_deref() {
        None => {
            p.add("password", "is required");
            None
        }
        Some(pw) => p.check("password", Password::parse(pw)),
    };
    let name = p.check("name", domain::parse_name(input.name.as_deref()));
    let role = match input.role.as_deref() {
        None => Some(None),
        Some(r) => p.check("role", Role::parse(r)).map(Some),
    };
    match (email, password, name, role) {
        (Some(email), Some(password), Some(name), Some(role)) => Ok(ValidNewUser {
            email,
            password,
            name,
            role,
        }),
        _ => Err(p.into_error()),
    }
}

/// Creates an account inside `tx` with a password hashed beforehand (hashing takes tens of
/// milliseconds: never inside a write transaction). `role` defaults to USER.
async fn insert_new(tx: &mut Tx, v: &ValidNewUser, hash: &str, role: Role) -> Result<UserRow> {
    if store::by_email(tx, v.email.as_str()).await?.is_some() {
        return Err(Error::conflict("Email in use", "email_in_use"));
    }
    let now = db::now();
    let user = UserRow {
        id: db::new_id(),
        email: v.email.as_str().to_string(),
        password: hash.to_string(),
        name: v.name.clone(),
        team: None,
        role,
        created_at: now,
        updated_at: now,
    };
    store::insert(tx, &user).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            Error::conflict("Email in use", "email_in_use")
        } else {
            Error::Db(e)
        }
    })?;
    let handle = crate::registry::names::handle_for_email(&user.email);
    crate::registry::names::set_namespace(tx, Some(&user.id), None, &handle, false).await?;
    Ok(user)
}

/// Self-registration. The very first account of an instance becomes its administrator, even
/// when registration is closed; later ones need `allowRegistration`.
pub async fn register(db: &Db, input: &NewUser) -> Result<UserRow> {
    let v = validate_new(input)?;
    let hash = password::hash(v.password.expose()).await?;
    let mut tries = 0;
    loop {
        match register_once(db, &v, &hash).await {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            other => return other,
        }
    }
}

async fn register_once(db: &Db, v: &ValidNewUser, hash: &str) -> Result<UserRow> {
    let mut tx = db.write().await?;
    // Exactly one first account on every backend: registrations that may be the first queue on
    // the settings row, so the count each of them reads includes the ones committed before.
    let mut first = store::count(&mut tx).await? == 0;
    if first {
        crate::settings::store::lock(&mut tx).await?;
        first = store::count(&mut tx).await? == 0;
    }
    if !first
        && !crate::settings::store::get(&mut tx)
            .await?
            .allow_registration
    {
        return Err(Error::Forbidden("Registration disabled".into()));
    }
    let role = if first { Role::Admin } else { Role::User };
    let user = insert_new(&mut tx, v, hash, role).await?;
    tx.commit().await?;
    if first {
        tracing::info!(email = %user.email, "first account registered as administrator");
    }
    Ok(user)
}

/// An administrator (or the CLI) creates an account with a role and teams.
pub async fn create(db: &Db, _: Admin, input: &NewUser) -> Result<UserRow> {
    let v = validate_new(input)?;
    let role = v.role.unwrap_or(Role::User);
    let hash = password::hash(v.password.expose()).await?;
    let mut tx = db.write().await?;
    let user = insert_new(&mut tx, &v, &hash, role).await?;
    if let Some(team_ids) = &input.teams {
        teams::set_user_teams(&mut tx, &user.id, team_ids).await?;
    }
    if let Some(team) = input.team.as_deref().filter(|t| !t.trim().is_empty()) {
        teams::set_primary_team(&mut tx, &user.id, Some(team)).await?;
    }
    let user = store::by_id(&mut tx, &user.id)
        .await?
        .ok_or_else(Error::not_found)?;
    tx.commit().await?;
    Ok(user)
}

/// Checks email and password. Unknown email and wrong password answer the same, in the same
/// time. A bcrypt hash from 1.x is replaced by argon2id on success.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<UserRow> {
    let user = match Email::parse(email) {
        Ok(email) => {
            let mut tx = db.read().await?;
            store::by_email(&mut tx, email.as_str()).await?
        }
        Err(_) => None,
    };
    let verdict = password::verify(password, user.as_ref().map(|u| u.password.as_str())).await?;
    match (user, verdict) {
        (Some(user), password::Verified::Yes) => Ok(user),
        (Some(mut user), password::Verified::YesRehash) => {
            user.password = password::hash(password).await?;
            let mut tx = db.write().await?;
            store::set(&mut tx, &user.id, store::Field::Password(&user.password)).await?;
            tx.commit().await?;
            tracing::info!(user = %user.id, "upgraded a legacy password hash to argon2id");
            Ok(user)
        }
        _ => Err(Error::InvalidCredentials),
    }
}

/// The caller's own changes; absent fields are kept.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    /// Display name, at most 100 characters; empty removes it.
    pub name: Option<String>,
    /// A new password (8 to 1024 characters); needs `currentPassword`.
    pub password: Option<String>,
    pub current_password: Option<String>,
}

/// A user changes their own name or password (the current password is required for the latter).
/// A new password ends every other credential of the account in the same transaction: every
/// session but `keep_session` (the one making the change, if any) and every API token.
/// Only the columns that change are written. Returns the user and whether the password changed.
pub async fn update_profile(
    db: &Db,
    user_id: &str,
    input: &ProfileUpdate,
    keep_session: Option<&str>,
) -> Result<(UserRow, bool)> {
    let mut p = Problems::default();
    let name = match &input.name {
        Some(n) => p.check("name", domain::parse_name(Some(n))).map(Some),
        None => Some(None),
    };
    let new_password = match &input.password {
        Some(pw) => p.check("password", Password::parse(pw)).map(Some),
        None => Some(None),
    };
    let (Some(name), Some(new_password)) = (name, new_password) else {
        return Err(p.into_error());
    };
    // Checking the current password and hashing the new one take tens of milliseconds each:
    // both happen before the write transaction.
    let hash = match new_password {
        None => None,
        Some(pw) => {
            let Some(current) = input.current_password.as_deref() else {
                return Err(Error::invalid_field(
                    "currentPassword",
                    "is required to change the password",
                ));
            };
            let mut tx = db.read().await?;
            let stored = store::by_id(&mut tx, user_id)
                .await?
                .ok_or(Error::Unauthorized)?
                .password;
            drop(tx);
            if password::verify(current, Some(&stored)).await? == password::Verified::No {
                return Err(Error::invalid_field("currentPassword", "is not correct"));
            }
            Some(password::hash(pw.expose()).await?)
        }
    };
    // A user deleted meanwhile: the writes touch nothing and the read below answers
    // Unauthorized, rolling the transaction back.
    let mut tx = db.write().await?;
    if let Some(name) = name {
        store::set(&mut tx, user_id, store::Field::Name(name.as_deref())).await?;
    }
    if let Some(hash) = &hash {
        store::set(&mut tx, user_id, store::Field::Password(hash)).await?;
        crate::auth::sessions::revoke_others(&mut tx, user_id, keep_session).await?;
        crate::auth::tokens::revoke_all(&mut tx, user_id).await?;
    }
    let user = store::by_id(&mut tx, user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    tx.commit().await?;
    Ok((user, hash.is_some()))
}

/// An administrator's change to a user; absent fields are kept.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AdminUpdate {
    /// Display name, at most 100 characters; empty removes it.
    pub name: Option<String>,
    /// Case-insensitive; the last administrator cannot be demoted (409).
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// Replaces the user's team memberships (team ids).
    pub teams: Option<Vec<String>>,
    /// 1.x's single team: a team id or name makes it the primary team; `""` or `null` takes the
    /// user out of their primary team; absent leaves teams alone.
    #[serde(default, deserialize_with = "crate::prompts::domain::present")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    /// A new password (8 to 1024 characters); the user's sessions are revoked.
    pub password: Option<String>,
}

pub async fn admin_update(db: &Db, _: Admin, id: &str, input: &AdminUpdate) -> Result<UserRow> {
    let mut p = Problems::default();
    let name = match &input.name {
        Some(n) => p.check("name", domain::parse_name(Some(n))).map(Some),
        None => Some(None),
    };
    let role = match &input.role {
        Some(r) => p.check("role", Role::parse(r)).map(Some),
        None => Some(None),
    };
    let new_password = match &input.password {
        Some(pw) => p.check("password", Password::parse(pw)).map(Some),
        None => Some(None),
    };
    let (Some(name), Some(role), Some(new_password)) = (name, role, new_password) else {
        return Err(p.into_error());
    };
    let hash = match &new_password {
        Some(pw) => Some(password::hash(pw.expose()).await?),
        None => None,
    };
    let mut tx = db.write().await?;
    let user = store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    if let Some(name) = name {
        store::set(&mut tx, id, store::Field::Name(name.as_deref())).await?;
    }
    if let Some(role) = role {
        if user.is_admin() && role != Role::Admin && !another_admin_remains(&mut tx).await? {
            return Err(Error::conflict(
                "Cannot demote the last administrator",
                "last_admin",
            ));
        }
        store::set(&mut tx, id, store::Field::Role(role.as_str())).await?;
    }
    // A reset by an administrator ends every credential: all sessions and all API tokens.
    if let Some(h) = &hash {
        store::set(&mut tx, id, store::Field::Password(h)).await?;
        crate::auth::sessions::revoke_all(&mut tx, id).await?;
        crate::auth::tokens::revoke_all(&mut tx, id).await?;
    }
    if let Some(team_ids) = &input.teams {
        teams::set_user_teams(&mut tx, id, team_ids).await?;
    }
    if let Some(team) = &input.team {
        teams::set_primary_team(&mut tx, id, team.as_deref()).await?;
    }
    let user = store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    tx.commit().await?;
    Ok(user)
}

/// Whether an administrator other than the one about to go remains. Demotions and deletions of
/// administrators queue on the settings row, so two of them at once cannot both see the other
/// as the one that remains.
async fn another_admin_remains(tx: &mut Tx) -> Result<bool> {
    crate::settings::store::lock(tx).await?;
    Ok(store::count_admins(tx).await? > 1)
}

/// What happens to a deleted user's prompts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFate {
    /// Refuse when the user has prompts.
    Keep,
    Delete,
    TransferTo(String),
}

pub async fn delete(db: &Db, _: Admin, id: &str, fate: PromptFate) -> Result<()> {
    let mut tx = db.write().await?;
    let user = store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)?;
    if user.is_admin() && !another_admin_remains(&mut tx).await? {
        return Err(Error::conflict(
            "Cannot delete the last administrator",
            "last_admin",
        ));
    }
    let prompts = store::prompt_count(&mut tx, id).await?;
    match fate {
        PromptFate::Keep if prompts > 0 => {
            return Err(Error::Conflict {
                message: format!(
                    "This user has {prompts} prompt(s): delete them with ?prompts=delete or \
                     give them to another user with ?prompts=transfer&to=<userId>"
                ),
                code: "user_has_prompts",
            });
        }
        PromptFate::Keep => {}
        PromptFate::Delete => crate::prompts::store::delete_all_of_user(&mut tx, id).await?,
        PromptFate::TransferTo(to) => {
            if to == id {
                return Err(Error::invalid_field("to", "must be another user"));
            }
            if !crate::text::is_id(&to) {
                return Err(Error::invalid_field("to", "no such user"));
            }
            store::by_id(&mut tx, &to)
                .await?
                .ok_or_else(|| Error::invalid_field("to", "no such user"))?;
            crate::prompts::store::transfer_all(&mut tx, id, &to).await?;
        }
    }
    store::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// How many accounts exist (the sign-in page asks whether this is the first run).
pub async fn count(db: &Db) -> Result<i64> {
    let mut tx = db.read().await?;
    Ok(store::count(&mut tx).await?)
}

pub async fn list(db: &Db, _: Admin, limit: i64, offset: i64) -> Result<(Vec<UserRow>, i64)> {
    let mut tx = db.read().await?;
    let users = store::list(&mut tx, limit, offset).await?;
    let total = store::count(&mut tx).await?;
    Ok((users, total))
}

pub async fn get(db: &Db, id: &str) -> Result<UserRow> {
    let mut tx = db.read().await?;
    store::by_id(&mut tx, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// Display names (the name, else the email) of these users, in one query; users that no longer
/// exist are left out.
pub async fn display_names(
    db: &Db,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    let mut tx = db.read().await?;
    Ok(store::by_ids(&mut tx, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name.unwrap_or(u.email)))
        .collect())
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<UserRow>> {
    let email = Email::parse(email).map_err(|p| Error::invalid_field("email", p))?;
    let mut tx = db.read().await?;
    Ok(store::by_email(&mut tx, email.as_str()).await?)
}

/// On start: create the administrator named in the configuration when there is no
/// administrator yet. Never creates a default account on its own.
pub async fn bootstrap_admin(db: &Db, email: &str, password: &str) -> Result<Option<UserRow>> {
    let mut tx = db.read().await?;
    let admins = store::count_admins(&mut tx).await?;
    drop(tx);
    if admins > 0 {
        return Ok(None);
    }
    let input = NewUser {
        email: Some(email.into()),
        password: Some(password.into()),
        role: Some("ADMIN".into()),
        ..NewUser::default()
    };
    if let Some(mut existing) = by_email(db, email).await? {
        existing.role = Role::Admin;
        let mut tx = db.write().await?;
        store::set(&mut tx, &existing.id, store::Field::Role("ADMIN")).await?;
        tx.commit().await?;
        return Ok(Some(existing));
    }
    create(db, Admin::operator(), &input).await.map(Some)
}

/// Whether 1.x's default administrator (`admin@promptvault.local`) still accepts its default
/// password: the log and the admin page say so until the password changes.
pub async fn default_admin_password_in_use(db: &Db) -> Result<bool> {
    let Some(user) = by_email(db, crate::users::password::DEFAULT_ADMIN_EMAIL).await? else {
        return Ok(false);
    };
    Ok(password::is_default_admin_hash(&user.password).await)
}
