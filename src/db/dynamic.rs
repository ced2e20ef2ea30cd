//! SQL assembled at run time from fixed fragments, with its values bound in order.

use chrono::{DateTime, Utc};

use super::Tx;
use crate::on;

/// A value bound to a run-time SQL text.
#[derive(Clone, Debug)]
pub enum Arg {
    S(String),
    I(i64),
    B(bool),
    T(DateTime<Utc>),
    N(Option<String>),
}

/// `?, ?, ?` for an IN-list of `n` values (at least one).
pub fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// Binds every [`Arg`] to a query, in order, inside an [`on!`](crate::on) body.
#[macro_export]
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::db::dynamic::Arg::S(s) => q.bind(s.clone()),
                $crate::db::dynamic::Arg::I(i) => q.bind(*i),
                $crate::db::dynamic::Arg::B(b) => q.bind(*b),
                $crate::db::dynamic::Arg::T(t) => q.bind($crate::db::Ts(*t)),
                $crate::db::dynamic::Arg::N(n) => q.bind(n.clone()),
            };
        }
        q
    }};
}

/// [`fetch_all`] as one statement outside a transaction (one statement is atomic on its own):
/// a read made of a single statement saves the BEGIN and the ROLLBACK, two round trips.
pub async fn fetch_all_alone<T>(db: &super::Db, sql: String, args: &[Arg]) -> sqlx::Result<Vec<T>>
where
    T: crate::db::FromAnyRow,
{
    let q = db.backend().dynamic_sql(sql);
    super::note_query();
    match db {
        super::Db::Sqlite(p, _) => {
            crate::bind_all!(sqlx::query_as::<_, T>(q), args)
                .fetch_all(p)
                .await
        }
        super::Db::Postgres(p) => {
            crate::bind_all!(sqlx::query_as::<_, T>(q), args)
                .fetch_all(p)
                .await
        }
        super::Db::MySql(p) => {
            crate::bind_all!(sqlx::query_as::<_, T>(q), args)
                .fetch_all(p)
                .await
        }
    }
}

/// Rows of a query built at run time (fixed fragments only; values in `args`).
pub async fn fetch_all<T>(tx: &mut Tx, sql: String, args: &[Arg]) -> sqlx::Result<Vec<T>>
where
    T: crate::db::FromAnyRow,
{
    let q = tx.backend().dynamic_sql(sql);
    on!(tx, |conn, _sql| crate::bind_all!(
        sqlx::query_as::<_, T>(q),
        args
    )
    .fetch_all(conn)
    .await)
}

/// A single `COUNT(*)`-like integer of a query built at run time.
pub async fn fetch_count(tx: &mut Tx, sql: String, args: &[Arg]) -> sqlx::Result<i64> {
    let rows: Vec<(i64,)> = fetch_all(tx, sql, args).await?;
    Ok(rows.first().map_or(0, |r| r.0))
}

/// Runs a statement built at run time; returns the rows affected.
pub async fn execute(tx: &mut Tx, sql: String, args: &[Arg]) -> sqlx::Result<u64> {
    let q = tx.backend().dynamic_sql(sql);
    on!(tx, |conn, _sql| crate::bind_all!(sqlx::query(q), args)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
}

/// Rows per multi-row `INSERT` of [`insert_rows`]: with a dozen columns, far below every
/// backend's limit of bound values (SQLite 32,766; PostgreSQL and MySQL 65,535).
const ROWS_PER_INSERT: usize = 500;

/// Inserts `rows` into `table`, a few hundred per statement: `values` gives one row's values in
/// the order of `columns`.
pub async fn insert_rows<T>(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: &[T],
    values: impl Fn(&T) -> Vec<Arg>,
) -> sqlx::Result<()> {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let one = format!("({})", marks(columns.len()));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let args: Vec<Arg> = chunk.iter().flat_map(&values).collect();
        let sql = format!(
            "INSERT INTO \"{table}\" ({}) VALUES {}",
            quoted.join(", "),
            vec![one.as_str(); chunk.len()].join(", ")
        );
        execute(tx, sql, &args).await?;
    }
    Ok(())
}
