//! Ratings: 1–5 stars by anyone who can read the prompt (the owner included), one per user —
//! a second rating replaces the first — and removable.

pub mod api;
pub mod store;

use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};
use crate::users::UserRow;
pub use store::RatingRow;

/// A rating value from JSON: a number, a whole one from 1 to 5 (a string such as `"4"` is
/// refused, as the document says and as the 1.x server did).
pub fn parse_value(v: &serde_json::Value) -> std::result::Result<i32, String> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::Null => return Err("is required".into()),
        _ => return Err("expected a number (a whole number from 1 to 5)".into()),
    };
    match n {
        Some(n @ 1..=5) => Ok(n as i32),
        _ => Err("must be a whole number from 1 to 5".into()),
    }
}

/// Rates a prompt the caller can read (404 otherwise); replaces the caller's earlier rating.
pub async fn rate(db: &Db, caller: &UserRow, prompt_id: &str, value: i32) -> Result<RatingRow> {
    let mut tx = db.write().await?;
    let rating = rate_in(&mut tx, &caller.id, prompt_id, value, db::now()).await?;
    tx.commit().await?;
    Ok(rating)
}

/// [`rate`] inside a transaction, at time `at`: the one place a rating is written (the API,
/// the pages and import all come here).
pub(crate) async fn rate_in(
    tx: &mut Tx,
    caller: &str,
    prompt_id: &str,
    value: i32,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<RatingRow> {
    if !(1..=5).contains(&value) {
        return Err(Error::invalid_field(
            "value",
            "must be a whole number from 1 to 5",
        ));
    }
    crate::prompts::readable_row(tx, caller, prompt_id).await?;
    Ok(match store::find(tx, caller, prompt_id).await? {
        Some(mut r) => {
            store::set_value(tx, &r.id, value, at).await?;
            r.value = value;
            r.updated_at = at;
            r
        }
        None => {
            let r = RatingRow {
                id: db::new_id(),
                user_id: caller.to_string(),
                prompt_id: prompt_id.to_string(),
                value,
                created_at: at,
                updated_at: at,
            };
            store::insert(tx, &r).await.map_err(|e| {
                if db::is_unique_violation(&e) {
                    Error::conflict("Rated at the same time; try again", "concurrent_rating")
                } else {
                    Error::Db(e)
                }
            })?;
            r
        }
    })
}

/// Removes the caller's rating of a readable prompt (nothing to remove is fine).
pub async fn unrate(db: &Db, caller: &UserRow, prompt_id: &str) -> Result<()> {
    let mut tx = db.write().await?;
    crate::prompts::readable_row(&mut tx, &caller.id, prompt_id).await?;
    store::delete(&mut tx, &caller.id, prompt_id).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values() {
        assert_eq!(parse_value(&json!(4)), Ok(4));
        for bad in [
            json!("5"),
            json!(0),
            json!(6),
            json!("abc"),
            json!(2.5),
            json!(null),
            json!([1]),
        ] {
            assert!(parse_value(&bad).is_err(), "{bad}");
        }
    }
}
