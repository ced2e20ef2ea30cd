//! The Rust step of migration 0003 (`0003_case_keys`): existing rows are brought under the one
//! case-folding rule ([`crate::text::fold`]) that the application applies at every write.
//!
//! The rule is computed here, in Rust, never by the database (SQLite's `lower()` folds ASCII
//! only, PostgreSQL's follows the server locale, MariaDB's collations fold accents too). Rows
//! that collide under it are settled so that the migration cannot fail on existing data:
//! - emails: the account whose address is already stored folded keeps it, else the oldest
//!   account; every other account of the group gets the placeholder address
//!   `duplicate-<id>@invalid` (it keeps its prompts; an administrator gives it a real address
//!   with SQL, or deletes it). A warning names both addresses.
//!   An address whose folded form would not fit its column (255 characters) is left as it is.
//! - tags: the oldest tag keeps its name; the prompts of the others move to it and they go
//!   (as `tags::merge` does).
//! - teams: the oldest team keeps its name; each other one is renamed `<name> (2)`, `(3)`…
//!   (members and shared prompts stay where they were: merging teams would widen who can read
//!   their prompts). `User.team` follows the rename.
//!
//! Every step is idempotent (columns and indexes are created only when the catalogue lacks
//! them), so a run that failed half-way on MySQL, whose DDL is not transactional, can be retried.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use super::dynamic::{Arg, execute, fetch_all};
use super::{Backend, Tx, schema};
use crate::text::fold;

/// The longest email or team name the columns hold (MySQL `VARCHAR(255)`).
const MAX_CHARS: usize = 255;

/// The step, in the shape `db::migrate` runs after a migration's SQL.
pub fn migrate(tx: &mut Tx) -> Pin<Box<dyn Future<Output = sqlx::Result<()>> + Send + '_>> {
    Box::pin(run(tx))
}

async fn run(tx: &mut Tx) -> sqlx::Result<()> {
    for table in ["Tag", "Team"] {
        add_key_column(tx, table).await?;
    }
    fold_emails(tx).await?;
    fold_tags(tx).await?;
    fold_teams(tx).await?;
    for table in ["Tag", "Team"] {
        add_key_index(tx, table).await?;
    }
    Ok(())
}

async fn add_key_column(tx: &mut Tx, table: &'static str) -> sqlx::Result<()> {
    if schema::has_column(tx, table, "nameKey").await? {
        return Ok(());
    }
    // A binary collation everywhere: keys are compared byte for byte.
    let ty = match tx.backend() {
        Backend::Sqlite => "TEXT NOT NULL DEFAULT ''",
        Backend::Postgres => "TEXT COLLATE \"C\" NOT NULL DEFAULT ''",
        Backend::MySql => {
            "VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT ''"
        }
    };
    execute(
        tx,
        format!("ALTER TABLE \"{table}\" ADD COLUMN \"nameKey\" {ty}"),
        &[],
    )
    .await
    .map(drop)
}

async fn add_key_index(tx: &mut Tx, table: &'static str) -> sqlx::Result<()> {
    let name = format!("{table}_nameKey_key");
    if schema::has_index(tx, table, &name).await? {
        return Ok(());
    }
    execute(
        tx,
        format!("CREATE UNIQUE INDEX \"{name}\" ON \"{table}\" (\"nameKey\")"),
        &[],
    )
    .await
    .map(drop)
}

/// Rows of `(id, text)` oldest first, grouped by the folded text (groups in first-seen order).
fn groups(rows: Vec<(String, String)>) -> Vec<(String, Vec<(String, String)>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (id, text) in rows {
        let key = fold(&text);
        let group = by_key.entry(key.clone()).or_default();
        if group.is_empty() {
            order.push(key);
        }
        group.push((id, text));
    }
    order
        .into_iter()
        .map(|k| {
            let g = by_key.remove(&k).unwrap_or_default();
            (k, g)
        })
        .collect()
}

async fn oldest_first(
    tx: &mut Tx,
    table: &str,
    column: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    fetch_all(
        tx,
        format!("SELECT \"id\", \"{column}\" FROM \"{table}\" ORDER BY \"createdAt\", \"id\""),
        &[],
    )
    .await
}

async fn fold_emails(tx: &mut Tx) -> sqlx::Result<()> {
    let rows = oldest_first(tx, "User", "email").await?;
    let mut taken: HashSet<String> = rows.iter().map(|(_, e)| e.clone()).collect();
    let mut winners: Vec<(String, String)> = Vec::new();
    let mut losers: Vec<(String, String, String)> = Vec::new();
    for (key, group) in groups(rows) {
        let winner = group
            .iter()
            .position(|(_, e)| *e == key)
            .unwrap_or_default();
        for (i, (id, email)) in group.into_iter().enumerate() {
            if i == winner {
                if email != key && key.chars().count() <= MAX_CHARS {
                    winners.push((id, key.clone()));
                }
                continue;
            }
            let base = format!("duplicate-{}", fold(&id));
            let mut placeholder = format!("{base}@invalid");
            let mut n = 2;
            while taken.contains(&placeholder) {
                placeholder = format!("{base}-{n}@invalid");
                n += 1;
            }
            taken.insert(placeholder.clone());
            losers.push((id, email, placeholder));
        }
    }
    // Losers first: once they are out of the way no other row folds to a winner's address
    // (SQLite's NOCASE key of 0001 would otherwise see two rows as one).
    for (id, email, placeholder) in losers {
        tracing::warn!(
            user = %id,
            email = %email,
            now = %placeholder,
            "two accounts had the same email under the case-folding rule; the newer one was \
             given a placeholder address (set a real one with SQL, or delete the account)"
        );
        set(tx, "User", "email", &id, &placeholder).await?;
    }
    for (id, key) in winners {
        set(tx, "User", "email", &id, &key).await?;
    }
    Ok(())
}

async fn fold_tags(tx: &mut Tx) -> sqlx::Result<()> {
    let rows = oldest_first(tx, "Tag", "name").await?;
    for (key, group) in groups(rows) {
        let mut group = group.into_iter();
        let Some((winner, name)) = group.next() else {
            continue;
        };
        for (loser, loser_name) in group {
            tracing::warn!(
                tag = %loser_name,
                into = %name,
                "two tags had the same name under the case-folding rule; merged into the older"
            );
            crate::tags::store::move_links(tx, &loser, &winner).await?;
            crate::tags::store::delete(tx, &loser).await?;
        }
        set(tx, "Tag", "nameKey", &winner, &key).await?;
    }
    Ok(())
}

async fn fold_teams(tx: &mut Tx) -> sqlx::Result<()> {
    let rows = oldest_first(tx, "Team", "name").await?;
    let mut keys: HashSet<String> = rows.iter().map(|(_, n)| fold(n)).collect();
    for (key, group) in groups(rows) {
        let mut group = group.into_iter();
        let Some((winner, _)) = group.next() else {
            continue;
        };
        set(tx, "Team", "nameKey", &winner, &key).await?;
        for (loser, old) in group {
            let base: String = old.chars().take(MAX_CHARS - 12).collect();
            let mut n = 2;
            let mut name = format!("{base} ({n})");
            while keys.contains(&fold(&name)) {
                n += 1;
                name = format!("{base} ({n})");
            }
            let new_key = fold(&name);
            keys.insert(new_key.clone());
            tracing::warn!(
                team = %old,
                now = %name,
                "two teams had the same name under the case-folding rule; the newer was renamed"
            );
            execute(
                tx,
                "UPDATE \"Team\" SET \"name\" = ?, \"nameKey\" = ? WHERE \"id\" = ?".into(),
                &[Arg::S(name.clone()), Arg::S(new_key), Arg::S(loser)],
            )
            .await?;
            execute(
                tx,
                "UPDATE \"User\" SET \"team\" = ? WHERE \"team\" = ?".into(),
                &[Arg::S(name), Arg::S(old)],
            )
            .await?;
        }
    }
    Ok(())
}

async fn set(tx: &mut Tx, table: &str, column: &str, id: &str, value: &str) -> sqlx::Result<()> {
    execute(
        tx,
        format!("UPDATE \"{table}\" SET \"{column}\" = ? WHERE \"id\" = ?"),
        &[Arg::S(value.to_string()), Arg::S(id.to_string())],
    )
    .await
    .map(drop)
}
