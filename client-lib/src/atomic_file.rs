//! Atomic replacement of secret-bearing files (keytabs, credential caches).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `data` to `path` atomically: a temporary file with mode 0600 in the
/// same directory is written, synced and renamed over `path` (so the result
/// is 0600 whatever mode an earlier file had). For every file that holds a
/// secret: keytabs, credential caches, kdc.toml, password files, kadmin's
/// history.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tessera-tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename durable; failure to sync a directory is not fatal.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Overwrites a file's contents with zeros, then unlinks it (like kdestroy).
pub(crate) fn wipe_and_remove(path: &Path) -> io::Result<()> {
    let len = fs::metadata(path)?.len();
    {
        let mut f = fs::OpenOptions::new().write(true).open(path)?;
        let zeros = [0u8; 4096];
        let mut left = len;
        while left > 0 {
            let n = usize::try_from(left.min(4096)).unwrap_or(4096);
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
    }
    fs::remove_file(path)
}
