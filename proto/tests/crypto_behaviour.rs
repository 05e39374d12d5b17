//! Behaviour of every enctype: round trips, tampering, wrong keys, short
//! input, checksums, names, s2kparams bounds, redaction, and the native
//! enctype's own vectors (the ones in docs/enctypes.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::crypto::{
    Argon2Params, Checksum, ChecksumType, CryptoError, EncType, Key, Password, S2kParamsError, cf2,
    usage,
};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn sample_key(etype: EncType, fill: u8) -> Key {
    let bytes: Vec<u8> = (0..etype.key_len()).map(|i| fill ^ i as u8).collect();
    Key::from_bytes(etype, &bytes).unwrap()
}

#[test]
fn round_trip_every_enctype_and_length() {
    for etype in EncType::ALL {
        let key = Key::random(etype).unwrap();
        assert_eq!(key.as_bytes().len(), etype.key_len());
        for len in [0usize, 1, 5, 15, 16, 17, 31, 32, 33, 100, 1000] {
            let pt: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let ct = key.encrypt(usage::AS_REP_ENC_PART, &pt).unwrap();
            assert_eq!(
                ct.len(),
                len + etype.ciphertext_overhead(),
                "{etype} len {len}"
            );
            assert_eq!(
                key.decrypt(usage::AS_REP_ENC_PART, &ct).unwrap(),
                pt,
                "{etype} len {len}"
            );
        }
    }
}

#[test]
fn random_confounders_differ() {
    for etype in EncType::ALL {
        let key = Key::random(etype).unwrap();
        let a = key.encrypt(1, b"same").unwrap();
        let b = key.encrypt(1, b"same").unwrap();
        assert_ne!(a, b, "{etype}");
    }
}

#[test]
fn every_flipped_bit_is_an_integrity_failure() {
    for etype in EncType::ALL {
        let key = sample_key(etype, 0x5a);
        let ct = key
            .encrypt(usage::KDC_REP_TICKET, b"a ticket body of some length")
            .unwrap();
        for i in 0..ct.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = ct.clone();
                bad[i] ^= bit;
                assert_eq!(
                    key.decrypt(usage::KDC_REP_TICKET, &bad),
                    Err(CryptoError::IntegrityFailure),
                    "{etype} byte {i}"
                );
            }
        }
    }
}

#[test]
fn wrong_key_and_wrong_usage_fail() {
    for etype in EncType::ALL {
        let key = sample_key(etype, 1);
        let other = sample_key(etype, 2);
        let ct = key.encrypt(usage::AP_REQ_AUTH, b"authenticator").unwrap();
        assert_eq!(
            other.decrypt(usage::AP_REQ_AUTH, &ct),
            Err(CryptoError::IntegrityFailure)
        );
        assert_eq!(
            key.decrypt(usage::AP_REP_ENC_PART, &ct),
            Err(CryptoError::IntegrityFailure)
        );
    }
}

#[test]
fn truncated_ciphertexts_error_without_panicking() {
    for etype in EncType::ALL {
        let key = sample_key(etype, 3);
        let ct = key.encrypt(2, b"0123456789abcdef0123").unwrap();
        for len in 0..ct.len() {
            let r = key.decrypt(2, &ct[..len]);
            match r {
                Err(CryptoError::CiphertextTooShort { min, got }) => {
                    assert_eq!(got, len);
                    assert_eq!(min, etype.ciphertext_overhead(), "{etype}");
                    assert!(len < min);
                }
                Err(CryptoError::IntegrityFailure) => {
                    assert!(len >= etype.ciphertext_overhead(), "{etype} len {len}")
                }
                other => panic!("{etype} len {len}: {other:?}"),
            }
        }
    }
}

#[test]
fn checksums_verify_and_reject() {
    for etype in EncType::ALL {
        let key = sample_key(etype, 9);
        let ck = key.checksum(usage::KRB_SAFE_CKSUM, b"message").unwrap();
        assert_eq!(ck.cksumtype, etype.checksum_type());
        assert_eq!(ck.value.len(), etype.checksum_type().value_len());
        key.verify_checksum(usage::KRB_SAFE_CKSUM, b"message", &ck)
            .unwrap();
        assert_eq!(
            key.verify_checksum(usage::KRB_SAFE_CKSUM, b"messagf", &ck),
            Err(CryptoError::IntegrityFailure)
        );
        assert_eq!(
            key.verify_checksum(usage::AP_REQ_AUTH_CKSUM, b"message", &ck),
            Err(CryptoError::IntegrityFailure)
        );
        let short = Checksum {
            cksumtype: ck.cksumtype,
            value: ck.value[..4].to_vec(),
        };
        assert_eq!(
            key.verify_checksum(usage::KRB_SAFE_CKSUM, b"message", &short),
            Err(CryptoError::IntegrityFailure)
        );
        let other_type = ChecksumType::ALL
            .into_iter()
            .find(|c| *c != etype.checksum_type())
            .unwrap();
        let wrong = Checksum {
            cksumtype: other_type,
            value: ck.value.clone(),
        };
        assert!(matches!(
            key.verify_checksum(usage::KRB_SAFE_CKSUM, b"message", &wrong),
            Err(CryptoError::ChecksumTypeMismatch { .. })
        ));
    }
}

#[test]
fn prf_lengths_and_cf2_between_enctypes() {
    for etype in EncType::ALL {
        let key = sample_key(etype, 4);
        assert_eq!(key.prf(b"x").unwrap().len(), etype.prf_len());
        for other in EncType::ALL {
            let k2 = sample_key(other, 6);
            let out = cf2(&key, &k2, b"subkeyarmor", b"ticketarmor").unwrap();
            assert_eq!(out.etype(), etype);
            assert_ne!(out, cf2(&key, &k2, b"ticketarmor", b"subkeyarmor").unwrap());
        }
    }
}

#[test]
fn key_lengths_are_checked() {
    for etype in EncType::ALL {
        let n = etype.key_len();
        for bad in [0, n - 1, n + 1] {
            assert_eq!(
                Key::from_bytes(etype, &vec![0; bad]),
                Err(CryptoError::BadKeyLength {
                    etype,
                    expected: n,
                    got: bad
                })
            );
        }
        assert!(Key::random_to_key(etype, &vec![1; n]).is_ok());
        let key = sample_key(etype, 0);
        assert!(matches!(
            key.encrypt_with_confounder(1, &[0; 3], b""),
            Err(CryptoError::BadConfounderLength { .. })
        ));
    }
}

#[test]
fn key_equality_includes_enctype() {
    let a = Key::from_bytes(EncType::Aes256CtsHmacSha196, &[1; 32]).unwrap();
    let b = Key::from_bytes(EncType::Aes256CtsHmacSha384192, &[1; 32]).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, a.clone());
}

#[test]
fn secrets_are_redacted_in_debug() {
    let key = Key::from_bytes(EncType::Aes128CtsHmacSha196, &[0xab; 16]).unwrap();
    let dbg = format!("{key:?}");
    assert!(
        !dbg.contains("171") && !dbg.to_lowercase().contains("ab, "),
        "{dbg}"
    );
    assert!(dbg.contains("redacted"));
    let pw = Password::from("hunter2");
    assert_eq!(format!("{pw:?}"), "Password(<redacted>)");
}

#[test]
fn names_and_numbers() {
    for etype in EncType::ALL {
        assert_eq!(EncType::from_i32(etype.as_i32()), Some(etype));
        assert_eq!(EncType::from_name(etype.name()), Some(etype));
        assert_eq!(EncType::from_name(&etype.as_i32().to_string()), Some(etype));
        assert_eq!(etype.checksum_type().enctype(), etype);
        assert_eq!(
            ChecksumType::from_i32(etype.checksum_type().as_i32()),
            Some(etype.checksum_type())
        );
    }
    assert_eq!(EncType::Aes256GcmArgon2id.as_i32(), -32341);
    assert_eq!(ChecksumType::HmacSha256Argon.as_i32(), -32341);
    assert_eq!(
        EncType::from_name("AES256-CTS"),
        Some(EncType::Aes256CtsHmacSha196)
    );
    assert_eq!(
        EncType::from_name("aes128-cts"),
        Some(EncType::Aes128CtsHmacSha196)
    );
    assert_eq!(
        EncType::from_name("aes256-sha2"),
        Some(EncType::Aes256CtsHmacSha384192)
    );
    assert_eq!(
        EncType::from_name("aes128-sha2"),
        Some(EncType::Aes128CtsHmacSha256128)
    );
    assert_eq!(
        EncType::from_name("aes"),
        Some(EncType::Aes256CtsHmacSha196)
    );
    assert_eq!(EncType::from_name("des-cbc-crc"), None);
    assert_eq!(EncType::from_name("23"), None);
    assert_eq!(EncType::from_name_family("aes").map(|v| v.len()), Some(4));
    assert_eq!(EncType::from_i32(23), None);
    assert_eq!(
        EncType::try_from(3),
        Err(CryptoError::UnsupportedEnctype(3))
    );
    assert_eq!(
        EncType::Aes128CtsHmacSha256128.to_string(),
        "aes128-cts-hmac-sha256-128"
    );
}

#[test]
fn pbkdf2_s2kparams_are_bounded() {
    let pw = Password::from("pw");
    for etype in [
        EncType::Aes128CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
    ] {
        assert_eq!(
            Key::from_password(etype, &pw, b"salt", Some(&[0, 0, 0, 0])),
            Err(CryptoError::BadS2kParams(S2kParamsError::Iterations(0)))
        );
        assert_eq!(
            Key::from_password(etype, &pw, b"salt", Some(&[0xff, 0, 0, 0])),
            Err(CryptoError::BadS2kParams(S2kParamsError::Iterations(
                0xff00_0000
            )))
        );
        assert_eq!(
            Key::from_password(etype, &pw, b"salt", Some(&[0, 0x10, 0])),
            Err(CryptoError::BadS2kParams(S2kParamsError::WrongLength {
                expected: 4,
                got: 3
            }))
        );
    }
}

#[test]
fn argon2_s2kparams_are_bounded() {
    let pw = Password::from("pw");
    let bad = [
        (
            Argon2Params {
                m_cost: 64,
                t_cost: 0,
                p_cost: 1,
            },
            S2kParamsError::Time(0),
        ),
        (
            Argon2Params {
                m_cost: 64,
                t_cost: 65,
                p_cost: 1,
            },
            S2kParamsError::Time(65),
        ),
        (
            Argon2Params {
                m_cost: 64,
                t_cost: 1,
                p_cost: 0,
            },
            S2kParamsError::Parallelism(0),
        ),
        (
            Argon2Params {
                m_cost: 1024,
                t_cost: 1,
                p_cost: 17,
            },
            S2kParamsError::Parallelism(17),
        ),
        (
            Argon2Params {
                m_cost: 15,
                t_cost: 1,
                p_cost: 2,
            },
            S2kParamsError::Memory(15),
        ),
        (
            Argon2Params {
                m_cost: u32::MAX,
                t_cost: 1,
                p_cost: 1,
            },
            S2kParamsError::Memory(u32::MAX),
        ),
    ];
    for (params, err) in bad {
        assert_eq!(Argon2Params::decode(&params.encode()), Err(err));
        assert_eq!(
            Key::from_password(
                EncType::Aes256GcmArgon2id,
                &pw,
                b"salt",
                Some(&params.encode())
            ),
            Err(CryptoError::BadS2kParams(err))
        );
    }
    assert_eq!(
        Argon2Params::decode(&[0; 4]),
        Err(S2kParamsError::WrongLength {
            expected: 12,
            got: 4
        })
    );
    assert_eq!(
        EncType::Aes256GcmArgon2id.default_s2kparams(),
        h("0001000000000003 00000001".replace(' ', "").as_str())
    );
}

// ------------------------------------------- native enctype vectors
// Cross-checked against libargon2 (argon2-cffi) and Python's
// `cryptography` AES-GCM / hmac; reproduced in docs/enctypes.md.

const NATIVE_PASSWORD: &str = "correct horse battery staple";

#[test]
fn native_string_to_key_vectors() {
    let pw = Password::from(NATIVE_PASSWORD);
    let cases: [(&[u8], Option<Argon2Params>, &str); 4] = [
        // The default (m = 64 MiB, t = 3, p = 1).
        (
            b"EXAMPLE.COMalice",
            None,
            "03cc32375e8f6684d475c5d56cdc8606252462b913c36552c72bda1ef9cd5971",
        ),
        // The default before 0.1 (m = 19 MiB, t = 2, p = 1): keys made then
        // keep these parameters.
        (
            b"EXAMPLE.COMalice",
            Some(Argon2Params {
                m_cost: 19456,
                t_cost: 2,
                p_cost: 1,
            }),
            "77e651927af2e02954ad8fffcd0a28beeea7ae103e3b6ca99ba7b0d59fab8e03",
        ),
        (
            b"short",
            Some(Argon2Params {
                m_cost: 64,
                t_cost: 1,
                p_cost: 1,
            }),
            "1be0604207236d50d501c8121d1f1ef97ffc54977750e4224e28e88ac2e6b197",
        ),
        (
            b"EXAMPLE.COMalice",
            Some(Argon2Params {
                m_cost: 256,
                t_cost: 3,
                p_cost: 2,
            }),
            "822fcf66e33ae55ff720db1f52ed52c6213ea53d23f4b022d9a4150fb4d8a793",
        ),
    ];
    for (salt, params, expected) in cases {
        let enc = params.map(|p| p.encode());
        let key = Key::from_password(
            EncType::Aes256GcmArgon2id,
            &pw,
            salt,
            enc.as_ref().map(|p| &p[..]),
        )
        .unwrap();
        assert_eq!(hex::encode(key.as_bytes()), expected, "salt {salt:?}");
    }
}

#[test]
fn native_encryption_checksum_prf_vectors() {
    let key = Key::from_bytes(
        EncType::Aes256GcmArgon2id,
        &h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
    )
    .unwrap();
    let nonce = h("a0a1a2a3a4a5a6a7a8a9aaab");
    let ct = key
        .encrypt_with_confounder(2, &nonce, b"Tessera native enctype")
        .unwrap();
    assert_eq!(
        hex::encode(&ct),
        "a0a1a2a3a4a5a6a7a8a9aaab4349250e7c707d14b9f76d44b5a7e7072d5cf0f5f065\
         443d29c4e425216289ab343d57545f0f"
    );
    assert_eq!(key.decrypt(2, &ct).unwrap(), b"Tessera native enctype");
    let empty = key.encrypt_with_confounder(3, &nonce, b"").unwrap();
    assert_eq!(
        hex::encode(&empty),
        "a0a1a2a3a4a5a6a7a8a9aaabfb594b4b13a478c34032d4d05efa841a"
    );
    assert_eq!(key.decrypt(3, &empty).unwrap(), b"");
    let ck = key.checksum(15, b"Tessera native enctype").unwrap();
    assert_eq!(ck.cksumtype, ChecksumType::HmacSha256Argon);
    assert_eq!(hex::encode(&ck.value), "051562230c8e6b966a3f3e38a2532180");
    assert_eq!(
        hex::encode(key.prf(b"test").unwrap()),
        "dc9b2f305c83fdacf87731e7bf0ccabdfd13792e4a33001d1e49b3b30e93a191"
    );
    let k2 = Key::from_bytes(EncType::Aes256GcmArgon2id, &[0x42; 32]).unwrap();
    assert_eq!(
        hex::encode(cf2(&key, &k2, b"a", b"b").unwrap().as_bytes()),
        "5e9054b533288a447f396870e41f67f55bfcd60664d1fb641f72a823ffa4ae94"
    );
}
