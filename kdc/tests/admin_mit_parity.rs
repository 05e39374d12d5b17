//! `kadmin -l` where MIT's users type it daily, in MIT kadmin.local's
//! formats: `getprinc` durations and attribute order, `getprinc -terse`,
//! `getprivs`, `getstrs`/`setstr`/`delstr` (stored in the database, kept
//! across renames, deleted with the principal), `cpw -randkey`, policy
//! rejections that say what the policy requires, cross-realm krbtgt
//! principals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use admin_common::{REALM, Realm};
use tessera_kdc::db::PrincipalStore;
use tessera_proto::crypto::{EncType, Key, Password};

fn terse_fields(r: &Realm, name: &str) -> Vec<String> {
    let out = r.ok(&["getprinc", "-terse", name]);
    assert!(out.ends_with('\n') && out.lines().count() == 1, "{out:?}");
    out.trim_end_matches('\n')
        .split('\t')
        .map(str::to_owned)
        .collect()
}

#[test]
fn getprinc_durations_attributes_and_terse_in_mit_layout() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-nokey", "nk"]);
    r.ok(&[
        "modprinc",
        "-maxlife",
        "10h",
        "-maxrenewlife",
        "2 days",
        "+requires_preauth",
        "-allow_tix",
        "+needchange",
        "-allow_forwardable",
        "nk",
    ]);
    let g = r.ok(&["getprinc", "nk"]);
    for line in [
        "Maximum ticket life: 0 days 10:00:00\n",
        "Maximum renewable life: 2 days 00:00:00\n",
        "Last password change: [never]\n",
        // MIT's bit order.
        "Attributes: DISALLOW_FORWARDABLE DISALLOW_ALL_TIX REQUIRES_PRE_AUTH REQUIRES_PWCHANGE\n",
    ] {
        assert!(g.contains(line), "missing {line:?} in\n{g}");
    }
    // MIT: 0x2 | 0x40 | 0x80 | 0x200.
    let f = terse_fields(&r, "nk");
    assert_eq!(f.len(), 16, "{f:?}");
    assert_eq!(f[0], format!("\"nk@{REALM}\""));
    assert_eq!(f[1], "0"); // expiration: never
    assert_eq!(f[2], "0"); // no keys: no password change
    assert_eq!(f[4], "36000");
    assert_eq!(f[5], "\"local:tester\"");
    assert_eq!(f[7], (0x2 | 0x40 | 0x80 | 0x200).to_string());
    assert_eq!(f[8], "0"); // kvno
    assert_eq!(f[9], "1"); // master kvno
    assert_eq!(f[10], "\"[none]\"");
    assert_eq!(f[11], "172800");
    assert_eq!(f[15], "0");

    // Realm maxima for a principal without its own; no attributes at all
    // prints "Attributes:" alone, as MIT does.
    r.ok(&["addprinc", "-randkey", "-requires_preauth", "svc"]);
    let g = r.ok(&["getprinc", "svc"]);
    assert!(g.contains("Maximum ticket life: 0 days 10:00:00\n"), "{g}");
    assert!(
        g.contains("Maximum renewable life: 7 days 00:00:00\n"),
        "{g}"
    );
    assert!(g.contains("\nAttributes:\n"), "{g}");
    let f = terse_fields(&r, "svc");
    // Two keys (aes256-sha1, aes128-sha2), each: version 1, kvno 1,
    // enctype, salt type 0 (random keys show as normal, as in MIT).
    assert_eq!(f.len(), 16 + 2 * 4, "{f:?}");
    assert_eq!(f[7], "0");
    assert_eq!(f[8], "1");
    assert_eq!(f[15], "2");
    assert_eq!(&f[16..20], ["1", "1", "18", "0"]);
    assert_eq!(&f[20..24], ["1", "1", "19", "0"]);
    assert_ne!(f[2], "0");
    assert!(
        r.fails(&["getprinc", "-terse", "nobody"])
            .contains("Principal does not exist")
    );
}

#[test]
fn getprivs_in_local_mode_has_every_privilege() {
    let r = Realm::new("");
    assert_eq!(
        r.ok(&["getprivs"]),
        "current privileges: INQUIRE ADD MODIFY DELETE LIST CHANGEPW EXTRACT POLICY\n"
    );
    assert_eq!(r.ok(&["get_privs"]), r.ok(&["getprivs"]));
    assert!(r.fails(&["getprivs", "x"]).contains("usage: getprivs"));
    let j = r.ok(&["--json", "getprivs"]);
    assert!(j.contains("\"privileges\":[\"INQUIRE\",\"ADD\""), "{j}");
}

#[test]
fn string_attributes_are_stored_renamed_and_deleted_with_the_principal() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-randkey", "svc"]);
    let who = format!("svc@{REALM}");
    assert_eq!(r.ok(&["getstrs", "svc"]), "(No string attributes.)\n");
    assert_eq!(
        r.ok(&["setstr", "svc", "foo", "bar"]),
        format!("Attribute set for principal \"{who}\".\n")
    );
    r.ok(&[
        "setstr",
        "svc",
        "allowed_to_delegate_to",
        "HTTP/web.example@ADMIN.TEST",
    ]);
    r.ok(&["set_string", "svc", "session_enctypes", "aes256-cts"]);
    // Replacing a value keeps its place.
    r.ok(&["setstr", "svc", "foo", "baz qux"]);
    assert_eq!(
        r.ok(&["getstrs", "svc"]),
        "foo: baz qux\nallowed_to_delegate_to: HTTP/web.example@ADMIN.TEST\nsession_enctypes: aes256-cts\n"
    );
    // In the database, for another process.
    let e = r.store().get(&who).unwrap().unwrap();
    assert_eq!(e.strings.len(), 3);
    assert_eq!(e.strings[0], ("foo".to_owned(), "baz qux".to_owned()));

    assert_eq!(
        r.ok(&["delstr", "svc", "foo"]),
        format!("Attribute removed from principal \"{who}\".\n")
    );
    // As MIT: removing an absent attribute succeeds.
    r.ok(&["del_string", "svc", "nope"]);
    assert_eq!(
        r.ok(&["get_strings", "svc"]),
        "allowed_to_delegate_to: HTTP/web.example@ADMIN.TEST\nsession_enctypes: aes256-cts\n"
    );
    let j = r.ok(&["--json", "getstrs", "svc"]);
    assert!(
        j.contains("{\"key\":\"session_enctypes\",\"value\":\"aes256-cts\"}"),
        "{j}"
    );
    assert!(
        r.fails(&["getstrs", "nobody"])
            .contains("Principal does not exist")
    );
    assert!(
        r.fails(&["setstr", "nobody", "a", "b"])
            .contains("does not exist")
    );
    assert!(r.fails(&["setstr", "svc", "a"]).contains("usage: setstr"));
    assert!(r.fails(&["delstr", "svc"]).contains("usage: delstr"));

    // Kept across a rename; gone with the principal.
    r.ok(&["renprinc", "-force", "svc", "svc2"]);
    assert!(
        r.ok(&["getstrs", "svc2"])
            .contains("session_enctypes: aes256-cts")
    );
    r.ok(&["delprinc", "-force", "svc2"]);
    r.ok(&["addprinc", "-randkey", "svc2"]);
    assert_eq!(r.ok(&["getstrs", "svc2"]), "(No string attributes.)\n");
    let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
    let left: i64 = conn
        .query_row("SELECT COUNT(*) FROM principal_strings", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn schema_v2_database_gets_the_string_table() {
    let r = Realm::new("");
    r.ok(&["addprinc", "-randkey", "svc"]);
    {
        let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
        conn.execute_batch("DROP TABLE principal_strings; UPDATE schema_version SET version = 2;")
            .unwrap();
    }
    r.ok(&["setstr", "svc", "k", "v"]);
    assert_eq!(r.ok(&["getstrs", "svc"]), "k: v\n");
    let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
    let v: i64 = conn
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(v, 3);
}

#[test]
fn cpw_randkey_and_policy_rejections_use_mit_wording() {
    let r = Realm::new("");
    r.ok(&[
        "addpol",
        "-minlength",
        "8",
        "-minclasses",
        "3",
        "-history",
        "2",
        "strict",
    ]);
    let e = r.fails(&["addprinc", "-policy", "strict", "-pw", "Ab1", "bob"]);
    assert_eq!(
        e,
        "addprinc: Password is too short (the policy requires at least 8 characters)\n"
    );
    let e = r.fails(&["addprinc", "-policy", "strict", "-pw", "abcdefghij", "bob"]);
    assert_eq!(
        e,
        "addprinc: Password does not contain enough character classes (the policy requires \
         at least 3 of: lower case, upper case, digits, punctuation, other characters)\n"
    );
    r.ok(&["addprinc", "-policy", "strict", "-pw", "Abcdefgh1", "bob"]);
    let e = r.fails(&["cpw", "-pw", "Abcdefgh1", "bob"]);
    assert_eq!(
        e,
        "cpw: Cannot reuse password (the policy forbids reusing any of the last 2 passwords)\n"
    );
    let e = r.fails(&["cpw", "-pw", "short", "bob"]);
    assert!(e.contains("at least 8 characters"), "{e}");
    let out = r.kadmin(&["--json", "-q", "cpw -pw short bob"]);
    let j = String::from_utf8(out.stdout).unwrap();
    assert!(!out.status.success());
    assert!(j.contains("\"code\":\"password_too_short\""), "{j}");
    assert_eq!(
        r.ok(&["cpw", "-randkey", "bob"]),
        format!("Key for \"bob@{REALM}\" randomized.\n")
    );
    assert_eq!(
        r.ok(&["cpw", "-pw", "Xyzabc123", "bob"]),
        format!("Password for \"bob@{REALM}\" changed.\n")
    );
}

#[test]
fn cross_realm_krbtgt_principals_are_created_listed_and_deleted() {
    let r = Realm::new("");
    let out = r.ok(&["addprinc", "-pw", "Cross-1", "krbtgt/OTHER.TEST"]);
    assert_eq!(
        out,
        format!("Principal \"krbtgt/OTHER.TEST@{REALM}\" created.\n")
    );
    let incoming = format!("krbtgt/{REALM}@OTHER.TEST");
    r.ok(&["addprinc", "-pw", "Cross-2", &incoming]);
    r.ok(&["addprinc", "-randkey", "bob@OTHER.TEST"]);
    // A glob without a realm matches every realm, as in MIT.
    assert_eq!(
        r.ok(&["listprincs", "krbtgt/*"]),
        format!("krbtgt/{REALM}@{REALM}\n{incoming}\nkrbtgt/OTHER.TEST@{REALM}\n")
    );
    assert_eq!(
        r.ok(&["listprincs", "*@OTHER.TEST"]),
        format!("bob@OTHER.TEST\n{incoming}\n")
    );
    let g = r.ok(&["getprinc", &incoming]);
    assert!(g.contains(&format!("Principal: {incoming}\n")), "{g}");
    // Keys use MIT's default salt (realm then components), so a peer KDC
    // given the same password derives the same keys.
    let e = r.store().get(&incoming).unwrap().unwrap();
    let k = e.current_keys().find(|k| k.enctype == 18).unwrap();
    let d = Key::from_password(
        EncType::Aes256CtsHmacSha196,
        &Password::new("Cross-2"),
        format!("OTHER.TESTkrbtgt{REALM}").as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(d.as_bytes(), k.key.as_bytes());
    assert!(
        terse_fields(&r, &incoming)[0] == format!("\"{incoming}\""),
        "terse name"
    );
    assert_eq!(
        r.ok(&["delprinc", "-force", &incoming]),
        format!("Principal \"{incoming}\" deleted.\n")
    );
    r.ok(&["delprinc", "-force", "krbtgt/OTHER.TEST"]);
    // The realm's own krbtgt stays protected.
    assert!(
        r.fails(&["delprinc", "-force", &format!("krbtgt/{REALM}")])
            .contains("refusing")
    );
}
