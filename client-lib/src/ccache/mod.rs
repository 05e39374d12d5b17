//! Credential caches: MIT's FILE format (version 4, reads 3) and a
//! process-wide MEMORY cache registry.
//!
//! ```no_run
//! # use tessera_client::ccache::{CcacheName, CredentialCache};
//! let name = CcacheName::default_name()?;
//! let cache = CredentialCache::load(&name)?;
//! println!("default principal {}", cache.default_principal);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod flags;
mod name;
mod store;
mod wire;

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;
use zeroize::Zeroizing;

pub use crate::keytab::KtPrincipal as Principal;
pub use name::{CcacheName, current_uid};

/// The realm MIT uses for configuration entries' server principals.
pub const CONFIG_REALM: &str = "X-CACHECONF:";
/// The first component of a configuration entry's server principal.
pub const CONFIG_COMPONENT: &str = "krb5_ccache_conf_data";

/// Errors reading, writing or naming a credential cache.
#[derive(Debug, Error)]
pub enum CcacheError {
    /// The first byte was not 5 or the version is not 3 or 4.
    #[error("unsupported credential cache format version 0x{0:04x}")]
    UnsupportedVersion(u16),
    /// A field ran past the end of the data.
    #[error("credential cache truncated at offset {offset}")]
    Truncated {
        /// Offset of the item being read.
        offset: usize,
    },
    /// A principal name is not UTF-8.
    #[error("credential cache has a principal name that is not UTF-8 at offset {offset}")]
    InvalidUtf8 {
        /// Offset of the principal.
        offset: usize,
    },
    /// A value does not fit its on-disk field.
    #[error("a value is too large for the credential cache format")]
    FieldTooLong,
    /// The enctype does not fit the format's 16-bit field.
    #[error("enctype {0} does not fit the credential cache's 16-bit field")]
    EnctypeOutOfRange(i32),
    /// The cache name has a type we do not support (e.g. `KEYRING:`, `DIR:`).
    #[error("unsupported credential cache type {0:?}")]
    UnsupportedType(String),
    /// The cache name is empty or otherwise invalid.
    #[error("invalid credential cache name {0:?}")]
    InvalidName(String),
    /// No cache exists under this name.
    #[error("no credentials cache found ({0})")]
    NotFound(String),
    /// The user id needed for the default cache name could not be found.
    #[error("cannot determine the current user id for the default cache name")]
    NoUid,
    /// Reading or writing the file failed.
    #[error("credential cache file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// One cached credential (or an MIT configuration entry).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Credential {
    /// The client principal.
    pub client: Principal,
    /// The service principal.
    pub server: Principal,
    /// The session key's enctype.
    pub key_enctype: i32,
    /// The session key.
    pub key: Zeroizing<Vec<u8>>,
    /// Initial authentication time (seconds since the epoch).
    pub authtime: u32,
    /// Start of validity (0 if absent).
    pub starttime: u32,
    /// End of validity.
    pub endtime: u32,
    /// Renewable until (0 if not renewable).
    pub renew_till: u32,
    /// Ticket is encrypted in a session key (user-to-user).
    pub is_skey: bool,
    /// Ticket flags as MIT stores them (see [`flags`]).
    pub ticket_flags: u32,
    /// Client addresses: (address type, address bytes).
    pub addresses: Vec<(u16, Vec<u8>)>,
    /// Authorization data: (ad-type, contents).
    pub authdata: Vec<(u16, Vec<u8>)>,
    /// The DER-encoded Ticket (or a configuration value).
    pub ticket: Vec<u8>,
    /// The DER-encoded second ticket (user-to-user), usually empty.
    pub second_ticket: Vec<u8>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("client", &self.client.to_string())
            .field("server", &self.server.to_string())
            .field("key_enctype", &self.key_enctype)
            .field("key", &format_args!("<{} bytes redacted>", self.key.len()))
            .field("authtime", &self.authtime)
            .field("starttime", &self.starttime)
            .field("endtime", &self.endtime)
            .field("renew_till", &self.renew_till)
            .field("is_skey", &self.is_skey)
            .field("ticket_flags", &format_args!("0x{:08x}", self.ticket_flags))
            .field("addresses", &self.addresses.len())
            .field("authdata", &self.authdata.len())
            .field("ticket", &format_args!("<{} bytes>", self.ticket.len()))
            .field(
                "second_ticket",
                &format_args!("<{} bytes>", self.second_ticket.len()),
            )
            .finish()
    }
}

impl Credential {
    /// True for MIT configuration entries (server realm `X-CACHECONF:`).
    pub fn is_config(&self) -> bool {
        self.server.realm == CONFIG_REALM
            && self.server.components.first().map(String::as_str) == Some(CONFIG_COMPONENT)
    }

    /// The configuration key and associated principal name of a
    /// configuration entry, e.g. `("pa_type", Some("krbtgt/R@R"))`.
    pub fn config_key(&self) -> Option<(&str, Option<&str>)> {
        if !self.is_config() {
            return None;
        }
        let key = self.server.components.get(1)?;
        Some((
            key.as_str(),
            self.server.components.get(2).map(String::as_str),
        ))
    }

    /// Builds a configuration entry the way MIT does: the value goes in the
    /// ticket field, everything else is zero.
    pub fn config_entry(
        client: &Principal,
        key: &str,
        principal: Option<&Principal>,
        value: &[u8],
    ) -> Self {
        let mut components = vec![CONFIG_COMPONENT.to_owned(), key.to_owned()];
        if let Some(p) = principal {
            components.push(p.to_string());
        }
        Self {
            client: client.clone(),
            server: Principal {
                name_type: crate::keytab::principal::NT_UNKNOWN,
                components,
                realm: CONFIG_REALM.to_owned(),
            },
            ticket: value.to_vec(),
            ..Self::default()
        }
    }
}

/// A credential cache's contents.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CredentialCache {
    /// The cache owner.
    pub default_principal: Principal,
    /// Credentials and configuration entries, in file order.
    pub credentials: Vec<Credential>,
    /// KDC time offset (seconds, microseconds), header tag 1.
    pub time_offset: Option<(i32, i32)>,
    /// Other header fields (tag, value), kept so they survive a rewrite.
    pub other_header_fields: Vec<(u16, Vec<u8>)>,
}

impl CredentialCache {
    /// An empty cache for `principal`.
    pub fn new(principal: Principal) -> Self {
        Self {
            default_principal: principal,
            ..Self::default()
        }
    }

    /// Parses a FILE cache image (version 4 or 3).
    pub fn parse(bytes: &[u8]) -> Result<Self, CcacheError> {
        wire::parse(bytes)
    }

    /// Encodes as a version 4 FILE cache image (zeroized on drop: it holds
    /// session keys).
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, CcacheError> {
        wire::serialize(self)
    }

    /// The credential for `server` (configuration entries skipped). If
    /// several match, the one that ends last.
    pub fn find(&self, server: &Principal) -> Option<&Credential> {
        self.credentials
            .iter()
            .filter(|c| !c.is_config() && c.server.same_name(server))
            .max_by_key(|c| c.endtime)
    }

    /// Credentials that are not configuration entries.
    pub fn tickets(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.iter().filter(|c| !c.is_config())
    }

    /// The value of configuration entry `key` (associated with `principal`
    /// when given), e.g. `config("fast_avail", None)`.
    pub fn config(&self, key: &str, principal: Option<&Principal>) -> Option<&[u8]> {
        let want = principal.map(ToString::to_string);
        self.credentials
            .iter()
            .find(|c| c.config_key() == Some((key, want.as_deref())))
            .map(|c| c.ticket.as_slice())
    }

    /// Sets (replacing any previous) configuration entry `key`.
    pub fn set_config(&mut self, key: &str, principal: Option<&Principal>, value: &[u8]) {
        let want = principal.map(ToString::to_string);
        self.credentials
            .retain(|c| c.config_key() != Some((key, want.as_deref())));
        let entry = Credential::config_entry(&self.default_principal, key, principal, value);
        self.credentials.push(entry);
    }
}
