//! MIT's kinit, klist and kvno against OUR KDC (in-process, real loopback
//! sockets): TGT, service ticket verified with the keytab, renewal, keytab
//! kinit; for the default realm and for each of enctypes 17-20 alone, over
//! UDP and over TCP only.

use tessera_tests::mit::require_mit;
use tessera_tests::realm::{RealmOptions, TestRealm};

/// Name MIT's klist -e prints for an enctype.
fn mit_name(etype: i32) -> &'static str {
    match etype {
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        _ => panic!("not an MIT enctype: {etype}"),
    }
}

/// kinit -r, klist, kvno, kvno -k, kinit -R, kinit -k -t against `realm`.
/// `etype`: the only enctype the tickets may use.
fn mit_client_flow(realm: &TestRealm, etype: Option<i32>, tcp_only: bool) {
    let r_name = realm.realm().to_owned();
    let krbtgt = format!("krbtgt/{r_name}@{r_name}");
    let service = format!("host/localhost@{r_name}");
    let keytab = realm.dev.service_keytab();
    let keytab = keytab.to_str().unwrap();

    // TGT with a password on stdin, renewable for two days.
    let r = realm.kinit_user(&["-r", "2d"]);
    assert!(r.ok, "kinit user failed: {r:?}");
    if tcp_only {
        assert!(
            r.stderr.contains("stream 127.0.0.1") && !r.stderr.contains("dgram 127.0.0.1"),
            "kinit did not use TCP only: {r:?}"
        );
    } else {
        assert!(
            r.stderr.contains("dgram 127.0.0.1"),
            "kinit did not use UDP: {r:?}"
        );
    }
    let r = realm.mit("klist", &["-e", "-f"], None);
    assert!(r.ok, "klist failed: {r:?}");
    assert!(r.stdout.contains(&krbtgt), "no TGT in klist: {r:?}");
    assert!(
        r.stdout
            .contains(&format!("Default principal: user@{r_name}")),
        "{r:?}"
    );
    if let Some(e) = etype {
        assert!(
            r.stdout.contains(mit_name(e)),
            "TGT not in {}: {r:?}",
            mit_name(e)
        );
    }

    // Service ticket, then verified with the service's keytab.
    let r = realm.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "kvno failed: {r:?}");
    assert!(r.stdout.contains(&format!("{service}: kvno = 1")), "{r:?}");
    let r = realm.mit("kvno", &["-k", keytab, "host/localhost"], None);
    assert!(r.ok, "kvno -k failed: {r:?}");
    assert!(r.stdout.contains("kvno = 1, keytab entry valid"), "{r:?}");
    let r = realm.mit("klist", &["-e"], None);
    assert!(
        r.stdout.contains(&service),
        "no service ticket in klist: {r:?}"
    );
    if let Some(e) = etype {
        let line = r
            .stdout
            .lines()
            .skip_while(|l| !l.contains(&service))
            .find(|l| l.contains("Etype"))
            .unwrap_or_else(|| panic!("no Etype line: {r:?}"));
        assert!(line.contains(mit_name(e)), "service ticket: {line}");
    }

    // Renewal through the TGS.
    let r = realm.mit("kinit", &["-R"], None);
    assert!(r.ok, "kinit -R failed: {r:?}");
    let r = realm.mit("klist", &[], None);
    assert!(r.stdout.contains(&krbtgt), "no TGT after renewal: {r:?}");

    // The service's own TGT from its keytab.
    let r = realm.mit("kinit", &["-k", "-t", keytab, "host/localhost"], None);
    assert!(r.ok, "kinit -k -t failed: {r:?}");
    let r = realm.mit("klist", &[], None);
    assert!(
        r.stdout.contains(&format!("Default principal: {service}")) && r.stdout.contains(&krbtgt),
        "{r:?}"
    );
}

#[test]
fn mit_tools_against_default_dev_realm() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    mit_client_flow(&realm, None, false);
}

macro_rules! only_enctype {
    ($name:ident, $etype:expr, $tcp:expr) => {
        #[test]
        fn $name() {
            if !require_mit() {
                return;
            }
            let realm = TestRealm::start(RealmOptions {
                enctypes: Some(vec![$etype]),
                tcp_only: $tcp,
                ..RealmOptions::default()
            });
            mit_client_flow(&realm, Some($etype), $tcp);
        }
    };
}

only_enctype!(mit_tools_aes128_sha1_udp, 17, false);
only_enctype!(mit_tools_aes128_sha1_tcp, 17, true);
only_enctype!(mit_tools_aes256_sha1_udp, 18, false);
only_enctype!(mit_tools_aes256_sha1_tcp, 18, true);
only_enctype!(mit_tools_aes128_sha256_udp, 19, false);
only_enctype!(mit_tools_aes128_sha256_tcp, 19, true);
only_enctype!(mit_tools_aes256_sha384_udp, 20, false);
only_enctype!(mit_tools_aes256_sha384_tcp, 20, true);
