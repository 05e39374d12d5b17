//! Realm setup and principal creation on top of [`PrincipalStore`]:
//! [`init_realm`], [`open_store`], [`create_principal`], [`change_keys`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_proto::crypto::{CryptoError, EncType, Key, Password};

use crate::config::{ENCTYPE_NATIVE, KdcConfig, MasterKeySource, PolicyConfig};
use crate::db::entry::{SALT_TYPE_NORMAL, SALT_TYPE_RANDOM_KEY, truncate_to_secs};
use crate::db::{
    DbError, KeyMaterial, MasterKey, MasterKeyError, NewKey, PrincipalEntry, PrincipalFlags,
    PrincipalStore, SaltInfo, SqliteStore, StoreOptions, default_salt, split_principal,
};

/// Errors of realm setup and principal creation. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum RealmError {
    /// Database error.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Master key error.
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    /// Key derivation error.
    #[error("key derivation failed: {0}")]
    Crypto(#[from] CryptoError),
    /// An enctype number this build does not implement.
    #[error("enctype {0} is not supported")]
    UnsupportedEnctype(i32),
    /// No enctype to create keys for.
    #[error("no enctypes given for the new keys")]
    NoEnctypes,
    /// Malformed name or one outside the store's realm.
    #[error("invalid principal name {0:?} (expected comp/comp@{1})")]
    InvalidName(String, String),
    /// Filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// Where the keys of a new principal come from.
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// string-to-key of this password with the default salt and parameters.
    Password(&'a Password),
    /// Random keys (services, krbtgt).
    Random,
}

/// Attributes of a new principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalAttrs {
    /// Flags.
    pub flags: PrincipalFlags,
    /// Longest ticket life (None = realm maximum).
    pub max_life: Option<Duration>,
    /// Longest renewable life (None = realm maximum).
    pub max_renewable_life: Option<Duration>,
    /// Principal expiration.
    pub expiration: Option<SystemTime>,
    /// Password expiration.
    pub pw_expiration: Option<SystemTime>,
    /// Policy name.
    pub policy: Option<String>,
    /// Recorded as `modified_by`.
    pub modified_by: Option<String>,
}

impl PrincipalAttrs {
    /// Defaults for a new principal under the realm policy: MIT-like
    /// `allow_*` flags, preauth required when the realm says so, realm
    /// lifetimes.
    pub fn from_policy(policy: &PolicyConfig) -> Self {
        PrincipalAttrs {
            flags: PrincipalFlags::new_principal_default(policy.require_preauth),
            max_life: None,
            max_renewable_life: None,
            expiration: None,
            pw_expiration: None,
            policy: None,
            modified_by: None,
        }
    }
}

/// `krbtgt/REALM@REALM`.
pub fn krbtgt_name(realm: &str) -> String {
    format!("krbtgt/{realm}@{realm}")
}

/// Maps configured enctype numbers to [`EncType`]s.
pub fn enctypes_from_numbers(numbers: &[i32]) -> Result<Vec<EncType>, RealmError> {
    numbers
        .iter()
        .map(|&n| EncType::from_i32(n).ok_or(RealmError::UnsupportedEnctype(n)))
        .collect()
}

/// Long-term enctypes for a service principal: the RFC (non-native)
/// enctypes of the first list in `lists` that has any, since MIT services
/// cannot decrypt tickets in the native enctype; when no list has an RFC
/// enctype, every known enctype of the first list that has any.
/// Unknown numbers are skipped.
pub fn service_enctypes(lists: &[&[i32]]) -> Vec<EncType> {
    let pick = |list: &[i32], rfc_only: bool| -> Vec<EncType> {
        list.iter()
            .filter(|&&n| !rfc_only || n != ENCTYPE_NATIVE)
            .filter_map(|&n| EncType::from_i32(n))
            .collect()
    };
    [true, false]
        .into_iter()
        .flat_map(|rfc_only| lists.iter().map(move |list| pick(list, rfc_only)))
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

fn check_name(store_realm: &str, name: &str) -> Result<(), RealmError> {
    match split_principal(name) {
        Some((_, realm)) if realm == store_realm => Ok(()),
        _ => Err(RealmError::InvalidName(
            name.to_owned(),
            store_realm.to_owned(),
        )),
    }
}

/// Derives one key per enctype for `name` from `source`. The salt is MIT's
/// default (realm followed by the name components) and the string-to-key
/// parameters are each enctype's default; both are recorded with the key.
pub fn derive_keys(
    name: &str,
    source: KeySource<'_>,
    enctypes: &[EncType],
) -> Result<Vec<NewKey>, RealmError> {
    if enctypes.is_empty() {
        return Err(RealmError::NoEnctypes);
    }
    let salt = default_salt(name)
        .ok_or_else(|| RealmError::InvalidName(name.to_owned(), String::from("REALM")))?;
    let mut out = Vec::with_capacity(enctypes.len());
    for &etype in enctypes {
        let s2kparams = etype.default_s2kparams();
        let (key, salt_type) = match source {
            KeySource::Password(pw) => (
                Key::from_password(etype, pw, &salt, Some(&s2kparams))?,
                SALT_TYPE_NORMAL,
            ),
            KeySource::Random => (Key::random(etype)?, SALT_TYPE_RANDOM_KEY),
        };
        out.push(NewKey {
            enctype: etype.as_i32(),
            key: KeyMaterial::from_slice(key.as_bytes()),
            salt: Some(SaltInfo {
                salt_type,
                salt: salt.clone(),
                s2kparams: Some(s2kparams),
            }),
        });
    }
    Ok(out)
}

/// Creates principal `name` (which must be in the store's realm) with kvno 1
/// keys for `enctypes` from `source`, and returns the stored entry.
pub fn create_principal(
    store: &dyn PrincipalStore,
    name: &str,
    source: KeySource<'_>,
    enctypes: &[EncType],
    attrs: &PrincipalAttrs,
    now: SystemTime,
) -> Result<Arc<PrincipalEntry>, RealmError> {
    check_name(store.realm(), name)?;
    let keys = derive_keys(name, source, enctypes)?;
    let mut entry = PrincipalEntry::new(name, attrs.flags, now);
    entry.max_life = attrs.max_life;
    entry.max_renewable_life = attrs.max_renewable_life;
    entry.expiration = attrs.expiration;
    entry.pw_expiration = attrs.pw_expiration;
    entry.policy = attrs.policy.clone();
    entry.modified_by = attrs.modified_by.clone();
    entry.keys = keys
        .into_iter()
        .map(|k| crate::db::KeyData {
            kvno: 1,
            enctype: k.enctype,
            key: k.key,
            salt: k.salt,
        })
        .collect();
    store.create(&entry)?;
    store
        .get(name)?
        .ok_or_else(|| RealmError::Db(DbError::NotFound(name.to_owned())))
}

/// Gives an existing principal a new key set (kvno + 1) from `source`,
/// keeping `keep_old` older kvnos; returns the new kvno.
pub fn change_keys(
    store: &dyn PrincipalStore,
    name: &str,
    source: KeySource<'_>,
    enctypes: &[EncType],
    keep_old: u32,
    now: SystemTime,
    modified_by: Option<&str>,
) -> Result<u32, RealmError> {
    check_name(store.realm(), name)?;
    let keys = derive_keys(name, source, enctypes)?;
    Ok(store.add_key_set(name, keys, keep_old, truncate_to_secs(now), modified_by)?)
}

/// What [`init_realm`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The database file created.
    pub db_path: PathBuf,
    /// The stash file written, when one was created.
    pub stash_created: Option<PathBuf>,
    /// The krbtgt principal created.
    pub krbtgt: String,
}

/// Store options from the configuration.
pub fn store_options(config: &KdcConfig) -> StoreOptions {
    StoreOptions {
        refresh_interval: config.database.refresh_interval,
        ..StoreOptions::default()
    }
}

/// Creates a realm: the data directory (0700), the master key stash file
/// when file-configured and absent (an env-configured key must be set), the
/// database, and `krbtgt/REALM@REALM` with random keys for the default
/// principal enctypes.
pub fn init_realm(config: &KdcConfig) -> Result<InitReport, RealmError> {
    let dir = &config.database.dir;
    let io = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| RealmError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    let db_path = config.database.db_path();
    if db_path.exists() {
        return Err(DbError::AlreadyInitialized(db_path.display().to_string()).into());
    }
    let mut stash_created = None;
    let mkey = match &config.database.master_key {
        MasterKeySource::File(path) if !path.exists() => {
            let mk = MasterKey::generate()?;
            mk.write_stash(path)?;
            stash_created = Some(path.clone());
            mk
        }
        source => MasterKey::load(source)?,
    };
    let store = SqliteStore::create(&db_path, &config.realm, mkey, store_options(config))?;
    let enctypes = enctypes_from_numbers(&config.policy.default_principal_enctypes)?;
    let krbtgt = krbtgt_name(&config.realm);
    let mut attrs = PrincipalAttrs::from_policy(&config.policy);
    attrs.modified_by = Some("tessera-kdc init".to_owned());
    create_principal(
        &store,
        &krbtgt,
        KeySource::Random,
        &enctypes,
        &attrs,
        SystemTime::now(),
    )?;
    Ok(InitReport {
        db_path,
        stash_created,
        krbtgt,
    })
}

/// Opens the realm's database as configured: loads the master key (missing
/// or wrong key: one clear error) and loads every principal into memory.
/// Lookups check for other processes' writes by themselves (good for tools);
/// a server should use [`open_store_with`] with `refresh_on_get: false` and
/// run [`crate::db::refresh_loop`].
pub fn open_store(config: &KdcConfig) -> Result<SqliteStore, RealmError> {
    open_store_with(config, store_options(config))
}

/// [`open_store`] with explicit store options.
pub fn open_store_with(config: &KdcConfig, opts: StoreOptions) -> Result<SqliteStore, RealmError> {
    let db_path = config.database.db_path();
    if !db_path.exists() {
        return Err(DbError::NotInitialized(db_path.display().to_string()).into());
    }
    let mkey = MasterKey::load(&config.database.master_key)?;
    Ok(SqliteStore::open(&db_path, &config.realm, mkey, opts)?)
}

#[cfg(test)]
mod tests {
    use super::service_enctypes;
    use crate::config::ENCTYPE_NATIVE;
    use tessera_proto::crypto::EncType;

    #[test]
    fn service_enctypes_prefer_rfc_then_first_non_empty_list() {
        let n = ENCTYPE_NATIVE;
        assert_eq!(
            service_enctypes(&[&[n, 20, 18], &[n, 20, 19, 18, 17]]),
            vec![
                EncType::Aes256CtsHmacSha384192,
                EncType::Aes256CtsHmacSha196
            ]
        );
        assert_eq!(
            service_enctypes(&[&[n], &[n, 17]]),
            vec![EncType::Aes128CtsHmacSha196]
        );
        assert_eq!(service_enctypes(&[&[n], &[n]]).len(), 1);
        assert!(service_enctypes(&[&[], &[9999]]).is_empty());
    }
}
