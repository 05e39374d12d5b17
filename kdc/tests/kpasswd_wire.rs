//! The kpasswd service on malformed input: nothing that does not decode as
//! a request gets a reply (each is counted), and no input panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_kdc::admin::AdminService;
use tessera_kdc::admin_server::{ensure_service_principals, keytab_from_store};
use tessera_kdc::db::PrincipalStore;
use tessera_kdc::dev::{DevOptions, prepare};
use tessera_kdc::kpasswd::KpasswdService;
use tessera_kdc::realm::open_store;
use tessera_proto::msg::KpasswdReply;

fn service() -> (tempfile::TempDir, KpasswdService, Arc<dyn PrincipalStore>) {
    let tmp = tempfile::tempdir().unwrap();
    let dev = prepare(&DevOptions::new(tmp.path().join("realm"), 1)).unwrap();
    let store: Arc<dyn PrincipalStore> = Arc::new(open_store(&dev.config).unwrap());
    ensure_service_principals(store.as_ref(), &dev.config, SystemTime::now()).unwrap();
    let admin = Arc::new(AdminService::from_config(Arc::clone(&store), &dev.config));
    (
        tmp,
        KpasswdService::new(admin, Duration::from_secs(300)),
        store,
    )
}

fn peer() -> SocketAddr {
    "127.0.0.1:5555".parse().unwrap()
}

fn framed(version: u16, ap: &[u8], tail: &[u8]) -> Vec<u8> {
    let total = u16::try_from(6 + ap.len() + tail.len()).unwrap();
    let mut v = total.to_be_bytes().to_vec();
    v.extend_from_slice(&version.to_be_bytes());
    v.extend_from_slice(&u16::try_from(ap.len()).unwrap().to_be_bytes());
    v.extend_from_slice(ap);
    v.extend_from_slice(tail);
    v
}

#[test]
fn service_principals_exist_with_keys() {
    let (_tmp, _svc, store) = service();
    for name in ["kadmin/admin@TESSERA.TEST", "kadmin/changepw@TESSERA.TEST"] {
        let kt = keytab_from_store(store.as_ref(), name).unwrap();
        assert!(!kt.entries.is_empty(), "{name} has no keys");
        assert!(
            kt.entries.iter().all(|e| e.enctype > 0),
            "{name}: RFC enctypes only"
        );
    }
    let e = store.get("kadmin/changepw@TESSERA.TEST").unwrap().unwrap();
    assert!(
        e.flags
            .contains(tessera_kdc::db::PrincipalFlags::PWCHANGE_SERVICE)
    );
}

#[test]
fn malformed_requests_are_dropped() {
    let (_tmp, svc, _store) = service();
    let now = SystemTime::now();
    // Too short, wrong length field, garbage ASN.1, unknown version: no
    // reply (MIT's fix of CVE-2002-2443), but counted.
    for bad in [
        vec![],
        vec![0, 1],
        vec![0, 10, 0, 1, 0, 0],
        framed(1, b"not an ap-req", b"nor a priv"),
        framed(7, b"x", b"y"),
    ] {
        assert!(svc.process(&bad, peer(), now).is_none(), "{bad:?}");
    }
    assert_eq!(
        svc.stats()
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed),
        5
    );
}

#[test]
fn mutated_bytes_never_panic() {
    let (_tmp, svc, _store) = service();
    let now = SystemTime::now();
    let base = framed(
        0xff80,
        &[0x6e, 0x03, 0x02, 0x01, 0x05],
        &[0x75, 0x03, 0x02, 0x01, 0x05],
    );
    let mut seed = 0x1234_5678_u32;
    for _ in 0..2000 {
        let mut m = base.clone();
        for _ in 0..3 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let i = (seed as usize) % m.len();
            m[i] = (seed >> 16) as u8;
        }
        if let Some(r) = svc.process(&m, peer(), now) {
            assert!(KpasswdReply::decode(&r).is_ok());
        }
    }
    assert!(
        svc.stats()
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );
}

#[test]
fn listen_settings_default_and_configured() {
    use tessera_kdc::config::KdcConfig;
    let base = "realm = \"C.TEST\"\n[database]\ndir = \"d\"\nmaster_key_file = \"m\"\n";
    let c = KdcConfig::parse(base, "kdc.toml", std::path::Path::new("/x")).unwrap();
    assert!(!c.admin.listen_configured && !c.kpasswd.listen_configured);
    assert!(c.admin.listen.iter().all(|a| a.port() == 749));
    assert!(c.kpasswd.listen.iter().all(|a| a.port() == 464));
    let text = format!("{base}[admin]\nlisten = [\"127.0.0.1:7490\"]\n[kpasswd]\nlisten = []\n");
    let c = KdcConfig::parse(&text, "kdc.toml", std::path::Path::new("/x")).unwrap();
    assert!(c.admin.listen_configured && c.kpasswd.listen_configured);
    assert_eq!(c.admin.listen, vec!["127.0.0.1:7490".parse().unwrap()]);
    assert!(c.kpasswd.listen.is_empty());
    let bad = format!("{base}[kpasswd]\nlisten = [\"nohost\"]\n");
    let e = KdcConfig::parse(&bad, "kdc.toml", std::path::Path::new("/x")).unwrap_err();
    assert!(e.to_string().contains("kpasswd.listen"), "{e}");
}

#[test]
fn native_only_realm_still_gets_service_principals() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = DevOptions {
        enctypes: Some(vec![-32341]),
        ..DevOptions::new(tmp.path().join("realm"), 1)
    };
    let dev = prepare(&opts).unwrap();
    let store = open_store(&dev.config).unwrap();
    let kt = keytab_from_store(&store, "kadmin/changepw@TESSERA.TEST").unwrap();
    assert!(kt.entries.iter().all(|e| e.enctype == -32341) && !kt.entries.is_empty());
}
