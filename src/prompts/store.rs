//! SQL for `Prompt` and the rows that hang off it.

use crate::db::Tx;
use crate::on;

/// Deletes every prompt of a user; versions, tag links and ratings go with them (ON DELETE CASCADE).
pub async fn delete_all_of_user(tx: &mut Tx, user_id: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "DELETE FROM \"Prompt\" WHERE \"userId\" = ?"
    ))
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop))
}

/// Gives every prompt of `from` to `to`.
pub async fn transfer_all(tx: &mut Tx, from: &str, to: &str) -> sqlx::Result<()> {
    on!(tx, |conn, sql| sqlx::query(sql(
        "UPDATE \"Prompt\" SET \"userId\" = ?, \"teamId\" = NULL WHERE \"userId\" = ?"
    ))
    .bind(to)
    .bind(from)
    .execute(conn)
    .await
    .map(drop))
}
