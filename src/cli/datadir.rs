//! `promptvault data-dir DIR --owner UID:GID`: creates the data directory (and its `backups`)
//! and hands it, with everything inside, to the user the server runs as. For a container that
//! runs once as root before the server, so that a bind-mounted `./data` (created by the
//! container engine as root, or holding files restored by root on the host) is writable by the
//! unprivileged server.

use std::path::Path;

use anyhow::{Context, bail};

pub fn run(dir: &Path, owner: &str) -> anyhow::Result<()> {
    let (uid, gid) = parse_owner(owner)?;
    std::fs::create_dir_all(dir.join("backups"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut changed = 0u64;
    chown_tree(dir, uid, gid, &mut changed)?;
    println!(
        "{} belongs to {uid}:{gid} ({changed} entries)",
        dir.display()
    );
    Ok(())
}

fn parse_owner(owner: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = owner
        .split_once(':')
        .and_then(|(u, g)| Some((u.trim().parse().ok()?, g.trim().parse().ok()?)));
    match parsed {
        Some(ids) => Ok(ids),
        None => bail!("--owner must be UID:GID in numbers, e.g. 65532:65532 (got {owner:?})"),
    }
}

/// Changes the owner of `path` and, for a directory, of what it holds; symbolic links are
/// changed themselves, never followed.
fn chown_tree(path: &Path, uid: u32, gid: u32, changed: &mut u64) -> anyhow::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .with_context(|| format!("cannot change the owner of {}", path.display()))?;
    *changed += 1;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid, changed)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn owners_are_numbers() {
        assert_eq!(super::parse_owner("65532:65532").ok(), Some((65532, 65532)));
        assert!(super::parse_owner("promptvault").is_err());
        assert!(super::parse_owner("1:x").is_err());
    }
}
