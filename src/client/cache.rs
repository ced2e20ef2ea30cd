//! The local cache of fetched prompt versions: one small JSON file per (server, name,
//! selector) holding the last good answer and its ETag.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ClientError;

/// A directory of cached answers.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// One cached answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Entry {
    /// What was asked (server URL, name, selector): a check against hash collisions.
    pub key: String,
    pub etag: String,
    /// The answer's JSON text, exactly as received.
    pub answer: String,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// `PROMPTVAULT_CACHE_DIR`, else the platform's cache directory + `promptvault`:
    /// `$XDG_CACHE_HOME`, `~/.cache` (`~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows).
    pub fn default_dir() -> Option<PathBuf> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(d) = var("PROMPTVAULT_CACHE_DIR") {
            return Some(d);
        }
        let base = if cfg!(windows) {
            var("LOCALAPPDATA")
        } else if cfg!(target_os = "macos") {
            var("HOME").map(|h| h.join("Library").join("Caches"))
        } else {
            var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
        };
        base.map(|b| b.join("promptvault"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        let d = Sha256::digest(key.as_bytes());
        self.dir.join(format!("{}.json", hex::encode(&d[..16])))
    }

    /// The cached answer for `key`, if any (an unreadable file counts as none).
    pub(super) fn load(&self, key: &str) -> Option<Entry> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        serde_json::from_str::<Entry>(&text)
            .ok()
            .filter(|e| e.key == key)
    }

    /// Stores an answer (written to a temporary file then renamed: a reader never sees half).
    pub(super) fn store(&self, entry: &Entry) -> Result<(), ClientError> {
        let err = |e: std::io::Error| ClientError::Cache(format!("{}: {e}", self.dir.display()));
        std::fs::create_dir_all(&self.dir).map_err(err)?;
        let path = self.path(&entry.key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::to_vec(entry).map_err(|e| ClientError::Cache(e.to_string()))?;
        write_private(&tmp, &text).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)
    }
}

/// Writes a file only its owner may read (prompts may be private).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
