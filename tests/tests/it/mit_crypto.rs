//! Our string-to-key and decryption agree with MIT's for enctypes 17-20.

use tessera_proto::crypto::{EncType, Key, Password};
use tessera_tests::mit::{require_mit, run};

const ETYPES: [EncType; 4] = [
    EncType::Aes128CtsHmacSha196,
    EncType::Aes256CtsHmacSha196,
    EncType::Aes128CtsHmacSha256128,
    EncType::Aes256CtsHmacSha384192,
];

/// Asks MIT's ktutil for the key it derives from `password` for `principal`
/// with `etype`, and returns it as hex (from `klist -k -K`).
fn mit_key_hex(principal: &str, password: &str, etype: EncType) -> String {
    let dir = tempfile::tempdir().unwrap();
    let kt = dir.path().join("mit.keytab");
    let script = format!(
        "addent -password -p {principal} -k 1 -e {}\n{password}\nwkt {}\nquit\n",
        etype.name(),
        kt.display()
    );
    // setsid: no controlling terminal, so ktutil reads the password from stdin.
    let r = run("setsid", &["/usr/bin/ktutil"], &[], Some(&script));
    assert!(kt.exists(), "ktutil wrote no keytab: {r:?}");
    let r = run(
        "/usr/bin/klist",
        &["-k", "-K", "-e", "-t", kt.to_str().unwrap()],
        &[],
        None,
    );
    assert!(r.ok, "klist -k failed: {r:?}");
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(principal))
        .unwrap_or_else(|| panic!("no entry in {r:?}"));
    let start = line.rfind("(0x").expect("key hex") + 3;
    line[start..line.len() - 1].to_string()
}

#[test]
fn mit_ktutil_derives_the_same_keys_as_ours() {
    if !require_mit() {
        return;
    }
    let cases = [
        ("user@EXAMPLE.COM", "EXAMPLE.COMuser", "P@ssw0rd!"),
        (
            "host/db.example.com@EXAMPLE.COM",
            "EXAMPLE.COMhostdb.example.com",
            "x",
        ),
        (
            "alice@TESSERA.TEST",
            "TESSERA.TESTalice",
            "correct horse battery staple ünïcödé",
        ),
    ];
    for etype in ETYPES {
        for (principal, salt, password) in cases {
            let ours = Key::from_password(etype, &Password::from(password), salt.as_bytes(), None)
                .unwrap();
            let mit = mit_key_hex(principal, password, etype);
            assert_eq!(
                hex::encode(ours.as_bytes()),
                mit,
                "{} key for {principal} differs from MIT's",
                etype.name()
            );
        }
    }
}
