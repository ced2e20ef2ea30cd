//! `promptvault db restore FILE`: a backup of either kind (a SQLite file, plain or gzip, or a
//! portable dump) into whichever database the configuration names. The target is migrated
//! first; an existing database with data is only replaced with `--force`; row counts are
//! checked inside the transaction, so a failed restore leaves the target as it was.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::dump::{Existing, Header};
use super::transfer::{Progress, TempPath};
use super::{OpsError, Result};
use crate::db::Db;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub async fn restore(
    db: &Db,
    file: &Path,
    existing: Existing,
    bar: &mut Progress,
) -> Result<Header> {
    if !file.is_file() {
        return Err(OpsError::Invalid(format!(
            "{} is not a file",
            file.display()
        )));
    }
    crate::db::migrate::run(db).await?;
    let mut head = [0u8; 16];
    let n = super::files::open_input(file)?.read(&mut head)?;
    if n == 16 && &head == SQLITE_MAGIC {
        // Work on a private copy: opening a database file may write to it (WAL, migrations).
        let copy = TempPath::new(".db");
        let mut input = super::files::open_input(file)?;
        let mut out = File::create(&copy.0)?;
        super::files::restrict(&copy.0)?;
        std::io::copy(&mut input, &mut out)?;
        drop(out);
        let url = format!("sqlite://{}", copy.0.display());
        let source = crate::db::connect(&url, 1).await?;
        let result = async {
            crate::db::migrate::run(&source).await?;
            super::transfer::copy(&source, db, existing, bar).await
        }
        .await;
        source.close().await;
        for ext in ["-wal", "-shm"] {
            let mut p = copy.0.as_os_str().to_owned();
            p.push(ext);
            let _ = std::fs::remove_file(p);
        }
        result
    } else {
        super::transfer::import_file(db, file, existing, bar).await
    }
}
