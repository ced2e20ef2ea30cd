//! Writes committed in groups (SQLite). SQLite has one writer; a transaction per small write
//! makes every create pay its own commit: the WAL frames of each index page it touched, and a
//! new full-text segment (FTS5 flushes one per transaction, then merges them). Concurrent
//! writes handed to [`Writer::grouped`] queue for one task that runs everything waiting in one
//! transaction, each write inside its own savepoint, commits once and answers each: a write
//! that fails is rolled back to its savepoint alone, and nobody is answered before the commit.
//!
//! If the commit itself fails, each write of the group runs again on its own transaction, so
//! one write can never make another fail. PostgreSQL and MySQL have concurrent writers and do
//! not group ([`super::Db::grouped`] runs the write in its own transaction there).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use super::Tx;

/// A future borrowing the group's transaction.
pub type TxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One write as the group task holds it: runs on a transaction and says whether it succeeded
/// (its value goes to its caller by its own way). Runnable again: the fallback runs it alone.
type Job = Box<dyn for<'a> Fn(&'a mut Tx) -> TxFuture<'a, bool> + Send + Sync>;

/// A job and where its commit's outcome goes.
struct Pending {
    job: Job,
    done: oneshot::Sender<Result<(), sqlx::Error>>,
}

/// At most this many writes share one transaction.
pub const MOST: usize = 128;

/// The one connection that writes, and the queue of writes waiting to be committed together.
#[derive(Clone, Debug)]
pub struct Writer {
    pub pool: sqlx::SqlitePool,
    queue: mpsc::UnboundedSender<Pending>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl Writer {
    /// The writer and its group task (which ends when the last `Writer` clone is dropped).
    pub fn start(pool: sqlx::SqlitePool) -> Writer {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Pending>();
        let task_pool = pool.clone();
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MOST);
            while waiting.recv_many(&mut group, MOST).await > 0 {
                run(&task_pool, std::mem::take(&mut group)).await;
            }
        });
        Writer { pool, queue }
    }

    /// Runs `write` in the next group's transaction and answers once that has committed.
    /// `write` may run twice (the second time alone, when its group could not commit): it
    /// must do all its work through the transaction it is given.
    pub async fn grouped<T, E, F>(&self, write: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'a> Fn(&'a mut Tx) -> TxFuture<'a, Result<T, E>> + Send + Sync + 'static,
    {
        let slot: Arc<Mutex<Option<Result<T, E>>>> = Arc::new(Mutex::new(None));
        let out = Arc::clone(&slot);
        let job: Job = Box::new(move |tx| {
            let out = Arc::clone(&out);
            let run = write(tx);
            Box::pin(async move {
                let result = run.await;
                let ok = result.is_ok();
                *out.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                ok
            })
        });
        let (done, committed) = oneshot::channel();
        if self.queue.send(Pending { job, done }).is_err() {
            return Err(sqlx::Error::PoolClosed.into());
        }
        committed.await.map_err(|_| sqlx::Error::PoolClosed)??;
        let result = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        result.unwrap_or(Err(sqlx::Error::PoolClosed.into()))
    }
}

/// Runs a group: one transaction, a savepoint per write, one commit; on a failed commit each
/// write alone.
async fn run(pool: &sqlx::SqlitePool, group: Vec<Pending>) {
    match together(pool, &group).await {
        Ok(()) => {
            for p in group {
                let _ = p.done.send(Ok(()));
            }
        }
        Err(_) if group.len() > 1 => {
            for p in group {
                let outcome = alone(pool, &p.job).await;
                let _ = p.done.send(outcome);
            }
        }
        Err(e) => {
            for p in group {
                let _ = p.done.send(Err(clone_error(&e)));
            }
        }
    }
}

async fn together(pool: &sqlx::SqlitePool, group: &[Pending]) -> Result<(), sqlx::Error> {
    super::writes::changed();
    let mut tx = Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?);
    if group.len() == 1 {
        // A failed write is rolled back (dropping the transaction) and answered by its slot.
        if (group[0].job)(&mut tx).await {
            return tx.commit().await;
        }
        return Ok(());
    }
    for p in group {
        statement(&mut tx, "SAVEPOINT grouped").await?;
        if (p.job)(&mut tx).await {
            statement(&mut tx, "RELEASE grouped").await?;
        } else {
            statement(&mut tx, "ROLLBACK TO grouped").await?;
            statement(&mut tx, "RELEASE grouped").await?;
        }
    }
    tx.commit().await
}

async fn alone(pool: &sqlx::SqlitePool, job: &Job) -> Result<(), sqlx::Error> {
    super::writes::changed();
    let mut tx = Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?);
    if job(&mut tx).await {
        tx.commit().await
    } else {
        Ok(())
    }
}

async fn statement(tx: &mut Tx, sql: &'static str) -> Result<(), sqlx::Error> {
    super::dynamic::execute(tx, sql.into(), &[]).await.map(drop)
}

/// The same failure for every write of a group (sqlx errors are not `Clone`).
fn clone_error(e: &sqlx::Error) -> sqlx::Error {
    match e {
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        other => sqlx::Error::Protocol(format!("the group's transaction failed: {other}")),
    }
}
