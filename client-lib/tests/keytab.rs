//! Keytab format tests, including interop with MIT's ktutil and klist.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{enctype_name, fixture, mode, parse_klist_keys, require_mit, run};
use tessera_client::keytab::{Keytab, KeytabEntry, KeytabError, KtPrincipal, strip_keytab_prefix};
use zeroize::Zeroizing;

fn princ(s: &str) -> KtPrincipal {
    KtPrincipal::parse(s, None).unwrap()
}

fn entry(p: &str, kvno: u32, enctype: i32, key: &[u8]) -> KeytabEntry {
    KeytabEntry {
        principal: princ(p),
        timestamp: 1_700_000_000,
        kvno,
        enctype,
        key: Zeroizing::new(key.to_vec()),
    }
}

fn sample() -> Keytab {
    Keytab {
        entries: vec![
            entry("user@EXAMPLE.COM", 1, 18, &[1; 32]),
            entry("user@EXAMPLE.COM", 2, 17, &[2; 16]),
            entry("user@EXAMPLE.COM", 300, 18, &[3; 32]),
            entry("host/h.example.com@EXAMPLE.COM", 5, 20, &[4; 32]),
            entry("host/h.example.com@EXAMPLE.COM", 5, 19, &[5; 16]),
        ],
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn round_trip_is_byte_exact() {
    let kt = sample();
    let bytes = kt.to_bytes().unwrap();
    let back = Keytab::parse(&bytes).unwrap();
    assert_eq!(back, kt);
    assert_eq!(*back.to_bytes().unwrap(), *bytes);
    assert_eq!(back.entries[2].kvno, 300);
}

#[test]
fn mit_fixture_parses_and_reencodes_exactly() {
    let bytes = std::fs::read(fixture("mit_kadmin.keytab")).unwrap();
    let kt = Keytab::parse(&bytes).unwrap();
    let listing = std::fs::read_to_string(fixture("mit_kadmin.keytab.klist")).unwrap();
    let want = parse_klist_keys(&listing);
    assert_eq!(want.len(), 3);
    let got: Vec<_> = kt
        .entries
        .iter()
        .map(|e| {
            (
                e.kvno,
                e.principal.to_string(),
                enctype_name(e.enctype).to_owned(),
                hex(&e.key),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(*kt.to_bytes().unwrap(), bytes);
}

#[test]
fn holes_are_skipped_and_end_marker_stops() {
    let one = Keytab {
        entries: vec![entry("a@R", 1, 18, &[9; 32])],
    }
    .to_bytes()
    .unwrap();
    let mut bytes = vec![0x05, 0x02];
    bytes.extend_from_slice(&(-10i32).to_be_bytes());
    bytes.extend_from_slice(&[0; 10]);
    bytes.extend_from_slice(&one[2..]);
    bytes.extend_from_slice(&0i32.to_be_bytes());
    bytes.extend_from_slice(b"trailing garbage after end marker");
    let kt = Keytab::parse(&bytes).unwrap();
    assert_eq!(kt.entries.len(), 1);
    assert_eq!(kt.entries[0].principal.to_string(), "a@R");
}

#[test]
fn record_longer_than_entry_and_zero_kvno_extension() {
    // An entry that replaced a bigger hole: record length exceeds entry size;
    // the extra zero bytes read as a zero 32-bit kvno, so the 8-bit one holds.
    let one = Keytab {
        entries: vec![entry("a@R", 7, 18, &[9; 32])],
    }
    .to_bytes()
    .unwrap();
    let rec = &one[6..one.len() - 4]; // drop the 32-bit kvno
    let mut bytes = vec![0x05, 0x02];
    bytes.extend_from_slice(&i32::try_from(rec.len() + 8).unwrap().to_be_bytes());
    bytes.extend_from_slice(rec);
    bytes.extend_from_slice(&[0; 8]);
    let kt = Keytab::parse(&bytes).unwrap();
    assert_eq!(kt.entries[0].kvno, 7);
}

#[test]
fn version_1_native_order_is_read() {
    // Version 1: native (here little-endian) integers, component count
    // includes the realm, no name type.
    let mut rec = Vec::new();
    rec.extend_from_slice(&2u16.to_le_bytes());
    for s in ["R", "alice"] {
        rec.extend_from_slice(&u16::try_from(s.len()).unwrap().to_le_bytes());
        rec.extend_from_slice(s.as_bytes());
    }
    rec.extend_from_slice(&5u32.to_le_bytes());
    rec.push(4);
    rec.extend_from_slice(&17u16.to_le_bytes());
    rec.extend_from_slice(&16u16.to_le_bytes());
    rec.extend_from_slice(&[7; 16]);
    let mut bytes = vec![0x05, 0x01];
    bytes.extend_from_slice(&i32::try_from(rec.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(&rec);
    if cfg!(target_endian = "little") {
        let kt = Keytab::parse(&bytes).unwrap();
        assert_eq!(kt.entries[0].principal.to_string(), "alice@R");
        assert_eq!(kt.entries[0].kvno, 4);
        assert_eq!(kt.entries[0].enctype, 17);
        assert_eq!(kt.entries[0].timestamp, 5);
    }
}

#[test]
fn bad_input_gives_errors_not_panics() {
    assert!(matches!(
        Keytab::parse(&[0x05, 0x03]),
        Err(KeytabError::UnsupportedVersion(0x0503))
    ));
    assert!(Keytab::parse(&[]).is_err());
    let bytes = sample().to_bytes().unwrap();
    for cut in 0..bytes.len() {
        // Every prefix either parses (cut at a record boundary) or errors.
        let _ = Keytab::parse(&bytes[..cut]);
    }
    let mut huge = vec![0x05, 0x02];
    huge.extend_from_slice(&i32::MAX.to_be_bytes());
    assert!(matches!(
        Keytab::parse(&huge),
        Err(KeytabError::Truncated { .. })
    ));
    let mut neg = vec![0x05, 0x02];
    neg.extend_from_slice(&i32::MIN.to_be_bytes());
    assert!(Keytab::parse(&neg).is_err());
    // Entry claiming more components than it holds.
    let mut lie = vec![0x05, 0x02, 0, 0, 0, 4, 0xff, 0xff, 0, 0];
    lie.truncate(10);
    assert!(Keytab::parse(&lie).is_err());
}

#[test]
fn enctype_native_negative_fits() {
    let kt = Keytab {
        entries: vec![entry("a@R", 1, -32341, &[1; 32])],
    };
    let back = Keytab::parse(&kt.to_bytes().unwrap()).unwrap();
    assert_eq!(back.entries[0].enctype, -32341);
    let bad = Keytab {
        entries: vec![entry("a@R", 1, 70000, &[1; 32])],
    };
    assert!(matches!(
        bad.to_bytes(),
        Err(KeytabError::EnctypeOutOfRange(70000))
    ));
}

#[test]
fn find_and_remove() {
    let mut kt = sample();
    let user = princ("user@EXAMPLE.COM");
    assert_eq!(kt.find(&user, None, None).unwrap().kvno, 300);
    assert_eq!(kt.find(&user, None, Some(17)).unwrap().kvno, 2);
    assert_eq!(kt.find(&user, Some(1), Some(18)).unwrap().key[0], 1);
    assert!(kt.find(&user, Some(1), Some(17)).is_none());
    // The name type does not matter for matching.
    let mut other_type = user.clone();
    other_type.name_type = 0;
    assert!(kt.find(&other_type, Some(2), None).is_some());
    assert_eq!(kt.remove(&user, Some(300)), 1);
    assert_eq!(kt.find(&user, None, None).unwrap().kvno, 2);
    assert_eq!(kt.remove(&user, None), 2);
    assert_eq!(kt.entries.len(), 2);
}

#[test]
fn save_is_0600_and_append_creates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kt");
    Keytab::append_file(&path, sample().entries[..2].to_vec()).unwrap();
    assert_eq!(mode(&path), 0o600);
    Keytab::append_file(
        format!("FILE:{}", path.display()),
        sample().entries[2..].to_vec(),
    )
    .unwrap();
    assert_eq!(Keytab::load(&path).unwrap(), sample());
    assert_eq!(mode(&path), 0o600);
    // Only the keytab is left in the directory (temp file renamed away).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let missing = Keytab::load(dir.path().join("nope"));
    assert!(matches!(missing, Err(KeytabError::Io { .. })));
}

#[test]
fn debug_redacts_keys() {
    let e = entry("a@R", 1, 18, &[0xab; 32]);
    let dbg = format!(
        "{e:?}{:?}",
        Keytab {
            entries: vec![e.clone()]
        }
    );
    assert!(!dbg.contains("171"), "{dbg}");
    assert!(!dbg.to_lowercase().contains("abab"), "{dbg}");
    assert!(dbg.contains("redacted"));
}

#[test]
fn keytab_name_prefixes() {
    assert_eq!(strip_keytab_prefix("FILE:/a/b"), "/a/b");
    assert_eq!(strip_keytab_prefix("WRFILE:/a/b"), "/a/b");
    assert_eq!(strip_keytab_prefix("/a/b"), "/a/b");
}

#[test]
fn mit_ktutil_keytab_is_read() {
    if !require_mit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kt");
    let p = path.to_str().unwrap();
    let script = format!(
        "addent -password -p user@EXAMPLE.COM -k 3 -e aes256-cts-hmac-sha1-96\nsecret\n\
         addent -password -p host/h.example.com@EXAMPLE.COM -k 300 -e aes128-cts-hmac-sha1-96\nsecret\n\
         addent -password -p host/h.example.com@EXAMPLE.COM -k 4 -e aes256-cts-hmac-sha384-192\nsecret\n\
         wkt {p}\nq\n"
    );
    run("/usr/bin/ktutil", &[], Some(&script));
    let bytes = std::fs::read(&path).unwrap();
    let kt = Keytab::parse(&bytes).unwrap();
    let want = parse_klist_keys(&run("/usr/bin/klist", &["-k", "-e", "-K", p], None));
    let got: Vec<_> = kt
        .entries
        .iter()
        .map(|e| {
            (
                e.kvno,
                e.principal.to_string(),
                enctype_name(e.enctype).to_owned(),
                hex(&e.key),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(got[1].0, 300);
    assert_eq!(
        *kt.to_bytes().unwrap(),
        bytes,
        "re-encoding differs from MIT"
    );
}

#[test]
fn mit_klist_reads_our_keytab() {
    if !require_mit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kt");
    let kt = sample();
    kt.save(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    let out = run(
        "/usr/bin/klist",
        &["-k", "-e", "-K", path.to_str().unwrap()],
        None,
    );
    let want: Vec<_> = kt
        .entries
        .iter()
        .map(|e| {
            (
                e.kvno,
                e.principal.to_string(),
                enctype_name(e.enctype).to_owned(),
                hex(&e.key),
            )
        })
        .collect();
    assert_eq!(parse_klist_keys(&out), want, "{out}");
}
