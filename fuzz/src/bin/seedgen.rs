//! Builds the seed corpora for the fuzz targets from the MIT captures in
//! `proto/tests/data/mit/` and the Heimdal captures in
//! `proto/tests/data/heimdal/` (run by `fuzz/seed.sh`; not a fuzz target).
//!
//! 1. Walks every capture's DER tree (descending into OCTET STRINGs that
//!    hold DER) and keeps every element.
//! 2. Decrypts every EncryptedData it finds with the long-term keys from
//!    `keys.txt` and with every session key found in what it decrypted
//!    (trying each key usage), and walks the plaintexts too; this yields
//!    EncTicketPart, EncASRepPart, Authenticator, PA-ENC-TS-ENC, KrbFastReq...
//! 3. Synthesizes the messages the captures lack (KRB-PRIV, KRB-SAFE,
//!    KRB-CRED, kpasswd framing) from captured pieces.
//! 4. Files each element under `corpus/<target>/` for every target whose
//!    decoders accept it, plus seeds for the principal and decrypt targets.
//!
//! 5. Seeds the structure-aware targets: captured requests, AP-REQs,
//!    kpasswd and KRB-PRIV/SAFE messages in raw mode, and fixed
//!    pseudo-random inputs for their structured mode.
//!
//! Usage: `seedgen MIT_DIR CORPUS_DIR [MORE_CAPTURE_DIR...]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, hash_map::DefaultHasher};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tessera_fuzz::targets::{DER_TARGETS, der_accepts_any, kpasswd_accepts};
use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::{self, *};

/// One DER TLV: (start, header length, content length, constructed, tag byte).
fn tlv(b: &[u8]) -> Option<(usize, usize, bool, u8)> {
    let tag = *b.first()?;
    let mut i = 1;
    if tag & 0x1f == 0x1f {
        while *b.get(i)? & 0x80 != 0 {
            i += 1;
        }
        i += 1;
    }
    let l0 = *b.get(i)?;
    i += 1;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = (v << 8) | usize::from(*b.get(i)?);
            i += 1;
        }
        v
    };
    if b.len() < i + len {
        return None;
    }
    Some((i, len, tag & 0x20 != 0, tag))
}

/// Adds every element of the DER tree in `b` (a sequence of TLVs) to `out`.
fn walk(b: &[u8], out: &mut BTreeSet<Vec<u8>>, depth: usize) {
    let mut rest = b;
    while let Some((hl, len, constructed, tag)) = tlv(rest) {
        let whole = &rest[..hl + len];
        let content = &rest[hl..hl + len];
        if len > 0 {
            out.insert(whole.to_vec());
        }
        // Descend into constructed values and into OCTET STRINGs (which
        // often wrap DER, e.g. PA-DATA values).
        if depth < 40 && (constructed || tag == 0x04) {
            walk(content, out, depth + 1);
        }
        rest = &rest[hl + len..];
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Keys from `klist -k -K -e` output: `... (enctype-name)  (0xHEX)`.
fn read_keys(path: &Path) -> Vec<Key> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut keys = Vec::new();
    for line in text.lines() {
        let Some(b) = line.rfind("(0x") else {
            continue;
        };
        let head = &line[..b];
        let (Some(open), Some(close)) = (head.rfind('('), head.rfind(')')) else {
            continue;
        };
        let Some(etype) = head.get(open + 1..close).and_then(EncType::from_name) else {
            continue;
        };
        let hex = line[b + 3..].trim_end_matches(')');
        if let Ok(k) = Key::from_bytes(etype, &unhex(hex)) {
            keys.push(k);
        }
    }
    keys
}

fn write_seed(corpus: &Path, target: &str, data: &[u8]) {
    let dir = corpus.join(target);
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    std::fs::write(dir.join(format!("seed-{:016x}", h.finish())), data).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mit, corpus, more) = match args.as_slice() {
        [_, m, c, more @ ..] => (
            PathBuf::from(m),
            PathBuf::from(c),
            more.iter().map(PathBuf::from).collect::<Vec<_>>(),
        ),
        _ => {
            eprintln!("usage: seedgen MIT_DIR CORPUS_DIR [MORE_CAPTURE_DIR...]");
            std::process::exit(2);
        }
    };

    // 1. Every element of every capture.
    let mut blobs = BTreeSet::new();
    let mut files: Vec<PathBuf> = std::iter::once(&mit)
        .chain(&more)
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "der" || e == "bin"))
        .collect();
    files.sort();
    for f in &files {
        walk(&std::fs::read(f).unwrap(), &mut blobs, 0);
    }

    // 2. Decrypt to a fixpoint with long-term and discovered session keys.
    let mut keys = read_keys(&mit.join("keys.txt"));
    for d in &more {
        if d.join("keys.txt").exists() {
            keys.extend(read_keys(&d.join("keys.txt")));
        }
    }
    let mut tried = BTreeSet::new();
    loop {
        let keys_before = keys.len();
        for b in &blobs {
            if let Ok(k) = msg::decode::<EncryptionKey>(b)
                && let Some(et) = EncType::from_i32(k.r#type)
                && let Ok(key) = Key::from_bytes(et, &k.value)
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
        let mut found = BTreeSet::new();
        for b in &blobs {
            let Ok(ed) = msg::decode::<EncryptedData>(b) else {
                continue;
            };
            if tried.contains(b) {
                continue;
            }
            'search: for key in keys.iter().filter(|k| k.etype().as_i32() == ed.etype) {
                for usage in 1..=64 {
                    if let Ok(pt) = key.decrypt(usage, &ed.cipher) {
                        walk(&pt, &mut found, 0);
                        tried.insert(b.clone());
                        break 'search;
                    }
                }
            }
        }
        let before = blobs.len();
        blobs.extend(found);
        if blobs.len() == before && keys.len() == keys_before {
            break;
        }
    }
    eprintln!("seedgen: {} elements, {} keys", blobs.len(), keys.len());

    // 3. Synthesize what the captures lack.
    let pick = |f: &dyn Fn(&[u8]) -> bool| blobs.iter().find(|b| f(b)).cloned();
    let enc_part = pick(&|b| msg::decode::<EncryptedData>(b).is_ok())
        .map(|b| msg::decode::<EncryptedData>(&b).unwrap())
        .unwrap();
    let addr = HostAddress {
        addr_type: 2,
        address: OctetString::from(vec![127, 0, 0, 1]),
    };
    let time = KerberosTime::from_unix(1_795_000_000).unwrap();
    let mut extra: Vec<(&str, Vec<u8>)> = Vec::new();
    let krb_priv = KrbPriv {
        pvno: 5.into(),
        msg_type: 21.into(),
        enc_part: enc_part.clone(),
    };
    extra.push(("krb_priv", msg::encode(&krb_priv).unwrap()));
    let enc_priv = EncKrbPrivPart {
        user_data: OctetString::from_static(b"new password"),
        timestamp: Some(time.clone()),
        usec: Some(12345.into()),
        seq_number: Some(7),
        sender_address: addr.clone(),
        recipient_address: None,
    };
    extra.push(("krb_priv", msg::encode(&enc_priv).unwrap()));
    let safe = KrbSafe {
        pvno: 5.into(),
        msg_type: 20.into(),
        body: KrbSafeBody {
            user_data: OctetString::from_static(b"hello"),
            timestamp: Some(time.clone()),
            usec: None,
            seq_number: Some(1),
            s_address: addr.clone(),
            r_address: Some(addr.clone()),
        },
        cksum: Checksum {
            r#type: 16,
            checksum: OctetString::from(vec![0xab; 12]),
        },
    };
    extra.push(("krb_safe", msg::encode(&safe).unwrap()));
    if let Some(t) = pick(&|b| msg::decode::<Ticket>(b).is_ok()) {
        let cred = KrbCred {
            pvno: 5.into(),
            msg_type: 22.into(),
            tickets: vec![msg::decode::<Ticket>(&t).unwrap()],
            enc_part: enc_part.clone(),
        };
        extra.push(("krb_cred", msg::encode(&cred).unwrap()));
    }
    if let Some(k) = pick(&|b| msg::decode::<EncryptionKey>(b).is_ok()) {
        let info = KrbCredInfo {
            key: msg::decode(&k).unwrap(),
            prealm: None,
            pname: None,
            flags: None,
            auth_time: Some(time.clone()),
            start_time: None,
            end_time: Some(time.clone()),
            renew_till: None,
            srealm: None,
            sname: None,
            caddr: None,
        };
        let part = EncKrbCredPart {
            ticket_info: vec![info],
            nonce: Some(42),
            timestamp: None,
            usec: None,
            sender_address: None,
            recipient_address: None,
        };
        extra.push(("krb_cred", msg::encode(&part).unwrap()));
    }
    let ap_req =
        pick(&|b| msg::decode::<ApReq>(b).is_ok()).map(|b| msg::decode::<ApReq>(&b).unwrap());
    let ap_rep =
        pick(&|b| msg::decode::<ApRep>(b).is_ok()).map(|b| msg::decode::<ApRep>(&b).unwrap());
    let err =
        pick(&|b| msg::decode::<KrbError>(b).is_ok()).map(|b| msg::decode::<KrbError>(&b).unwrap());
    if let Some(ap_req) = ap_req {
        for version in [KpasswdVersion::Change, KpasswdVersion::SetPassword] {
            let req = KpasswdRequest {
                version,
                ap_req: ap_req.clone(),
                krb_priv: krb_priv.clone(),
            };
            extra.push(("kpasswd", req.encode().unwrap()));
        }
    }
    if let Some(ap_rep) = ap_rep {
        let rep = KpasswdReply::Priv {
            ap_rep,
            krb_priv: krb_priv.clone(),
        };
        extra.push(("kpasswd", rep.encode().unwrap()));
    }
    if let Some(err) = err {
        extra.push(("kpasswd", KpasswdReply::Error(err).encode().unwrap()));
    }
    let cpw = ChangePasswdData {
        newpasswd: OctetString::from_static(b"n3w-pa55"),
        targname: Principal::parse("user@TEST.REALM")
            .ok()
            .and_then(|p| p.to_principal_name().ok()),
        targrealm: Principal::parse("user@TEST.REALM")
            .ok()
            .and_then(|p| p.to_realm().ok()),
    };
    extra.push(("kpasswd", msg::encode(&cpw).unwrap()));
    extra.push((
        "kpasswd",
        KpasswdResult::new(KpasswdResultCode::Success, "ok").encode(),
    ));
    for s in [
        "user@TEST.REALM",
        "host/localhost@TEST.REALM",
        "krbtgt/TEST.REALM@TEST.REALM",
        "a\\/b\\@c\\\\d\\n@R",
        "user",
        "user@",
        "@R",
        "http/www.example.com/extra@EXAMPLE.COM",
    ] {
        extra.push(("principal", s.as_bytes().to_vec()));
    }
    // decrypt: [enctype index][usage u32 BE][ciphertext], from real ciphertexts.
    for b in &blobs {
        if let Ok(ed) = msg::decode::<EncryptedData>(b) {
            for i in 0..EncType::ALL.len() as u8 {
                let mut s = vec![i, 0, 0, 0, 3];
                s.extend_from_slice(&ed.cipher);
                extra.push(("decrypt", s));
            }
            break;
        }
    }

    // 4. File everything.
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for b in &blobs {
        for t in DER_TARGETS {
            if der_accepts_any(t, b) {
                write_seed(&corpus, t, b);
                *counts.entry(t).or_default() += 1;
            }
        }
        if kpasswd_accepts(b) {
            write_seed(&corpus, "kpasswd", b);
            *counts.entry("kpasswd").or_default() += 1;
        }
    }
    for (t, b) in &extra {
        for dt in DER_TARGETS.iter().filter(|dt| der_accepts_any(dt, b)) {
            write_seed(&corpus, dt, b);
            *counts.entry(dt).or_default() += 1;
        }
        if !DER_TARGETS.contains(t) {
            write_seed(&corpus, t, b);
            *counts.entry(t).or_default() += 1;
        }
    }
    structured_seeds(&corpus, &blobs, &mut counts);
    for (t, n) in counts {
        eprintln!("seedgen: {t}: {n} seeds");
    }
}

/// Seeds of the structure-aware targets: captured messages in raw mode
/// (first byte `RAW`, see `tessera_fuzz::mutate`), and fixed pseudo-random
/// inputs for the structured mode (which any bytes drive).
fn structured_seeds<'a>(
    corpus: &Path,
    blobs: &BTreeSet<Vec<u8>>,
    counts: &mut std::collections::BTreeMap<&'a str, usize>,
) {
    use tessera_fuzz::mutate::RAW;
    let mut put = |t: &'a str, body: &[u8]| {
        let mut s = vec![RAW];
        s.extend_from_slice(body);
        write_seed(corpus, t, &s);
        *counts.entry(t).or_default() += 1;
    };
    for b in blobs {
        if msg::decode::<AsReq>(b).is_ok() || msg::decode::<TgsReq>(b).is_ok() {
            put("kdc_handle", b);
        }
        if msg::decode::<ApReq>(b).is_ok() {
            put("acceptor", b);
            let mut framed = (b.len() as u32).to_be_bytes().to_vec();
            framed.extend_from_slice(b);
            put("admin_frame", &framed);
        }
        if KpasswdRequest::decode(b).is_ok() || KpasswdReply::decode(b).is_ok() {
            put("kpasswd_service", b);
        }
        if msg::decode::<KrbPriv>(b).is_ok() || msg::decode::<KrbSafe>(b).is_ok() {
            put("priv_safe", b);
        }
    }
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for t in [
        "kdc_handle",
        "kpasswd_service",
        "admin_frame",
        "acceptor",
        "gss_token",
        "priv_safe",
        "crypto_diff",
    ] {
        for i in 0..24usize {
            let len = 16 + i * 24;
            let s: Vec<u8> = (0..len)
                .map(|j| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Never RAW as the first byte: these drive the structured mode.
                    if j == 0 { (x as u8) | 1 } else { x as u8 }
                })
                .collect();
            write_seed(corpus, t, &s);
            *counts.entry(t).or_default() += 1;
        }
    }
}
