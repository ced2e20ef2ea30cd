//! The Rust step of migration 0008 (`0008_registry`): on MySQL the new columns (added here,
//! checked first, because MySQL DDL is not transactional and a retried run must be harmless),
//! then names for every existing user, team and prompt ([`super::names::repair`]).

use std::pin::Pin;

use crate::db::dynamic::execute;
use crate::db::{Backend, Tx, schema};

/// The step, in the shape `db::migrate` runs after a migration's SQL.
pub fn migrate(tx: &mut Tx) -> Pin<Box<dyn Future<Output = sqlx::Result<()>> + Send + '_>> {
    Box::pin(run(tx))
}

async fn run(tx: &mut Tx) -> sqlx::Result<()> {
    if tx.backend() == Backend::MySql {
        for (table, column, ty) in [
            ("UserTeam", "role", "VARCHAR(16) NULL"),
            ("ApiToken", "access", "VARCHAR(16) NULL"),
            ("ApiToken", "namespaces", "TEXT NULL"),
        ] {
            if !schema::has_column(tx, table, column).await? {
                execute(
                    tx,
                    format!("ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {ty}"),
                    &[],
                )
                .await?;
            }
        }
    }
    super::names::repair(tx).await.map(drop)
}
