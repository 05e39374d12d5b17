//! Encode -> decode -> encode round trips for every message type, built
//! with realistic field values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::msg::time::{kerberos_time, microseconds};
use tessera_proto::msg::*;

const T0: i64 = 1_700_000_000;
const REALM: &str = "EXAMPLE.COM";

fn rt<T: rasn::Decode + rasn::Encode + PartialEq + core::fmt::Debug>(v: &T) -> Vec<u8> {
    let der = encode(v).unwrap();
    let back: T = decode(&der).unwrap();
    assert_eq!(&back, v);
    assert_eq!(encode(&back).unwrap(), der);
    der
}

fn t(off: i64) -> KerberosTime {
    kerberos_time(T0 + off).unwrap()
}

fn user() -> Principal {
    Principal::parse("alice@EXAMPLE.COM").unwrap()
}

fn host() -> Principal {
    Principal::service_host("host", "srv.example.com", REALM)
}

fn realm() -> Realm {
    user().to_realm().unwrap()
}

fn key() -> EncryptionKey {
    EncryptionKey {
        r#type: 18,
        value: vec![0x11; 32].into(),
    }
}

fn checksum() -> Checksum {
    Checksum {
        r#type: 16,
        checksum: vec![0xcc; 12].into(),
    }
}

fn ticket() -> Ticket {
    Ticket {
        tkt_vno: 5.into(),
        realm: realm(),
        sname: Principal::krbtgt(REALM).to_principal_name().unwrap(),
        enc_part: encrypted_data(18, Some(3), vec![0xab; 200]),
    }
}

fn addresses() -> HostAddresses {
    vec![HostAddress {
        addr_type: HostAddress::IPV4,
        address: vec![127, 0, 0, 1].into(),
    }]
}

fn req_body() -> KdcReqBody {
    KdcReqBody {
        kdc_options: (KdcOptions::FORWARDABLE | KdcOptions::RENEWABLE | KdcOptions::CANONICALIZE)
            .to_asn1(),
        cname: Some(user().to_principal_name().unwrap()),
        realm: realm(),
        sname: Some(Principal::krbtgt(REALM).to_principal_name().unwrap()),
        from: None,
        till: t(36_000),
        rtime: Some(t(604_800)),
        nonce: 0x1234_5678,
        etype: vec![18, 17, 20, 19],
        addresses: Some(addresses()),
        enc_authorization_data: None,
        additional_tickets: None,
    }
}

fn kdc_req(msg_type: MessageType, padata: Vec<PaData>) -> KdcReq {
    KdcReq {
        pvno: PVNO.into(),
        msg_type: msg_type.as_i32().into(),
        padata: Some(padata),
        req_body: req_body(),
    }
}

fn kdc_rep(msg_type: MessageType) -> KdcRep {
    KdcRep {
        pvno: PVNO.into(),
        msg_type: msg_type.as_i32().into(),
        padata: Some(vec![
            pa_etype_info2(vec![
                etype_info2_entry(18, Some("EXAMPLE.COMalice"), Some(&[0, 0, 0x10, 0])).unwrap(),
            ])
            .unwrap(),
        ]),
        crealm: realm(),
        cname: user().to_principal_name().unwrap(),
        ticket: ticket(),
        enc_part: encrypted_data(18, Some(1), vec![0x5a; 180]),
    }
}

fn enc_kdc_rep_part() -> EncKdcRepPart {
    EncKdcRepPart {
        key: key(),
        last_req: vec![LastReqValue {
            r#type: 0,
            value: t(0),
        }],
        nonce: 0x1234_5678,
        key_expiration: Some(t(90 * 86_400)),
        flags: (TicketFlags::FORWARDABLE
            | TicketFlags::RENEWABLE
            | TicketFlags::INITIAL
            | TicketFlags::PRE_AUTHENT)
            .to_asn1(),
        auth_time: t(0),
        start_time: Some(t(0)),
        end_time: t(36_000),
        renew_till: Some(t(604_800)),
        srealm: realm(),
        sname: Principal::krbtgt(REALM).to_principal_name().unwrap(),
        caddr: None,
        encrypted_pa_data: Some(vec![pa_data(
            PaDataType::ReqEncPaRep,
            encode(&checksum()).unwrap(),
        )]),
    }
}

#[test]
fn kdc_requests() {
    let ts = pa_enc_ts_enc(T0, Some(123_456)).unwrap();
    rt(&ts);
    let pa_ts = pa_data_der(
        PaDataType::EncTimestamp,
        &encrypted_data(18, None, vec![1; 60]),
    )
    .unwrap();
    let as_req = AsReq(kdc_req(
        MessageType::AsReq,
        vec![
            pa_ts,
            pa_pac_request(true).unwrap(),
            pa_data(PaDataType::ReqEncPaRep, vec![]),
        ],
    ));
    let der = rt(&as_req);
    assert_eq!(MessageType::peek(&der), Ok(MessageType::AsReq));

    let ap = ap_req();
    let mut tgs = kdc_req(
        MessageType::TgsReq,
        vec![pa_data_der(PaDataType::TgsReq, &ap).unwrap()],
    );
    tgs.req_body.cname = None;
    tgs.req_body.sname = Some(host().to_principal_name().unwrap());
    tgs.req_body.enc_authorization_data = Some(encrypted_data(18, None, vec![2; 40]));
    tgs.req_body.additional_tickets = Some(vec![ticket()]);
    tgs.req_body.kdc_options = (KdcOptions::FORWARDABLE | KdcOptions::ENC_TKT_IN_SKEY).to_asn1();
    let der = rt(&TgsReq(tgs));
    assert_eq!(MessageType::peek(&der), Ok(MessageType::TgsReq));
}

#[test]
fn kdc_replies_and_encrypted_parts() {
    assert_eq!(
        MessageType::peek(&rt(&AsRep(kdc_rep(MessageType::AsRep)))),
        Ok(MessageType::AsRep)
    );
    assert_eq!(
        MessageType::peek(&rt(&TgsRep(kdc_rep(MessageType::TgsRep)))),
        Ok(MessageType::TgsRep)
    );
    let der = rt(&EncAsRepPart(enc_kdc_rep_part()));
    assert_eq!(application_tag(&der), Ok(25));
    let der = rt(&EncTgsRepPart(enc_kdc_rep_part()));
    assert_eq!(application_tag(&der), Ok(26));
    assert_eq!(application_tag(&rt(&ticket())), Ok(1));

    let etp = EncTicketPart {
        flags: (TicketFlags::FORWARDABLE | TicketFlags::PRE_AUTHENT).to_asn1(),
        key: key(),
        crealm: realm(),
        cname: user().to_principal_name().unwrap(),
        transited: TransitedEncoding {
            r#type: 1,
            contents: vec![].into(),
        },
        auth_time: t(0),
        start_time: Some(t(0)),
        end_time: t(36_000),
        renew_till: None,
        caddr: Some(addresses()),
        authorization_data: Some(vec![AuthorizationDataValue {
            r#type: AuthorizationDataValue::IF_RELEVANT,
            data: vec![0x30, 0x00].into(),
        }]),
    };
    assert_eq!(application_tag(&rt(&etp)), Ok(3));
}

fn ap_req() -> ApReq {
    ApReq {
        pvno: PVNO.into(),
        msg_type: MessageType::ApReq.as_i32().into(),
        ap_options: ApOptions::MUTUAL_REQUIRED.to_asn1(),
        ticket: ticket(),
        authenticator: encrypted_data(18, None, vec![0x77; 120]),
    }
}

#[test]
fn ap_exchange() {
    assert_eq!(MessageType::peek(&rt(&ap_req())), Ok(MessageType::ApReq));
    let auth = Authenticator {
        authenticator_vno: 5.into(),
        crealm: realm(),
        cname: user().to_principal_name().unwrap(),
        cksum: Some(Checksum {
            r#type: 0x8003,
            checksum: vec![0; 24].into(),
        }),
        cusec: microseconds(999_999).unwrap(),
        ctime: t(5),
        subkey: Some(key()),
        seq_number: Some(0xdead_beef),
        authorization_data: None,
    };
    assert_eq!(application_tag(&rt(&auth)), Ok(2));
    let rep = ApRep {
        pvno: PVNO.into(),
        msg_type: MessageType::ApRep.as_i32().into(),
        enc_part: encrypted_data(18, None, vec![9; 60]),
    };
    assert_eq!(MessageType::peek(&rt(&rep)), Ok(MessageType::ApRep));
    let part = EncApRepPart {
        ctime: t(5),
        cusec: microseconds(1).unwrap(),
        subkey: Some(key()),
        seq_number: Some(7),
    };
    assert_eq!(application_tag(&rt(&part)), Ok(27));
}

#[test]
fn krb_error_builder() {
    let server = Principal::krbtgt(REALM);
    let err = KrbErrorBuilder::new(ErrorCode::PreauthRequired, &server, T0 * 1_000_000 + 42)
        .client(&user())
        .client_time(T0 * 1_000_000 - 5)
        .e_text("NEEDED_PREAUTH")
        .method_data(vec![
            pa_etype_info2(vec![
                etype_info2_entry(18, Some("EXAMPLE.COMalice"), None).unwrap(),
            ])
            .unwrap(),
            pa_data(PaDataType::EncTimestamp, vec![]),
            pa_data(PaDataType::FxFast, vec![]),
            pa_data(PaDataType::FxCookie, b"cookie".to_vec()),
        ])
        .build()
        .unwrap();
    let der = rt(&err);
    assert_eq!(MessageType::peek(&der), Ok(MessageType::KrbError));
    assert_eq!(krb_error_code(&err), Some(ErrorCode::PreauthRequired));
    assert_eq!(err.stime.to_unix(), T0);
    assert_eq!(err.susec, Integer::from(42));
    assert_eq!(err.ctime.as_ref().unwrap().to_unix(), T0 - 1);
    assert_eq!(err.cusec, Some(Integer::from(999_995)));
    let md = krb_error_method_data(&err).unwrap().unwrap();
    assert_eq!(md.len(), 4);
    assert_eq!(
        Principal::from_asn1(&err.sname, &err.realm).unwrap(),
        server
    );

    let minimal = KrbErrorBuilder::new_raw(60, &server, 0)
        .e_data(vec![1, 2, 3])
        .build()
        .unwrap();
    rt(&minimal);
    assert!(krb_error_method_data(&minimal).is_err());
    assert_eq!(minimal.crealm, None);
}

#[test]
fn safe_priv_cred() {
    let addr = addresses()[0].clone();
    let safe = KrbSafe {
        pvno: PVNO.into(),
        msg_type: MessageType::KrbSafe.as_i32().into(),
        body: KrbSafeBody {
            user_data: b"hello".to_vec().into(),
            timestamp: Some(t(1)),
            usec: Some(microseconds(10).unwrap()),
            seq_number: Some(1),
            s_address: addr.clone(),
            r_address: None,
        },
        cksum: checksum(),
    };
    assert_eq!(MessageType::peek(&rt(&safe)), Ok(MessageType::KrbSafe));
    let krb_priv = KrbPriv {
        pvno: PVNO.into(),
        msg_type: MessageType::KrbPriv.as_i32().into(),
        enc_part: encrypted_data(18, None, vec![3; 80]),
    };
    assert_eq!(MessageType::peek(&rt(&krb_priv)), Ok(MessageType::KrbPriv));
    let priv_part = EncKrbPrivPart {
        user_data: b"new password".to_vec().into(),
        timestamp: Some(t(1)),
        usec: Some(microseconds(2).unwrap()),
        seq_number: None,
        sender_address: addr.clone(),
        recipient_address: Some(addr.clone()),
    };
    assert_eq!(application_tag(&rt(&priv_part)), Ok(28));
    let cred = KrbCred {
        pvno: PVNO.into(),
        msg_type: MessageType::KrbCred.as_i32().into(),
        tickets: vec![ticket(), ticket()],
        enc_part: encrypted_data(0, None, vec![4; 30]),
    };
    assert_eq!(MessageType::peek(&rt(&cred)), Ok(MessageType::KrbCred));
    let cred_part = EncKrbCredPart {
        ticket_info: vec![KrbCredInfo {
            key: key(),
            prealm: Some(realm()),
            pname: Some(user().to_principal_name().unwrap()),
            flags: Some((TicketFlags::FORWARDED | TicketFlags::FORWARDABLE).to_asn1()),
            auth_time: Some(t(0)),
            start_time: Some(t(0)),
            end_time: Some(t(100)),
            renew_till: None,
            srealm: Some(realm()),
            sname: Some(Principal::krbtgt(REALM).to_principal_name().unwrap()),
            caddr: None,
        }],
        nonce: Some(5),
        timestamp: Some(t(0)),
        usec: Some(microseconds(0).unwrap()),
        sender_address: None,
        recipient_address: None,
    };
    assert_eq!(application_tag(&rt(&cred_part)), Ok(29));
}

#[test]
fn fast_structures() {
    let armor = KrbFastArmor {
        armor_type: FX_FAST_ARMOR_AP_REQUEST,
        armor_value: encode(&ap_req()).unwrap().into(),
    };
    let armored = KrbFastArmoredReq {
        armor: Some(armor),
        req_checksum: checksum(),
        enc_fast_req: encrypted_data(18, None, vec![8; 300]),
    };
    let der = rt(&PaFxFastRequest::ArmoredData(armored.clone()));
    assert_eq!(der[0], 0xa0, "CHOICE alternative is explicit [0]");
    rt(&armored);
    let fast_req = KrbFastReq {
        fast_options: FastOptions(FastOptions::HIDE_CLIENT_NAMES).to_bitstring(),
        padata: vec![pa_data(
            PaDataType::EncryptedChallenge,
            encode(&encrypted_data(18, None, vec![1; 50])).unwrap(),
        )],
        req_body: req_body(),
    };
    rt(&fast_req);
    let finished = KrbFastFinished {
        timestamp: t(0),
        usec: microseconds(17).unwrap(),
        crealm: realm(),
        cname: user().to_principal_name().unwrap(),
        ticket_checksum: checksum(),
    };
    let response = KrbFastResponse {
        padata: vec![pa_data(PaDataType::FxCookie, b"c".to_vec())],
        strengthen_key: Some(key()),
        finished: Some(finished),
        nonce: 99,
    };
    rt(&response);
    assert!(
        !format!("{response:?}").contains("17, 17, 17"),
        "strengthen key redacted"
    );
    let rep = PaFxFastReply::ArmoredData(KrbFastArmoredRep {
        enc_fast_rep: encrypted_data(18, None, vec![6; 100]),
    });
    assert_eq!(rt(&rep)[0], 0xa0);
}

#[test]
fn ms_padata() {
    let der = rt(&PaPacRequest { include_pac: true });
    assert_eq!(der, [0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff]);
    let pa = pa_pac_request(false).unwrap();
    assert_eq!(pa.r#type, 128);
    assert_eq!(
        decode_pa_value::<PaPacRequest>(&pa).unwrap(),
        PaPacRequest { include_pac: false }
    );
    rt(&PaForUser {
        user_name: Principal::new(NameType::Enterprise, vec!["bob@example.com".into()], REALM)
            .to_principal_name()
            .unwrap(),
        user_realm: realm(),
        cksum: Checksum {
            r#type: -138,
            checksum: vec![0; 16].into(),
        },
        auth_package: GeneralString::from_bytes(b"Kerberos").unwrap(),
    });
}

#[test]
fn kpasswd_messages() {
    let data = ChangePasswdData {
        newpasswd: b"s3cret!".to_vec().into(),
        targname: Some(user().to_principal_name().unwrap()),
        targrealm: Some(realm()),
    };
    rt(&data);
    assert!(!format!("{data:?}").contains("s3cret"));
    rt(&ChangePasswdData {
        newpasswd: b"x".to_vec().into(),
        targname: None,
        targrealm: None,
    });

    let krb_priv = KrbPriv {
        pvno: PVNO.into(),
        msg_type: MessageType::KrbPriv.as_i32().into(),
        enc_part: encrypted_data(18, None, vec![3; 80]),
    };
    for version in [KpasswdVersion::Change, KpasswdVersion::SetPassword] {
        let req = KpasswdRequest {
            version,
            ap_req: ap_req(),
            krb_priv: krb_priv.clone(),
        };
        let bytes = req.encode().unwrap();
        assert_eq!(
            usize::from(u16::from_be_bytes([bytes[0], bytes[1]])),
            bytes.len()
        );
        assert_eq!(u16::from_be_bytes([bytes[2], bytes[3]]), version.as_u16());
        assert_eq!(KpasswdRequest::decode(&bytes).unwrap(), req);
    }
    let reply = KpasswdReply::Priv {
        ap_rep: ApRep {
            pvno: PVNO.into(),
            msg_type: MessageType::ApRep.as_i32().into(),
            enc_part: encrypted_data(18, None, vec![9; 60]),
        },
        krb_priv,
    };
    let bytes = reply.encode().unwrap();
    assert_eq!(&bytes[2..4], &[0, 1]);
    assert_eq!(KpasswdReply::decode(&bytes).unwrap(), reply);

    let result = KpasswdResult::new(KpasswdResultCode::SoftError, "Password too short");
    let rbytes = result.encode();
    assert_eq!(&rbytes[..2], &[0, 4]);
    let back = KpasswdResult::decode(&rbytes).unwrap();
    assert_eq!(back.result_code(), Some(KpasswdResultCode::SoftError));
    assert_eq!(back.text(), Some("Password too short"));
    let err = KrbErrorBuilder::new(
        ErrorCode::ApErrBadIntegrity,
        &Principal::new(
            NameType::Principal,
            vec!["kadmin".into(), "changepw".into()],
            REALM,
        ),
        T0 * 1_000_000,
    )
    .e_data(KpasswdResult::new(KpasswdResultCode::AuthError, "bad").encode())
    .build()
    .unwrap();
    let ereply = KpasswdReply::Error(err);
    let ebytes = ereply.encode().unwrap();
    assert_eq!(&ebytes[4..6], &[0, 0], "no AP-REP");
    assert_eq!(KpasswdReply::decode(&ebytes).unwrap(), ereply);
    for code in 0..=7u16 {
        let c = KpasswdResultCode::from_u16(code).unwrap();
        assert_eq!(c.as_u16(), code);
        assert!(!c.message().is_empty());
    }
    assert_eq!(KpasswdResultCode::from_u16(8), None);
}
