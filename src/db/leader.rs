//! Leader election for scheduled work when several instances share one database.
//!
//! PostgreSQL: a session advisory lock (`pg_try_advisory_lock`, scoped to the database) on a
//! connection of its own, held for as long as this instance leads. MySQL/MariaDB: a named lock
//! (`GET_LOCK(name, 0)`, the name carries the database name because the lock is server-wide)
//! on a connection of its own. The lock lives and dies with that connection: when a leader
//! process dies, the server ends its session and frees the lock, and a follower, trying again
//! every [`RETRY`], takes over within seconds. SQLite serves one instance: it always leads.
//!
//! The leader checks its connection every [`RETRY`], and again right before each piece of
//! scheduled work ([`Leadership::confirm`]); when the connection fails it stops leading at once
//! and starts again as a follower. On shutdown (draining) it gives the lock up.

use std::time::Duration;

use sqlx::{ConnectOptions, Connection, MySqlConnection, PgConnection};
use tokio::sync::{mpsc, oneshot, watch};

use super::Db;

/// How often a follower asks for the lock and a leader checks its connection.
pub const RETRY: Duration = Duration::from_secs(1);
/// A leader whose connection does not answer within this long stops leading.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// The PostgreSQL advisory lock key of the leader (migrations use 727365001).
const PG_KEY: i64 = 727_365_002;
/// The MySQL lock name: server-wide, so it names the database (names are at most 64 characters).
const MYSQL_TRY: &str =
    "SELECT GET_LOCK(CONCAT('promptvault_leader:', LEFT(IFNULL(DATABASE(), ''), 40)), 0)";

/// Whether this instance leads, as the election task sees it.
#[derive(Clone, Debug)]
pub struct Leadership {
    rx: watch::Receiver<bool>,
    /// Asks the election task to check the lock's connection now (`None`: always the leader).
    confirm: Option<mpsc::Sender<oneshot::Sender<bool>>>,
}

impl Leadership {
    /// Always the leader (SQLite, and one-off commands).
    pub fn always() -> Leadership {
        // The sender goes at once: the value never changes (a closed channel keeps its value).
        let (_, rx) = watch::channel(true);
        Leadership { rx, confirm: None }
    }

    pub fn is_leader(&self) -> bool {
        *self.rx.borrow()
    }

    /// Whether this instance still leads, checked on the lock's connection now: call it right
    /// before scheduled work, so that a leader whose lock session the database has ended (while
    /// another instance may already lead) does not run it.
    pub async fn confirm(&self) -> bool {
        let Some(ask) = &self.confirm else {
            return self.is_leader();
        };
        if !self.is_leader() {
            return false;
        }
        let (reply, answer) = oneshot::channel();
        if ask.send(reply).await.is_err() {
            return false;
        }
        let wait = PING_TIMEOUT + Duration::from_secs(1);
        matches!(tokio::time::timeout(wait, answer).await, Ok(Ok(true)))
    }

    /// Resolves when this instance leads (at once if it does; never after the election ended).
    pub async fn acquired(&mut self) {
        if self.rx.wait_for(|v| *v).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Resolves when this instance stops leading (never while it leads and the task runs).
    pub async fn lost(&mut self) {
        if self.rx.wait_for(|v| !*v).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Starts the election for `db`; it ends (and gives the lock up) when `draining` turns true.
pub fn elect(db: &Db, draining: watch::Receiver<bool>) -> Leadership {
    match db {
        Db::Sqlite(..) => Leadership::always(),
        Db::Postgres(p) => {
            let (tx, rx) = watch::channel(false);
            let (ask, asked) = mpsc::channel(4);
            let options = p.connect_options();
            tokio::spawn(run(tx, Signals { draining, asked }, move || {
                let options = options.clone();
                async move { Ok(Lock::Pg(options.connect().await?)) }
            }));
            Leadership {
                rx,
                confirm: Some(ask),
            }
        }
        Db::MySql(p) => {
            let (tx, rx) = watch::channel(false);
            let (ask, asked) = mpsc::channel(4);
            let options = p.connect_options();
            tokio::spawn(run(tx, Signals { draining, asked }, move || {
                let options = options.clone();
                async move { Ok(Lock::MySql(options.connect().await?)) }
            }));
            Leadership {
                rx,
                confirm: Some(ask),
            }
        }
    }
}

/// The dedicated connection that holds (or asks for) the lock.
enum Lock {
    Pg(PgConnection),
    MySql(MySqlConnection),
}

impl Lock {
    async fn try_take(&mut self) -> sqlx::Result<bool> {
        match self {
            Lock::Pg(c) => {
                sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                    .bind(PG_KEY)
                    .fetch_one(c)
                    .await
            }
            Lock::MySql(c) => {
                let got: Option<i64> = sqlx::query_scalar(MYSQL_TRY).fetch_one(c).await?;
                Ok(got == Some(1))
            }
        }
    }

    async fn ping(&mut self) -> bool {
        let ping = async {
            match self {
                Lock::Pg(c) => c.ping().await,
                Lock::MySql(c) => c.ping().await,
            }
        };
        matches!(tokio::time::timeout(PING_TIMEOUT, ping).await, Ok(Ok(())))
    }

    /// Closes the session: the server frees the lock with it.
    async fn close(self) {
        let _ = match self {
            Lock::Pg(c) => c.close().await,
            Lock::MySql(c) => c.close().await,
        };
    }
}

/// What the election task waits for besides time.
struct Signals {
    draining: watch::Receiver<bool>,
    /// [`Leadership::confirm`] requests.
    asked: mpsc::Receiver<oneshot::Sender<bool>>,
}

#[derive(PartialEq)]
enum Wake {
    Elapsed,
    Draining,
    /// The lock's connection failed a check asked for by `confirm`.
    LockFailed,
}

impl Signals {
    /// Waits `d` (less when draining starts), answering `confirm` requests meanwhile: with a
    /// check of the lock's connection when `held` (this instance leads), else "no".
    async fn wait(&mut self, d: Duration, mut held: Option<&mut Lock>) -> Wake {
        let until = tokio::time::Instant::now() + d;
        loop {
            if *self.draining.borrow() {
                return Wake::Draining;
            }
            tokio::select! {
                () = tokio::time::sleep_until(until) => return Wake::Elapsed,
                changed = self.draining.changed() => {
                    // The state that owns the sender is gone: nothing to lead for any more.
                    if changed.is_err() {
                        return Wake::Draining;
                    }
                }
                Some(reply) = self.asked.recv() => {
                    let ok = match held.as_deref_mut() {
                        Some(lock) => lock.ping().await,
                        None => false,
                    };
                    let _ = reply.send(ok);
                    if held.is_some() && !ok {
                        return Wake::LockFailed;
                    }
                }
            }
        }
    }
}

async fn run<F, Fut>(tx: watch::Sender<bool>, mut signals: Signals, connect: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = sqlx::Result<Lock>>,
{
    let mut warned = false;
    'connect: loop {
        if *signals.draining.borrow() {
            return;
        }
        let mut lock = match connect().await {
            Ok(l) => l,
            Err(e) => {
                if !warned {
                    tracing::warn!(error = %e, "leader election: cannot connect; retrying");
                    warned = true;
                }
                if signals.wait(RETRY, None).await == Wake::Draining {
                    return;
                }
                continue;
            }
        };
        warned = false;
        loop {
            match lock.try_take().await {
                Ok(true) => break,
                Ok(false) => {
                    if signals.wait(RETRY, None).await == Wake::Draining {
                        lock.close().await;
                        return;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "leader election: lock query failed; reconnecting");
                    if signals.wait(RETRY, None).await == Wake::Draining {
                        return;
                    }
                    continue 'connect;
                }
            }
        }
        tracing::info!("this instance is now the leader: it runs the scheduled work");
        tx.send_replace(true);
        loop {
            let wake = signals.wait(RETRY, Some(&mut lock)).await;
            if wake == Wake::Draining {
                tx.send_replace(false);
                lock.close().await;
                tracing::info!("draining: leadership given up");
                return;
            }
            if wake == Wake::LockFailed || !lock.ping().await {
                tx.send_replace(false);
                tracing::warn!("leader election: the lock's connection failed; leading no more");
                continue 'connect;
            }
        }
    }
}
