//! Realm creation, principal creation from passwords and random keys, and
//! opening the realm with the right / wrong / missing master key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::SystemTime;

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::{PrincipalFlags, PrincipalStore};
use tessera_kdc::realm::{
    KeySource, PrincipalAttrs, RealmError, change_keys, create_principal, init_realm, krbtgt_name,
    open_store,
};
use tessera_proto::crypto::{EncType, Key, Password};

fn write_config(dir: &Path, extra_db: &str) -> KdcConfig {
    let text = format!(
        r#"
realm = "TEST.REALM"
[network]
udp_listen = ["127.0.0.1:0"]
tcp_listen = ["127.0.0.1:0"]
[database]
dir = "data"
{extra_db}
"#
    );
    let path = dir.join("kdc.toml");
    std::fs::write(&path, text).unwrap();
    KdcConfig::load(&path).unwrap()
}

#[test]
fn init_creates_stash_db_and_krbtgt() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), r#"master_key_file = "data/master.key""#);
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let report = init_realm(&config).unwrap();
    let stash = dir.path().join("data/master.key");
    assert_eq!(report.stash_created.as_deref(), Some(stash.as_path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&stash), 0o600);
        assert_eq!(mode(&dir.path().join("data")), 0o700);
    }
    assert_eq!(report.krbtgt, "krbtgt/TEST.REALM@TEST.REALM");

    // Second init refuses.
    assert!(
        init_realm(&config)
            .unwrap_err()
            .to_string()
            .contains("already initialized")
    );

    let store = open_store(&config).unwrap();
    let tgt = store.get(&krbtgt_name("TEST.REALM")).unwrap().unwrap();
    assert_eq!(tgt.current_kvno(), 1);
    let etypes: Vec<i32> = tgt.keys.iter().map(|k| k.enctype).collect();
    assert_eq!(etypes, vec![-32341, 20, 18]);
    assert_eq!(tgt.key(1, 20).unwrap().key.as_bytes().len(), 32);
    assert!(
        tgt.flags
            .contains(PrincipalFlags::REQUIRES_PREAUTH | PrincipalFlags::ALLOW_TIX)
    );
    assert_eq!(tgt.modified_by.as_deref(), Some("tessera-kdc init"));
}

#[test]
fn wrong_or_missing_master_key_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), r#"master_key_file = "master.key""#);
    init_realm(&config).unwrap();
    let stash = dir.path().join("master.key");
    std::fs::remove_file(&stash).unwrap();
    let e = open_store(&config).unwrap_err().to_string();
    assert!(
        e.contains("master.key is missing") && e.contains("restore the stash file from backup"),
        "{e}"
    );
    std::fs::write(
        &stash,
        format!("tessera-master-key-v1:{}\n", "ab".repeat(32)),
    )
    .unwrap();
    let e = open_store(&config).unwrap_err().to_string();
    assert_eq!(e, "wrong master key for realm TEST.REALM");
}

#[test]
fn env_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let var = "TESSERA_TEST_MKEY_REALM_INIT";
    let config = write_config(dir.path(), &format!(r#"master_key_env = "{var}""#));
    // Unset: init cannot invent a key for an env source.
    let e = init_realm(&config).unwrap_err().to_string();
    assert!(e.contains(var) && e.contains("not set"), "{e}");
    // A set variable is exercised in cli.rs (child process environment).
}

#[test]
fn create_principal_with_password_uses_default_salt() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), r#"master_key_file = "master.key""#);
    init_realm(&config).unwrap();
    let store = open_store(&config).unwrap();
    let pw = Password::new("correct horse");
    let attrs = PrincipalAttrs::from_policy(&config.policy);
    let etypes = [
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
    ];
    let e = create_principal(
        &store,
        "user@TEST.REALM",
        KeySource::Password(&pw),
        &etypes,
        &attrs,
        SystemTime::now(),
    )
    .unwrap();
    let expected =
        Key::from_password(EncType::Aes256CtsHmacSha196, &pw, b"TEST.REALMuser", None).unwrap();
    let k18 = e.key(1, 18).unwrap();
    assert_eq!(k18.key.as_bytes(), expected.as_bytes());
    let salt = k18.salt.as_ref().unwrap();
    assert_eq!(salt.salt, b"TEST.REALMuser");
    assert_eq!(salt.s2kparams.as_deref(), Some(&4096u32.to_be_bytes()[..]));
    assert_eq!(e.key(1, 19).unwrap().key.as_bytes().len(), 16);

    // Names outside the realm and duplicates are refused.
    let e = create_principal(
        &store,
        "user@OTHER",
        KeySource::Random,
        &etypes,
        &attrs,
        SystemTime::now(),
    )
    .unwrap_err();
    assert!(matches!(e, RealmError::InvalidName(..)));
    let e = create_principal(
        &store,
        "user@TEST.REALM",
        KeySource::Random,
        &etypes,
        &attrs,
        SystemTime::now(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");

    // Service with random keys, then a key change keeps the old kvno.
    let svc = "host/localhost@TEST.REALM";
    create_principal(
        &store,
        svc,
        KeySource::Random,
        &etypes,
        &attrs,
        SystemTime::now(),
    )
    .unwrap();
    let kvno = change_keys(
        &store,
        svc,
        KeySource::Random,
        &etypes,
        1,
        SystemTime::now(),
        Some("test"),
    )
    .unwrap();
    assert_eq!(kvno, 2);
    let e = store.get(svc).unwrap().unwrap();
    assert_eq!(e.keys.len(), 4);
    assert_ne!(e.key(1, 18).unwrap().key, e.key(2, 18).unwrap().key);

    // Native enctype (Argon2id) from a password.
    let e = create_principal(
        &store,
        "native@TEST.REALM",
        KeySource::Password(&pw),
        &[EncType::Aes256GcmArgon2id],
        &attrs,
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(
        e.key(1, -32341)
            .unwrap()
            .salt
            .as_ref()
            .unwrap()
            .s2kparams
            .as_ref()
            .unwrap()
            .len(),
        12
    );
}
