//! Signing in with email and password: required fields, the rate limit, the credential check.
//! The JSON API and the sign-in page both call [`sign_in`].

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::users::{self, UserRow};

/// Checks the credentials under the login rate limit. Failures count against the
/// (email, address) pair and the address; a success clears the pair.
pub async fn sign_in(state: &AppState, email: &str, password: &str, ip: IpAddr) -> Result<UserRow> {
    if email.trim().is_empty() || password.is_empty() {
        return Err(Error::invalid(
            [("email", email), ("password", password)]
                .iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(|(k, _)| (k.to_string(), "is required".to_string()))
                .collect(),
        ));
    }
    if let Some(retry_after_secs) = state.limiter.check(&state.db, email, ip).await? {
        tracing::warn!(%ip, retry_after_secs, "sign-in refused: too many failed attempts");
        return Err(Error::RateLimited { retry_after_secs });
    }
    match users::authenticate(&state.db, email, password).await {
        Ok(user) => {
            state.limiter.record_success(&state.db, email, ip).await?;
            Ok(user)
        }
        Err(Error::InvalidCredentials) => {
            tracing::info!(%ip, "failed sign-in");
            state.limiter.record_failure(&state.db, email, ip).await?;
            Err(Error::InvalidCredentials)
        }
        Err(e) => Err(e),
    }
}
