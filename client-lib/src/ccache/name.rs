//! Credential cache names (`FILE:/path`, `/path`, `MEMORY:name`).

use std::fmt;
use std::path::PathBuf;

use super::CcacheError;

/// Where a credential cache lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CcacheName {
    /// An MIT FILE cache at this path.
    File(PathBuf),
    /// A cache held in this process's memory registry under this name.
    Memory(String),
}

impl CcacheName {
    /// Parses a cache name as MIT does: `FILE:path`, `MEMORY:name`, or a
    /// name without a type prefix (a path). A leading single-letter prefix
    /// is never treated as a type. Other types (`DIR:`, `KEYRING:`, `KCM:`,
    /// `API:`, `MSLSA:`) are reported as unsupported.
    pub fn parse(name: &str) -> Result<Self, CcacheError> {
        if name.is_empty() {
            return Err(CcacheError::InvalidName(name.to_owned()));
        }
        let (kind, residual) = match name.split_once(':') {
            // MIT: a colon that starts a path is part of the path, not a type.
            Some((kind, rest)) if !kind.contains('/') && kind.len() > 1 => (kind, rest),
            _ => ("FILE", name),
        };
        match kind {
            "FILE" | "WRFILE" if !residual.is_empty() => Ok(Self::File(PathBuf::from(residual))),
            "MEMORY" if !residual.is_empty() => Ok(Self::Memory(residual.to_owned())),
            "FILE" | "WRFILE" | "MEMORY" => Err(CcacheError::InvalidName(name.to_owned())),
            other => Err(CcacheError::UnsupportedType(other.to_owned())),
        }
    }

    /// The default cache: `KRB5CCNAME` if set, else `FILE:/tmp/krb5cc_<uid>`
    /// with the real user id of this process.
    pub fn default_name() -> Result<Self, CcacheError> {
        match std::env::var("KRB5CCNAME") {
            Ok(v) if !v.is_empty() => Self::parse(&v),
            _ => Ok(Self::File(PathBuf::from(format!(
                "/tmp/krb5cc_{}",
                current_uid()?
            )))),
        }
    }
}

impl fmt::Display for CcacheName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(p) => write!(f, "FILE:{}", p.display()),
            Self::Memory(n) => write!(f, "MEMORY:{n}"),
        }
    }
}

impl std::str::FromStr for CcacheName {
    type Err = CcacheError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The real user id, from the `Uid:` line of `/proc/self/status` (no
/// `unsafe` needed).
pub fn current_uid() -> Result<u32, CcacheError> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|_| CcacheError::NoUid)?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
        .ok_or(CcacheError::NoUid)
}
