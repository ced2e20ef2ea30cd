//! The database: one pool for whichever backend `DATABASE_URL` names, transactions over it, and
//! the small dialect helpers that let one SQL text run on SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! Store code writes SQL once with `?` placeholders and `"quoted"` camelCase identifiers, then
//! runs it through [`on!`](crate::on), which expands to one arm per backend.

pub mod casefold;
pub mod connect;
pub mod dynamic;
pub mod group;
pub mod leader;
pub mod migrate;
pub mod schema;
pub mod statistics;
pub mod writes;

use std::fmt;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{AssertSqlSafe, MySql, Postgres, SqlSafeStr, SqlStr, Sqlite, Transaction};

pub use connect::{connect, connect_with};

/// Which database server we talk to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }

    /// Turns SQL written with `?` placeholders into this backend's form (`$1, $2…` on
    /// PostgreSQL). Question marks inside quoted strings or identifiers are left alone.
    pub fn sql(self, sql: &'static str) -> SqlStr {
        match self {
            Backend::Postgres => AssertSqlSafe(numbered_placeholders(sql)).into_sql_str(),
            _ => sql.into_sql_str(),
        }
    }

    /// Same as [`Backend::sql`] for SQL assembled at run time from fixed fragments (never from
    /// user input: values always travel as bound parameters).
    pub fn dynamic_sql(self, sql: String) -> SqlStr {
        match self {
            Backend::Postgres => AssertSqlSafe(numbered_placeholders(&sql)).into_sql_str(),
            _ => AssertSqlSafe(sql).into_sql_str(),
        }
    }

    /// `CAST(expr AS <double>)`: averages and sums come back as DECIMAL/NUMERIC otherwise.
    pub fn as_f64(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("CAST({expr} AS REAL)"),
            Backend::Postgres => format!("CAST({expr} AS DOUBLE PRECISION)"),
            Backend::MySql => format!("CAST({expr} AS DOUBLE)"),
        }
    }

    /// A subquery giving the rows of `from_where` (`FROM … WHERE …`) as one JSON array (as
    /// text) of arrays of `values` (comma-separated expressions), in no particular order; NULL
    /// when there are none (SQLite: `[]`). Timestamps come as each backend writes them in JSON
    /// ([`parse_json_time`] reads them all).
    pub fn json_rows(self, values: &str, from_where: &str) -> String {
        match self {
            Backend::Sqlite => {
                format!("(SELECT json_group_array(json_array({values})) {from_where})")
            }
            Backend::Postgres => {
                format!("(SELECT CAST(json_agg(json_build_array({values})) AS TEXT) {from_where})")
            }
            Backend::MySql => {
                format!("(SELECT CAST(JSON_ARRAYAGG(JSON_ARRAY({values})) AS CHAR) {from_where})")
            }
        }
    }

    /// `CAST(expr AS <64-bit integer>)`.
    pub fn as_i64(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("CAST({expr} AS INTEGER)"),
            Backend::Postgres => format!("CAST({expr} AS BIGINT)"),
            Backend::MySql => format!("CAST({expr} AS SIGNED)"),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match (quote, ch) {
            (None, '\'' | '"' | '`') => {
                quote = Some(ch);
                out.push(ch);
            }
            (Some(q), c) if c == q => {
                quote = None;
                out.push(ch);
            }
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(ch),
        }
    }
    out
}

/// A row type every backend can read (`sqlx::FromRow` for each backend's rows).
pub trait FromAnyRow:
    Send
    + Unpin
    + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + for<'r> sqlx::FromRow<'r, sqlx::mysql::MySqlRow>
{
}

impl<T> FromAnyRow for T where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::mysql::MySqlRow>
{
}

/// A pool for one of the three backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// Readers, and the one connection that writes: writers queue for it in order (a pool
    /// hands connections out first come, first served) instead of retrying SQLite's lock on
    /// its busy timeout, which sleeps up to 100 ms at a time and serves no one in order.
    Sqlite(sqlx::SqlitePool, group::Writer),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

/// An open transaction. Services begin one, hand `&mut Tx` to store functions and commit.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    MySql(Transaction<'static, MySql>),
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
            Db::MySql(_) => Backend::MySql,
        }
    }

    /// A transaction for reading (and writes that cannot conflict).
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
            Db::MySql(p) => Tx::MySql(p.begin().await?),
        })
    }

    /// A transaction that will write: on SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout instead of failing.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        crate::db::writes::changed();
        Ok(match self {
            Db::Sqlite(_, writer) => Tx::Sqlite(writer.pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
            Db::MySql(p) => Tx::MySql(p.begin().await?),
        })
    }

    /// One small write, committed together with the writes that arrive while the writer is
    /// busy (SQLite: [`group`]); on PostgreSQL and MySQL, which write concurrently, in a
    /// transaction of its own. `write` does all its work through the transaction it is given
    /// and may run twice (alone the second time, when its group could not commit).
    pub async fn grouped<T, E, F>(&self, write: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'a> Fn(&'a mut Tx) -> group::TxFuture<'a, Result<T, E>> + Send + Sync + 'static,
    {
        if let Db::Sqlite(_, writer) = self {
            return writer.grouped(write).await;
        }
        let mut tx = self.write().await?;
        let value = write(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// [`Db::write`] for long work that would rather wait its turn than fail (an import
    /// behind other imports): it keeps queueing for the writer for up to `wait` instead of the
    /// pool's acquire timeout, which stays short for interactive requests.
    pub async fn write_waiting(&self, wait: std::time::Duration) -> Result<Tx, sqlx::Error> {
        let start = std::time::Instant::now();
        loop {
            match self.write().await {
                Err(sqlx::Error::PoolTimedOut) if start.elapsed() < wait => continue,
                other => return other,
            }
        }
    }

    /// A read-only transaction in which every statement sees the same snapshot (exports,
    /// backups, counts that must agree with the rows that follow). MySQL sessions run READ
    /// COMMITTED, so the snapshot is asked for explicitly there and on PostgreSQL.
    pub async fn snapshot(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            // A SQLite read transaction in WAL mode already sees one snapshot.
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
            Db::MySql(p) => Tx::MySql(
                p.begin_with(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; \
                     START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
                )
                .await?,
            ),
        })
    }

    /// One read statement with one bound key, outside a transaction (a single statement is
    /// atomic on its own): the per-request lookup of who is calling saves its BEGIN and
    /// ROLLBACK, two of the round trips every authenticated request pays.
    pub async fn fetch_optional_by<T>(
        &self,
        sql: &'static str,
        key: &str,
    ) -> sqlx::Result<Option<T>>
    where
        T: FromAnyRow,
    {
        note_query();
        match self {
            Db::Sqlite(p, _) => {
                sqlx::query_as(Backend::Sqlite.sql(sql))
                    .bind(key)
                    .fetch_optional(p)
                    .await
            }
            Db::Postgres(p) => {
                sqlx::query_as(Backend::Postgres.sql(sql))
                    .bind(key)
                    .fetch_optional(p)
                    .await
            }
            Db::MySql(p) => {
                sqlx::query_as(Backend::MySql.sql(sql))
                    .bind(key)
                    .fetch_optional(p)
                    .await
            }
        }
    }

    /// `SELECT 1`: does the database answer?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(p, _) => sqlx::query("SELECT 1").execute(p).await.map(drop),
            Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
            Db::MySql(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, writer) => {
                writer.pool.close().await;
                p.close().await
            }
            Db::Postgres(p) => p.close().await,
            Db::MySql(p) => p.close().await,
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
            Tx::MySql(_) => Backend::MySql,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
            Tx::MySql(t) => t.commit().await,
        }
    }
}

/// Runs the same query code on whichever backend `tx` is on.
///
/// ```ignore
/// on!(tx, |conn, sql| sqlx::query_as(sql("SELECT * FROM \"User\" WHERE id = ?"))
///     .bind(id).fetch_optional(conn).await)
/// ```
/// `conn` is `&mut <Backend>Connection`, `sql` turns a `&'static str` into that backend's SQL.
#[macro_export]
macro_rules! on {
    ($tx:expr, |$conn:ident, $sql:ident| $body:expr) => {{
        $crate::db::note_query();
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                #[allow(unused)]
                let $sql = |s: &'static str| $crate::db::Backend::Sqlite.sql(s);
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                #[allow(unused)]
                let $sql = |s: &'static str| $crate::db::Backend::Postgres.sql(s);
                $body
            }
            $crate::db::Tx::MySql(t) => {
                let $conn = &mut **t;
                #[allow(unused)]
                let $sql = |s: &'static str| $crate::db::Backend::MySql.sql(s);
                $body
            }
        }
    }};
}

/// Stores an enum with `parse(&str) -> Result<Self, String>` and `as_str() -> &'static str` as
/// text on every backend, so row types can hold the enum itself (a row whose text is not one of
/// its values fails to load instead of travelling on as a string).
#[macro_export]
macro_rules! text_column {
    ($t:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                <$t>::parse(&text).map_err(Into::into)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, DB>>::encode(self.as_str().to_string(), buf)
            }
        }
    };
}

tokio::task_local! {
    static QUERY_COUNT: std::cell::Cell<u64>;
}

/// Called by [`on!`] for every statement: counts it when the task runs inside
/// [`count_queries`] (a no-op otherwise).
#[doc(hidden)]
pub fn note_query() {
    let _ = QUERY_COUNT.try_with(|c| c.set(c.get() + 1));
}

/// Runs `f` and returns its output with the number of SQL statements it ran through [`on!`]
/// on this task. Tests use it to prove a code path issues a constant number of queries.
pub async fn count_queries<F: std::future::Future>(f: F) -> (F::Output, u64) {
    QUERY_COUNT
        .scope(std::cell::Cell::new(0), async {
            let out = f.await;
            (out, QUERY_COUNT.with(std::cell::Cell::get))
        })
        .await
}

/// Now, truncated to milliseconds: the precision all three backends keep, so what we write is
/// exactly what we read back and exports are identical everywhere.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// A timestamp bound as a query parameter: bind `Ts(t)`, never a bare `DateTime<Utc>`.
/// sqlx sends `DateTime<Utc>` to MySQL/MariaDB typed TIMESTAMP, which the server turns into
/// NULL outside 1970-01-01..2038-01-19 although the columns are `DATETIME(3)`; `Ts` travels as
/// DATETIME there (UTC, like the session time zone), so every time from year 1 to 9999 is kept.
/// On SQLite and PostgreSQL it is exactly `DateTime<Utc>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ts(pub DateTime<Utc>);

impl sqlx::Type<MySql> for Ts {
    fn type_info() -> sqlx::mysql::MySqlTypeInfo {
        <chrono::NaiveDateTime as sqlx::Type<MySql>>::type_info()
    }
}

impl sqlx::Encode<'_, MySql> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut Vec<u8>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        sqlx::Encode::<MySql>::encode(self.0.naive_utc(), buf)
    }
}

impl sqlx::Type<Postgres> for Ts {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <DateTime<Utc> as sqlx::Type<Postgres>>::type_info()
    }
}

impl sqlx::Encode<'_, Postgres> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        sqlx::Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl sqlx::Type<Sqlite> for Ts {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <DateTime<Utc> as sqlx::Type<Sqlite>>::type_info()
    }
}

impl sqlx::Encode<'_, Sqlite> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::sqlite::SqliteArgumentsBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        sqlx::Encode::<Sqlite>::encode_by_ref(&self.0, buf)
    }
}

/// An RFC 3339 time from outside (imports, dumps) in UTC, truncated to milliseconds; `None`
/// unless it is well-formed and falls in years 1 to 9999, the range every backend keeps.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let t = DateTime::parse_from_rfc3339(s)
        .ok()?
        .with_timezone(&Utc)
        .trunc_subsecs(3);
    (1..=9999).contains(&t.year()).then_some(t)
}

/// A timestamp inside JSON made by [`Backend::json_rows`]: RFC 3339 (SQLite's text, PostgreSQL
/// with its offset) or a date and time without offset, in UTC (PostgreSQL `timestamp`,
/// MySQL `DATETIME`).
pub fn parse_json_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
}

/// ISO-8601 UTC with milliseconds and `Z`, the API's timestamp format.
pub fn iso(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Serde helper: `#[serde(serialize_with = "crate::db::ser_ts")]`.
pub fn ser_ts<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(t))
}

pub fn ser_opt_ts<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&iso(t)),
        None => s.serialize_none(),
    }
}

/// Random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// A new row id: `c` + 24 base-36 characters (~124 bits), shaped like the 1.x cuids so that old
/// and new ids look alike.
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let bytes = random_bytes::<24>();
    let mut id = String::with_capacity(25);
    id.push('c');
    for b in bytes {
        // 252 = 36 * 7: reject-free mapping is slightly biased; fold with modulo is fine for ids.
        id.push(ALPHABET[(b % 36) as usize] as char);
    }
    id
}

/// A new row id that sorts after every id this process made before it: `c` + 13 base-36
/// characters of (milliseconds since 1970 << 20 | a sequence within the millisecond) + 11
/// random ones. For rows read newest first whose timestamps can tie (several audit events in
/// one millisecond): `ORDER BY "createdAt" DESC, "id" DESC` then keeps the order they were
/// written in. Strictly increasing within one process even if the clock steps back.
pub fn new_ordered_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let floor = (Utc::now().timestamp_millis().max(0) as u64) << 20;
    let mut last = LAST.load(Ordering::Relaxed);
    let stamp = loop {
        let next = floor.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break next,
            Err(seen) => last = seen,
        }
    };
    let mut id = [b'0'; 25];
    id[0] = b'c';
    let mut rest = stamp;
    for slot in id[1..14].iter_mut().rev() {
        *slot = ALPHABET[(rest % 36) as usize];
        rest /= 36;
    }
    for (slot, b) in id[14..].iter_mut().zip(random_bytes::<11>()) {
        *slot = ALPHABET[(b % 36) as usize];
    }
    id.iter().map(|&b| b as char).collect()
}

/// Is this a transient conflict between transactions (deadlock, serialization failure) that
/// succeeds when the transaction is simply run again?
pub fn is_transient(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(d) = e else {
        return false;
    };
    matches!(
        d.code().as_deref(),
        Some("40001" | "40P01" | "1213" | "1205")
    ) || d.message().contains("Deadlock found")
}

/// Whether a write transaction that failed with `e` should run again: yes for a transient
/// conflict, up to 3 more tries, after a short pause. Used as
/// `Err(Error::Db(e)) if db::again(&e, &mut tries).await => continue`.
pub async fn again(e: &sqlx::Error, tries: &mut u64) -> bool {
    if *tries >= 3 || !is_transient(e) {
        return false;
    }
    *tries += 1;
    tracing::debug!(error = %e, tries = *tries, "transient conflict; running the transaction again");
    tokio::time::sleep(std::time::Duration::from_millis(5 * *tries)).await;
    true
}

/// Did the database refuse a value's characters? PostgreSQL cannot store NUL (22021) or a
/// character its encoding lacks (22P05); MySQL/MariaDB cannot compare text with an ASCII id
/// column (1267, 1270, 1271: illegal mix of collations) or store a string in a column's
/// character set (1366). The edges keep such input out; this is the last line of defence that
/// makes it a 400 instead of a 500.
pub fn is_bad_text(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(d) = e else {
        return false;
    };
    if let Some(m) = d.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return matches!(m.number(), 1267 | 1270 | 1271 | 1366);
    }
    matches!(d.code().as_deref(), Some("22021" | "22P05"))
        && d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some()
}

/// Does this error come from a unique constraint?
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            numbered_placeholders("SELECT '?' , \"a?\" FROM t WHERE a = ? AND b = ?"),
            "SELECT '?' , \"a?\" FROM t WHERE a = $1 AND b = $2"
        );
    }

    #[test]
    fn ids_are_cuid_shaped_and_distinct() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 25);
        assert!(a.starts_with('c'));
        assert_ne!(a, b);
    }

    #[test]
    fn ordered_ids_increase_even_within_one_millisecond() {
        let ids: Vec<String> = (0..20_000).map(|_| new_ordered_id()).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
        }
        assert!(ids.iter().all(|id| {
            id.len() == 25
                && id.starts_with('c')
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        }));
        // Later milliseconds sort later across threads too.
        let before = new_ordered_id();
        let other = std::thread::spawn(new_ordered_id).join().expect("thread");
        assert!(before < other);
    }

    #[test]
    fn times_from_year_1_to_9999_parse() {
        let t = parse_time("0001-01-01T00:00:00Z").expect("year 1");
        assert_eq!(iso(&t), "0001-01-01T00:00:00.000Z");
        let t = parse_time("9999-12-31T23:59:59.9999Z").expect("year 9999");
        assert_eq!(iso(&t), "9999-12-31T23:59:59.999Z");
        let t = parse_time("1969-07-20T21:17:00+01:00").expect("before 1970");
        assert_eq!(iso(&t), "1969-07-20T20:17:00.000Z");
        assert!(parse_time("0000-06-01T00:00:00Z").is_none());
        assert!(parse_time("0001-01-01T00:30:00+01:00").is_none());
        assert!(parse_time("9999-12-31T23:30:00-01:00").is_none());
        assert!(parse_time("1969-07-20 20:17").is_none());
    }

    #[test]
    fn iso_has_milliseconds_and_z() {
        let t = DateTime::parse_from_rfc3339("2026-01-31T12:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(iso(&t), "2026-01-31T12:00:00.000Z");
    }
}
