//! Who may read a prompt — the one visibility rule, shared by the prompt list, single reads,
//! the team feed and search, so a user never sees anything they could not open.
//!
//! - `PRIVATE`: the owner only.
//! - `TEAM`: the owner, and members of the prompt's team (`teamId`); when `teamId` is null,
//!   members of any team the owner belongs to.
//! - `PUBLIC`: every signed-in user.
//!
//! Administrators get no special access to prompt content.
//!
//! A prompt in the trash ([`LIVE`] false) is readable by no one: every read of the library
//! (single reads, lists, the team feed, search, tag counts, the registry and MCP) goes through
//! [`READABLE`] or `listing::scope_condition`, which both start with [`LIVE`]. Only the trash
//! (`prompts::trash`) reads trashed prompts, and only its owner's.

use crate::db::dynamic::Arg;

/// SQL condition "prompt `p` is not in the trash".
pub const LIVE: &str = "p.\"deletedAt\" IS NULL";

/// SQL condition "prompt `p` is readable by the caller" (and not in the trash). Bind the
/// caller's id [`READABLE_BINDS`] times, in order, where the fragment is placed.
pub const READABLE: &str = "(p.\"deletedAt\" IS NULL AND (p.\"userId\" = ? \
    OR p.\"visibility\" = 'PUBLIC' \
    OR (p.\"visibility\" = 'TEAM' AND ( \
        (p.\"teamId\" IS NOT NULL AND EXISTS (SELECT 1 FROM \"UserTeam\" ut \
            WHERE ut.\"teamId\" = p.\"teamId\" AND ut.\"userId\" = ?)) \
        OR (p.\"teamId\" IS NULL AND EXISTS (SELECT 1 FROM \"UserTeam\" mine \
            JOIN \"UserTeam\" theirs ON theirs.\"teamId\" = mine.\"teamId\" \
            WHERE mine.\"userId\" = ? AND theirs.\"userId\" = p.\"userId\"))))))";

/// How many times the caller's id is bound inside [`READABLE`].
pub const READABLE_BINDS: usize = 3;

/// [`READABLE`] with its binds for `caller`.
pub fn readable(caller: &str) -> (&'static str, Vec<Arg>) {
    (
        READABLE,
        (0..READABLE_BINDS).map(|_| Arg::S(caller.into())).collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn readable_starts_with_live() {
        use crate::prompts::access::{LIVE, READABLE};
        assert!(READABLE.starts_with(&format!("({LIVE} AND")));
    }
}
