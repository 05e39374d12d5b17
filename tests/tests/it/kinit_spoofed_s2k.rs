//! Our `kinit` against a forged KDC on a loopback UDP socket that answers
//! every AS-REQ with PREAUTH_REQUIRED whose PA-ETYPE-INFO2 asks for
//! string-to-key parameters far outside the realm's defaults (Argon2id with
//! 1 GiB and 64 passes; PBKDF2 with one iteration). kinit must exit
//! non-zero with one line saying what it refused and which krb5.conf option
//! widens the range, without sending a PA-ENC-TIMESTAMP (the forged KDC
//! sees exactly one request). With the range widened by that option, the
//! weak parameters are used (a second request arrives).

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tessera_proto::crypto::{Argon2Params, EncType};
use tessera_proto::msg::{
    AsReq, ErrorCode, KrbErrorBuilder, Principal, decode, encode, etype_info2_entry, pa_etype_info2,
};
use tessera_tests::mit::{Run, krb5_conf, run};

use crate::admin_remote::workspace_bin;

const REALM: &str = "SPOOF.TEST";

/// Binds a UDP socket on a free loopback port and answers every AS-REQ
/// with PREAUTH_REQUIRED asking for `s2kparams` in `etype`; counts requests.
fn forged_kdc(etype: EncType, s2kparams: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65535];
        while let Ok((n, peer)) = sock.recv_from(&mut buf) {
            let Ok(req) = decode::<AsReq>(&buf[..n]) else {
                continue;
            };
            c.fetch_add(1, Ordering::SeqCst);
            let client = req
                .0
                .req_body
                .cname
                .as_ref()
                .map(|n| Principal::from_asn1(n, &req.0.req_body.realm).unwrap());
            let now = i64::try_from(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_micros(),
            )
            .unwrap();
            let info = pa_etype_info2(vec![
                etype_info2_entry(etype.as_i32(), Some("SPOOF.TESTuser"), Some(&s2kparams))
                    .unwrap(),
            ])
            .unwrap();
            let mut b =
                KrbErrorBuilder::new(ErrorCode::PreauthRequired, &Principal::krbtgt(REALM), now)
                    .method_data(vec![info]);
            if let Some(c) = &client {
                b = b.client(c);
            }
            let _ = sock.send_to(&encode(&b.build().unwrap()).unwrap(), peer);
        }
    });
    (port, count)
}

/// Our kinit for user@SPOOF.TEST against the forged KDC on `port`, offering
/// only `etype`, with `extra` lines in [libdefaults].
fn kinit(port: u16, etype: EncType, extra: &str) -> Option<Run> {
    let kinit = workspace_bin("kinit")?;
    let dir = tempfile::tempdir().unwrap();
    let conf = krb5_conf(REALM, &format!("127.0.0.1:{port}"), &[etype.name()], None)
        .replace("[realms]", &format!("{extra}[realms]"));
    let conf_path = dir.path().join("krb5.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let env = vec![
        (
            "KRB5_CONFIG".to_owned(),
            conf_path.to_string_lossy().into_owned(),
        ),
        (
            "KRB5CCNAME".to_owned(),
            format!("FILE:{}", dir.path().join("ccache").display()),
        ),
    ];
    Some(run(
        kinit.to_str().unwrap(),
        &[&format!("user@{REALM}")],
        &env,
        Some("secret-password\n"),
    ))
}

/// The one stderr line of a refusal.
fn one_refusal_line(r: &Run) -> String {
    assert!(!r.ok, "kinit succeeded against a forged KDC: {r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{r:?}");
    let line = lines[0];
    assert!(
        line.starts_with(
            "kinit: refusing string-to-key parameters from the KDC for user@SPOOF.TEST"
        ),
        "{line}"
    );
    assert!(line.contains("may be forged"), "{line}");
    assert!(
        line.contains("tessera_s2k_max_factor") && line.contains("[libdefaults]"),
        "{line}"
    );
    line.to_owned()
}

#[test]
fn kinit_refuses_a_forged_gigabyte_argon2id() {
    let params = Argon2Params {
        m_cost: Argon2Params::MAX_M_COST,
        t_cost: Argon2Params::MAX_T_COST,
        p_cost: 1,
    };
    let (port, count) = forged_kdc(EncType::Aes256GcmArgon2id, params.encode().to_vec());
    let Some(r) = kinit(port, EncType::Aes256GcmArgon2id, "") else {
        return;
    };
    let line = one_refusal_line(&r);
    assert!(line.contains("Argon2id memory (KiB) 1048576"), "{line}");
    // Nothing was derived, so no PA-ENC-TIMESTAMP went out.
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn kinit_refuses_one_pbkdf2_iteration_unless_the_range_is_widened() {
    let etype = EncType::Aes256CtsHmacSha196;
    let (port, count) = forged_kdc(etype, 1u32.to_be_bytes().to_vec());
    let Some(r) = kinit(port, etype, "") else {
        return;
    };
    let line = one_refusal_line(&r);
    assert!(line.contains("PBKDF2 iteration count 1 "), "{line}");
    assert!(line.contains("tessera_s2k_min_divisor"), "{line}");
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // Widened to default / 4096 (= 1 for 4096 iterations): the key is
    // derived and the PA-ENC-TIMESTAMP sent (the forged KDC then asks again,
    // which fails differently).
    let default = u32::from_be_bytes(etype.default_s2kparams().try_into().unwrap());
    let (port, count) = forged_kdc(etype, 1u32.to_be_bytes().to_vec());
    let r = kinit(
        port,
        etype,
        &format!(" tessera_s2k_min_divisor = {default}\n"),
    )
    .unwrap();
    assert!(!r.ok);
    assert!(!r.stderr.contains("refusing string-to-key"), "{r:?}");
    assert_eq!(count.load(Ordering::SeqCst), 2, "{r:?}");
}
