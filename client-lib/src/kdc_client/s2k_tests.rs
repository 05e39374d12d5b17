//! Sans-I/O tests of the AS client against a forged KDC: PREAUTH_REQUIRED
//! with string-to-key parameters outside the accepted range is refused
//! before any key is derived, and an AS-REP (or its session key) in an
//! enctype the request did not offer is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::crypto::{Argon2Params, EncType, Key, Password, usage};
use tessera_proto::msg::{
    AsRep, EncTgsRepPart, ErrorCode, KrbErrorBuilder, PaData, Principal, decode, encode,
    etype_info2_entry, krb_error_method_data, pa_etype_info2,
};

use super::as_client::{InitialSecret, default_salt, open_as_rep, preauth_key};
use super::{KdcClientError, S2kLimits};

fn user() -> Principal {
    Principal::parse("user@TEST.REALM").unwrap()
}

fn password() -> InitialSecret {
    InitialSecret::Password(Password::from("userpw"))
}

/// The METHOD-DATA of a forged PREAUTH_REQUIRED, through the wire form.
fn forged_methods(etype: EncType, s2kparams: &[u8]) -> Vec<PaData> {
    let info = pa_etype_info2(vec![
        etype_info2_entry(etype.as_i32(), Some("TEST.REALMuser"), Some(s2kparams)).unwrap(),
    ])
    .unwrap();
    let err = KrbErrorBuilder::new(
        ErrorCode::PreauthRequired,
        &Principal::krbtgt("TEST.REALM"),
        1_700_000_000_000_000,
    )
    .client(&user())
    .method_data(vec![info])
    .build()
    .unwrap();
    let err = decode(&encode(&err).unwrap()).unwrap();
    krb_error_method_data(&err).unwrap().unwrap()
}

fn refused(etype: EncType, s2kparams: &[u8]) -> KdcClientError {
    let methods = forged_methods(etype, s2kparams);
    match preauth_key(
        &password(),
        &user(),
        &[etype],
        &S2kLimits::default(),
        &methods,
    ) {
        Ok(_) => panic!("{etype}: forged parameters {s2kparams:02x?} were accepted"),
        Err(e) => e,
    }
}

fn param_of(e: &KdcClientError) -> &'static str {
    match e {
        KdcClientError::S2kParamsRefused { refused, .. } => refused.param,
        other => panic!("expected S2kParamsRefused, got {other:?}"),
    }
}

/// 1 GiB and 64 passes is the most Argon2Params::decode lets through: run,
/// it would allocate 1 GiB and take minutes. The test finishing at all
/// (and without the allocation) shows the refusal comes first.
#[test]
fn huge_argon2id_memory_is_refused_before_deriving() {
    let p = Argon2Params {
        m_cost: Argon2Params::MAX_M_COST,
        t_cost: Argon2Params::MAX_T_COST,
        p_cost: 1,
    };
    let e = refused(EncType::Aes256GcmArgon2id, &p.encode());
    assert_eq!(param_of(&e), "Argon2id memory (KiB)");
    let line = e.to_string();
    assert!(!line.contains('\n'));
    assert!(line.contains("tessera_s2k_max_factor"), "{line}");
    assert!(
        line.contains(&Argon2Params::MAX_M_COST.to_string()),
        "{line}"
    );
}

#[test]
fn argon2id_passes_and_parallelism_beyond_four_times_the_default_are_refused() {
    let d = Argon2Params::DEFAULT;
    let factor = super::s2k_limits::DEFAULT_S2K_MAX_FACTOR;
    // The most string-to-key accepts, and just over the clamp's maximum.
    for t_cost in [Argon2Params::MAX_T_COST, d.t_cost * factor + 1] {
        if t_cost <= d.t_cost * factor || t_cost > Argon2Params::MAX_T_COST {
            continue;
        }
        let passes = Argon2Params { t_cost, ..d };
        let e = refused(EncType::Aes256GcmArgon2id, &passes.encode());
        assert_eq!(param_of(&e), "Argon2id passes");
    }
    let mut lanes_checked = 0;
    for p_cost in [Argon2Params::MAX_P_COST, d.p_cost * factor + 1] {
        if p_cost <= d.p_cost * factor || p_cost > Argon2Params::MAX_P_COST {
            continue;
        }
        let lanes = Argon2Params {
            p_cost,
            m_cost: d.m_cost.max(8 * p_cost),
            ..d
        };
        let e = refused(EncType::Aes256GcmArgon2id, &lanes.encode());
        assert_eq!(param_of(&e), "Argon2id parallelism");
        lanes_checked += 1;
    }
    // With today's default (1 lane) both values are checked.
    assert!(d.p_cost * factor >= Argon2Params::MAX_P_COST || lanes_checked > 0);
}

/// Parameters too weak: a PA-ENC-TIMESTAMP under them is cheap to crack.
#[test]
fn weak_parameters_are_refused() {
    let d = Argon2Params::DEFAULT;
    let weak = Argon2Params {
        m_cost: 8,
        t_cost: 1,
        p_cost: 1,
    };
    let e = refused(EncType::Aes256GcmArgon2id, &weak.encode());
    assert_eq!(param_of(&e), "Argon2id memory (KiB)");
    if d.t_cost > 1 {
        let one_pass = Argon2Params { t_cost: 1, ..d };
        let e = refused(EncType::Aes256GcmArgon2id, &one_pass.encode());
        assert_eq!(param_of(&e), "Argon2id passes");
    }
    for etype in [
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha384192,
    ] {
        let e = refused(etype, &1u32.to_be_bytes());
        assert_eq!(param_of(&e), "PBKDF2 iteration count");
        let line = e.to_string();
        assert!(line.contains("tessera_s2k_min_divisor"), "{line}");
        // 2^24 iterations (the most string-to-key accepts) is far above 4x.
        let e = refused(etype, &(1u32 << 24).to_be_bytes());
        assert_eq!(param_of(&e), "PBKDF2 iteration count");
    }
}

/// The defaults (and a keytab, which derives nothing) are unaffected.
#[test]
fn default_parameters_and_keytabs_pass() {
    let etype = EncType::Aes256CtsHmacSha196;
    let methods = forged_methods(etype, &etype.default_s2kparams());
    let k = preauth_key(
        &password(),
        &user(),
        &[etype],
        &S2kLimits::default(),
        &methods,
    )
    .unwrap();
    let want = Key::from_password(
        etype,
        &Password::from("userpw"),
        &default_salt(&user()),
        None,
    )
    .unwrap();
    assert_eq!(k, want);
}

fn capture(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/../proto/tests/data/mit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// MIT's AS-REP is in aes256-cts-hmac-sha1-96 (18): a client that offered
/// only 17 refuses it (before deriving a key); one that offered 18 opens it.
#[test]
fn as_rep_in_an_unoffered_enctype_is_refused() {
    let rep: AsRep = decode(&capture("as-preauth-4-as-rep.der")).unwrap();
    assert_eq!(rep.0.enc_part.etype, 18);
    let limits = S2kLimits::default();
    let e = open_as_rep(
        &password(),
        &user(),
        &[EncType::Aes128CtsHmacSha196],
        &limits,
        None,
        &rep.0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            KdcClientError::UnofferedEnctype {
                what: "reply",
                etype: 18,
                ..
            }
        ),
        "{e:?}"
    );
    open_as_rep(
        &password(),
        &user(),
        &[EncType::Aes256CtsHmacSha196],
        &limits,
        None,
        &rep.0,
    )
    .unwrap();
}

/// The same AS-REP resealed with a session key in an enctype the client did
/// not offer (17, while it offered only 18): refused.
#[test]
fn session_key_in_an_unoffered_enctype_is_refused() {
    let mut rep: AsRep = decode(&capture("as-preauth-4-as-rep.der")).unwrap();
    let etype = EncType::Aes256CtsHmacSha196;
    let key = Key::from_password(
        etype,
        &Password::from("userpw"),
        &default_salt(&user()),
        None,
    )
    .unwrap();
    let plain = key
        .decrypt(usage::AS_REP_ENC_PART, &rep.0.enc_part.cipher)
        .unwrap();
    // MIT seals an EncTGSRepPart in its AS-REP (RFC 4120 5.4.2 allows it).
    let mut part: EncTgsRepPart = decode(&plain).unwrap();
    part.0.key.r#type = EncType::Aes128CtsHmacSha196.as_i32();
    part.0.key.value = vec![7u8; 16].into();
    rep.0.enc_part.cipher = key
        .encrypt(usage::AS_REP_ENC_PART, &encode(&part).unwrap())
        .unwrap()
        .into();
    let e = open_as_rep(
        &password(),
        &user(),
        &[etype],
        &S2kLimits::default(),
        None,
        &rep.0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            KdcClientError::UnofferedEnctype {
                what: "session key",
                etype: 17,
                ..
            }
        ),
        "{e:?}"
    );
}
