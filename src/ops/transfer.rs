//! `promptvault db transfer --from URL --to URL`: a portable dump streamed through a temporary
//! file from one database into another, with a progress bar on standard error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::dump::{self, Existing, Header};
use super::{OpsError, Result};
use crate::db::Db;

/// A temporary file path that is removed when dropped.
pub struct TempPath(pub PathBuf);

impl TempPath {
    pub fn new(suffix: &str) -> TempPath {
        let id = crate::db::new_id();
        TempPath(std::env::temp_dir().join(format!("promptvault-{}{suffix}", &id[1..13])))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Copies every dumped table of `from` into `to` (migrated already). Returns the header of the
/// dump that moved.
pub async fn copy(from: &Db, to: &Db, existing: Existing, bar: &mut Progress) -> Result<Header> {
    let tmp = TempPath::new(".jsonl");
    let header = {
        let mut out = super::files::create_output(&tmp.0, false)?;
        bar.phase("export", None);
        let header = dump::export(from, &mut out, &mut |n| bar.update(n)).await?;
        out.finish()?;
        header
    };
    bar.phase("import", Some(header.total_rows().max(0) as u64));
    let mut input = super::files::open_input(&tmp.0)?;
    let imported = dump::import(to, &mut input, existing, &mut |n| bar.update(n)).await?;
    bar.done();
    if imported.tables != header.tables {
        return Err(OpsError::Invalid("the copy read back differently".into()));
    }
    Ok(header)
}

/// Imports a dump file (plain or gzip) into `db`.
pub async fn import_file(
    db: &Db,
    file: &Path,
    existing: Existing,
    bar: &mut Progress,
) -> Result<Header> {
    let total = super::files::verify_file(file)?.total_rows();
    bar.phase("import", Some(total.max(0) as u64));
    let mut input = super::files::open_input(file)?;
    let header = dump::import(db, &mut input, existing, &mut |n| bar.update(n)).await?;
    bar.done();
    Ok(header)
}

/// A hand-written progress bar: `import [#####.....] 12000/50000 rows`, redrawn in place on a
/// terminal, silent otherwise.
pub struct Progress {
    enabled: bool,
    phase: &'static str,
    total: Option<u64>,
    last: Instant,
    current: u64,
}

impl Progress {
    pub fn stderr() -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            phase: "",
            total: None,
            last: Instant::now(),
            current: 0,
        }
    }

    pub fn hidden() -> Progress {
        Progress {
            enabled: false,
            ..Progress::stderr()
        }
    }

    fn phase(&mut self, phase: &'static str, total: Option<u64>) {
        if self.enabled && !self.phase.is_empty() {
            self.draw();
            eprintln!();
        }
        self.phase = phase;
        self.total = total;
        self.current = 0;
    }

    fn update(&mut self, n: u64) {
        self.current = n;
        if self.enabled && self.last.elapsed().as_millis() >= 100 {
            self.last = Instant::now();
            self.draw();
        }
    }

    fn draw(&self) {
        let line = match self.total {
            Some(total) if total > 0 => {
                let width = 30u64;
                let filled = (self.current.min(total) * width / total) as usize;
                format!(
                    "{:<7}[{}{}] {}/{} rows",
                    self.phase,
                    "#".repeat(filled),
                    ".".repeat(width as usize - filled),
                    self.current,
                    total
                )
            }
            _ => format!("{:<7}{} rows", self.phase, self.current),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}");
        let _ = err.flush();
    }

    fn done(&mut self) {
        if self.enabled {
            self.draw();
            eprintln!();
        }
        self.phase = "";
    }
}
