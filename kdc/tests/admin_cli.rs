//! `kadmin -l` as a real process: every command's happy path and errors,
//! `--json`, stdin mode with password prompts, keytabs read by MIT klist.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use std::process::Command;

use admin_common::{REALM, Realm, require_mit_klist};
use tessera_client::keytab::{Keytab, KtPrincipal};
use tessera_kdc::db::{PrincipalFlags, PrincipalStore};
use tessera_proto::crypto::{EncType, Key, Password};

fn alice() -> String {
    format!("alice@{REALM}")
}

/// Whether `password` with the stored salt of `name`'s current aes256 key
/// derives that key.
fn password_works(r: &Realm, name: &str, password: &str) -> bool {
    let store = r.store();
    let e = store.get(name).unwrap().unwrap();
    let k = e
        .current_keys()
        .find(|k| k.enctype == 18)
        .expect("aes256 key");
    let salt = k.salt.as_ref().unwrap();
    let d = Key::from_password(
        EncType::Aes256CtsHmacSha196,
        &Password::new(password),
        &salt.salt,
        salt.s2kparams.as_deref(),
    )
    .unwrap();
    d.as_bytes() == k.key.as_bytes()
}

#[test]
fn addprinc_getprinc_listprincs_delprinc() {
    let r = Realm::new("");
    let out = r.ok(&["addprinc", "-pw", "s3cret", "alice"]);
    assert_eq!(out, format!("Principal \"{}\" created.\n", alice()));
    assert!(password_works(&r, &alice(), "s3cret"));
    assert!(
        r.fails(&["addprinc", "-pw", "x", "alice"])
            .contains("already exists")
    );
    r.ok(&[
        "addprinc",
        "-randkey",
        "-e",
        "aes128-cts-hmac-sha1-96:normal",
        "host/a.example",
    ]);
    r.ok(&["addprinc", "-nokey", "nokeys"]);

    let g = r.ok(&["getprinc", "alice"]);
    for line in [
        "Principal: alice@ADMIN.TEST",
        "Expiration date: [never]",
        "Last password change: ",
        "Password expiration date: [never]",
        "Maximum ticket life: 0 days 10:00:00",
        "Maximum renewable life: 7 days 00:00:00",
        "Last modified: ",
        "Last successful authentication: [never]",
        "Last failed authentication: [never]",
        "Failed password attempts: 0",
        "Number of keys: 2",
        "Key: vno 1, aes256-cts-hmac-sha1-96",
        "Key: vno 1, aes128-cts-hmac-sha256-128",
        "MKey: vno 1",
        "Attributes: REQUIRES_PRE_AUTH",
        "Policy: [none]",
    ] {
        assert!(g.contains(line), "missing {line:?} in\n{g}");
    }
    assert!(g.contains("(local:tester)"), "{g}");
    let g = r.ok(&["getprinc", "host/a.example"]);
    assert!(g.contains("Number of keys: 1"), "{g}");
    assert!(g.contains("Key: vno 1, aes128-cts-hmac-sha1-96"), "{g}");
    assert!(r.ok(&["getprinc", "nokeys"]).contains("Number of keys: 0"));
    assert!(
        r.fails(&["getprinc", "nobody"])
            .contains("Principal does not exist")
    );
    assert!(
        r.fails(&["getprinc", "x@OTHER.REALM"])
            .contains("Principal does not exist: x@OTHER.REALM")
    );
    assert!(
        r.fails(&["getprinc", "a//b"])
            .contains("Malformed principal name")
    );

    let l = r.ok(&["listprincs"]);
    assert_eq!(
        l.lines().collect::<Vec<_>>(),
        vec![
            "alice@ADMIN.TEST",
            "host/a.example@ADMIN.TEST",
            "krbtgt/ADMIN.TEST@ADMIN.TEST",
            "nokeys@ADMIN.TEST"
        ]
    );
    assert_eq!(
        r.ok(&["getprincs", "host/*"]),
        "host/a.example@ADMIN.TEST\n"
    );

    assert_eq!(
        r.ok(&["delprinc", "-force", "alice"]),
        format!("Principal \"{}\" deleted.\n", alice())
    );
    assert!(
        r.fails(&["delprinc", "-force", "alice"])
            .contains("does not exist")
    );
    // Without -force and without a terminal: no question, proceeds.
    r.ok(&["delprinc", "nokeys"]);
    assert!(
        r.fails(&["delprinc", "-force", &format!("krbtgt/{REALM}")])
            .contains("refusing")
    );
    // Usage errors.
    assert!(r.fails(&["addprinc"]).contains("usage: addprinc"));
    assert!(
        r.fails(&["addprinc", "-bogus", "x"])
            .contains("unknown option")
    );
    assert!(r.fails(&["frob"]).contains("Unknown request"));
    assert!(
        r.fails(&["addprinc", "-e", "des-cbc-crc", "-randkey", "x"])
            .contains("enctype")
    );
    // The native enctype is allowed by default.
    r.ok(&["addprinc", "-e", "aes256-gcm-argon2id", "-randkey", "x"]);
    assert!(
        r.ok(&["getprinc", "x"])
            .contains("Key: vno 1, aes256-gcm-argon2id")
    );
}

#[test]
fn addprinc_flags_times_and_modprinc() {
    let r = Realm::new("");
    r.ok(&[
        "addprinc",
        "-randkey",
        "-maxlife",
        "10h",
        "-maxrenewlife",
        "2 days",
        "-expire",
        "2030-01-01 12:00:00",
        "-pwexpire",
        "never",
        "-requires_preauth",
        "-allow_forwardable",
        "+needchange",
        "svc",
    ]);
    let g = r.ok(&["getprinc", "svc"]);
    assert!(g.contains("Maximum ticket life: 0 days 10:00:00"), "{g}");
    assert!(g.contains("Maximum renewable life: 2 days 00:00:00"), "{g}");
    assert!(
        g.contains("Expiration date: Tue Jan 01 12:00:00 UTC 2030"),
        "{g}"
    );
    assert!(
        g.contains("Attributes: DISALLOW_FORWARDABLE REQUIRES_PWCHANGE"),
        "{g}"
    );
    r.ok(&[
        "modprinc",
        "+requires_preauth",
        "+allow_forwardable",
        "-allow_tix",
        "-expire",
        "never",
        "-maxlife",
        "0",
        "svc",
    ]);
    let g = r.ok(&["getprinc", "svc"]);
    assert!(g.contains("Expiration date: [never]"), "{g}");
    assert!(g.contains("Maximum ticket life: 0 days 10:00:00"), "{g}");
    assert!(
        g.contains("Attributes: DISALLOW_ALL_TIX REQUIRES_PRE_AUTH REQUIRES_PWCHANGE\n"),
        "{g}"
    );
    // -kvno renumbers the current key set.
    r.ok(&["modprinc", "-kvno", "7", "svc"]);
    assert!(r.ok(&["getprinc", "svc"]).contains("Key: vno 7,"));
    assert!(
        r.fails(&["modprinc", "-expire", "someday", "svc"])
            .contains("Invalid date")
    );
    assert!(
        r.fails(&["modprinc", "-policy", "nope", "svc"])
            .contains("Policy does not exist")
    );
    assert!(
        r.fails(&["modprinc", "+allow_tix", "ghost"])
            .contains("does not exist")
    );
    // Relative times.
    r.ok(&["modprinc", "-pwexpire", "now + 1 day", "svc"]);
    assert!(
        !r.ok(&["getprinc", "svc"])
            .contains("Password expiration date: [never]")
    );
}

#[test]
fn json_output() {
    let r = Realm::new("");
    let v = r.json(&["addprinc", "-pw", "pw", "bob"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "addprinc");
    assert_eq!(v["result"]["kind"], "done");
    assert_eq!(v["result"]["kvno"], 1);
    let v = r.json(&["getprinc", "bob"]);
    assert_eq!(v["result"]["kind"], "principal");
    assert_eq!(v["result"]["name"], "bob@ADMIN.TEST");
    assert_eq!(v["result"]["kvno"], 1);
    assert_eq!(v["result"]["keys"][0]["enctype"], 18);
    assert_eq!(v["result"]["attributes"][0], "REQUIRES_PRE_AUTH");
    let v = r.json(&["listprincs"]);
    assert_eq!(v["result"]["names"].as_array().unwrap().len(), 2);
    let v = r.json(&["getprinc", "ghost"]);
    assert_eq!(v["ok"], false);
    assert_eq!(v["code"], "no_principal");
    // Password never echoed, in JSON or the audit log.
    let audit = std::fs::read_to_string(r.path().join("data/admin-audit.log")).unwrap();
    assert!(!audit.contains("\"pw\""));
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 4, "{audit}");
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["target"], "tessera::admin_audit");
    assert_eq!(first["who"], "local:tester");
    assert_eq!(first["origin"], "local:tester");
    assert_eq!(first["command"], "addprinc");
    assert_eq!(first["on"], "bob@ADMIN.TEST");
    assert_eq!(first["result"], "ok");
    let last: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(last["result"], "no_principal");
    // -q form, JSON ktadd never carries keys.
    let kt = r.path().join("bob.keytab");
    let v = r.json(&["-q", &format!("ktadd -k {} bob", kt.display())]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["result"]["added"].as_array().unwrap().len(), 2);
    assert!(!v.to_string().contains("\"key\""));
}

#[test]
fn stdin_commands_and_password_prompt() {
    let r = Realm::new("");
    let out = r.kadmin_stdin(
        &[],
        "# a comment\naddprinc carol\nPassw0rd\nPassw0rd\naddprinc dave\none\ntwo\ngetprinc carol\nquit\nlistprincs\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("Principal \"carol@ADMIN.TEST\" created."),
        "{stdout}"
    );
    assert!(stderr.contains("Password mismatch"), "{stderr}");
    assert!(stdout.contains("Principal: carol@ADMIN.TEST"));
    assert!(!stdout.contains("krbtgt"), "quit stops reading: {stdout}");
    assert!(
        !out.status.success(),
        "a failed command gives a failure status"
    );
    assert!(password_works(&r, "carol@ADMIN.TEST", "Passw0rd"));
    assert!(r.store().get("dave@ADMIN.TEST").unwrap().is_none());
    // One-shot addprinc without -pw reads the password twice from stdin.
    let out = r.kadmin_stdin(&["cpw", "carol"], "N3wpass\nN3wpass\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(password_works(&r, "carol@ADMIN.TEST", "N3wpass"));
}

#[test]
fn cpw_randkey_raises_kvno_and_keeps_old_keys() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-pw", "one", "alice"]);
    let before = r.store().get(&alice()).unwrap().unwrap();
    let out = r.ok(&["cpw", "-randkey", "alice"]);
    assert_eq!(out, "Key for \"alice@ADMIN.TEST\" randomized.\n");
    let after = r.store().get(&alice()).unwrap().unwrap();
    assert_eq!(after.current_kvno(), 2);
    // kvno 1 keys are still there, unchanged.
    for k in before.current_keys() {
        assert_eq!(after.key(1, k.enctype).unwrap().key, k.key);
    }
    assert!(!password_works(&r, &alice(), "one"));
    r.ok(&["cpw", "-pw", "two", "alice"]);
    assert!(password_works(&r, &alice(), "two"));
    r.ok(&["cpw", "-randkey", "alice"]);
    // old_kvnos_to_keep = 2: kvnos 4, 3, 2 remain.
    let e = r.store().get(&alice()).unwrap().unwrap();
    let mut kvnos: Vec<u32> = e.keys.iter().map(|k| k.kvno).collect();
    kvnos.dedup();
    assert_eq!(kvnos, vec![4, 3, 2]);
    // -keepold keeps them all.
    r.ok(&["cpw", "-randkey", "-keepold", "alice"]);
    let e = r.store().get(&alice()).unwrap().unwrap();
    let mut kvnos: Vec<u32> = e.keys.iter().map(|k| k.kvno).collect();
    kvnos.dedup();
    assert_eq!(kvnos, vec![5, 4, 3, 2]);
    // cpw clears needchange; -e changes the enctype set.
    r.ok(&["modprinc", "+needchange", "alice"]);
    r.ok(&["cpw", "-randkey", "-e", "aes256-sha2", "alice"]);
    let g = r.ok(&["getprinc", "alice"]);
    assert!(!g.contains("REQUIRES_PWCHANGE"), "{g}");
    assert!(g.contains("Key: vno 6, aes256-cts-hmac-sha384-192"), "{g}");
    assert!(
        r.fails(&["cpw", "-randkey", "ghost"])
            .contains("does not exist")
    );
}

#[test]
fn purgekeys_lock_unlock_renprinc() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-pw", "pw", "alice"]);
    for _ in 0..3 {
        r.ok(&["cpw", "-randkey", "-keepold", "alice"]);
    }
    let kvnos = |r: &Realm| {
        let mut v: Vec<u32> = r
            .store()
            .get(&alice())
            .unwrap()
            .unwrap()
            .keys
            .iter()
            .map(|k| k.kvno)
            .collect();
        v.dedup();
        v
    };
    assert_eq!(kvnos(&r), vec![4, 3, 2, 1]);
    r.ok(&["purgekeys", "-keepkvno", "3", "alice"]);
    assert_eq!(kvnos(&r), vec![4, 3]);
    r.ok(&["purgekeys", "alice"]);
    assert_eq!(kvnos(&r), vec![4]);
    r.ok(&["purgekeys", "-all", "alice"]);
    assert!(kvnos(&r).is_empty());
    assert!(r.fails(&["purgekeys", "ghost"]).contains("does not exist"));

    r.ok(&["addprinc", "-pw", "Secret9", "bob"]);
    assert_eq!(
        r.ok(&["lock", "bob"]),
        "Principal \"bob@ADMIN.TEST\" locked.\n"
    );
    let e = r.store().get("bob@ADMIN.TEST").unwrap().unwrap();
    assert!(!e.is_enabled());
    assert!(e.flags.contains(PrincipalFlags::ADMIN_LOCKED));
    let g = r.ok(&["getprinc", "bob"]);
    assert!(
        g.contains("DISALLOW_ALL_TIX") && g.contains("LOCKED"),
        "{g}"
    );
    r.store()
        .record_auth(
            "bob@ADMIN.TEST",
            tessera_kdc::db::AuthEvent::Failure,
            std::time::SystemTime::now(),
        )
        .unwrap();
    r.ok(&["unlock", "bob"]);
    let e = r.store().get("bob@ADMIN.TEST").unwrap().unwrap();
    assert!(e.is_enabled());
    assert!(!e.flags.contains(PrincipalFlags::ADMIN_LOCKED));
    assert_eq!(e.fail_count, 0);
    // unlock does not enable a principal disabled on purpose.
    r.ok(&["modprinc", "-allow_tix", "bob"]);
    r.ok(&["unlock", "bob"]);
    assert!(
        !r.store()
            .get("bob@ADMIN.TEST")
            .unwrap()
            .unwrap()
            .is_enabled()
    );
    r.ok(&["modprinc", "+allow_tix", "-unlock", "bob"]);

    // renprinc: the old password still works because the salt is stored.
    assert_eq!(
        r.ok(&["renprinc", "-force", "bob", "robert"]),
        "Principal \"bob@ADMIN.TEST\" renamed to \"robert@ADMIN.TEST\".\n"
    );
    assert!(r.store().get("bob@ADMIN.TEST").unwrap().is_none());
    assert!(password_works(&r, "robert@ADMIN.TEST", "Secret9"));
    let e = r.store().get("robert@ADMIN.TEST").unwrap().unwrap();
    assert_eq!(
        e.current_keys().next().unwrap().salt.as_ref().unwrap().salt,
        b"ADMIN.TESTbob".to_vec()
    );
    assert!(
        r.fails(&["renprinc", "-force", "bob", "x"])
            .contains("does not exist")
    );
    assert!(
        r.fails(&["renprinc", "-force", "robert", "alice"])
            .contains("already exists")
    );
}

#[test]
fn policies_enforced() {
    let r = Realm::new("");
    assert_eq!(
        r.ok(&[
            "addpol",
            "-minlength",
            "8",
            "-minclasses",
            "3",
            "-history",
            "3",
            "-maxlife",
            "90d",
            "-maxfailure",
            "5",
            "-failurecountinterval",
            "10m",
            "-lockoutduration",
            "1h",
            "strict"
        ]),
        "Policy \"strict\" created.\n"
    );
    assert!(r.fails(&["addpol", "strict"]).contains("already exists"));
    assert!(
        r.fails(&["addpol", "-minclasses", "9", "bad"])
            .contains("minclasses")
    );
    let p = r.ok(&["getpol", "strict"]);
    for line in [
        "Policy: strict",
        "Maximum password life: 90 days 00:00:00",
        "Minimum password length: 8",
        "Minimum number of password character classes: 3",
        "Number of old keys kept: 3",
        "Maximum password failures before lockout: 5",
        "Password failure count reset interval: 0 days 00:10:00",
        "Password lockout duration: 0 days 01:00:00",
        "Reference count: 0",
    ] {
        assert!(p.contains(line), "missing {line:?} in\n{p}");
    }
    assert!(
        r.fails(&["addprinc", "-policy", "strict", "-pw", "Ab1", "u"])
            .contains("Password is too short")
    );
    assert!(
        r.fails(&["addprinc", "-policy", "strict", "-pw", "abcdefgh1", "u"])
            .contains("Password does not contain enough character classes")
    );
    r.ok(&["addprinc", "-policy", "strict", "-pw", "Abcdefg1", "u"]);
    let g = r.ok(&["getprinc", "u"]);
    assert!(g.contains("Policy: strict"), "{g}");
    assert!(
        !g.contains("Password expiration date: [never]"),
        "maxlife sets it: {g}"
    );
    assert!(r.ok(&["getpol", "strict"]).contains("Reference count: 1"));
    // History: current and the 2 previous passwords are refused.
    assert!(
        r.fails(&["cpw", "-pw", "Abcdefg1", "u"])
            .contains("Cannot reuse password")
    );
    r.ok(&["cpw", "-pw", "Abcdefg2", "u"]);
    r.ok(&["cpw", "-pw", "Abcdefg3", "u"]);
    assert!(
        r.fails(&["cpw", "-pw", "Abcdefg1", "u"])
            .contains("Cannot reuse password")
    );
    assert!(
        r.fails(&["cpw", "-pw", "Abcdefg2", "u"])
            .contains("Cannot reuse password")
    );
    r.ok(&["cpw", "-pw", "Abcdefg4", "u"]);
    // Abcdefg1 has left the history (current 4, history 3 and 2).
    r.ok(&["cpw", "-pw", "Abcdefg1", "u"]);
    assert!(r.fails(&["cpw", "-pw", "short", "u"]).contains("too short"));
    // -randkey is not subject to quality checks.
    r.ok(&["cpw", "-randkey", "u"]);

    // modpol, listpols, delpol (refused while in use).
    r.ok(&["modpol", "-minlength", "12", "strict"]);
    assert!(
        r.ok(&["getpol", "strict"])
            .contains("Minimum password length: 12")
    );
    assert!(
        r.fails(&["cpw", "-pw", "Abcdefg9x", "u"])
            .contains("too short")
    );
    r.ok(&["addpol", "other"]);
    assert_eq!(r.ok(&["listpols"]), "other\nstrict\n");
    assert_eq!(r.ok(&["getpols", "o*"]), "other\n");
    assert!(r.fails(&["delpol", "-force", "strict"]).contains("in use"));
    r.ok(&["modprinc", "-clearpolicy", "u"]);
    r.ok(&["delpol", "-force", "strict"]);
    assert!(
        r.fails(&["getpol", "strict"])
            .contains("Policy does not exist")
    );
    assert!(
        r.fails(&["modpol", "-history", "2", "strict"])
            .contains("Policy does not exist")
    );
    assert!(
        r.fails(&["delpol", "-force", "strict"])
            .contains("Policy does not exist")
    );
    // A policy named "default" applies to new principals, as in MIT.
    r.ok(&["addpol", "-minlength", "6", "default"]);
    assert!(
        r.fails(&["addprinc", "-pw", "abc", "v"])
            .contains("too short")
    );
    r.ok(&["addprinc", "-pw", "abcdef", "v"]);
    assert!(r.ok(&["getprinc", "v"]).contains("Policy: default"));
}

#[test]
fn ktadd_and_ktremove() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-randkey", "host/h.example"]);
    let kt = r.path().join("krb5.keytab");
    let ktp = kt.to_str().unwrap();
    let out = r.ok(&["ktadd", "-k", ktp, "host/h.example"]);
    assert!(
        out.contains("Entry for principal host/h.example@ADMIN.TEST with kvno 2, encryption type aes256-cts-hmac-sha1-96 added to keytab FILE:"),
        "{out}"
    );
    // ktadd randomized: kvno 2 in the DB matches the keytab.
    let e = r.store().get("host/h.example@ADMIN.TEST").unwrap().unwrap();
    assert_eq!(e.current_kvno(), 2);
    let k = Keytab::load(&kt).unwrap();
    let p = KtPrincipal::parse("host/h.example@ADMIN.TEST", None).unwrap();
    assert_eq!(k.entries.len(), 2);
    for ent in &k.entries {
        assert_eq!(ent.kvno, 2);
        assert_eq!(
            ent.key.as_slice(),
            e.key(2, ent.enctype).unwrap().key.as_bytes()
        );
    }
    // -norandkey exports the current keys without a change; -e filters.
    r.ok(&[
        "ktadd",
        "-k",
        ktp,
        "-norandkey",
        "-e",
        "aes256-cts",
        "-q",
        "host/h.example",
    ]);
    assert_eq!(
        r.store()
            .get("host/h.example@ADMIN.TEST")
            .unwrap()
            .unwrap()
            .current_kvno(),
        2
    );
    assert_eq!(Keytab::load(&kt).unwrap().entries.len(), 3);
    r.ok(&["ktadd", "-k", ktp, "-e", "aes256-cts", "host/h.example"]);
    let k = Keytab::load(&kt).unwrap();
    assert_eq!(k.find(&p, None, None).unwrap().kvno, 3);

    if require_mit_klist() {
        let out = Command::new("/usr/bin/klist")
            .args(["-k", "-e", "-K"])
            .arg(&kt)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("host/h.example@ADMIN.TEST (aes256-cts-hmac-sha1-96)"),
            "{text}"
        );
        assert!(
            text.contains("host/h.example@ADMIN.TEST (aes128-cts-hmac-sha256-128)"),
            "{text}"
        );
        let e = r.store().get("host/h.example@ADMIN.TEST").unwrap().unwrap();
        let hex_key = hex::encode(e.key(3, 18).unwrap().key.as_bytes());
        assert!(
            text.contains(&format!("(0x{hex_key})")),
            "MIT reads our key bytes: {text}"
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("3 "))
                .count(),
            1,
            "{text}"
        );
    }

    // ktremove: old, a kvno, all.
    let out = r.ok(&["ktremove", "-k", ktp, "host/h.example", "old"]);
    assert!(out.contains("removed from keytab"), "{out}");
    let k = Keytab::load(&kt).unwrap();
    assert!(k.entries.iter().all(|e| e.kvno == 3));
    assert!(
        r.fails(&["ktremove", "-k", ktp, "host/h.example", "9"])
            .contains("No matching")
    );
    r.ok(&["ktremove", "-k", ktp, "host/h.example", "3"]);
    assert!(Keytab::load(&kt).unwrap().entries.is_empty());
    assert!(
        r.fails(&["ktremove", "-k", ktp, "host/h.example"])
            .contains("No entry")
    );
    assert!(
        r.fails(&["ktadd", "-k", ktp, "ghost"])
            .contains("does not exist")
    );
    // lockdown_keys principals cannot be extracted.
    r.ok(&["modprinc", "+lockdown_keys", "host/h.example"]);
    assert!(
        r.fails(&["ktadd", "-k", ktp, "host/h.example"])
            .contains("lockdown_keys")
    );
}

#[test]
fn remote_mode_without_a_kdc_fails_in_one_line() {
    let r = Realm::new("");
    let krb5 = r.config_path.with_file_name("krb5.conf");
    std::fs::write(
        &krb5,
        "[libdefaults]\n default_realm = NOWHERE.TEST\n[realms]\n NOWHERE.TEST = {\n  kdc = 127.0.0.1:1\n }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kadmin"))
        .args(["-p", "admin/admin", "-w", "pw", "listprincs"])
        .env("KRB5_CONFIG", &krb5)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("kadmin: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
