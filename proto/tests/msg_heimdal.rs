//! Real Heimdal 7.8 client traffic (see tests/data/heimdal/README.md):
//! every capture decodes with our types and re-encodes byte for byte,
//! except the TGS-REQ whose nonce Heimdal sent as a negative INTEGER,
//! which rasn's `u32` refuses (the KDC reads it, see kdc/src/core/der.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::msg::*;

mod captures;
use captures::{exact, padata_types};

fn load(name: &str) -> Vec<u8> {
    captures::load("heimdal", name)
}

fn all_captures() -> Vec<(String, Vec<u8>)> {
    captures::all("heimdal")
}

/// The capture with the negative nonce.
const SIGNED_NONCE: &str = "tgs-1-tgs-req.der";

#[test]
fn every_capture_decodes_and_reencodes_exactly() {
    let caps = all_captures();
    assert!(
        caps.len() >= 18,
        "expected the committed captures, got {}",
        caps.len()
    );
    for (name, bytes) in caps {
        let kind = MessageType::peek(&bytes).unwrap();
        let kind_in_name = match kind {
            MessageType::AsReq => "as-req",
            MessageType::AsRep => "as-rep",
            MessageType::TgsReq => "tgs-req",
            MessageType::TgsRep => "tgs-rep",
            MessageType::KrbError => "krb-error",
            other => panic!("{name}: {other}"),
        };
        assert!(name.ends_with(&format!("{kind_in_name}.der")), "{name}");
        if name == SIGNED_NONCE {
            continue;
        }
        match kind {
            MessageType::AsReq => drop(exact::<AsReq>(&name, &bytes)),
            MessageType::AsRep => drop(exact::<AsRep>(&name, &bytes)),
            MessageType::TgsReq => drop(exact::<TgsReq>(&name, &bytes)),
            MessageType::TgsRep => drop(exact::<TgsRep>(&name, &bytes)),
            _ => drop(exact::<KrbError>(&name, &bytes)),
        }
    }
}

/// Heimdal declares `nonce` as a signed 32-bit integer: 0xab62dbbe went out
/// as `02 04 ab 62 db be` (-1419584578), not RFC 4120's UInt32 encoding
/// `02 05 00 ab 62 db be`. A strict decoder refuses it at that field.
#[test]
fn tgs_req_nonce_is_a_negative_integer() {
    let bytes = load(SIGNED_NONCE);
    let negative = [0xa7, 0x06, 0x02, 0x04, 0xab, 0x62, 0xdb, 0xbe];
    assert!(bytes.windows(negative.len()).any(|w| w == negative));
    let err = decode::<TgsReq>(&bytes).unwrap_err().to_string();
    assert!(err.contains("nonce"), "{err}");
}

#[test]
fn password_as_exchange() {
    let req = exact::<AsReq>("1", &load("as-password-1-as-req.der")).0;
    let body = &req.req_body;
    let cname = Principal::from_asn1(body.cname.as_ref().unwrap(), &body.realm).unwrap();
    assert_eq!(cname.to_string(), "user@TEST.REALM");
    // kinit.heimdal -f -r 1d: forwardable and renewable, no renewable-ok.
    assert_eq!(
        KdcOptions::from_asn1(&body.kdc_options),
        KdcOptions::FORWARDABLE | KdcOptions::RENEWABLE
    );
    assert!(body.rtime.is_some());
    // Heimdal 7.8 offers the RFC 8009 enctypes too, and DES3/RC4 last.
    assert_eq!(body.etype, [18, 17, 20, 19, 16, 23]);
    // Only PA-REQ-ENC-PA-REP (149) before the KDC asks for preauth.
    assert_eq!(
        padata_types(&req.padata),
        [PaDataType::ReqEncPaRep.as_i32()]
    );
    let err = exact::<KrbError>("2", &load("as-password-2-krb-error.der"));
    assert_eq!(krb_error_code(&err), Some(ErrorCode::PreauthRequired));
    let req2 = exact::<AsReq>("3", &load("as-password-3-as-req.der")).0;
    assert_eq!(
        padata_types(&req2.padata),
        [
            PaDataType::EncTimestamp.as_i32(),
            PaDataType::ReqEncPaRep.as_i32()
        ]
    );
    // Same nonce on the retry; Heimdal keeps AS nonces below 2^31.
    assert_eq!(req2.req_body.nonce, body.nonce);
    assert!(body.nonce < 1 << 31);
    exact::<AsRep>("4", &load("as-password-4-as-rep.der"));
}

/// kinit.heimdal --renew sends from, till and rtime all as
/// 19700101000000Z, and asks for forwardable and renewable again.
#[test]
fn renewal_tgs_req_has_zero_times() {
    let req = exact::<TgsReq>("renew", &load("renew-1-tgs-req.der")).0;
    let body = &req.req_body;
    assert_eq!(body.till.to_unix(), 0);
    assert_eq!(body.from.as_ref().map(|t| t.to_unix()), Some(0));
    assert_eq!(body.rtime.as_ref().map(|t| t.to_unix()), Some(0));
    let opts = KdcOptions::from_asn1(&body.kdc_options);
    assert_eq!(
        opts,
        KdcOptions::FORWARDABLE | KdcOptions::RENEWABLE | KdcOptions::RENEW
    );
    assert_eq!(padata_types(&req.padata), [PaDataType::TgsReq.as_i32()]);
    exact::<TgsRep>("renew-rep", &load("renew-2-tgs-rep.der"));
}

#[test]
fn wrong_password_is_preauth_failed() {
    for f in ["as-badpw-4-krb-error.der", "as-badpw-6-krb-error.der"] {
        let err = exact::<KrbError>(f, &load(f));
        assert_eq!(krb_error_code(&err), Some(ErrorCode::PreauthFailed), "{f}");
    }
}
