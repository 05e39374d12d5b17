//! Real MIT krb5 1.20 traffic (see tests/data/mit/README.md) decodes with
//! our types, re-encodes byte for byte, and the typed accessors agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::msg::*;

mod captures;
use captures::padata_types;

fn load(name: &str) -> Vec<u8> {
    captures::load("mit", name)
}

fn all_captures() -> Vec<(String, Vec<u8>)> {
    captures::all("mit")
}

fn exact<T: rasn::Decode + rasn::Encode>(bytes: &[u8]) -> T {
    captures::exact("MIT capture", bytes)
}

fn principal(name: &PrincipalName, realm: &Realm) -> Principal {
    Principal::from_asn1(name, realm).unwrap()
}

const MIT_ETYPES: [i32; 8] = [18, 17, 20, 19, 16, 23, 25, 26];

#[test]
fn every_capture_decodes_and_reencodes_exactly() {
    let caps = all_captures();
    assert!(
        caps.len() >= 24,
        "expected the committed captures, got {}",
        caps.len()
    );
    for (name, bytes) in caps {
        let kind = MessageType::peek(&bytes).unwrap();
        let expected_kind = if name.contains("as-req") {
            MessageType::AsReq
        } else if name.contains("as-rep") {
            MessageType::AsRep
        } else if name.contains("tgs-req") {
            MessageType::TgsReq
        } else if name.contains("tgs-rep") {
            MessageType::TgsRep
        } else if name.contains("krb-error") {
            MessageType::KrbError
        } else if name == "ap-req.der" {
            MessageType::ApReq
        } else if name == "ap-rep.der" {
            MessageType::ApRep
        } else {
            panic!("unexpected capture {name}")
        };
        assert_eq!(kind, expected_kind, "{name}");
        match kind {
            MessageType::AsReq => drop(exact::<AsReq>(&bytes)),
            MessageType::AsRep => drop(exact::<AsRep>(&bytes)),
            MessageType::TgsReq => drop(exact::<TgsReq>(&bytes)),
            MessageType::TgsRep => drop(exact::<TgsRep>(&bytes)),
            MessageType::KrbError => drop(exact::<KrbError>(&bytes)),
            MessageType::ApReq => drop(exact::<ApReq>(&bytes)),
            MessageType::ApRep => drop(exact::<ApRep>(&bytes)),
            other => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn as_req_without_preauth() {
    let req = exact::<AsReq>(&load("as-preauth-1-as-req.der")).0;
    assert_eq!(req.pvno, Integer::from(5));
    assert_eq!(req.msg_type, Integer::from(MessageType::AsReq.as_i32()));
    let body = &req.req_body;
    let cname = principal(body.cname.as_ref().unwrap(), &body.realm);
    assert_eq!(cname.to_string(), "user@TEST.REALM");
    assert_eq!(cname.name_type, NameType::Principal);
    let sname = principal(body.sname.as_ref().unwrap(), &body.realm);
    assert_eq!(sname, Principal::krbtgt("TEST.REALM"));
    assert!(sname.is_krbtgt());
    let opts = KdcOptions::from_asn1(&body.kdc_options);
    assert_eq!(opts, KdcOptions::FORWARDABLE | KdcOptions::RENEWABLE);
    assert_eq!(
        opts.to_bitstring(),
        body.kdc_options.0,
        "flags re-encode to the same 32 bits"
    );
    assert_eq!(body.etype, MIT_ETYPES);
    assert!(body.till.to_unix() > 1_700_000_000);
    assert!(body.rtime.is_some());
    // MIT 1.20 asks for encrypted padata and advertises freshness support.
    assert_eq!(
        padata_types(&req.padata),
        [
            PaDataType::AsFreshness.as_i32(),
            PaDataType::ReqEncPaRep.as_i32()
        ]
    );
}

#[test]
fn preauth_required_error() {
    let err = exact::<KrbError>(&load("as-preauth-2-krb-error.der"));
    assert_eq!(krb_error_code(&err), Some(ErrorCode::PreauthRequired));
    assert_eq!(
        ErrorCode::PreauthRequired.message(),
        "Additional pre-authentication required"
    );
    assert_eq!(err.e_text.as_ref().unwrap().as_bytes(), b"NEEDED_PREAUTH");
    assert!(err.stime.to_unix() > 1_700_000_000);
    tessera_proto::msg::time::microseconds_value(&err.susec).unwrap();
    let client = principal(err.cname.as_ref().unwrap(), err.crealm.as_ref().unwrap());
    assert_eq!(client.to_string(), "user@TEST.REALM");
    assert!(principal(&err.sname, &err.realm).is_krbtgt());

    let methods = krb_error_method_data(&err).unwrap().unwrap();
    let types: Vec<i32> = methods.iter().map(|p| p.r#type).collect();
    assert_eq!(types, [136, 19, 2, 133]);
    let info: EtypeInfo2 =
        decode_pa_value(find_pa_data(&methods, PaDataType::EtypeInfo2).unwrap()).unwrap();
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].etype, 18);
    assert_eq!(info[0].salt.as_ref().unwrap().as_bytes(), b"TEST.REALMuser");
    assert_eq!(info[0].s2kparams, None);
    // Rebuilding the ETYPE-INFO2 PA-DATA gives MIT's exact bytes.
    let rebuilt = pa_etype_info2(vec![
        etype_info2_entry(18, Some("TEST.REALMuser"), None).unwrap(),
    ])
    .unwrap();
    assert_eq!(
        &rebuilt,
        find_pa_data(&methods, PaDataType::EtypeInfo2).unwrap()
    );
    let cookie = find_pa_data(&methods, PaDataType::FxCookie).unwrap();
    assert_eq!(&cookie.value[..], b"MIT");
}

#[test]
fn as_req_with_encrypted_timestamp() {
    let req = exact::<AsReq>(&load("as-preauth-3-as-req.der")).0;
    let padata = req.padata.as_deref().unwrap();
    assert_eq!(padata_types(&req.padata), [133, 2, 150, 149]);
    let ts: PaEncTimestamp =
        decode_pa_value(find_pa_data(padata, PaDataType::EncTimestamp).unwrap()).unwrap();
    assert_eq!(ts.etype, 18);
    assert_eq!(ts.kvno, None);
    // 16-byte confounder + at least 15 bytes of PA-ENC-TS-ENC + 12-byte HMAC.
    assert!(ts.cipher.len() >= 16 + 15 + 12);
}

#[test]
fn as_rep() {
    let rep = exact::<AsRep>(&load("as-preauth-4-as-rep.der")).0;
    assert_eq!(rep.msg_type, Integer::from(11));
    assert_eq!(
        principal(&rep.cname, &rep.crealm).to_string(),
        "user@TEST.REALM"
    );
    let t = &rep.ticket;
    assert_eq!(t.tkt_vno, Integer::from(5));
    assert_eq!(
        principal(&t.sname, &t.realm),
        Principal::krbtgt("TEST.REALM")
    );
    assert_eq!(t.enc_part.etype, 18);
    assert_eq!(t.enc_part.kvno, Some(2), "krbtgt kvno after cpw");
    assert_eq!(rep.enc_part.etype, 18);
    assert_eq!(padata_types(&rep.padata), [19]);
    // The ticket alone also round-trips.
    let tbytes = encode(t).unwrap();
    assert_eq!(MessageType::peek(&tbytes), Err(PeekError::NotAMessage(1)));
    assert_eq!(exact::<Ticket>(&tbytes), *t);
}

#[test]
fn tgs_exchange() {
    let req = exact::<TgsReq>(&load("tgs-1-tgs-req.der")).0;
    let body = &req.req_body;
    assert_eq!(body.cname, None);
    let sname = principal(body.sname.as_ref().unwrap(), &body.realm);
    assert_eq!(sname.components, ["host", "localhost"]);
    assert_eq!(body.etype, MIT_ETYPES);
    let padata = req.padata.as_deref().unwrap();
    let ap: ApReq = decode_pa_value(find_pa_data(padata, PaDataType::TgsReq).unwrap()).unwrap();
    assert_eq!(
        encode(&ap).unwrap(),
        &find_pa_data(padata, PaDataType::TgsReq).unwrap().value[..]
    );
    assert_eq!(
        principal(&ap.ticket.sname, &ap.ticket.realm),
        Principal::krbtgt("TEST.REALM")
    );
    assert_eq!(ApOptions::from_asn1(&ap.ap_options), ApOptions::EMPTY);
    assert_eq!(ap.authenticator.etype, 18);

    let rep = exact::<TgsRep>(&load("tgs-2-tgs-rep.der")).0;
    assert_eq!(
        principal(&rep.cname, &rep.crealm).to_string(),
        "user@TEST.REALM"
    );
    let tsname = principal(&rep.ticket.sname, &rep.ticket.realm);
    assert_eq!(tsname.to_string(), "host/localhost@TEST.REALM");
    assert_eq!(rep.ticket.enc_part.kvno, Some(1));
    assert_eq!(rep.enc_part.etype, 18);
}

#[test]
fn ap_req_and_ap_rep_from_gss() {
    let ap = exact::<ApReq>(&load("ap-req.der"));
    assert_eq!(ap.msg_type, Integer::from(14));
    assert_eq!(
        ApOptions::from_asn1(&ap.ap_options),
        ApOptions::MUTUAL_REQUIRED
    );
    assert_eq!(
        principal(&ap.ticket.sname, &ap.ticket.realm).to_string(),
        "host/localhost@TEST.REALM"
    );
    assert_eq!(ap.ticket.enc_part.kvno, Some(1));
    assert_eq!(ap.authenticator.etype, 18);
    // The raw GSS token is the AP-REQ behind the RFC 1964 framing.
    let token = load("gss-init-token.bin");
    assert!(token.ends_with(&load("ap-req.der")));

    let rep = exact::<ApRep>(&load("ap-rep.der"));
    assert_eq!(rep.msg_type, Integer::from(15));
    assert_eq!(rep.enc_part.etype, 18);
}

#[test]
fn error_replies() {
    let cases = [
        (
            "as-unknown-2-krb-error.der",
            ErrorCode::CPrincipalUnknown,
            "nobody@TEST.REALM",
        ),
        (
            "as-badpw-4-krb-error.der",
            ErrorCode::PreauthFailed,
            "user@TEST.REALM",
        ),
        (
            "tgs-unknown-2-krb-error.der",
            ErrorCode::SPrincipalUnknown,
            "user@TEST.REALM",
        ),
    ];
    for (file, code, client) in cases {
        let err = exact::<KrbError>(&load(file));
        assert_eq!(krb_error_code(&err), Some(code), "{file}");
        if let (Some(n), Some(r)) = (&err.cname, &err.crealm) {
            assert_eq!(principal(n, r).to_string(), client, "{file}");
        }
    }
    let unknown = exact::<KrbError>(&load("tgs-unknown-2-krb-error.der"));
    assert_eq!(
        principal(&unknown.sname, &unknown.realm).to_string(),
        "nosuch/service@TEST.REALM"
    );
    assert_eq!(
        error_code_text(unknown.error_code),
        "Server not found in Kerberos database"
    );
}

#[test]
fn fast_armored_as_req() {
    let req = exact::<AsReq>(&load("fast-1-as-req.der")).0;
    let body = &req.req_body;
    // The outer body of a FAST request carries placeholder values.
    assert_eq!(body.till.to_unix(), 0);
    assert_eq!(body.nonce, 0);
    assert!(KdcOptions::from_asn1(&body.kdc_options).contains(KdcOptions::RENEWABLE_OK));
    let padata = req.padata.as_deref().unwrap();
    let pa = find_pa_data(padata, PaDataType::FxFast).unwrap();
    let fast: PaFxFastRequest = decode_pa_value(pa).unwrap();
    assert_eq!(encode(&fast).unwrap(), &pa.value[..]);
    let PaFxFastRequest::ArmoredData(armored) = fast;
    let armor = armored.armor.as_ref().unwrap();
    assert_eq!(armor.armor_type, FX_FAST_ARMOR_AP_REQUEST);
    let armor_ap: ApReq = decode(&armor.armor_value).unwrap();
    assert_eq!(
        principal(&armor_ap.ticket.sname, &armor_ap.ticket.realm),
        Principal::krbtgt("TEST.REALM")
    );
    assert_eq!(armored.req_checksum.r#type, 16, "hmac-sha1-96-aes256");
    assert_eq!(armored.enc_fast_req.etype, 18);
    let again = exact::<KrbFastArmoredReq>(&encode(&armored).unwrap());
    assert_eq!(again, armored);
}

#[test]
fn fast_error_and_reply() {
    let err = exact::<KrbError>(&load("fast-2-krb-error.der"));
    assert_eq!(krb_error_code(&err), Some(ErrorCode::PreauthRequired));
    let methods = krb_error_method_data(&err).unwrap().unwrap();
    let pa = find_pa_data(&methods, PaDataType::FxFast).unwrap();
    let reply: PaFxFastReply = decode_pa_value(pa).unwrap();
    assert_eq!(encode(&reply).unwrap(), &pa.value[..]);
    let PaFxFastReply::ArmoredData(rep) = reply;
    assert_eq!(rep.enc_fast_rep.etype, 18);

    let req2 = exact::<AsReq>(&load("fast-3-as-req.der")).0;
    let pa2 = find_pa_data(req2.padata.as_deref().unwrap(), PaDataType::FxFast).unwrap();
    let PaFxFastRequest::ArmoredData(armored2) = decode_pa_value(pa2).unwrap();
    assert!(armored2.armor.is_some());

    let rep = exact::<AsRep>(&load("fast-4-as-rep.der")).0;
    let pa = find_pa_data(rep.padata.as_deref().unwrap(), PaDataType::FxFast).unwrap();
    let PaFxFastReply::ArmoredData(armored_rep) = decode_pa_value(pa).unwrap();
    assert_eq!(armored_rep.enc_fast_rep.etype, 18);
}

#[test]
fn armor_tgt_for_service_without_preauth() {
    let req = exact::<AsReq>(&load("armor-1-as-req.der")).0;
    let body = &req.req_body;
    let c = principal(body.cname.as_ref().unwrap(), &body.realm);
    assert_eq!(c.to_string(), "host/localhost@TEST.REALM");
    let rep = exact::<AsRep>(&load("armor-2-as-rep.der")).0;
    let info: EtypeInfo2 = decode_pa_value(
        find_pa_data(rep.padata.as_deref().unwrap(), PaDataType::EtypeInfo2).unwrap(),
    )
    .unwrap();
    assert_eq!(
        info[0].salt.as_ref().unwrap().as_bytes(),
        b"TEST.REALMhostlocalhost"
    );
}
