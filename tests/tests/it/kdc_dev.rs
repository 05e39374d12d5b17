//! `tessera-kdc dev` (the library function behind it): the files it writes,
//! their modes, MIT's tools using them, and reuse on restart.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::PrincipalStore;
use tessera_kdc::dev::{DevError, DevOptions, prepare};
use tessera_tests::mit::{free_port, require_mit};
use tessera_tests::realm::{RealmOptions, TestRealm};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn dev_writes_the_realm_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dev-realm");
    let port = free_port();
    let dev = prepare(&DevOptions::new(&dir, port)).unwrap();
    assert!(dev.created && !dev.port_changed);
    assert_eq!(dev.realm, "TESSERA.TEST");
    assert!(dev.dir.is_absolute());
    assert_eq!(mode(&dev.dir), 0o700);
    for f in [
        "kdc.toml",
        "master.stash",
        "user.password",
        "admin.password",
        "service.keytab",
    ] {
        assert_eq!(mode(&dev.dir.join(f)), 0o600, "{f}");
    }

    // kdc.toml serves the same realm on the port.
    let config = KdcConfig::load(&dev.config_path()).unwrap();
    assert_eq!(config.realm, "TESSERA.TEST");
    assert!(config.network.udp_listen.iter().all(|a| a.port() == port));
    assert!(config.network.tcp_listen.iter().all(|a| a.port() == port));
    assert_eq!(config.database.dir, dev.dir);

    // krb5.conf for MIT's tools.
    let krb5 = std::fs::read_to_string(dev.krb5_conf()).unwrap();
    for want in [
        "default_realm = TESSERA.TEST".to_owned(),
        format!("kdc = 127.0.0.1:{port}"),
        "dns_lookup_kdc = false".to_owned(),
        "rdns = false".to_owned(),
        "dns_canonicalize_hostname = false".to_owned(),
    ] {
        assert!(krb5.contains(&want), "{want} missing from {krb5}");
    }

    // Passwords: one line each, distinct, and they are the principals'.
    let user = std::fs::read_to_string(dev.user_password()).unwrap();
    let admin = std::fs::read_to_string(dev.admin_password()).unwrap();
    assert!(
        user.ends_with('\n') && user.trim_end().len() >= 16,
        "{user:?}"
    );
    assert_eq!(user.lines().count(), 1);
    assert_ne!(user, admin);
    let store = tessera_kdc::realm::open_store(&config).unwrap();
    for p in [
        "user@TESSERA.TEST",
        "admin/admin@TESSERA.TEST",
        "host/localhost@TESSERA.TEST",
        "krbtgt/TESSERA.TEST@TESSERA.TEST",
    ] {
        assert!(store.get(p).unwrap().is_some(), "{p} missing");
    }

    // The howto names the export line with the absolute path.
    let howto = dev.howto();
    assert!(
        howto.contains(&format!(
            "export KRB5_CONFIG={}/krb5.conf",
            dev.dir.display()
        )),
        "{howto}"
    );
    assert!(howto.contains("kinit user < "), "{howto}");
}

#[test]
fn dev_reuses_the_realm_and_moves_ports() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    let port = free_port();
    let first = prepare(&DevOptions::new(&dir, port)).unwrap();
    let read = |f: &str| std::fs::read(first.dir.join(f)).unwrap();
    let before: Vec<Vec<u8>> = [
        "user.password",
        "admin.password",
        "service.keytab",
        "kdc.toml",
        "krb5.conf",
    ]
    .iter()
    .map(|f| read(f))
    .collect();

    // Same port: nothing changes.
    let again = prepare(&DevOptions::new(&dir, port)).unwrap();
    assert!(!again.created && !again.port_changed);
    let after: Vec<Vec<u8>> = [
        "user.password",
        "admin.password",
        "service.keytab",
        "kdc.toml",
        "krb5.conf",
    ]
    .iter()
    .map(|f| read(f))
    .collect();
    assert_eq!(before, after);

    // Another port: kdc.toml and krb5.conf follow, secrets stay.
    let other = port.wrapping_add(1).max(1024);
    let moved = prepare(&DevOptions::new(&dir, other)).unwrap();
    assert!(!moved.created && moved.port_changed);
    let config = KdcConfig::load(&moved.config_path()).unwrap();
    assert!(config.network.tcp_listen.iter().all(|a| a.port() == other));
    let krb5 = std::fs::read_to_string(moved.krb5_conf()).unwrap();
    assert!(krb5.contains(&format!("kdc = 127.0.0.1:{other}")), "{krb5}");
    assert_eq!(read("user.password"), before[0]);
    assert_eq!(read("service.keytab"), before[2]);

    // Another realm name on reuse is refused; port 0 is refused.
    let mut opts = DevOptions::new(&dir, other);
    opts.realm = Some("OTHER.TEST".into());
    assert!(matches!(
        prepare(&opts),
        Err(DevError::RealmMismatch { .. })
    ));
    assert!(matches!(
        prepare(&DevOptions::new(&dir, 0)),
        Err(DevError::PortZero)
    ));

    // A missing keytab is rewritten from the database, same keys.
    std::fs::remove_file(first.service_keytab()).unwrap();
    prepare(&DevOptions::new(&dir, other)).unwrap();
    let kt = read("service.keytab");
    assert_eq!(kt.len(), before[2].len());
}

#[test]
fn dev_realm_with_mit_tools_survives_restart() {
    if !require_mit() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dev-realm");
    let mut realm = TestRealm::serve_dir(&dir, &RealmOptions::default());
    let keytab = realm.dev.service_keytab();
    let keytab = keytab.to_str().unwrap().to_owned();

    // The service keytab holds every key of host/localhost.
    let r = realm.mit("klist", &["-k", "-e", &keytab], None);
    assert!(r.ok, "{r:?}");
    let entry = realm
        .store
        .get("host/localhost@TESSERA.TEST")
        .unwrap()
        .unwrap();
    assert_eq!(
        r.stdout.matches("host/localhost@TESSERA.TEST").count(),
        entry.keys.len(),
        "{r:?}"
    );

    // kinit user < DIR/user.password, klist, kvno, kvno -k.
    let password = realm.user_password();
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "kinit failed: {r:?}");
    let r = realm.mit("klist", &[], None);
    assert!(
        r.stdout.contains("krbtgt/TESSERA.TEST@TESSERA.TEST"),
        "{r:?}"
    );
    let r = realm.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "kvno failed: {r:?}");
    let r = realm.mit("kvno", &["-k", &keytab, "host/localhost"], None);
    assert!(r.stdout.contains("keytab entry valid"), "{r:?}");
    // admin/admin's password works too.
    let admin = std::fs::read_to_string(realm.dev.admin_password()).unwrap();
    let r = realm.mit("kinit", &["admin/admin"], Some(&admin));
    assert!(r.ok, "kinit admin/admin failed: {r:?}");

    // Restart (on another free port): same realm, same password.
    realm.stop();
    drop(realm);
    let realm = TestRealm::serve_dir(&dir, &RealmOptions::default());
    assert!(!realm.dev.created);
    assert_eq!(realm.user_password(), password);
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "kinit after restart failed: {r:?}");
    let r = realm.mit("kvno", &["-k", &keytab, "host/localhost"], None);
    assert!(r.stdout.contains("keytab entry valid"), "{r:?}");
}
