//! Login rate limiting: failed attempts per (email, client address) and per address inside a
//! sliding window. The failures are rows of `LoginFailure` in the database, so the limit holds
//! across every instance serving one database and survives an instance's restart or death.
//! Rows hold a digest of the key (never the email itself) and the time; rows older than the
//! window are deleted as new failures arrive.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::db::{self, Db, Ts};
use crate::on;

pub struct LoginLimiter {
    max_failures: u32,
    max_per_address: u32,
    window: Duration,
}

impl LoginLimiter {
    /// `max_failures` per (email, address) pair; `max_per_address` for all accounts from one
    /// address together, much higher so that one person's typos behind a shared NAT do not
    /// lock the whole office out.
    pub fn new(max_failures: u32, max_per_address: u32, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            max_per_address: max_per_address.max(max_failures),
            window,
        }
    }

    /// The stored subjects: digests of the (email, address) pair and of the address.
    fn keys(email: &str, ip: IpAddr) -> [String; 2] {
        [
            super::digest(&format!("{}|{ip}", crate::text::fold(email.trim()))),
            super::digest(&format!("ip|{ip}")),
        ]
    }

    fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// `Some(seconds to wait)` while this email/address pair (or the address as a whole, past
    /// `max_per_address`) is locked out.
    pub async fn check(&self, db: &Db, email: &str, ip: IpAddr) -> sqlx::Result<Option<u64>> {
        let now = db::now();
        let [pair, addr] = Self::keys(email, ip);
        let mut tx = db.read().await?;
        let rows: Vec<(String, DateTime<Utc>)> = on!(&mut tx, |conn, sql| sqlx::query_as(sql(
            "SELECT \"subject\", \"failedAt\" FROM \"LoginFailure\" \
             WHERE \"subject\" IN (?, ?) AND \"failedAt\" > ? ORDER BY \"failedAt\""
        ))
        .bind(&pair)
        .bind(&addr)
        .bind(Ts(self.since(now)))
        .fetch_all(conn)
        .await)?;
        tx.commit().await?;
        let times = |key: &str| -> Vec<DateTime<Utc>> {
            rows.iter()
                .filter(|(k, _)| k == key)
                .map(|(_, t)| *t)
                .collect()
        };
        let waits = [
            wait(&times(&pair), self.max_failures, self.window, now),
            wait(&times(&addr), self.max_per_address, self.window, now),
        ];
        Ok(waits.into_iter().flatten().max())
    }

    /// Counts a failure against the pair and the address, and forgets expired failures
    /// (run again on a transient conflict: instances may record failures at the same time).
    pub async fn record_failure(&self, db: &Db, email: &str, ip: IpAddr) -> sqlx::Result<()> {
        let mut tries = 0;
        loop {
            match self.try_record_failure(db, email, ip).await {
                Err(e) if db::again(&e, &mut tries).await => continue,
                other => return other,
            }
        }
    }

    async fn try_record_failure(&self, db: &Db, email: &str, ip: IpAddr) -> sqlx::Result<()> {
        let now = db::now();
        let mut tx = db.write().await?;
        for key in Self::keys(email, ip) {
            on!(&mut tx, |conn, sql| sqlx::query(sql(
                "INSERT INTO \"LoginFailure\" (\"id\", \"subject\", \"failedAt\") VALUES (?, ?, ?)"
            ))
            .bind(db::new_id())
            .bind(&key)
            .bind(Ts(now))
            .execute(conn)
            .await
            .map(drop))?;
        }
        on!(&mut tx, |conn, sql| sqlx::query(sql(
            "DELETE FROM \"LoginFailure\" WHERE \"failedAt\" < ?"
        ))
        .bind(Ts(self.since(now)))
        .execute(conn)
        .await
        .map(drop))?;
        tx.commit().await
    }

    /// A success clears the pair's failures (the address keeps its count).
    pub async fn record_success(&self, db: &Db, email: &str, ip: IpAddr) -> sqlx::Result<()> {
        let [pair, _] = Self::keys(email, ip);
        let mut tx = db.write().await?;
        on!(&mut tx, |conn, sql| sqlx::query(sql(
            "DELETE FROM \"LoginFailure\" WHERE \"subject\" = ?"
        ))
        .bind(&pair)
        .execute(conn)
        .await
        .map(drop))?;
        tx.commit().await
    }
}

/// Seconds to wait when `times` (oldest first, all inside the window) reach `limit`.
fn wait(times: &[DateTime<Utc>], limit: u32, window: Duration, now: DateTime<Utc>) -> Option<u64> {
    if times.len() < limit as usize {
        return None;
    }
    let oldest = times.first()?;
    let age = (now - *oldest).to_std().unwrap_or_default();
    Some(window.saturating_sub(age).as_secs().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_at_the_limit_until_the_oldest_failure_leaves_the_window() {
        let now = Utc::now();
        let window = Duration::from_secs(60);
        let at = |secs_ago: i64| now - chrono::Duration::seconds(secs_ago);
        assert_eq!(wait(&[at(10), at(5)], 3, window, now), None);
        assert_eq!(wait(&[at(10), at(5), at(1)], 3, window, now), Some(50));
        assert_eq!(wait(&[at(60), at(5), at(1)], 3, window, now), Some(1));
        assert_eq!(wait(&[], 0, window, now), None, "no failure, no wait");
    }

    #[test]
    fn keys_fold_the_email_and_never_hold_it() {
        let ip = IpAddr::from([10, 0, 0, 1]);
        let [a, addr_a] = LoginLimiter::keys("A@x.io ", ip);
        let [b, addr_b] = LoginLimiter::keys("a@x.io", ip);
        assert_eq!(a, b);
        assert_eq!(addr_a, addr_b);
        assert_ne!(a, addr_a);
        assert!(!a.contains("x.io") && a.len() == 64);
        let [other, _] = LoginLimiter::keys("a@x.io", IpAddr::from([10, 0, 0, 2]));
        assert_ne!(a, other);
    }
}
