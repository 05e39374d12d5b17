//! The realm master key: loading it, stashing it, and sealing principal keys
//! under it with AES-256-GCM.
//!
//! # Stash file format
//!
//! A stash file is one line of ASCII text, created with mode 0600:
//!
//! ```text
//! tessera-master-key-v1:<64 lowercase hex digits>
//! ```
//!
//! followed by a newline. The same 64 hex digits (with or without the
//! `tessera-master-key-v1:` prefix) may instead be put in the environment
//! variable named by `database.master_key_env`.
//!
//! # Sealed blobs
//!
//! A sealed principal key is `0x01 || nonce (12 bytes) || AES-256-GCM
//! ciphertext+tag`. The associated data binds the blob to its row:
//! `"tessera-key-v1" || u32be(len(name)) || name || u32be(kvno) ||
//! i32be(enctype)`, so a blob copied to another principal, kvno or enctype
//! fails to open.

use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::config::MasterKeySource;

/// Length of the master key in bytes.
pub const MASTER_KEY_LEN: usize = 32;
const STASH_PREFIX: &str = "tessera-master-key-v1:";
const BLOB_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const VERIFIER_PLAINTEXT: &[u8] = b"tessera master key verifier v1";

/// Errors about the master key. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    /// The stash file does not exist. Only ever asked for once the
    /// database exists (a realm without a database is told to run `init`
    /// instead), so the stash has been lost: `init` cannot help.
    #[error(
        "master key stash file {0} is missing, and the database's keys cannot be decrypted \
         without it: restore the stash file from backup"
    )]
    StashMissing(String),
    /// The stash file could not be read or written.
    #[error("master key stash file {path}: {source}")]
    StashIo {
        /// Path of the stash file.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The stash file or variable does not hold a well-formed key.
    #[error("master key from {0} is malformed (expected 64 hex digits)")]
    Malformed(String),
    /// The environment variable is not set.
    #[error("master key environment variable {0} is not set")]
    EnvMissing(String),
    /// The stash file would be overwritten.
    #[error("master key stash file {0} already exists")]
    StashExists(String),
    /// The operating system random generator failed.
    #[error("random generator failed")]
    Random,
    /// Sealing failed (should not happen).
    #[error("sealing a key under the master key failed")]
    Seal,
    /// A sealed blob did not open: wrong master key, or tampered/moved row.
    #[error("a sealed key does not open under the master key")]
    Unseal,
}

/// The realm master key. Zeroized on drop; Debug never shows it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; MASTER_KEY_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// Generates a fresh random master key.
    pub fn generate() -> Result<Self, MasterKeyError> {
        let mut k = [0u8; MASTER_KEY_LEN];
        getrandom::fill(&mut k).map_err(|_| MasterKeyError::Random)?;
        Ok(MasterKey(k))
    }

    /// Builds a master key from raw bytes.
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> Self {
        MasterKey(bytes)
    }

    /// Parses the text form (64 hex digits, optional `tessera-master-key-v1:`
    /// prefix, surrounding whitespace ignored). `origin` names the source in
    /// errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, MasterKeyError> {
        let t = text.trim();
        let hexpart = t.strip_prefix(STASH_PREFIX).unwrap_or(t);
        let mut k = [0u8; MASTER_KEY_LEN];
        hex::decode_to_slice(hexpart, &mut k)
            .map_err(|_| MasterKeyError::Malformed(origin.to_owned()))?;
        Ok(MasterKey(k))
    }

    /// Loads the key from its configured source.
    pub fn load(source: &MasterKeySource) -> Result<Self, MasterKeyError> {
        match source {
            MasterKeySource::File(p) => Self::read_stash(p),
            MasterKeySource::Env(var) => {
                let v = Zeroizing::new(
                    std::env::var(var).map_err(|_| MasterKeyError::EnvMissing(var.clone()))?,
                );
                Self::parse(&v, &format!("environment variable {var}"))
            }
        }
    }

    /// Reads a stash file.
    pub fn read_stash(path: &Path) -> Result<Self, MasterKeyError> {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MasterKeyError::StashMissing(name));
            }
            Err(source) => return Err(MasterKeyError::StashIo { path: name, source }),
        };
        Self::parse(&text, &name)
    }

    /// Writes a new stash file with mode 0600; refuses to overwrite.
    pub fn write_stash(&self, path: &Path) -> Result<(), MasterKeyError> {
        let name = path.display().to_string();
        let io = |source| MasterKeyError::StashIo {
            path: name.clone(),
            source,
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = match opts.open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(MasterKeyError::StashExists(name));
            }
            Err(e) => return Err(io(e)),
        };
        let text = Zeroizing::new(format!("{STASH_PREFIX}{}\n", hex::encode(self.0)));
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        Ok(())
    }

    /// The key in text form (for an environment variable). Zeroized on drop.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    fn seal_raw(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, MasterKeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| MasterKeyError::Random)?;
        let ct = self
            .cipher()
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| MasterKeyError::Seal)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(BLOB_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn open_raw(&self, blob: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        let (&version, rest) = blob.split_first().ok_or(MasterKeyError::Unseal)?;
        if version != BLOB_VERSION || rest.len() < NONCE_LEN {
            return Err(MasterKeyError::Unseal);
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| MasterKeyError::Unseal)?;
        self.cipher()
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| MasterKeyError::Unseal)
    }

    /// Seals one principal key, bound to its principal, kvno and enctype.
    pub fn seal_key(
        &self,
        principal: &str,
        kvno: u32,
        enctype: i32,
        key: &[u8],
    ) -> Result<Vec<u8>, MasterKeyError> {
        self.seal_raw(key, &key_aad(principal, kvno, enctype))
    }

    /// Opens a sealed principal key; fails if the master key is wrong or the
    /// blob belongs to another row.
    pub fn open_key(
        &self,
        principal: &str,
        kvno: u32,
        enctype: i32,
        blob: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        self.open_raw(blob, &key_aad(principal, kvno, enctype))
    }

    /// A verifier for the realm table: a known plaintext sealed under this
    /// key, bound to the realm name.
    pub fn make_verifier(&self, realm: &str) -> Result<Vec<u8>, MasterKeyError> {
        self.seal_raw(VERIFIER_PLAINTEXT, &verifier_aad(realm))
    }

    /// Whether `verifier` (from [`MasterKey::make_verifier`]) opens under this
    /// key.
    pub fn check_verifier(&self, realm: &str, verifier: &[u8]) -> bool {
        self.open_raw(verifier, &verifier_aad(realm))
            .is_ok_and(|p| p.as_slice() == VERIFIER_PLAINTEXT)
    }
}

fn key_aad(principal: &str, kvno: u32, enctype: i32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(14 + 4 + principal.len() + 8);
    aad.extend_from_slice(b"tessera-key-v1");
    aad.extend_from_slice(&(principal.len() as u32).to_be_bytes());
    aad.extend_from_slice(principal.as_bytes());
    aad.extend_from_slice(&kvno.to_be_bytes());
    aad.extend_from_slice(&enctype.to_be_bytes());
    aad
}

fn verifier_aad(realm: &str) -> Vec<u8> {
    let mut aad = b"tessera-mkey-verifier-v1:".to_vec();
    aad.extend_from_slice(realm.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn seal_open_and_binding() {
        let mk = MasterKey::generate().unwrap();
        let blob = mk.seal_key("a@R", 2, 18, &[7u8; 32]).unwrap();
        assert_eq!(
            mk.open_key("a@R", 2, 18, &blob).unwrap().as_slice(),
            &[7u8; 32]
        );
        assert!(mk.open_key("b@R", 2, 18, &blob).is_err());
        assert!(mk.open_key("a@R", 3, 18, &blob).is_err());
        assert!(mk.open_key("a@R", 2, 17, &blob).is_err());
        let other = MasterKey::generate().unwrap();
        assert!(other.open_key("a@R", 2, 18, &blob).is_err());
        let v = mk.make_verifier("R").unwrap();
        assert!(mk.check_verifier("R", &v));
        assert!(!other.check_verifier("R", &v));
        assert!(!mk.check_verifier("S", &v));
        assert_eq!(format!("{mk:?}"), "MasterKey(<redacted>)");
    }

    #[test]
    fn stash_roundtrip_mode_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.key");
        let mk = MasterKey::generate().unwrap();
        mk.write_stash(&p).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let back = MasterKey::read_stash(&p).unwrap();
        assert_eq!(back.0, mk.0);
        assert!(matches!(
            mk.write_stash(&p),
            Err(MasterKeyError::StashExists(_))
        ));
        assert!(matches!(
            MasterKey::read_stash(&dir.path().join("nope")),
            Err(MasterKeyError::StashMissing(_))
        ));
        std::fs::write(&p, "garbage").unwrap();
        assert!(matches!(
            MasterKey::read_stash(&p),
            Err(MasterKeyError::Malformed(_))
        ));
        let hexed = mk.to_hex();
        assert_eq!(MasterKey::parse(&hexed, "env").unwrap().0, mk.0);
    }
}
