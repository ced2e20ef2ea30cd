//! Who is calling: server-side sessions (the `token` cookie), personal API tokens
//! (`Authorization: Bearer`), login rate limiting, and the extractors handlers use.

pub mod api;
pub mod extract;
pub mod housekeeping;
pub mod limiter;
pub mod login;
pub mod sessions;
pub mod tokens;

use base64::Engine;
use sha2::{Digest, Sha256};

pub use extract::{Admin, AdminUser, CurrentUser, MaybeUser, RegistryUser};
pub use tokens::TokenLimits;

/// A new secret: 32 random bytes, base64url.
pub fn new_secret() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::db::random_bytes::<32>())
}

/// Secrets are stored only as SHA-256 hex digests.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
