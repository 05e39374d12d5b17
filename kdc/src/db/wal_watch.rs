//! Whether anything was committed to a SQLite database in WAL mode since a
//! moment we remember, for the price of one `pread` and no lock.
//!
//! Every commit, by any connection of any process, rewrites the WAL-index
//! header at the start of the database's `-shm` file (its change counter,
//! frame count, salts and checksum). Its layout is part of SQLite's
//! documented WAL file format: every process and SQLite version that opens
//! the database shares it. [`WalWatch::read`] takes a fingerprint of the
//! first copy of that header; the store [`marks`](WalWatch::mark) the
//! fingerprint it read *before* it last caught up with the database, so an
//! unchanged fingerprint means nothing was committed since, and a commit
//! landing while it caught up moves the header again.
//!
//! The `-shm` handle is opened once per file per process and never closed:
//! SQLite's WAL locks are POSIX record locks on that file, and closing *any*
//! descriptor a process holds on a file drops all of that process's locks on
//! it, including those of SQLite's own connections (a store dropped while
//! another one on the same database keeps serving would otherwise leave that
//! one's read locks gone). SQLite keeps its own descriptors open for the
//! same reason.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;

/// Size of the first copy of the WAL-index header at the start of `-shm`.
const WAL_INDEX_HEADER_LEN: usize = 48;

/// `-shm` files opened by this process, by (device, inode): opened once,
/// never closed (see the module documentation).
static SHM_FILES: Mutex<Vec<((u64, u64), &'static File)>> = Mutex::new(Vec::new());

/// This process's one read handle on the `-shm` file at `path`.
fn shm_handle(path: &str) -> std::io::Result<&'static File> {
    // Look the file up by path first: opening a second handle and closing it
    // again would drop SQLite's locks.
    let meta = std::fs::metadata(path)?;
    let key = (meta.dev(), meta.ino());
    let mut files = SHM_FILES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, f)) = files.iter().find(|(k, _)| *k == key) {
        return Ok(f);
    }
    let f: &'static File = Box::leak(Box::new(File::open(path)?));
    let key = f.metadata().map_or(key, |m| (m.dev(), m.ino()));
    files.push((key, f));
    Ok(f)
}

/// The `-shm` file of one database and the fingerprint last marked.
#[derive(Debug)]
pub(super) struct WalWatch {
    shm: Option<&'static File>,
    marked: AtomicU64,
}

impl WalWatch {
    /// Watches the database of `conn` (which must be in WAL mode and have
    /// read it once, so that the `-shm` file exists). Without a readable
    /// `-shm` file, [`WalWatch::unchanged`] is always false.
    pub(super) fn open(conn: &Connection) -> WalWatch {
        let shm = conn.path().filter(|p| !p.is_empty()).and_then(|path| {
            shm_handle(&format!("{path}-shm"))
                .inspect_err(|e| {
                    tracing::info!(error = %e,
                        "no readable WAL index; every request asks the database for changes");
                })
                .ok()
        });
        WalWatch {
            shm,
            marked: AtomicU64::new(0),
        }
    }

    /// A fingerprint of the WAL-index header now (None when unreadable).
    pub(super) fn read(&self) -> Option<u64> {
        let mut hdr = [0_u8; WAL_INDEX_HEADER_LEN];
        self.shm?.read_exact_at(&mut hdr, 0).ok()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        hdr.hash(&mut h);
        Some(h.finish())
    }

    /// Whether `header` (from [`WalWatch::read`]) is the one last marked.
    pub(super) fn is_marked(&self, header: Option<u64>) -> bool {
        header.is_some_and(|h| h == self.marked.load(Ordering::Acquire))
    }

    /// Whether nothing was committed since the last [`WalWatch::mark`].
    pub(super) fn unchanged(&self) -> bool {
        self.is_marked(self.read())
    }

    /// Remembers `header`, read before the caller caught up.
    pub(super) fn mark(&self, header: Option<u64>) {
        self.marked.store(header.unwrap_or(0), Ordering::Release);
    }
}
