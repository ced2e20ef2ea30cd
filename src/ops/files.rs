//! Dump files on disk: plain or gzip-compressed (detected by the magic bytes when reading), and
//! the read-back check every backup gets.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::dump::{Header, check_header, parse_row};
use super::{OpsError, Result};

/// Opens a file for reading, un-gzipping it when it starts with the gzip magic bytes.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic)?;
    drop(file);
    let file = File::open(path)?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// A dump file being written: plain or gzip. Call [`Output::finish`] to end the gzip stream
/// and sync the file; dropping it without does neither reliably.
pub enum Output {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Gzip(w) => w.flush(),
        }
    }
}

impl Output {
    /// Ends the gzip stream, flushes and syncs the file to disk.
    pub fn finish(self) -> Result<()> {
        let mut file = match self {
            Output::Plain(w) => w,
            Output::Gzip(w) => w.finish()?,
        };
        file.flush()?;
        file.into_inner()
            .map_err(|e| OpsError::Io(e.into_error()))?
            .sync_all()?;
        Ok(())
    }
}

/// Creates `path` for writing, gzip-compressed when `compress`.
pub fn create_output(path: &Path, compress: bool) -> Result<Output> {
    let file = File::create(path)?;
    // Dumps hold password and token hashes: owner only, from the first byte.
    restrict(path)?;
    let file = BufWriter::with_capacity(1 << 16, file);
    if compress {
        Ok(Output::Gzip(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::default(),
        )))
    } else {
        Ok(Output::Plain(file))
    }
}

/// Reads a dump file back and checks every table's row count against its header.
pub fn verify_file(path: &Path) -> Result<Header> {
    let mut input = open_input(path)?;
    let mut first = String::new();
    input.read_line(&mut first)?;
    let header: Header = serde_json::from_str(first.trim_end())
        .map_err(|e| OpsError::Invalid(format!("not a PromptVault dump (header: {e})")))?;
    check_header(&header)?;
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let (table, _) = parse_row(&line).map_err(OpsError::Invalid)?;
        *seen.entry(table.name.to_string()).or_default() += 1;
    }
    for (name, n) in &header.tables {
        let got = seen.get(name).copied().unwrap_or(0);
        if got != *n {
            return Err(OpsError::Invalid(format!(
                "dump check failed: {name} has {got} rows, the header says {n}"
            )));
        }
    }
    Ok(header)
}

/// Backups hold password and token hashes: readable by the owner only.
pub fn restrict(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
