//! Principal database entries: the in-memory form of one principal.

use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use crate::time::{from_unix, to_unix, truncate_to_secs};

/// Principal attribute flags, stored as a bitset (`INTEGER` column).
///
/// The bit positions are part of the database format: never renumber them.
/// A principal is *disabled* when it lacks [`PrincipalFlags::ALLOW_TIX`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrincipalFlags(pub u32);

impl PrincipalFlags {
    /// AS requests for this client need pre-authentication.
    pub const REQUIRES_PREAUTH: Self = Self(1 << 0);
    /// AS requests need hardware pre-authentication (reserved).
    pub const REQUIRES_HWAUTH: Self = Self(1 << 1);
    /// Tickets may be issued for/to this principal at all (clear = disabled).
    pub const ALLOW_TIX: Self = Self(1 << 2);
    /// Forwardable tickets allowed.
    pub const ALLOW_FORWARDABLE: Self = Self(1 << 3);
    /// Renewable tickets allowed.
    pub const ALLOW_RENEWABLE: Self = Self(1 << 4);
    /// Proxiable tickets allowed.
    pub const ALLOW_PROXIABLE: Self = Self(1 << 5);
    /// Postdated tickets allowed.
    pub const ALLOW_POSTDATED: Self = Self(1 << 6);
    /// Service tickets may be issued for this principal (as a server).
    pub const ALLOW_SVR: Self = Self(1 << 7);
    /// User-to-user (ENC-TKT-IN-SKEY) allowed.
    pub const ALLOW_DUP_SKEY: Self = Self(1 << 8);
    /// The password must be changed: only the password-change service is
    /// reachable.
    pub const NEEDCHANGE: Self = Self(1 << 9);
    /// This principal is a password-change service.
    pub const PWCHANGE_SERVICE: Self = Self(1 << 10);
    /// Tickets for this service carry OK-AS-DELEGATE.
    pub const OK_AS_DELEGATE: Self = Self(1 << 11);
    /// This service may use S4U2Self with forwardable results.
    pub const OK_TO_AUTH_AS_DELEGATE: Self = Self(1 << 12);
    /// No PAC / authorization data needed in tickets for this service.
    pub const NO_AUTH_DATA_REQUIRED: Self = Self(1 << 13);
    /// Keys may not be extracted by admin tools.
    pub const LOCKDOWN_KEYS: Self = Self(1 << 14);
    /// Locked by an administrator (`kadmin lock`): ALLOW_TIX is cleared at
    /// the same time; `unlock` clears both this and the failure count.
    pub const ADMIN_LOCKED: Self = Self(1 << 15);

    /// Flags of a new principal (MIT-like defaults, plus preauth when the
    /// realm requires it).
    pub fn new_principal_default(require_preauth: bool) -> Self {
        let mut f = Self::ALLOW_TIX
            | Self::ALLOW_FORWARDABLE
            | Self::ALLOW_RENEWABLE
            | Self::ALLOW_PROXIABLE
            | Self::ALLOW_POSTDATED
            | Self::ALLOW_SVR
            | Self::ALLOW_DUP_SKEY;
        if require_preauth {
            f |= Self::REQUIRES_PREAUTH;
        }
        f
    }

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets or clears the bits of `other`.
    pub fn set(&mut self, other: Self, on: bool) {
        if on {
            self.0 |= other.0;
        } else {
            self.0 &= !other.0;
        }
    }

    /// Names of the set flags, for display and logs.
    pub fn names(self) -> Vec<&'static str> {
        FLAG_NAMES
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|&(_, n)| n)
            .collect()
    }
}

const FLAG_NAMES: &[(PrincipalFlags, &str)] = &[
    (PrincipalFlags::REQUIRES_PREAUTH, "requires_preauth"),
    (PrincipalFlags::REQUIRES_HWAUTH, "requires_hwauth"),
    (PrincipalFlags::ALLOW_TIX, "allow_tix"),
    (PrincipalFlags::ALLOW_FORWARDABLE, "allow_forwardable"),
    (PrincipalFlags::ALLOW_RENEWABLE, "allow_renewable"),
    (PrincipalFlags::ALLOW_PROXIABLE, "allow_proxiable"),
    (PrincipalFlags::ALLOW_POSTDATED, "allow_postdated"),
    (PrincipalFlags::ALLOW_SVR, "allow_svr"),
    (PrincipalFlags::ALLOW_DUP_SKEY, "allow_dup_skey"),
    (PrincipalFlags::NEEDCHANGE, "needchange"),
    (PrincipalFlags::PWCHANGE_SERVICE, "pwchange_service"),
    (PrincipalFlags::OK_AS_DELEGATE, "ok_as_delegate"),
    (
        PrincipalFlags::OK_TO_AUTH_AS_DELEGATE,
        "ok_to_auth_as_delegate",
    ),
    (
        PrincipalFlags::NO_AUTH_DATA_REQUIRED,
        "no_auth_data_required",
    ),
    (PrincipalFlags::LOCKDOWN_KEYS, "lockdown_keys"),
    (PrincipalFlags::ADMIN_LOCKED, "admin_locked"),
];

impl std::ops::BitOr for PrincipalFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for PrincipalFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for PrincipalFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrincipalFlags({:#x}: {})",
            self.0,
            self.names().join("|")
        )
    }
}

/// Raw key bytes. Zeroized on drop; Debug shows only the length.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct KeyMaterial(Vec<u8>);

impl KeyMaterial {
    /// Wraps key bytes (taken by value so no copy is left behind).
    pub fn new(bytes: Vec<u8>) -> Self {
        KeyMaterial(bytes)
    }

    /// Copies key bytes from a slice.
    pub fn from_slice(bytes: &[u8]) -> Self {
        KeyMaterial(bytes.to_vec())
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<Zeroizing<Vec<u8>>> for KeyMaterial {
    fn from(z: Zeroizing<Vec<u8>>) -> Self {
        KeyMaterial(z.to_vec())
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial(<{} bytes redacted>)", self.0.len())
    }
}

/// Salt type stored with a key: MIT's "normal" salt (realm followed by the
/// name components); the salt value itself is stored explicitly.
pub const SALT_TYPE_NORMAL: i32 = 0;
/// Salt type: the key is random, the salt only tells clients what to use
/// (still the normal salt string).
pub const SALT_TYPE_RANDOM_KEY: i32 = 1;

/// How a key was derived from a password: what ETYPE-INFO2 advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaltInfo {
    /// Salt type ([`SALT_TYPE_NORMAL`], ...).
    pub salt_type: i32,
    /// The salt string as sent in ETYPE-INFO2.
    pub salt: Vec<u8>,
    /// String-to-key parameters (None = enctype default).
    pub s2kparams: Option<Vec<u8>>,
}

/// One long-term key of a principal: one enctype at one kvno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyData {
    /// Key version number.
    pub kvno: u32,
    /// Enctype number (RFC 3961; -32341 for aes256-gcm-argon2id).
    pub enctype: i32,
    /// The decrypted key bytes.
    pub key: KeyMaterial,
    /// Salt and string-to-key parameters, when known.
    pub salt: Option<SaltInfo>,
}

/// Authentication outcome recorded for lockout ([`super::PrincipalStore::record_auth`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEvent {
    /// Pre-authentication succeeded: clears the failure count.
    Success,
    /// Pre-authentication failed: increments the failure count.
    Failure,
}

/// A principal entry as the KDC sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// Canonical name, `comp/comp@REALM`.
    pub name: String,
    /// Attribute flags.
    pub flags: PrincipalFlags,
    /// Longest ticket life for this principal (None = realm maximum).
    pub max_life: Option<Duration>,
    /// Longest renewable life (None = realm maximum).
    pub max_renewable_life: Option<Duration>,
    /// When the principal expires (None = never).
    pub expiration: Option<SystemTime>,
    /// When the password expires (None = never).
    pub pw_expiration: Option<SystemTime>,
    /// Creation time.
    pub created: SystemTime,
    /// Last modification time.
    pub modified: SystemTime,
    /// Who made the last modification (principal name or tool).
    pub modified_by: Option<String>,
    /// Policy name (policies come later).
    pub policy: Option<String>,
    /// Consecutive pre-authentication failures.
    pub fail_count: u32,
    /// Time of the last failure.
    pub last_failure: Option<SystemTime>,
    /// Time of the last success.
    pub last_success: Option<SystemTime>,
    /// Keys, every kvno kept; newest kvno first, then enctype order as
    /// created.
    pub keys: Vec<KeyData>,
    /// String attributes (`kadmin setstr`), as MIT keeps them: arbitrary
    /// key/value pairs in the order they were first set, keys unique.
    pub strings: Vec<(String, String)>,
}

impl PrincipalEntry {
    /// A fresh entry without keys, created `now`.
    pub fn new(name: impl Into<String>, flags: PrincipalFlags, now: SystemTime) -> Self {
        let now = truncate_to_secs(now);
        PrincipalEntry {
            name: name.into(),
            flags,
            max_life: None,
            max_renewable_life: None,
            expiration: None,
            pw_expiration: None,
            created: now,
            modified: now,
            modified_by: None,
            policy: None,
            fail_count: 0,
            last_failure: None,
            last_success: None,
            keys: Vec::new(),
            strings: Vec::new(),
        }
    }

    /// The highest kvno that has keys (0 when there are none).
    pub fn current_kvno(&self) -> u32 {
        self.keys.iter().map(|k| k.kvno).max().unwrap_or(0)
    }

    /// The key of `enctype` at `kvno`.
    pub fn key(&self, kvno: u32, enctype: i32) -> Option<&KeyData> {
        self.keys
            .iter()
            .find(|k| k.kvno == kvno && k.enctype == enctype)
    }

    /// Keys of the current kvno.
    pub fn current_keys(&self) -> impl Iterator<Item = &KeyData> {
        let kvno = self.current_kvno();
        self.keys.iter().filter(move |k| k.kvno == kvno)
    }

    /// Whether tickets may be issued at all (ALLOW_TIX set).
    pub fn is_enabled(&self) -> bool {
        self.flags.contains(PrincipalFlags::ALLOW_TIX)
    }

    /// Sorts keys newest kvno first (stable within a kvno).
    pub fn sort_keys(&mut self) {
        self.keys.sort_by_key(|k| std::cmp::Reverse(k.kvno));
    }
}

/// Splits a principal name `a/b@REALM` into its components and realm,
/// honouring `\` escapes. Returns None when there is no realm or an empty
/// component.
pub fn split_principal(name: &str) -> Option<(Vec<String>, String)> {
    let mut comps = Vec::new();
    let mut cur = String::new();
    let mut realm = String::new();
    let mut in_realm = false;
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        let target = if in_realm { &mut realm } else { &mut cur };
        match c {
            '\\' => {
                let n = chars.next()?;
                target.push(match n {
                    'n' => '\n',
                    't' => '\t',
                    'b' => '\u{8}',
                    '0' => '\0',
                    other => other,
                });
            }
            '/' if !in_realm => comps.push(std::mem::take(&mut cur)),
            '@' if !in_realm => {
                comps.push(std::mem::take(&mut cur));
                in_realm = true;
            }
            '/' | '@' => return None,
            _ => target.push(c),
        }
    }
    if !in_realm || realm.is_empty() || comps.iter().any(String::is_empty) {
        return None;
    }
    Some((comps, realm))
}

/// MIT's default salt for a principal: the realm followed by every name
/// component, without separators.
pub fn default_salt(name: &str) -> Option<Vec<u8>> {
    let (comps, realm) = split_principal(name)?;
    let mut s = realm.into_bytes();
    for c in comps {
        s.extend_from_slice(c.as_bytes());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn names_and_salt() {
        assert_eq!(
            split_principal("host/a.example@EX.COM"),
            Some((vec!["host".into(), "a.example".into()], "EX.COM".into()))
        );
        assert_eq!(split_principal("user"), None);
        assert_eq!(split_principal("a//b@R"), None);
        assert_eq!(split_principal("a@"), None);
        assert_eq!(
            split_principal("a\\/b@R").unwrap().0,
            vec!["a/b".to_string()]
        );
        assert_eq!(default_salt("krbtgt/R@R").unwrap(), b"RkrbtgtR".to_vec());
        assert_eq!(
            default_salt("user@EXAMPLE.COM").unwrap(),
            b"EXAMPLE.COMuser".to_vec()
        );
    }

    #[test]
    fn flags_and_redaction() {
        let f = PrincipalFlags::new_principal_default(true);
        assert!(f.contains(PrincipalFlags::REQUIRES_PREAUTH | PrincipalFlags::ALLOW_TIX));
        assert!(
            !PrincipalFlags::new_principal_default(false)
                .contains(PrincipalFlags::REQUIRES_PREAUTH)
        );
        let k = KeyMaterial::from_slice(&[1, 2, 3]);
        assert_eq!(format!("{k:?}"), "KeyMaterial(<3 bytes redacted>)");
        assert_eq!(to_unix(from_unix(-5)), -5);
        assert_eq!(to_unix(from_unix(1_700_000_000)), 1_700_000_000);
    }
}
