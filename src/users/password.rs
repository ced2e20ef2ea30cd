//! Password hashing: argon2id for new hashes, bcrypt accepted for accounts adopted from 1.x.
//! Hashing is CPU-heavy, so it runs on the blocking pool, never on the async runtime.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// PromptVault 1.x's default administrator, created by its first start with a well-known
/// password: adopted files may still have it (warned about at every start and on /admin).
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@promptvault.local";
pub const DEFAULT_ADMIN_PASSWORD: &str = "admin123";

/// Hashes a password with argon2id and a random salt.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
}

fn hash_now(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with an older scheme (bcrypt): re-hash it now.
    YesRehash,
}

/// Checks `password` against `stored`. With `stored = None` (unknown account) it checks a dummy
/// hash, so both cases take the same time and answer the same.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<Verified> {
    let password = password.to_string();
    let stored = stored.map(str::to_string);
    tokio::task::spawn_blocking(move || match stored {
        Some(h) if h.starts_with("$2") => Ok(match bcrypt::verify(&password, &h) {
            Ok(true) => Verified::YesRehash,
            _ => Verified::No,
        }),
        Some(h) => Ok(check_argon2(&password, &h)),
        None => {
            check_argon2(&password, dummy_hash());
            Ok(Verified::No)
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
}

/// Whether `stored` is a hash of 1.x's default administrator password (`admin123`). The answer
/// for the last hash asked about is remembered, so the admin page can ask on every view.
pub async fn is_default_admin_hash(stored: &str) -> bool {
    static LAST: std::sync::Mutex<Option<(String, bool)>> = std::sync::Mutex::new(None);
    if let Ok(last) = LAST.lock()
        && let Some((hash, answer)) = last.as_ref()
        && hash == stored
    {
        return *answer;
    }
    if stored.is_empty() {
        return false;
    }
    let answer = !matches!(
        verify(DEFAULT_ADMIN_PASSWORD, Some(stored)).await,
        Ok(Verified::No) | Err(_)
    );
    if let Ok(mut last) = LAST.lock() {
        *last = Some((stored.to_string(), answer));
    }
    answer
}

fn check_argon2(password: &str, stored: &str) -> Verified {
    match PasswordHash::new(stored) {
        Ok(parsed)
            if Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok() =>
        {
            Verified::Yes
        }
        _ => Verified::No,
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password, only for timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2_round_trip() {
        let h = hash("correct horse").await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert_eq!(
            verify("correct horse", Some(&h)).await.expect("ok"),
            Verified::Yes
        );
        assert_eq!(
            verify("wrong horse", Some(&h)).await.expect("ok"),
            Verified::No
        );
        assert_eq!(verify("anything", None).await.expect("ok"), Verified::No);
    }

    #[tokio::test]
    async fn bcrypt_from_1x_is_accepted_and_flagged_for_rehash() {
        let legacy = bcrypt::hash("old-password", 4).expect("bcrypt");
        assert_eq!(
            verify("old-password", Some(&legacy)).await.expect("ok"),
            Verified::YesRehash
        );
        assert_eq!(
            verify("nope-nope", Some(&legacy)).await.expect("ok"),
            Verified::No
        );
    }
}
