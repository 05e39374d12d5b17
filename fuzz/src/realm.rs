//! The realm of the KDC-side targets: a real SQLite principal store in a
//! temporary directory, made once per fuzzing process, whose keys the
//! targets read back so they can build requests that decrypt.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::{MasterKey, PrincipalFlags, PrincipalStore, SqliteStore, StoreOptions};
use tessera_kdc::realm::{KeySource, PrincipalAttrs, create_principal};
use tessera_proto::crypto::{EncType, Key, Password};

use crate::forge::NOW;

pub const REALM: &str = "FUZZ.TEST";
pub const PASSWORD: &str = "fuzz password 1";
/// alice: password, AES keys, pre-authentication required.
pub const ALICE: &str = "alice@FUZZ.TEST";
/// bob: password, no pre-authentication required (AS-REP without preauth).
pub const BOB: &str = "bob@FUZZ.TEST";
pub const KRBTGT: &str = "krbtgt/FUZZ.TEST@FUZZ.TEST";
/// A service with every RFC enctype and the native one.
pub const SERVICE: &str = "host/server.fuzz@FUZZ.TEST";
pub const CHANGEPW: &str = "kadmin/changepw@FUZZ.TEST";
pub const ADMIN: &str = "kadmin/admin@FUZZ.TEST";

/// The realm: store, configuration, and the directory holding them.
pub struct FuzzRealm {
    pub dir: PathBuf,
    pub store: Arc<dyn PrincipalStore>,
    pub config: KdcConfig,
}

fn t(secs: i64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
}

/// Removes realm directories of fuzzing processes that are gone (libFuzzer
/// exits without running destructors, so each process leaves one).
fn remove_stale(parent: &Path) {
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("tessera-fuzz-realm-")
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The realm, created on first use.
pub fn realm() -> &'static FuzzRealm {
    static REALM_ONCE: OnceLock<FuzzRealm> = OnceLock::new();
    REALM_ONCE.get_or_init(make)
}

fn make() -> FuzzRealm {
    let parent = std::env::temp_dir();
    remove_stale(&parent);
    let dir = parent.join(format!("tessera-fuzz-realm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let text = format!(
        "realm = \"{REALM}\"\n[database]\ndir = \"{}\"\nmaster_key_env = \"TESSERA_FUZZ_UNUSED\"\n",
        dir.display()
    );
    let config = KdcConfig::parse(&text, "kdc.toml", &dir).unwrap_or_else(|e| panic!("{e}"));
    let opts = StoreOptions {
        refresh_interval: Duration::from_secs(3600),
        ..StoreOptions::default()
    };
    let store: Arc<dyn PrincipalStore> = Arc::new(
        SqliteStore::create(
            &dir.join("db.sqlite3"),
            REALM,
            MasterKey::from_bytes([7; 32]),
            opts,
        )
        .unwrap_or_else(|e| panic!("store: {e}")),
    );
    let attrs = PrincipalAttrs::from_policy(&config.policy);
    let created = t(NOW - 86400);
    let all = [
        EncType::Aes256GcmArgon2id,
        EncType::Aes256CtsHmacSha384192,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha196,
    ];
    let rfc = [EncType::Aes256CtsHmacSha196, EncType::Aes128CtsHmacSha196];
    let mk = |name: &str, src: KeySource<'_>, etypes: &[EncType], attrs: &PrincipalAttrs| {
        create_principal(store.as_ref(), name, src, etypes, attrs, created)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    };
    mk(KRBTGT, KeySource::Random, &all, &attrs);
    mk(
        ALICE,
        KeySource::Password(&Password::new(PASSWORD)),
        &rfc,
        &attrs,
    );
    let mut nopre = attrs.clone();
    nopre.flags.set(PrincipalFlags::REQUIRES_PREAUTH, false);
    mk(
        BOB,
        KeySource::Password(&Password::new(PASSWORD)),
        &rfc,
        &nopre,
    );
    mk(SERVICE, KeySource::Random, &all, &attrs);
    let mut cpw = attrs.clone();
    cpw.flags |= PrincipalFlags::PWCHANGE_SERVICE;
    mk(CHANGEPW, KeySource::Random, &rfc, &cpw);
    mk(ADMIN, KeySource::Random, &rfc, &attrs);
    FuzzRealm { dir, store, config }
}

impl FuzzRealm {
    /// The current key of `etype` of principal `name`, and its kvno.
    pub fn key(&self, name: &str, etype: EncType) -> Option<(Key, u32)> {
        let e = self.store.get(name).ok()??;
        let kvno = e.current_kvno();
        let kd = e.key(kvno, etype.as_i32())?;
        Some((Key::from_bytes(etype, kd.key.as_bytes()).ok()?, kvno))
    }

    /// Every current key of principal `name`.
    pub fn keys(&self, name: &str) -> Vec<(Key, u32)> {
        EncType::ALL
            .iter()
            .filter_map(|&e| self.key(name, e))
            .collect()
    }
}
