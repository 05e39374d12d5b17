//! Targets for the client library's file parsers (feature `client`).

use tessera_client::ccache::CredentialCache;
use tessera_client::config::Krb5Conf;
use tessera_client::keytab::Keytab;

/// krb5.conf text. Inputs with `include` are skipped: the parser follows
/// them on the file system, and a fuzzer naming `/dev/zero` would hang.
pub fn krb5_conf(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.contains("include") {
        return;
    }
    if let Ok(conf) = Krb5Conf::parse_str(text, "fuzz") {
        for realm in ["EXAMPLE.COM", "TEST.REALM", ""] {
            let _ = conf.kdc_endpoints(realm);
            let _ = conf.kdc_addresses(realm);
            let _ = conf.kpasswd_addresses(realm);
            let _ = conf.admin_addresses(realm);
        }
        let _ = conf.realm_for_host("host.example.com");
    }
}

/// FILE keytab bytes: what parses re-serializes to bytes that parse to the
/// same keytab.
pub fn keytab(data: &[u8]) {
    let Ok(kt) = Keytab::parse(data) else {
        return;
    };
    let bytes = kt
        .to_bytes()
        .unwrap_or_else(|e| panic!("keytab re-encode: {e}"));
    let again = Keytab::parse(&bytes).unwrap_or_else(|e| panic!("keytab re-parse: {e}"));
    assert_eq!(again, kt, "keytab round trip");
}

/// FILE ccache bytes: same round trip as [`keytab`].
pub fn ccache(data: &[u8]) {
    let Ok(cc) = CredentialCache::parse(data) else {
        return;
    };
    let bytes = cc
        .to_bytes()
        .unwrap_or_else(|e| panic!("ccache re-encode: {e}"));
    let again = CredentialCache::parse(&bytes).unwrap_or_else(|e| panic!("ccache re-parse: {e}"));
    assert_eq!(again, cc, "ccache round trip");
}
