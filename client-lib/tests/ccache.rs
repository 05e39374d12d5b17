//! Credential cache tests, including interop with MIT's klist and a cache
//! written by MIT kinit/kvno (committed fixture).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, mode, require_mit, run};
use tessera_client::ccache::{
    CcacheError, CcacheName, Credential, CredentialCache, Principal, flags,
};
use zeroize::Zeroizing;

fn princ(s: &str) -> Principal {
    Principal::parse(s, None).unwrap()
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 128 {
        out.push(u8::try_from(n).unwrap());
    } else {
        let be = u32::try_from(n).unwrap().to_be_bytes();
        let skip = be.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | u8::try_from(4 - skip).unwrap());
        out.extend_from_slice(&be[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn small_int(v: u8) -> Vec<u8> {
    tlv(0x02, &[v])
}

/// A DER RFC 4120 Ticket with an opaque enc-part, enough for klist -e.
fn der_ticket(server: &Principal, etype: u8, kvno: u8) -> Vec<u8> {
    let comps: Vec<u8> = server
        .components
        .iter()
        .flat_map(|c| tlv(0x1b, c.as_bytes()))
        .collect();
    let sname = tlv(
        0x30,
        &[
            tlv(0xa0, &small_int(u8::try_from(server.name_type).unwrap())),
            tlv(0xa1, &tlv(0x30, &comps)),
        ]
        .concat(),
    );
    let enc = tlv(
        0x30,
        &[
            tlv(0xa0, &small_int(etype)),
            tlv(0xa1, &small_int(kvno)),
            tlv(0xa2, &tlv(0x04, &[0x5a; 150])),
        ]
        .concat(),
    );
    let body = [
        tlv(0xa0, &small_int(5)),
        tlv(0xa1, &tlv(0x1b, server.realm.as_bytes())),
        tlv(0xa2, &sname),
        tlv(0xa3, &enc),
    ]
    .concat();
    tlv(0x61, &tlv(0x30, &body))
}

fn now() -> u32 {
    u32::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn tgt(client: &Principal, t: u32) -> Credential {
    let server = princ("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
    Credential {
        client: client.clone(),
        ticket: der_ticket(&server, 18, 1),
        server,
        key_enctype: 18,
        key: Zeroizing::new(vec![0x11; 32]),
        authtime: t,
        starttime: t,
        endtime: t + 36_000,
        renew_till: t + 7 * 86_400,
        is_skey: false,
        ticket_flags: flags::FORWARDABLE | flags::RENEWABLE | flags::INITIAL | flags::PRE_AUTHENT,
        addresses: vec![],
        authdata: vec![],
        second_ticket: vec![],
    }
}

fn sample() -> CredentialCache {
    let user = princ("user@EXAMPLE.COM");
    let t = now();
    let mut cc = CredentialCache::new(user.clone());
    cc.time_offset = Some((-3, 250_000));
    let krbtgt = princ("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
    cc.set_config("fast_avail", Some(&krbtgt), b"yes");
    cc.set_config("pa_type", Some(&krbtgt), b"2");
    cc.credentials.push(tgt(&user, t));
    let host = princ("host/h.example.com@EXAMPLE.COM");
    cc.credentials.push(Credential {
        ticket: der_ticket(&host, 17, 2),
        server: host,
        key_enctype: 17,
        key: Zeroizing::new(vec![0x22; 16]),
        ticket_flags: flags::FORWARDABLE | flags::PRE_AUTHENT | flags::TRANSIT_POLICY_CHECKED,
        renew_till: 0,
        addresses: vec![(2, vec![127, 0, 0, 1])],
        authdata: vec![(1, vec![0x30, 0x00])],
        ..tgt(&user, t)
    });
    cc
}

#[test]
fn round_trip_is_byte_exact() {
    let cc = sample();
    let bytes = cc.to_bytes().unwrap();
    let back = CredentialCache::parse(&bytes).unwrap();
    assert_eq!(back, cc);
    assert_eq!(*back.to_bytes().unwrap(), *bytes);
}

#[test]
fn mit_written_cache_parses_and_reencodes_exactly() {
    let bytes = std::fs::read(fixture("mit_kinit_kvno.ccache")).unwrap();
    let cc = CredentialCache::parse(&bytes).unwrap();
    assert_eq!(cc.default_principal.to_string(), "user@EXAMPLE.COM");
    assert_eq!(cc.time_offset, Some((0, 0)));
    let krbtgt = princ("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
    assert_eq!(cc.config("fast_avail", Some(&krbtgt)), Some(&b"yes"[..]));
    assert_eq!(cc.config("pa_type", Some(&krbtgt)), Some(&b"2"[..]));
    assert_eq!(cc.config("pa_type", None), None);
    let tickets: Vec<_> = cc.tickets().collect();
    assert_eq!(tickets.len(), 2);
    let t = cc.find(&krbtgt).unwrap();
    assert_eq!(t.key_enctype, 18);
    assert_eq!(t.key.len(), 32);
    // MIT 1.20's KDC also sets enc-pa-rep (not shown by klist).
    assert_eq!(
        t.ticket_flags,
        flags::FORWARDABLE
            | flags::RENEWABLE
            | flags::INITIAL
            | flags::PRE_AUTHENT
            | flags::ENC_PA_REP
    );
    assert_eq!(t.ticket.first(), Some(&0x61));
    let h = cc.find(&princ("host/h.example.com@EXAMPLE.COM")).unwrap();
    assert_eq!(
        h.ticket_flags,
        flags::FORWARDABLE
            | flags::RENEWABLE
            | flags::PRE_AUTHENT
            | flags::TRANSIT_POLICY_CHECKED
            | flags::ENC_PA_REP
    );
    assert!(cc.find(&princ("nobody@EXAMPLE.COM")).is_none());
    assert_eq!(*cc.to_bytes().unwrap(), bytes);
}

#[test]
fn version_3_is_read() {
    // Build a v3 image by hand from a v4 one: no header, enctype repeated.
    let user = princ("u@R");
    let mut cc = CredentialCache::new(user.clone());
    cc.credentials.push(tgt(&user, 1000));
    let v4 = cc.to_bytes().unwrap();
    let mut v3 = vec![0x05, 0x03];
    let body = &v4[4..]; // version + empty header length
    let p_len = 8 + 4 + 1 + 4 + 1; // "u@R"
    v3.extend_from_slice(&body[..2 * p_len]); // default principal + client
    let mut rest = &body[2 * p_len..];
    let server_len = 8 + 4 + 11 + 4 + 6 + 4 + 11;
    v3.extend_from_slice(&rest[..server_len]);
    rest = &rest[server_len..];
    v3.extend_from_slice(&rest[..2]);
    v3.extend_from_slice(&rest[..2]);
    v3.extend_from_slice(&rest[2..]);
    let back = CredentialCache::parse(&v3).unwrap();
    assert_eq!(back, cc);
}

#[test]
fn bad_input_gives_errors_not_panics() {
    assert!(matches!(
        CredentialCache::parse(&[0x05, 0x02]),
        Err(CcacheError::UnsupportedVersion(0x0502))
    ));
    let bytes = sample().to_bytes().unwrap();
    for cut in 0..bytes.len() {
        let r = CredentialCache::parse(&bytes[..cut]);
        // Only cuts at a credential boundary may parse.
        if let Ok(cc) = r {
            assert!(cc.credentials.len() < 4);
        }
    }
    // A hostile component count must not allocate gigabytes.
    let mut evil = vec![0x05, 0x04, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
    evil.extend_from_slice(&[0; 16]);
    assert!(matches!(
        CredentialCache::parse(&evil),
        Err(CcacheError::Truncated { .. })
    ));
}

#[test]
fn names_parse_like_mit() {
    assert_eq!(
        CcacheName::parse("FILE:/tmp/x").unwrap(),
        CcacheName::File("/tmp/x".into())
    );
    assert_eq!(
        CcacheName::parse("/tmp/x").unwrap(),
        CcacheName::File("/tmp/x".into())
    );
    assert_eq!(
        CcacheName::parse("MEMORY:abc").unwrap(),
        CcacheName::Memory("abc".into())
    );
    assert_eq!(
        CcacheName::parse("/tmp/a:b").unwrap(),
        CcacheName::File("/tmp/a:b".into())
    );
    assert!(matches!(
        CcacheName::parse("KEYRING:persistent:0"),
        Err(CcacheError::UnsupportedType(t)) if t == "KEYRING"
    ));
    assert!(CcacheName::parse("").is_err());
    assert!(CcacheName::parse("FILE:").is_err());
    assert_eq!(
        CcacheName::parse("MEMORY:abc").unwrap().to_string(),
        "MEMORY:abc"
    );
    let uid = tessera_client::ccache::current_uid().unwrap();
    let d = CcacheName::default_name().unwrap();
    if std::env::var_os("KRB5CCNAME").is_none() {
        assert_eq!(d, CcacheName::File(format!("/tmp/krb5cc_{uid}").into()));
    }
}

#[test]
fn file_cache_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let name = CcacheName::File(dir.path().join("cc"));
    assert!(matches!(
        CredentialCache::load(&name),
        Err(CcacheError::NotFound(_))
    ));
    let user = princ("user@EXAMPLE.COM");
    CredentialCache::initialize(&name, &user).unwrap();
    let CcacheName::File(path) = &name else {
        unreachable!()
    };
    assert_eq!(mode(path), 0o600);
    CredentialCache::add(&name, tgt(&user, 5000)).unwrap();
    let cc = CredentialCache::load(&name).unwrap();
    assert_eq!(cc.credentials.len(), 1);
    assert_eq!(mode(path), 0o600);
    // initialize replaces.
    CredentialCache::initialize(&name, &princ("other@EXAMPLE.COM")).unwrap();
    let cc = CredentialCache::load(&name).unwrap();
    assert!(cc.credentials.is_empty());
    assert_eq!(cc.default_principal.to_string(), "other@EXAMPLE.COM");
    CredentialCache::destroy(&name).unwrap();
    assert!(!path.exists());
    assert!(matches!(
        CredentialCache::destroy(&name),
        Err(CcacheError::NotFound(_))
    ));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn memory_cache_lifecycle() {
    let name = CcacheName::Memory("ccache-test-memory".into());
    let user = princ("user@EXAMPLE.COM");
    assert!(CredentialCache::add(&name, tgt(&user, 1)).is_err());
    CredentialCache::initialize(&name, &user).unwrap();
    CredentialCache::add(&name, tgt(&user, 1)).unwrap();
    CredentialCache::add(&name, tgt(&user, 2)).unwrap();
    let cc = CredentialCache::load(&name).unwrap();
    assert_eq!(cc.credentials.len(), 2);
    // find picks the credential that ends last.
    assert_eq!(
        cc.find(&princ("krbtgt/EXAMPLE.COM@EXAMPLE.COM"))
            .unwrap()
            .authtime,
        2
    );
    CredentialCache::destroy(&name).unwrap();
    assert!(matches!(
        CredentialCache::load(&name),
        Err(CcacheError::NotFound(_))
    ));
}

#[test]
fn debug_redacts_keys_and_tickets() {
    let cc = sample();
    let dbg = format!("{cc:?}");
    assert!(!dbg.contains("17, 17"), "{dbg}");
    assert!(!dbg.contains("90, 90"), "{dbg}");
    assert!(dbg.contains("redacted"));
}

#[test]
fn set_config_replaces() {
    let mut cc = CredentialCache::new(princ("u@R"));
    cc.set_config("fast_avail", None, b"yes");
    cc.set_config("fast_avail", None, b"no");
    assert_eq!(cc.credentials.len(), 1);
    assert_eq!(cc.config("fast_avail", None), Some(&b"no"[..]));
    assert!(cc.credentials[0].is_config());
    assert_eq!(cc.tickets().count(), 0);
}

#[test]
fn mit_klist_reads_our_cache() {
    if !require_mit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cc");
    let name = CcacheName::File(path.clone());
    sample().store(&name).unwrap();
    assert_eq!(mode(&path), 0o600);
    let arg = format!("FILE:{}", path.display());
    let out = run("/usr/bin/klist", &["-c", &arg, "-e", "-f"], None);
    assert!(out.contains("Default principal: user@EXAMPLE.COM"), "{out}");
    assert!(out.contains("krbtgt/EXAMPLE.COM@EXAMPLE.COM"), "{out}");
    assert!(out.contains("host/h.example.com@EXAMPLE.COM"), "{out}");
    assert!(out.contains("Flags: FRIA"), "{out}");
    assert!(out.contains("Flags: FAT"), "{out}");
    assert!(
        out.contains("Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"),
        "{out}"
    );
    assert!(
        out.contains("Etype (skey, tkt): aes128-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96"),
        "{out}"
    );
    assert!(!out.contains("config:"), "{out}");
    let out = run("/usr/bin/klist", &["-c", &arg, "-C"], None);
    assert!(
        out.contains("config: fast_avail(krbtgt/EXAMPLE.COM@EXAMPLE.COM) = yes"),
        "{out}"
    );
    assert!(
        out.contains("config: pa_type(krbtgt/EXAMPLE.COM@EXAMPLE.COM) = 2"),
        "{out}"
    );
    // klist -s: exit status 0 means valid, unexpired tickets were found.
    run("/usr/bin/klist", &["-s", "-c", &arg], None);
}
