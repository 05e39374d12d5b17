//! Our `kadmin -l` (a separate process) changes the database while our KDC
//! serves it; MIT's kinit, kvno and klist see the changes: a password set
//! or changed by kadmin, a renamed principal (old salt kept), a keytab from
//! ktadd, lock and unlock.

use std::path::PathBuf;
use std::process::Command;

use tessera_kdc::db::PrincipalStore;
use tessera_tests::mit::{Run, require_mit};
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_remote::workspace_bin;

fn kadmin(bin: &PathBuf, realm: &TestRealm, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .arg("-l")
        .arg("--config")
        .arg(realm.dev.config_path())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert!(run.ok, "kadmin {args:?} failed: {run:?}");
    // No refresh here: the serving KDC honours the commit at the next
    // request by itself.
    run
}

fn kinit(realm: &TestRealm, who: &str, pw: &str) -> Run {
    realm.mit("kinit", &[who], Some(&format!("{pw}\n")))
}

#[test]
fn mit_kinit_with_passwords_set_by_kadmin() {
    if !require_mit() {
        return;
    }
    let Some(bin) = workspace_bin("kadmin") else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();

    kadmin(&bin, &realm, &["addprinc", "-pw", "Adm1n-set!", "carol"]);
    let r = kinit(&realm, "carol", "Adm1n-set!");
    assert!(r.ok, "kinit with the kadmin password failed: {r:?}");
    let r = realm.mit("klist", &[], None);
    assert!(
        r.stdout
            .contains(&format!("Default principal: carol@{r_name}")),
        "{r:?}"
    );

    // cpw: the old password stops working, the new one works.
    kadmin(&bin, &realm, &["cpw", "-pw", "N3w-pass!", "carol"]);
    let r = kinit(&realm, "carol", "Adm1n-set!");
    assert!(!r.ok, "old password still accepted: {r:?}");
    let r = kinit(&realm, "carol", "N3w-pass!");
    assert!(r.ok, "new password refused: {r:?}");

    // renprinc: the key keeps its old-name salt, which the KDC advertises.
    kadmin(&bin, &realm, &["renprinc", "-force", "carol", "caroline"]);
    let r = kinit(&realm, "caroline", "N3w-pass!");
    assert!(r.ok, "renamed principal's password refused: {r:?}");
    let r = kinit(&realm, "carol", "N3w-pass!");
    assert!(!r.ok, "old name still works: {r:?}");

    // lock / unlock.
    kadmin(&bin, &realm, &["lock", "caroline"]);
    let r = kinit(&realm, "caroline", "N3w-pass!");
    assert!(!r.ok, "locked principal got a TGT: {r:?}");
    kadmin(&bin, &realm, &["unlock", "caroline"]);
    let r = kinit(&realm, "caroline", "N3w-pass!");
    assert!(r.ok, "unlocked principal refused: {r:?}");
}

#[test]
fn mit_uses_keytab_from_kadmin_ktadd() {
    if !require_mit() {
        return;
    }
    let Some(bin) = workspace_bin("kadmin") else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let kt = realm.dir().join("svc.keytab");
    let kt_s = kt.to_str().unwrap();
    kadmin(&bin, &realm, &["addprinc", "-randkey", "host/svc.example"]);
    kadmin(
        &bin,
        &realm,
        &[
            "ktadd",
            "-k",
            kt_s,
            "-e",
            "aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha256-128",
            "host/svc.example",
        ],
    );
    // A direct read of the store, outside a KDC request, catches up first
    // (the KDC does so before each request by itself).
    realm.store.sync_changes().unwrap();
    let e = realm
        .store
        .get(&format!("host/svc.example@{r_name}"))
        .unwrap()
        .unwrap();
    assert_eq!(e.current_kvno(), 2);

    let r = realm.kinit_user(&[]);
    assert!(r.ok, "{r:?}");
    let r = realm.mit("kvno", &["host/svc.example"], None);
    assert!(r.ok, "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("host/svc.example@{r_name}: kvno = 2")),
        "{r:?}"
    );
    let r = realm.mit("kvno", &["-k", kt_s, "host/svc.example"], None);
    assert!(r.ok, "{r:?}");
    assert!(r.stdout.contains("kvno = 2, keytab entry valid"), "{r:?}");
    // The service authenticates with the keytab.
    let r = realm.mit("kinit", &["-k", "-t", kt_s, "host/svc.example"], None);
    assert!(r.ok, "kinit -k with the ktadd keytab failed: {r:?}");
}
