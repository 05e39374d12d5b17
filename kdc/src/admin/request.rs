//! Administration commands as data: [`AdminRequest`] in, [`AdminResponse`]
//! out. Both are serde-serializable so a remote protocol can carry them
//! (e.g. as JSON inside KRB-PRIV); `kadmin -l` builds them from the command
//! line and runs them directly. Times are seconds since the Unix epoch,
//! durations whole seconds, enctypes RFC 3961 numbers.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::db::Policy;

/// A password in a request. Zeroized on drop; Debug is redacted. It is
/// serialized as a plain string (the remote transport encrypts it).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Key bytes in a response (hex on the wire). Zeroized on drop; Debug is
/// redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct KeyBytes(pub Vec<u8>);

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyBytes(<{} bytes redacted>)", self.0.len())
    }
}

impl Serialize for KeyBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = zeroize::Zeroizing::new(hex::encode(&self.0));
        s.serialize_str(&h)
    }
}

impl<'de> Deserialize<'de> for KeyBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = zeroize::Zeroizing::new(String::deserialize(d)?);
        hex::decode(s.as_str())
            .map(KeyBytes)
            .map_err(|_| serde::de::Error::custom("key is not hex"))
    }
}

/// Where a principal's new keys come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySpec {
    /// string-to-key of this password.
    Password(Secret),
    /// Random keys.
    Random,
    /// No keys at all (`addprinc -nokey`).
    NoKey,
}

/// Attribute changes for `addprinc` / `modprinc`. `None` leaves a field
/// alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalMods {
    /// `-policy NAME` (Some(Some)) or `-clearpolicy` (Some(None)).
    pub policy: Option<Option<String>>,
    /// `-expire`: Some(None) = never.
    pub expiration: Option<Option<i64>>,
    /// `-pwexpire`: Some(None) = never.
    pub pw_expiration: Option<Option<i64>>,
    /// `-maxlife` in seconds (0 = realm maximum).
    pub max_life: Option<u64>,
    /// `-maxrenewlife` in seconds (0 = realm maximum).
    pub max_renewable_life: Option<u64>,
    /// Flag bits to set (`+allow_tix`, `-requires_preauth` clears...).
    pub set_flags: u32,
    /// Flag bits to clear.
    pub clear_flags: u32,
    /// `-kvno N` (modprinc only): renumber the current key set.
    pub kvno: Option<u32>,
    /// `-unlock` (modprinc only): clear the failure count.
    pub unlock: bool,
}

/// Changes for `addpol` / `modpol`. `None` leaves a field alone (a new
/// policy starts with no limits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyMods {
    /// `-maxlife` seconds.
    pub max_life: Option<u64>,
    /// `-minlife` seconds.
    pub min_life: Option<u64>,
    /// `-minlength`.
    pub min_length: Option<u32>,
    /// `-minclasses`.
    pub min_classes: Option<u32>,
    /// `-history`.
    pub history: Option<u32>,
    /// `-maxfailure`.
    pub max_failure: Option<u32>,
    /// `-failurecountinterval` seconds.
    pub failure_count_interval: Option<u64>,
    /// `-lockoutduration` seconds.
    pub lockout_duration: Option<u64>,
}

impl PolicyMods {
    /// Applies these changes to `p`.
    pub fn apply(&self, p: &mut Policy) {
        if let Some(v) = self.max_life {
            p.max_life = v;
        }
        if let Some(v) = self.min_life {
            p.min_life = v;
        }
        if let Some(v) = self.min_length {
            p.min_length = v;
        }
        if let Some(v) = self.min_classes {
            p.min_classes = v;
        }
        if let Some(v) = self.history {
            p.history = v;
        }
        if let Some(v) = self.max_failure {
            p.max_failure = v;
        }
        if let Some(v) = self.failure_count_interval {
            p.failure_count_interval = v;
        }
        if let Some(v) = self.lockout_duration {
            p.lockout_duration = v;
        }
    }
}

/// What `purgekeys` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurgeKeep {
    /// Keep kvnos >= N (and always the current one).
    KeepKvno(u32),
    /// Remove every key (`-all`).
    All,
}

/// One administration command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum AdminRequest {
    /// `addprinc`.
    AddPrincipal {
        /// Principal name (the realm is added when missing).
        name: String,
        /// Key source.
        keys: KeySpec,
        /// Enctypes (None = realm defaults).
        enctypes: Option<Vec<i32>>,
        /// Attributes.
        mods: PrincipalMods,
    },
    /// `delprinc`.
    DeletePrincipal {
        /// Principal name.
        name: String,
    },
    /// `modprinc`.
    ModifyPrincipal {
        /// Principal name.
        name: String,
        /// Changes.
        mods: PrincipalMods,
    },
    /// `renprinc`: keys keep their stored (old-name) salt.
    RenamePrincipal {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// `getprinc`.
    GetPrincipal {
        /// Principal name.
        name: String,
    },
    /// `listprincs` / `getprincs`.
    ListPrincipals {
        /// Glob (None = all).
        glob: Option<String>,
    },
    /// `cpw`.
    ChangePassword {
        /// Principal name.
        name: String,
        /// New key source (password or random).
        keys: KeySpec,
        /// Enctypes (None = those the principal has, else realm defaults).
        enctypes: Option<Vec<i32>>,
        /// `-keepold`: keep every previous kvno.
        keep_old: bool,
    },
    /// `ktadd`: returns keys for a keytab (randomized first unless
    /// `randomize` is false, which is allowed in local mode only).
    ExtractKeys {
        /// Principal name.
        name: String,
        /// Enctypes (None = all current keys / realm defaults).
        enctypes: Option<Vec<i32>>,
        /// Randomize the keys first (raising the kvno).
        randomize: bool,
    },
    /// `purgekeys`.
    PurgeKeys {
        /// Principal name.
        name: String,
        /// What to keep.
        keep: PurgeKeep,
    },
    /// `lock`: disable until `unlock`.
    Lock {
        /// Principal name.
        name: String,
    },
    /// `unlock`: clear the failure count, lockout and admin lock.
    Unlock {
        /// Principal name.
        name: String,
    },
    /// `addpol`.
    AddPolicy {
        /// Policy name.
        name: String,
        /// Limits.
        mods: PolicyMods,
    },
    /// `modpol`.
    ModifyPolicy {
        /// Policy name.
        name: String,
        /// Changes.
        mods: PolicyMods,
    },
    /// `delpol`.
    DeletePolicy {
        /// Policy name.
        name: String,
    },
    /// `getpol`.
    GetPolicy {
        /// Policy name.
        name: String,
    },
    /// `listpols`.
    ListPolicies {
        /// Glob (None = all).
        glob: Option<String>,
    },
    /// `getprivs`: what the caller may do.
    GetPrivileges,
    /// `getstrs`: a principal's string attributes.
    GetStrings {
        /// Principal name.
        name: String,
    },
    /// `setstr`: sets (or replaces) one string attribute.
    SetString {
        /// Principal name.
        name: String,
        /// Attribute name.
        key: String,
        /// Its value.
        value: String,
    },
    /// `delstr`: removes one string attribute (no error when absent).
    DeleteString {
        /// Principal name.
        name: String,
        /// Attribute name.
        key: String,
    },
}

impl AdminRequest {
    /// MIT's command name, for logs and output.
    pub fn command_name(&self) -> &'static str {
        match self {
            AdminRequest::AddPrincipal { .. } => "addprinc",
            AdminRequest::DeletePrincipal { .. } => "delprinc",
            AdminRequest::ModifyPrincipal { .. } => "modprinc",
            AdminRequest::RenamePrincipal { .. } => "renprinc",
            AdminRequest::GetPrincipal { .. } => "getprinc",
            AdminRequest::ListPrincipals { .. } => "listprincs",
            AdminRequest::ChangePassword { .. } => "cpw",
            AdminRequest::ExtractKeys { .. } => "ktadd",
            AdminRequest::PurgeKeys { .. } => "purgekeys",
            AdminRequest::Lock { .. } => "lock",
            AdminRequest::Unlock { .. } => "unlock",
            AdminRequest::AddPolicy { .. } => "addpol",
            AdminRequest::ModifyPolicy { .. } => "modpol",
            AdminRequest::DeletePolicy { .. } => "delpol",
            AdminRequest::GetPolicy { .. } => "getpol",
            AdminRequest::ListPolicies { .. } => "listpols",
            AdminRequest::GetPrivileges => "getprivs",
            AdminRequest::GetStrings { .. } => "getstrs",
            AdminRequest::SetString { .. } => "setstr",
            AdminRequest::DeleteString { .. } => "delstr",
        }
    }

    /// The principal, policy or glob the command acts on (for audit).
    pub fn target(&self) -> String {
        match self {
            AdminRequest::AddPrincipal { name, .. }
            | AdminRequest::DeletePrincipal { name }
            | AdminRequest::ModifyPrincipal { name, .. }
            | AdminRequest::GetPrincipal { name }
            | AdminRequest::ChangePassword { name, .. }
            | AdminRequest::ExtractKeys { name, .. }
            | AdminRequest::PurgeKeys { name, .. }
            | AdminRequest::Lock { name }
            | AdminRequest::Unlock { name }
            | AdminRequest::AddPolicy { name, .. }
            | AdminRequest::ModifyPolicy { name, .. }
            | AdminRequest::DeletePolicy { name }
            | AdminRequest::GetPolicy { name }
            | AdminRequest::GetStrings { name }
            | AdminRequest::SetString { name, .. }
            | AdminRequest::DeleteString { name, .. } => name.clone(),
            AdminRequest::GetPrivileges => String::new(),
            AdminRequest::RenamePrincipal { old, new } => format!("{old} -> {new}"),
            AdminRequest::ListPrincipals { glob } | AdminRequest::ListPolicies { glob } => {
                glob.clone().unwrap_or_else(|| "*".to_owned())
            }
        }
    }
}

/// One key of a principal as `getprinc` shows it (no key bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Key version number.
    pub kvno: u32,
    /// Enctype number.
    pub enctype: i32,
    /// Enctype name (or the number when unknown).
    pub enctype_name: String,
    /// Salt type name (`normal`, `random`...).
    pub salt_type: String,
    /// MIT's salt type number (`getprinc -terse`): 0 for normal salts and
    /// random keys, as MIT shows them.
    pub mit_salt_type: i32,
}

/// A principal as `getprinc` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalInfo {
    /// Canonical name.
    pub name: String,
    /// Principal expiration (None = never).
    pub expiration: Option<i64>,
    /// Time of the last key change (None = never).
    pub last_password_change: Option<i64>,
    /// Password expiration (None = never).
    pub pw_expiration: Option<i64>,
    /// Maximum ticket life in seconds: the principal's own, else the
    /// realm's (`policy.max_life`).
    pub max_life: u64,
    /// Maximum renewable life in seconds: the principal's own, else the
    /// realm's (`policy.max_renewable_life`).
    pub max_renewable_life: u64,
    /// Last modification time.
    pub modified: i64,
    /// Who made it.
    pub modified_by: Option<String>,
    /// Last successful pre-authentication.
    pub last_success: Option<i64>,
    /// Last failed pre-authentication.
    pub last_failure: Option<i64>,
    /// Failed attempts counted.
    pub fail_count: u32,
    /// Current kvno.
    pub kvno: u32,
    /// Every key (newest kvno first).
    pub keys: Vec<KeyInfo>,
    /// MIT attribute names (REQUIRES_PRE_AUTH, DISALLOW_ALL_TIX, ...).
    pub attributes: Vec<String>,
    /// The same as MIT's `KRB5_KDB_*` bits (`getprinc -terse`).
    pub attribute_bits: u32,
    /// Policy name.
    pub policy: Option<String>,
    /// Whether the principal is locked out now (admin lock or policy).
    pub locked: bool,
}

/// One string attribute of a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StringAttr {
    /// Attribute name.
    pub key: String,
    /// Value.
    pub value: String,
}

/// One extracted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedKey {
    /// Key version number.
    pub kvno: u32,
    /// Enctype number.
    pub enctype: i32,
    /// Key bytes.
    pub key: KeyBytes,
}

/// The result of a successful command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdminResponse {
    /// A change was made; `message` is MIT-like text.
    Done {
        /// What happened.
        message: String,
        /// The kvno after the change, when keys changed.
        kvno: Option<u32>,
    },
    /// `getprinc`.
    Principal(PrincipalInfo),
    /// `listprincs` / `listpols`.
    Names {
        /// Sorted names.
        names: Vec<String>,
    },
    /// `getpol`.
    Policy {
        /// The policy.
        policy: Policy,
        /// How many principals use it.
        reference_count: u64,
    },
    /// `getprivs`: MIT's privilege names the caller holds (INQUIRE, ADD,
    /// MODIFY, DELETE, then Tessera's LIST, CHANGEPW, EXTRACT, POLICY).
    Privileges {
        /// The names, in that order.
        privileges: Vec<String>,
    },
    /// `getstrs`.
    Strings {
        /// Canonical principal name.
        principal: String,
        /// The attributes, in the order they were first set.
        strings: Vec<StringAttr>,
    },
    /// `ktadd`: keys to write to a keytab.
    Keys {
        /// Canonical principal name.
        principal: String,
        /// The keys.
        keys: Vec<ExtractedKey>,
    },
}
