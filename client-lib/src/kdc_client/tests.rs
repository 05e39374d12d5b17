//! Unit tests on real MIT 1.20 captures (`proto/tests/data/mit`): the
//! salt from PREAUTH_REQUIRED, the AS-REP and TGS-REP decryption paths.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::crypto::{EncType, Key, Password, usage};
use tessera_proto::msg::{
    ApReq, AsRep, AsReq, Authenticator, ErrorCode, KrbError, PaDataType, Principal, TgsRep, TgsReq,
    decode, find_pa_data, krb_error_method_data,
};

use super::as_client::default_salt;
use super::creds::parse_enctypes;
use super::reply::decrypt_rep_part;

fn capture(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/../proto/tests/data/mit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[test]
fn salt_and_key_from_mit_preauth_required() {
    let err: KrbError = decode(&capture("as-preauth-2-krb-error.der")).unwrap();
    assert_eq!(err.error_code, ErrorCode::PreauthRequired.as_i32());
    let methods = krb_error_method_data(&err).unwrap().unwrap();
    let info =
        super::as_client::tests_support::salt_info(&methods, &[EncType::Aes256CtsHmacSha196])
            .expect("etype-info2 entry");
    assert_eq!(info.0, Some(EncType::Aes256CtsHmacSha196));
    assert_eq!(info.1.as_deref(), Some(&b"TEST.REALMuser"[..]));
    let user = Principal::parse("user@TEST.REALM").unwrap();
    assert_eq!(default_salt(&user), b"TEST.REALMuser");
    // No entry for an enctype we did not offer.
    assert!(
        super::as_client::tests_support::salt_info(&methods, &[EncType::Aes128CtsHmacSha196])
            .is_none()
    );
}

#[test]
fn mit_as_rep_and_tgs_rep_decrypt_with_our_usages() {
    let user = Principal::parse("user@TEST.REALM").unwrap();
    let key = Key::from_password(
        EncType::Aes256CtsHmacSha196,
        &Password::from("userpw"),
        &default_salt(&user),
        None,
    )
    .unwrap();
    let req: AsReq = decode(&capture("as-preauth-3-as-req.der")).unwrap();
    let rep: AsRep = decode(&capture("as-preauth-4-as-rep.der")).unwrap();
    let part = decrypt_rep_part(&key, usage::AS_REP_ENC_PART, &rep.0.enc_part).unwrap();
    assert_eq!(part.nonce, req.0.req_body.nonce);
    let sname = Principal::from_asn1(&part.sname, &part.srealm).unwrap();
    assert!(sname.same_name(&Principal::krbtgt("TEST.REALM")));
    // A wrong password fails integrity, which kinit reports as "password incorrect".
    let wrong = Key::from_password(
        EncType::Aes256CtsHmacSha196,
        &Password::from("nope"),
        &default_salt(&user),
        None,
    )
    .unwrap();
    assert!(decrypt_rep_part(&wrong, usage::AS_REP_ENC_PART, &rep.0.enc_part).is_err());

    // The TGS exchange: the authenticator (usage 7) carries the subkey the
    // reply is encrypted in (usage 9).
    let session =
        Key::from_bytes(EncType::from_i32(part.key.r#type).unwrap(), &part.key.value).unwrap();
    let treq: TgsReq = decode(&capture("tgs-1-tgs-req.der")).unwrap();
    let pa = find_pa_data(treq.0.padata.as_deref().unwrap(), PaDataType::TgsReq).unwrap();
    let ap: ApReq = decode(&pa.value).unwrap();
    let auth: Authenticator = decode(
        &session
            .decrypt(usage::TGS_REQ_AUTH, &ap.authenticator.cipher)
            .unwrap(),
    )
    .unwrap();
    let cksum = auth.cksum.unwrap();
    let body = tessera_proto::msg::encode(&treq.0.req_body).unwrap();
    session
        .verify_checksum(
            usage::TGS_REQ_AUTH_CKSUM,
            &body,
            &tessera_proto::crypto::Checksum {
                cksumtype: tessera_proto::crypto::ChecksumType::from_i32(cksum.r#type).unwrap(),
                value: cksum.checksum.to_vec(),
            },
        )
        .unwrap();
    // MIT armored this TGS-REQ with FAST (PA-FX-FAST, since the cache said
    // fast_avail), so its reply key is FAST-strengthened; our client sends
    // plain TGS-REQs, whose replies the live interop tests decrypt.
    assert!(auth.subkey.is_some());
    assert!(find_pa_data(treq.0.padata.as_deref().unwrap(), PaDataType::FxFast).is_some());
    let trep: TgsRep = decode(&capture("tgs-2-tgs-rep.der")).unwrap();
    assert_eq!(trep.0.enc_part.etype, 18);
}

#[test]
fn enctype_lists_from_krb5_conf() {
    let l = |s: &[&str]| parse_enctypes(&s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        l(&[
            "aes256-cts-hmac-sha1-96",
            "aes128-cts",
            "des-cbc-crc",
            "aes256-cts"
        ]),
        vec![EncType::Aes256CtsHmacSha196, EncType::Aes128CtsHmacSha196]
    );
    assert_eq!(l(&["aes"]).len(), 4);
    assert_eq!(l(&["-32341"]), vec![EncType::Aes256GcmArgon2id]);
    assert_eq!(l(&["DEFAULT", "-aes128-cts"]).len(), 3);
}
