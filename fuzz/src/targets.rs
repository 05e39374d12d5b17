//! The table of fuzz targets: which decoders each one exercises.

use tessera_proto::crypto::{ChecksumType, EncType};
use tessera_proto::msg::*;

use crate::{der_accepts, der_roundtrip};

/// Calls `$f::<T>(data)` for every listed type; true if any returned true.
macro_rules! each {
    ($f:ident, $data:expr; $($t:ty),+ $(,)?) => {{
        let mut any = false;
        $( any |= $f::<$t>($data); )+
        any
    }};
}

/// The DER types a DER target covers, as a `fn(&[u8]) -> bool` per mode.
macro_rules! der_targets {
    ($( $name:literal => [$($t:ty),+ $(,)?] ),+ $(,)?) => {
        /// Names of the DER targets, in the order of [`der_run`].
        pub const DER_TARGETS: &[&str] = &[$($name),+];

        /// Runs DER target `name` on `data` (round-trip checks); returns
        /// whether any of its types decoded. Unknown names do nothing.
        pub fn der_run(name: &str, data: &[u8]) -> bool {
            match name {
                $( $name => each!(der_roundtrip, data; $($t),+), )+
                _ => false,
            }
        }

        /// Whether any type of DER target `name` decodes `data` (no checks;
        /// used to sort seeds into corpora).
        pub fn der_accepts_any(name: &str, data: &[u8]) -> bool {
            match name {
                $( $name => each!(der_accepts, data; $($t),+), )+
                _ => false,
            }
        }
    };
}

der_targets! {
    "as_req" => [AsReq, KdcReqBody],
    "as_rep" => [AsRep],
    "tgs_req" => [TgsReq, KdcReqBody],
    "tgs_rep" => [TgsRep],
    "ap_req" => [ApReq],
    "ap_rep" => [ApRep, EncApRepPart],
    "krb_error" => [KrbError, MethodData, TypedData],
    "krb_cred" => [KrbCred, EncKrbCredPart],
    "krb_priv" => [KrbPriv, EncKrbPrivPart],
    "krb_safe" => [KrbSafe],
    "ticket" => [Ticket, EncTicketPart, AuthorizationData],
    "authenticator" => [Authenticator],
    "enc_kdc_rep_part" => [EncAsRepPart, EncTgsRepPart, EncKdcRepPart],
    "padata" => [
        PaData,
        MethodData,
        PaEncTsEnc,
        EncryptedData,
        EtypeInfo2,
        EtypeInfo,
        PaPacRequest,
        PaForUser,
    ],
    "fast" => [
        PaFxFastRequest,
        PaFxFastReply,
        KrbFastArmor,
        KrbFastArmoredReq,
        KrbFastReq,
        KrbFastArmoredRep,
        KrbFastResponse,
        KrbFastFinished,
    ],
}

/// Every DER message also goes through the cheap outer-tag peek.
pub fn der_target(name: &str, data: &[u8]) {
    let _ = MessageType::peek(data);
    der_run(name, data);
}

/// kpasswd (RFC 3244) request / reply / result framing and ChangePasswdData.
pub fn kpasswd(data: &[u8]) {
    if let Ok(req) = KpasswdRequest::decode(data) {
        let enc = req
            .encode()
            .unwrap_or_else(|e| panic!("KpasswdRequest re-encode: {e}"));
        let back = KpasswdRequest::decode(&enc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, req, "KpasswdRequest round trip");
    }
    if let Ok(rep) = KpasswdReply::decode(data) {
        let enc = rep
            .encode()
            .unwrap_or_else(|e| panic!("KpasswdReply re-encode: {e}"));
        let back = KpasswdReply::decode(&enc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, rep, "KpasswdReply round trip");
    }
    if let Ok(res) = KpasswdResult::decode(data) {
        assert_eq!(res.encode(), data, "KpasswdResult encode(decode(x)) != x");
        let _ = res.result_code();
        let _ = res.text();
    }
    der_roundtrip::<ChangePasswdData>(data);
}

/// Whether `data` is something the kpasswd target decodes.
pub fn kpasswd_accepts(data: &[u8]) -> bool {
    KpasswdRequest::decode(data).is_ok()
        || KpasswdReply::decode(data).is_ok()
        || der_accepts::<ChangePasswdData>(data)
}

/// `Principal::parse` on arbitrary UTF-8; what parses prints back to a
/// string that parses to the same principal, and converts to the wire
/// form and back.
pub fn principal(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Principal::parse_with_default_realm(s, "EXAMPLE.COM");
    let Ok(p) = Principal::parse(s) else {
        return;
    };
    let text = p.to_string();
    let again = Principal::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(again, p, "parse(display(p)) != p for {s:?} -> {text:?}");
    if let Ok((name, realm)) = p.to_asn1()
        && let Ok(wire) = Principal::from_asn1(&name, &realm)
    {
        assert!(wire.same_name(&p), "to_asn1/from_asn1 changed {p:?}");
    }
}

/// `Key::decrypt` over arbitrary ciphertext for each enctype, plus
/// `verify_checksum` over an arbitrary checksum value, plus encrypt/decrypt
/// of the input as plaintext. Layout: byte 0 picks the enctype, bytes 1..5
/// the key usage, the rest is the ciphertext.
pub fn decrypt(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let etype = EncType::ALL[usize::from(sel) % EncType::ALL.len()];
    let (usage, body) = match rest.split_first_chunk::<4>() {
        Some((u, b)) => (u32::from_be_bytes(*u), b),
        None => (1, rest),
    };
    // A fixed key: the fuzzer cannot guess keys, so this checks that
    // hostile ciphertext is rejected cleanly, not that it decrypts.
    let key = crate::forge::fixed_key(etype, 0);
    // Hostile ciphertext: an error, never a panic (and with overwhelming
    // probability never a success).
    let _ = key.decrypt(usage, body);
    // Hostile checksum value for every checksum type.
    for ct in [
        ChecksumType::HmacSha196Aes128,
        ChecksumType::HmacSha196Aes256,
        ChecksumType::HmacSha256128Aes128,
        ChecksumType::HmacSha384192Aes256,
        ChecksumType::HmacSha256Argon,
    ] {
        let ck = tessera_proto::crypto::Checksum {
            cksumtype: ct,
            value: body.to_vec(),
        };
        let _ = key.verify_checksum(usage, b"data", &ck);
    }
    // Any plaintext: encrypt then decrypt gives it back; a flipped byte
    // fails integrity.
    let conf = vec![0x5a; etype.confounder_len()];
    let ct = key
        .encrypt_with_confounder(usage, &conf, body)
        .unwrap_or_else(|e| panic!("encrypt {etype}: {e}"));
    assert_eq!(ct.len(), body.len() + etype.ciphertext_overhead());
    let pt = key
        .decrypt(usage, &ct)
        .unwrap_or_else(|e| panic!("decrypt {etype}: {e}"));
    assert_eq!(pt, body, "decrypt(encrypt(x)) != x for {etype}");
    let mut bad = ct;
    let i = usize::from(sel) % bad.len();
    bad[i] ^= 0x01;
    assert!(
        key.decrypt(usage, &bad).is_err(),
        "tampered {etype} ciphertext accepted"
    );
}

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
pub use client::{ccache, keytab, krb5_conf};

#[cfg(feature = "client")]
mod ap_gss;
#[cfg(feature = "client")]
pub use ap_gss::{acceptor_target as acceptor, gss_token, priv_safe};

#[cfg(feature = "kdc")]
mod kdc;
#[cfg(feature = "kdc")]
pub use kdc::{kdc_handle, kdc_toml};

#[cfg(feature = "kdc")]
mod services;
#[cfg(feature = "kdc")]
pub use services::{admin_frame, kpasswd_service};

mod crypto_diff;
pub use crypto_diff::crypto_diff;
