//! Loading and storing caches by name: FILE caches on disk, MEMORY caches
//! in a process-wide registry.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock};

use zeroize::Zeroizing;

use super::{CcacheError, CcacheName, Credential, CredentialCache, Principal};

fn registry() -> MutexGuard<'static, HashMap<String, CredentialCache>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, CredentialCache>>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn io_err(path: &Path, source: io::Error) -> CcacheError {
    if source.kind() == io::ErrorKind::NotFound {
        CcacheError::NotFound(format!("FILE:{}", path.display()))
    } else {
        CcacheError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl CredentialCache {
    /// Reads the cache `name`. A missing cache is [`CcacheError::NotFound`].
    pub fn load(name: &CcacheName) -> Result<Self, CcacheError> {
        match name {
            CcacheName::File(path) => {
                let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| io_err(path, e))?);
                Self::parse(&bytes)
            }
            CcacheName::Memory(n) => registry()
                .get(n)
                .cloned()
                .ok_or_else(|| CcacheError::NotFound(name.to_string())),
        }
    }

    /// Writes this cache as `name`, replacing it. FILE caches are written
    /// atomically: a mode 0600 temporary file in the same directory, then a
    /// rename.
    pub fn store(&self, name: &CcacheName) -> Result<(), CcacheError> {
        match name {
            CcacheName::File(path) => {
                let bytes = self.to_bytes()?;
                crate::atomic_file::write_atomic(path, &bytes).map_err(|e| io_err(path, e))
            }
            CcacheName::Memory(n) => {
                registry().insert(n.clone(), self.clone());
                Ok(())
            }
        }
    }

    /// Replaces the cache `name` with an empty one owned by `principal`
    /// (what kinit does before storing a new TGT). Returns the new cache.
    pub fn initialize(name: &CcacheName, principal: &Principal) -> Result<Self, CcacheError> {
        let cache = Self::new(principal.clone());
        cache.store(name)?;
        Ok(cache)
    }

    /// Appends a credential to the existing cache `name`.
    pub fn add(name: &CcacheName, cred: Credential) -> Result<(), CcacheError> {
        match name {
            CcacheName::Memory(n) => {
                let mut reg = registry();
                let cache = reg
                    .get_mut(n)
                    .ok_or_else(|| CcacheError::NotFound(name.to_string()))?;
                cache.credentials.push(cred);
                Ok(())
            }
            CcacheName::File(_) => {
                let mut cache = Self::load(name)?;
                cache.credentials.push(cred);
                cache.store(name)
            }
        }
    }

    /// Destroys the cache `name`: a FILE cache is overwritten with zeros and
    /// unlinked (like kdestroy). A missing cache is
    /// [`CcacheError::NotFound`].
    pub fn destroy(name: &CcacheName) -> Result<(), CcacheError> {
        match name {
            CcacheName::File(path) => {
                crate::atomic_file::wipe_and_remove(path).map_err(|e| io_err(path, e))
            }
            CcacheName::Memory(n) => registry()
                .remove(n)
                .map(|_| ())
                .ok_or_else(|| CcacheError::NotFound(name.to_string())),
        }
    }
}
