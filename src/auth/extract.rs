//! Who is calling, as extractors: `CurrentUser` (401 when nobody), `MaybeUser`, `AdminUser`
//! (403 unless the database says ADMIN). The user row is read with the session on every
//! request, and with an API token unless this instance read that token less than a second ago
//! with nothing written since (`tokens::user_for`), so a role change or a deletion takes
//! effect at once on this instance and within a second on others.
//!
//! A limited API token (read-only, or limited to namespaces) is refused by every extractor
//! but [`RegistryUser`], which only the registry's fetch and render take.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::error::Error;
use crate::http::extract::cookie;
use crate::state::AppState;
use crate::users::store::UserRow;

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    Session(String),
    /// An API token, with its limits (`None`: a full token).
    Token(Option<super::TokenLimits>),
}

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: UserRow,
    pub via: Via,
}

impl CurrentUser {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// The limits of the API token the caller used, if it has any.
    pub fn limits(&self) -> Option<&super::TokenLimits> {
        match &self.via {
            Via::Token(limits) => limits.as_ref(),
            Via::Session(_) => None,
        }
    }
}

/// A caller of the registry's fetch and render: any signed-in user or token, limited ones too.
pub struct RegistryUser(pub CurrentUser);

pub struct MaybeUser(pub Option<CurrentUser>);

/// Proof that an administrator is acting. Admin-only services take one; it can be made only
/// from a user who is an administrator ([`Admin::of`], used by the admin extractors of the API
/// and the pages) or by the operator ([`Admin::operator`]: the command line and the server's own
/// configuration; whoever controls them controls the server and its database).
#[derive(Clone, Copy, Debug)]
pub struct Admin(());

impl Admin {
    /// The proof for `user`, if they are an administrator.
    pub fn of(user: &UserRow) -> Option<Admin> {
        user.is_admin().then_some(Admin(()))
    }

    /// The operator (command line, configured first administrator) acts as an administrator.
    pub fn operator() -> Admin {
        Admin(())
    }
}

/// A signed-in administrator, with the proof admin-only services ask for.
pub struct AdminUser(pub CurrentUser, pub Admin);

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, Error> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let bearer = auth
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(secret) = bearer else {
            return Ok(None);
        };
        return Ok(super::tokens::user_for(&state.db, secret)
            .await?
            .map(|(user, limits)| CurrentUser {
                user,
                via: Via::Token(limits),
            }));
    }
    let Some(secret) = cookie(&parts.headers, super::sessions::COOKIE).filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    Ok(super::sessions::user_for(&state.db, &secret)
        .await?
        .map(|user| CurrentUser {
            user,
            via: Via::Session(secret),
        }))
}

/// Who is calling, limited tokens included (resolved once per request).
async fn anyone(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, Error> {
    if let Some(found) = parts.extensions.get::<CurrentUser>() {
        return Ok(Some(found.clone()));
    }
    let user = resolve(parts, state).await?;
    if let Some(u) = &user {
        // The request's log span names who made it (see http::middleware::request_span).
        tracing::Span::current().record("user", u.id());
        parts.extensions.insert(u.clone());
    }
    Ok(user)
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser
where
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let user = anyone(parts, &AppState::from_ref(state)).await?;
        if user.as_ref().is_some_and(|u| u.limits().is_some()) {
            return Err(Error::Forbidden(
                "This API token is limited: it may only fetch and render prompts by name \
                 (/api/registry and /mcp)"
                    .into(),
            ));
        }
        Ok(MaybeUser(user))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RegistryUser
where
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        anyone(parts, &AppState::from_ref(state))
            .await?
            .map(RegistryUser)
            .ok_or(Error::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        MaybeUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(Error::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AdminUser
where
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match Admin::of(&user.user) {
            Some(admin) => Ok(AdminUser(user, admin)),
            None => Err(Error::forbidden()),
        }
    }
}
