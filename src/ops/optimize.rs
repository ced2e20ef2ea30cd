//! `promptvault db optimize [--vacuum]`: refresh the planner's statistics; with `--vacuum`, also
//! reclaim free space (SQLite `VACUUM`, PostgreSQL `VACUUM`, MySQL `OPTIMIZE TABLE`).

use super::Result;
use crate::db::Db;

/// Runs the maintenance statements; returns what was done, one line each.
pub async fn optimize(db: &Db, vacuum: bool) -> Result<Vec<String>> {
    let mut done = Vec::new();
    match db {
        Db::Sqlite(p, _) => {
            sqlx::query("PRAGMA optimize").execute(p).await?;
            done.push("PRAGMA optimize".into());
            sqlx::query("ANALYZE").execute(p).await?;
            done.push("ANALYZE".into());
            if vacuum {
                sqlx::query("VACUUM").execute(p).await?;
                done.push("VACUUM".into());
            }
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
            done.push("PRAGMA wal_checkpoint(TRUNCATE)".into());
        }
        Db::Postgres(p) => {
            let stmt = if vacuum {
                "VACUUM (ANALYZE)"
            } else {
                "ANALYZE"
            };
            sqlx::query(stmt).execute(p).await?;
            done.push(stmt.into());
        }
        Db::MySql(p) => {
            let names: Vec<String> = super::TABLES
                .iter()
                .map(|t| format!("\"{}\"", t.name))
                .chain(super::NOT_DUMPED.iter().map(|t| format!("\"{t}\"")))
                .collect();
            let list = names.join(", ");
            for verb in ["ANALYZE", "OPTIMIZE"] {
                if verb == "OPTIMIZE" && !vacuum {
                    continue;
                }
                let text = format!("{verb} TABLE {list}");
                sqlx::raw_sql(sqlx::AssertSqlSafe(text.clone()))
                    .execute(p)
                    .await?;
                done.push(format!("{verb} TABLE (all tables)"));
            }
        }
    }
    Ok(done)
}
