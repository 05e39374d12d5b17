//! MIT FILE keytabs: parse, write, search and edit.
//!
//! ```no_run
//! # use tessera_client::keytab::{Keytab, KtPrincipal};
//! let kt = Keytab::load(tessera_client::keytab::default_keytab_name())?;
//! let p = KtPrincipal::parse("host/a.example.com@EXAMPLE.COM", None)?;
//! if let Some(e) = kt.find(&p, None, Some(18)) {
//!     println!("kvno {} enctype {}", e.kvno, e.enctype);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod principal;
mod wire;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;
use zeroize::Zeroizing;

pub use principal::{KtPrincipal, PrincipalParseError};
pub use wire::{KEYTAB_V1, KEYTAB_V2};

/// Errors reading or writing a keytab.
#[derive(Debug, Error)]
pub enum KeytabError {
    /// The file's version is not 0x0501 or 0x0502.
    #[error("unsupported keytab version 0x{0:04x}")]
    UnsupportedVersion(u16),
    /// A record or field ran past the end of the data.
    #[error("keytab truncated in record at offset {offset}")]
    Truncated {
        /// Offset of the record.
        offset: usize,
    },
    /// A record is structurally invalid.
    #[error("malformed keytab record at offset {offset}: {what}")]
    Malformed {
        /// Offset of the record.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A principal name in the record at this offset is not UTF-8.
    #[error("keytab record at offset {offset} has a name that is not UTF-8")]
    InvalidUtf8 {
        /// Offset of the record.
        offset: usize,
    },
    /// A name or key is too long for the format's 16-bit length fields.
    #[error("a name or key is too long for the keytab format")]
    FieldTooLong,
    /// The enctype does not fit the format's 16-bit field.
    #[error("enctype {0} does not fit the keytab's 16-bit field")]
    EnctypeOutOfRange(i32),
    /// Reading or writing the file failed.
    #[error("keytab file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// One key in a keytab.
#[derive(Clone, PartialEq, Eq)]
pub struct KeytabEntry {
    /// Whose key this is.
    pub principal: KtPrincipal,
    /// When the entry was written (seconds since the epoch).
    pub timestamp: u32,
    /// Key version number (the 32-bit value when the file carries it).
    pub kvno: u32,
    /// Encryption type number (e.g. 18 = aes256-cts-hmac-sha1-96).
    pub enctype: i32,
    /// The key bytes.
    pub key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for KeytabEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeytabEntry")
            .field("principal", &self.principal.to_string())
            .field("timestamp", &self.timestamp)
            .field("kvno", &self.kvno)
            .field("enctype", &self.enctype)
            .field("key", &format_args!("<{} bytes redacted>", self.key.len()))
            .finish()
    }
}

/// A keytab: an ordered list of keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keytab {
    /// The entries in file order (holes are dropped when reading).
    pub entries: Vec<KeytabEntry>,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeytabError + use<'_> {
    move |source| KeytabError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Keytab {
    /// Parses a keytab file image (version 0x0502, or 0x0501 in native byte
    /// order). Holes (deleted entries) are skipped.
    pub fn parse(bytes: &[u8]) -> Result<Self, KeytabError> {
        wire::parse(bytes)
    }

    /// Encodes as version 0x0502. The buffer holds keys and zeroizes on drop.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, KeytabError> {
        wire::serialize(self)
    }

    /// Reads and parses the keytab file at `path` (a `FILE:`/`WRFILE:`
    /// prefix is accepted and stripped).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, KeytabError> {
        let path = strip_prefix_path(path.as_ref());
        let bytes = Zeroizing::new(std::fs::read(&path).map_err(io_err(&path))?);
        Self::parse(&bytes)
    }

    /// Writes the keytab to `path` atomically (temporary file with mode 0600
    /// in the same directory, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), KeytabError> {
        let path = strip_prefix_path(path.as_ref());
        let bytes = self.to_bytes()?;
        crate::atomic_file::write_atomic(&path, &bytes).map_err(io_err(&path))
    }

    /// Adds entries to the keytab file at `path`, creating it if missing.
    pub fn append_file(
        path: impl AsRef<Path>,
        entries: impl IntoIterator<Item = KeytabEntry>,
    ) -> Result<(), KeytabError> {
        let path = strip_prefix_path(path.as_ref());
        let mut kt = match Self::load(&path) {
            Ok(kt) => kt,
            Err(KeytabError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Self::default()
            }
            Err(e) => return Err(e),
        };
        kt.entries.extend(entries);
        kt.save(&path)
    }

    /// Removes the entries of `principal` (all of them, or only those with
    /// the given kvno). Returns how many were removed.
    pub fn remove(&mut self, principal: &KtPrincipal, kvno: Option<u32>) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.principal.same_name(principal) && kvno.is_none_or(|k| k == e.kvno)));
        before - self.entries.len()
    }

    /// Finds a key of `principal`. With no kvno, the highest kvno present is
    /// chosen (as MIT does); with no enctype, the first matching entry.
    pub fn find(
        &self,
        principal: &KtPrincipal,
        kvno: Option<u32>,
        enctype: Option<i32>,
    ) -> Option<&KeytabEntry> {
        let mut best: Option<&KeytabEntry> = None;
        for e in self.matching(principal) {
            if kvno.is_some_and(|k| k != e.kvno) || enctype.is_some_and(|t| t != e.enctype) {
                continue;
            }
            if best.is_none_or(|b| e.kvno > b.kvno) {
                best = Some(e);
            }
        }
        best
    }

    /// All entries of `principal` (name type ignored), in file order.
    pub fn matching<'a, 'p>(
        &'a self,
        principal: &'p KtPrincipal,
    ) -> impl Iterator<Item = &'a KeytabEntry> + use<'a, 'p> {
        self.entries
            .iter()
            .filter(move |e| e.principal.same_name(principal))
    }
}

fn strip_prefix_path(path: &Path) -> PathBuf {
    match path.to_str() {
        Some(s) => PathBuf::from(strip_keytab_prefix(s)),
        None => path.to_path_buf(),
    }
}

/// Strips a `FILE:` or `WRFILE:` residual type prefix from a keytab name.
pub fn strip_keytab_prefix(name: &str) -> &str {
    name.strip_prefix("FILE:")
        .or_else(|| name.strip_prefix("WRFILE:"))
        .unwrap_or(name)
}

/// The default keytab path: `KRB5_KTNAME` without its `FILE:`/`WRFILE:`
/// prefix, else `/etc/krb5.keytab`.
pub fn default_keytab_name() -> String {
    match std::env::var("KRB5_KTNAME") {
        Ok(v) if !v.is_empty() => strip_keytab_prefix(&v).to_owned(),
        _ => "/etc/krb5.keytab".to_owned(),
    }
}
