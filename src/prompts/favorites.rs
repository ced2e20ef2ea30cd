//! Favourites: each user stars the prompts they want at hand (their own, their teams', public
//! ones). A star is a `Favorite` row (user, prompt); it goes with the prompt or the user
//! (foreign keys, and `store::delete`). Starring needs read access (404 otherwise); a star on
//! a prompt the user can no longer read stays but is never listed (`listing::FAVORITE` is
//! combined with the list's scope).

use super::store::{self, Arg, execute};
use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::users::UserRow;

/// Stars (`on`) or unstars a prompt the caller can read. Idempotent: starring twice keeps one
/// star, unstarring an unstarred prompt changes nothing. Returns the new state.
pub async fn set(db: &Db, caller: &UserRow, id: &str, on: bool) -> Result<bool> {
    if !crate::text::is_id(id) {
        return Err(Error::not_found());
    }
    let mut tries = 0;
    loop {
        match set_once(db, caller, id, on).await {
            Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue,
            other => return other,
        }
    }
}

async fn set_once(db: &Db, caller: &UserRow, id: &str, on: bool) -> Result<bool> {
    let mut tx = db.write().await?;
    if !store::is_readable(&mut tx, id, &caller.id).await? {
        return Err(Error::not_found());
    }
    let args = [Arg::S(caller.id.clone()), Arg::S(id.into())];
    if on {
        let there = store::fetch_count(
            &mut tx,
            "SELECT COUNT(*) FROM \"Favorite\" WHERE \"userId\" = ? AND \"promptId\" = ?".into(),
            &args,
        )
        .await?;
        if there == 0 {
            let inserted = execute(
                &mut tx,
                "INSERT INTO \"Favorite\" (\"userId\", \"promptId\", \"createdAt\") VALUES (?, ?, ?)"
                    .into(),
                &[args[0].clone(), args[1].clone(), Arg::T(db::now())],
            )
            .await;
            match inserted {
                Ok(_) => {}
                // Starred at the same time by another request of the same user: one star.
                Err(e) if db::is_unique_violation(&e) => return Ok(true),
                Err(e) => return Err(e.into()),
            }
        }
    } else {
        execute(
            &mut tx,
            "DELETE FROM \"Favorite\" WHERE \"userId\" = ? AND \"promptId\" = ?".into(),
            &args,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(on)
}
