//! The `kadmin/admin` and `kadmin/changepw` service principals both
//! services run as, and their keys as an in-memory keytab read straight
//! from the database (the services run inside the KDC process, so they
//! need no keytab file).

use std::time::{Duration, SystemTime};

use tessera_client::ap::{DEFAULT_REPLAY_PER_CLIENT, ENTRY_BYTES, ReplayCache, ReplayLimits};
use tessera_client::keytab::{Keytab, KeytabEntry, KtPrincipal};
use tessera_proto::msg::{NameType, Principal};
use zeroize::Zeroizing;

use crate::config::KdcConfig;
use crate::db::entry::to_unix;
use crate::db::{PrincipalFlags, PrincipalStore};
use crate::realm::{KeySource, PrincipalAttrs, RealmError, create_principal, service_enctypes};

/// The remote admin service's principal (without realm).
pub const ADMIN_SERVICE: &str = "kadmin/admin";
/// The password change service's principal (without realm).
pub const CHANGEPW_SERVICE: &str = "kadmin/changepw";

/// Authenticators the admin and kpasswd services each remember (10 MiB):
/// one authenticator per kadmin or kpasswd run, so even a provisioning
/// script running kadmin ten times a second stays within it over the
/// replay window; when full, the heaviest client's oldest go first.
pub const SERVICE_REPLAY_ENTRIES: usize = 1 << 16;

/// The replay cache of the admin or kpasswd service, for `skew`.
pub fn service_replay_cache(skew: Duration) -> ReplayCache {
    ReplayCache::with_limits(
        skew * 2,
        ReplayLimits {
            max_bytes: SERVICE_REPLAY_ENTRIES * ENTRY_BYTES,
            per_client: DEFAULT_REPLAY_PER_CLIENT,
        },
    )
}

/// `kadmin/admin@REALM` or `kadmin/changepw@REALM` as a protocol
/// principal (NT-SRV-INST, as MIT's clients ask for it).
pub fn service_principal(service: &str, realm: &str) -> Principal {
    Principal::new(
        NameType::SrvInst,
        service.split('/').map(str::to_owned).collect(),
        realm,
    )
}

/// Creates `kadmin/admin` and `kadmin/changepw` with random keys when they
/// are missing (as MIT's `kdb5_util create` does). `kadmin/changepw` gets
/// the `pwchange_service` flag (its tickets are issued even when the
/// client's password has expired) and a 5-minute maximum life;
/// `kadmin/admin` 3 hours. Returns the names created.
pub fn ensure_service_principals(
    store: &dyn PrincipalStore,
    config: &KdcConfig,
    now: SystemTime,
) -> Result<Vec<String>, RealmError> {
    // RFC enctypes when the realm has any (MIT's clients must be able to
    // use the session key), else whatever the realm allows.
    let p = &config.policy;
    let enctypes = service_enctypes(&[&p.default_principal_enctypes, &p.allowed_enctypes]);
    let mut created = Vec::new();
    for (service, life) in [
        (ADMIN_SERVICE, Duration::from_secs(3 * 3600)),
        (CHANGEPW_SERVICE, Duration::from_secs(300)),
    ] {
        let name = format!("{service}@{}", config.realm);
        if store.get(&name)?.is_some() {
            continue;
        }
        let mut attrs = PrincipalAttrs {
            modified_by: Some("tessera-kdc".to_owned()),
            max_life: Some(life),
            ..PrincipalAttrs::from_policy(&config.policy)
        };
        // Services do not pre-authenticate.
        attrs.flags.set(PrincipalFlags::REQUIRES_PREAUTH, false);
        if service == CHANGEPW_SERVICE {
            attrs.flags.set(PrincipalFlags::PWCHANGE_SERVICE, true);
        }
        create_principal(store, &name, KeySource::Random, &enctypes, &attrs, now)?;
        tracing::info!(principal = %name, "service principal created");
        created.push(name);
    }
    Ok(created)
}

/// Every key (all kvnos) of `name` as an in-memory keytab, fresh from the
/// store. Empty when the principal does not exist.
pub fn keytab_from_store(store: &dyn PrincipalStore, name: &str) -> Result<Keytab, RealmError> {
    let mut kt = Keytab::default();
    let Some(entry) = store.get(name)? else {
        return Ok(kt);
    };
    let Some((comps, realm)) = crate::db::split_principal(&entry.name) else {
        return Ok(kt);
    };
    let principal = KtPrincipal::new(NameType::SrvInst.as_i32(), comps, realm);
    let stamp = u32::try_from(to_unix(entry.modified)).unwrap_or(0);
    for k in &entry.keys {
        kt.entries.push(KeytabEntry {
            principal: principal.clone(),
            timestamp: stamp,
            kvno: k.kvno,
            enctype: k.enctype,
            key: Zeroizing::new(k.key.as_bytes().to_vec()),
        });
    }
    Ok(kt)
}
