//! The typed API: principals, flags, times, codes, message-type peeking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::msg::time::{
    from_system_time, join_unix_micros, kerberos_time, microseconds, split_unix_micros,
};
use tessera_proto::msg::*;

#[test]
fn principal_parse_and_display() {
    let p = Principal::parse("host/www.example.com@EXAMPLE.COM").unwrap();
    assert_eq!(p.components, ["host", "www.example.com"]);
    assert_eq!(p.realm, "EXAMPLE.COM");
    assert_eq!(p.name_type, NameType::Principal);
    assert_eq!(p.to_string(), "host/www.example.com@EXAMPLE.COM");
    assert_eq!(p.name_without_realm(), "host/www.example.com");

    let tgt = Principal::parse("krbtgt/EXAMPLE.COM@EXAMPLE.COM").unwrap();
    assert_eq!(tgt, Principal::krbtgt("EXAMPLE.COM"));
    assert!(tgt.is_krbtgt());
    assert_eq!(tgt.tgs_target_realm(), Some("EXAMPLE.COM"));
    let cross = Principal::krbtgt_cross("B.COM", "A.COM");
    assert_eq!(cross.to_string(), "krbtgt/B.COM@A.COM");
    assert!(!p.is_krbtgt());

    let no_realm = Principal::parse("alice").unwrap();
    assert_eq!(no_realm.realm, "");
    assert_eq!(no_realm.to_string(), "alice");
    let filled = Principal::parse_with_default_realm("alice", "EXAMPLE.COM").unwrap();
    assert_eq!(filled.to_string(), "alice@EXAMPLE.COM");
    // An explicit empty realm (referral) stays empty.
    let referral = Principal::parse_with_default_realm("host/x@", "EXAMPLE.COM").unwrap();
    assert_eq!(referral.realm, "");
    assert_eq!("bob@R".parse::<Principal>().unwrap().components, ["bob"]);
}

#[test]
fn principal_escapes_round_trip() {
    let p = Principal::parse(r"a\/b/c\@d\\e\n\t\b\0x@RE\@ALM/X").unwrap();
    assert_eq!(p.components, ["a/b", "c@d\\e\n\t\u{8}\0x"]);
    assert_eq!(p.realm, "RE@ALM/X");
    let s = p.to_string();
    assert_eq!(s, r"a\/b/c\@d\\e\n\t\b\0x@RE\@ALM/X");
    assert_eq!(Principal::parse(&s).unwrap(), p);
    // Unknown escapes keep the character.
    assert_eq!(Principal::parse(r"\q@R").unwrap().components, ["q"]);
    // Empty components are allowed, as in MIT.
    assert_eq!(
        Principal::parse("a//b@R").unwrap().components,
        ["a", "", "b"]
    );
}

#[test]
fn principal_parse_errors() {
    assert_eq!(Principal::parse(""), Err(NameError::Empty));
    // "@" alone names nothing and would print as "" (found by fuzzing).
    assert_eq!(Principal::parse("@"), Err(NameError::Empty));
    let p = Principal::parse("@R").unwrap();
    assert_eq!(Principal::parse(&p.to_string()).unwrap(), p);
    assert_eq!(Principal::parse("a\\"), Err(NameError::TrailingBackslash));
    assert_eq!(Principal::parse("a@B@C"), Err(NameError::MultipleRealms));
}

#[test]
fn principal_wire_conversion() {
    let p = Principal::service_host("HTTP", "web.example.com", "EXAMPLE.COM");
    let (name, realm) = p.to_asn1().unwrap();
    assert_eq!(name.r#type, 3);
    assert_eq!(name.string.len(), 2);
    assert_eq!(realm.as_bytes(), b"EXAMPLE.COM");
    assert_eq!(Principal::from_asn1(&name, &realm).unwrap(), p);
    // Name type is ignored by same_name.
    let mut q = p.clone();
    q.name_type = NameType::Principal;
    assert!(q.same_name(&p));
    assert_ne!(q, p);
    // Unknown name types survive.
    assert_eq!(NameType::from_i32(99), NameType::Other(99));
    assert_eq!(NameType::Other(99).as_i32(), 99);
    for v in [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, -128, -129, -130] {
        assert_eq!(NameType::from_i32(v).as_i32(), v);
        assert!(!matches!(NameType::from_i32(v), NameType::Other(_)));
    }
    // No components / bad UTF-8 from the wire are errors, not panics.
    let empty = PrincipalName {
        r#type: 1,
        string: vec![],
    };
    assert_eq!(
        Principal::from_asn1(&empty, &realm),
        Err(NameError::NoComponents)
    );
    let bad = PrincipalName {
        r#type: 1,
        string: vec![GeneralString::from_bytes(&[0xff, 0xfe]).unwrap()],
    };
    assert!(matches!(
        Principal::from_asn1(&bad, &realm),
        Err(NameError::NotUtf8 { .. })
    ));
    // UTF-8 that GeneralString can carry works.
    let u = Principal::parse("jos\u{e9}@EXAMPLE.COM").unwrap();
    let (n, r) = u.to_asn1().unwrap();
    assert_eq!(Principal::from_asn1(&n, &r).unwrap(), u);
}

#[test]
fn flag_bits_are_msb_first_and_32_bits_on_the_wire() {
    assert_eq!(KdcOptions::FORWARDABLE.bits(), 0x4000_0000);
    assert_eq!(KdcOptions::CANONICALIZE.bits(), 0x0001_0000);
    assert_eq!(KdcOptions::RENEWABLE_OK.bits(), 0x0000_0010);
    assert_eq!(KdcOptions::VALIDATE.bits(), 0x0000_0001);
    assert_eq!(TicketFlags::PRE_AUTHENT.bits(), 0x0020_0000);
    assert_eq!(TicketFlags::INITIAL.bits(), 0x0040_0000);
    assert_eq!(ApOptions::MUTUAL_REQUIRED.bits(), 0x2000_0000);

    let opts = KdcOptions::FORWARDABLE | KdcOptions::RENEWABLE | KdcOptions::CANONICALIZE;
    let der = encode(&opts.to_asn1()).unwrap();
    assert_eq!(der, [0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x00]);
    let back: asn1::KdcOptions = decode(&der).unwrap();
    assert_eq!(KdcOptions::from_asn1(&back), opts);
    // Empty flags still encode as 32 bits.
    assert_eq!(
        encode(&TicketFlags::EMPTY.to_asn1()).unwrap(),
        [3, 5, 0, 0, 0, 0, 0]
    );

    // Short and long bit strings decode: 8 bits (as rasn-kerberos' helpers
    // produce) and 40 bits.
    let short: asn1::TicketFlags = decode(&[0x03, 0x02, 0x00, 0x40]).unwrap();
    assert_eq!(TicketFlags::from_asn1(&short), TicketFlags::FORWARDABLE);
    let long: asn1::TicketFlags = decode(&[0x03, 0x06, 0x00, 0x00, 0x40, 0, 0, 0xff]).unwrap();
    assert_eq!(TicketFlags::from_asn1(&long), TicketFlags::INITIAL);
    // A 12-bit string with unused bits.
    let odd: asn1::ApOptions = decode(&[0x03, 0x03, 0x04, 0x20, 0x10]).unwrap();
    assert_eq!(
        ApOptions::from_asn1(&odd),
        ApOptions::MUTUAL_REQUIRED | ApOptions::bit(11)
    );
}

#[test]
fn flag_operations_and_strings() {
    let mut f = TicketFlags::FORWARDABLE | TicketFlags::RENEWABLE;
    f.insert(TicketFlags::INITIAL);
    f |= TicketFlags::PRE_AUTHENT;
    assert!(f.contains(TicketFlags::FORWARDABLE | TicketFlags::INITIAL));
    assert!(!f.contains(TicketFlags::PROXY));
    assert_eq!(f.mit_short_string(), "FRIA");
    f.remove(TicketFlags::FORWARDABLE);
    assert_eq!(f.mit_short_string(), "RIA");
    f.set(TicketFlags::OK_AS_DELEGATE, true);
    assert!(f.has_bit(13));
    assert_eq!(
        f.to_string(),
        "renewable, initial, pre-authent, ok-as-delegate"
    );
    assert_eq!(
        KdcOptions(0x0000_0100 | 0x4000_0000).names(),
        ["forwardable", "bit23"]
    );
    assert_eq!(TicketFlags::MAY_POSTDATE, TicketFlags::ALLOW_POSTDATE);
    assert_eq!(KdcOptions::NAME_CANONICALIZE, KdcOptions::CANONICALIZE);
    assert!(format!("{:?}", KdcOptions::RENEW).contains("renew"));

    let fo = FastOptions(FastOptions::HIDE_CLIENT_NAMES | FastOptions::KDC_FOLLOW_REFERRALS);
    assert_eq!(fo.unknown_critical(FastOptions::HIDE_CLIENT_NAMES), 0);
    assert_eq!(fo.unknown_critical(0), FastOptions::HIDE_CLIENT_NAMES);
    assert_eq!(FastOptions::from_bitstring(&fo.to_bitstring()), fo);
}

#[test]
fn kerberos_time_whole_seconds() {
    let t = kerberos_time(1_700_000_000).unwrap();
    assert_eq!(t.to_unix(), 1_700_000_000);
    assert_eq!(KerberosTime::from_unix(1_700_000_000).unwrap(), t);
    let der = encode(&t).unwrap();
    assert_eq!(&der[2..], b"20231114221320Z");
    // A time with a fraction (as rasn would encode it) is truncated.
    let frac = KerberosTime(t.0 + chrono::Duration::milliseconds(250));
    assert!(encode(&frac).unwrap().len() > der.len());
    assert_eq!(encode(&frac.truncated()).unwrap(), der);
    assert_eq!(frac.to_unix(), 1_700_000_000);
    // Epoch and range limits.
    assert_eq!(
        &encode(&kerberos_time(0).unwrap()).unwrap()[2..],
        b"19700101000000Z"
    );
    assert!(kerberos_time(253_402_300_799).is_ok());
    assert_eq!(
        kerberos_time(253_402_300_800),
        Err(TimeError::OutOfRange(253_402_300_800))
    );
    assert!(kerberos_time(i64::MIN).is_err());
}

#[test]
fn microseconds_handling() {
    let (t, us) = split_unix_micros(1_700_000_000_123_456).unwrap();
    assert_eq!((t.to_unix(), us), (1_700_000_000, 123_456));
    assert_eq!(
        join_unix_micros(&t, &Integer::from(us)).unwrap(),
        1_700_000_000_123_456
    );
    let (t, us) = split_unix_micros(-1).unwrap();
    assert_eq!((t.to_unix(), us), (-1, 999_999));
    assert_eq!(microseconds(1_000_000), Err(TimeError::BadMicroseconds));
    assert_eq!(
        join_unix_micros(&t, &Integer::from(-1)),
        Err(TimeError::BadMicroseconds)
    );
    assert_eq!(
        join_unix_micros(&t, &Integer::from(1_000_000)),
        Err(TimeError::BadMicroseconds)
    );
    let st = std::time::UNIX_EPOCH + std::time::Duration::from_micros(1_600_000_000_000_001);
    let (t, us) = from_system_time(st).unwrap();
    assert_eq!((t.to_unix(), us), (1_600_000_000, 1));
    let ts = pa_enc_ts_enc(1_700_000_000, Some(5)).unwrap();
    assert_eq!(ts.pausec, Some(Integer::from(5)));
}

#[test]
fn error_codes() {
    assert_eq!(ErrorCode::ALL.len(), 81);
    for (i, c) in ErrorCode::ALL.iter().enumerate() {
        assert_eq!(ErrorCode::from_i32(c.as_i32()), Some(*c));
        assert!(!c.message().is_empty());
        assert!(c.rfc_name().starts_with("K"));
        if i > 0 {
            assert!(ErrorCode::ALL[i - 1].as_i32() < c.as_i32());
        }
    }
    for v in 0..=68 {
        // Every RFC 4120 code except the unassigned 30, 53..=59 is known.
        let known = ErrorCode::from_i32(v).is_some();
        assert_eq!(known, !(v == 30 || (53..=59).contains(&v)), "{v}");
    }
    assert_eq!(ErrorCode::CPrincipalUnknown.as_i32(), 6);
    assert_eq!(
        ErrorCode::CPrincipalUnknown.message(),
        "Client not found in Kerberos database"
    );
    assert_eq!(
        ErrorCode::SPrincipalUnknown.message(),
        "Server not found in Kerberos database"
    );
    assert_eq!(
        ErrorCode::PreauthFailed.message(),
        "Preauthentication failed"
    );
    assert_eq!(ErrorCode::ApErrSkew.as_i32(), 37);
    assert_eq!(ErrorCode::ApErrSkew.to_string(), "Clock skew too great");
    assert_eq!(
        ErrorCode::PreauthRequired.rfc_name(),
        "KDC_ERR_PREAUTH_REQUIRED"
    );
    assert_eq!(ErrorCode::PreauthExpired.as_i32(), 90);
    assert_eq!(ErrorCode::MorePreauthDataRequired.as_i32(), 91);
    assert_eq!(ErrorCode::UnknownCriticalFastOptions.as_i32(), 93);
    assert_eq!(ErrorCode::from_i32(1000), None);
    assert_eq!(error_code_text(1000), "KRB5 error code 1000");
}

#[test]
fn message_type_peek() {
    for mt in [
        MessageType::AsReq,
        MessageType::AsRep,
        MessageType::TgsReq,
        MessageType::TgsRep,
        MessageType::ApReq,
        MessageType::ApRep,
        MessageType::KrbSafe,
        MessageType::KrbPriv,
        MessageType::KrbCred,
        MessageType::KrbError,
    ] {
        let first = 0x60 | u8::try_from(mt.as_i32()).unwrap();
        assert_eq!(MessageType::peek(&[first, 0x00]), Ok(mt));
        assert_eq!(MessageType::from_i32(mt.as_i32()), Some(mt));
        assert!(mt.name().starts_with("KRB_"));
    }
    assert_eq!(MessageType::peek(&[]), Err(PeekError::Empty));
    assert_eq!(
        MessageType::peek(&[0x30, 0]),
        Err(PeekError::NotApplication(0x30))
    );
    assert_eq!(
        MessageType::peek(&[0x61, 0]),
        Err(PeekError::NotAMessage(1))
    );
    assert_eq!(application_tag(&[0x7f, 0x81, 0x00]), Ok(128));
    assert_eq!(application_tag(&[0x7f, 0x81]), Err(PeekError::BadTagNumber));
    assert_eq!(
        application_tag(&[0x7f, 0x81, 0x81, 0x81, 0x81, 0x81]),
        Err(PeekError::BadTagNumber)
    );
}

#[test]
fn padata_types() {
    assert_eq!(PaDataType::TgsReq.as_i32(), 1);
    assert_eq!(PaDataType::EncTimestamp.as_i32(), 2);
    assert_eq!(PaDataType::PwSalt.as_i32(), 3);
    assert_eq!(PaDataType::EtypeInfo.as_i32(), 11);
    assert_eq!(PaDataType::EtypeInfo2.as_i32(), 19);
    assert_eq!(PaDataType::PacRequest.as_i32(), 128);
    assert_eq!(PaDataType::ForUser.as_i32(), 129);
    assert_eq!(PaDataType::FxCookie.as_i32(), 133);
    assert_eq!(PaDataType::FxFast.as_i32(), 136);
    assert_eq!(PaDataType::FxError.as_i32(), 137);
    assert_eq!(PaDataType::EncryptedChallenge.as_i32(), 138);
    assert_eq!(PaDataType::ReqEncPaRep.as_i32(), 149);
    assert_eq!(PaDataType::SupportedEnctypes.as_i32(), 165);
    assert_eq!(PaDataType::from_i32(136), Some(PaDataType::FxFast));
    assert_eq!(PaDataType::from_i32(9999), None);
    assert_eq!(PaDataType::FxFast.to_string(), "PA-FX-FAST");
}

#[test]
fn codec_limits_and_trailing_bytes() {
    let t = kerberos_time(0).unwrap();
    let mut der = encode(&t).unwrap();
    assert!(decode::<KerberosTime>(&der).is_ok());
    der.push(0);
    assert!(matches!(
        decode::<KerberosTime>(&der),
        Err(DecodeError::Asn1 {
            what: "KerberosTime",
            ..
        })
    ));
    assert_eq!(
        decode::<AsReq>(&[]),
        Err(DecodeError::Empty { what: "AsReq" })
    );
    let big = vec![0u8; DEFAULT_MAX_MESSAGE_SIZE + 1];
    assert_eq!(
        decode::<AsReq>(&big),
        Err(DecodeError::TooLarge {
            what: "AsReq",
            len: big.len(),
            max: DEFAULT_MAX_MESSAGE_SIZE
        })
    );
    assert!(matches!(
        decode_with_limit::<KerberosTime>(&der[..17], 4),
        Err(DecodeError::TooLarge { .. })
    ));
    let e = decode::<KrbError>(&[0x7e, 0x00]).unwrap_err();
    assert!(e.to_string().contains("KrbError"), "{e}");
}
