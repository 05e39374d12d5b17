//! Published test vectors: RFC 3961 A.1 (n-fold), RFC 3962 B (string-to-key
//! and AES-CTS), RFC 8009 A (string-to-key, encryption, checksum, PRF), and
//! MIT krb5's t_prf / t_cf2 expected values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::crypto::{ChecksumType, EncType, Key, Password, cf2, cts, nfold, prf_plus};

fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(s).expect("test vector hex")
}

// ---------------------------------------------------------------- RFC 3961

#[test]
fn rfc3961_nfold() {
    let cases: &[(&[u8], usize, &str)] = &[
        (b"012345", 64, "be072631276b1955"),
        (b"password", 56, "78a07b6caf85fa"),
        (b"Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0"),
        (
            b"password",
            168,
            "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e",
        ),
        (
            b"MASSACHVSETTS INSTITVTE OF TECHNOLOGY",
            192,
            "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b",
        ),
        (b"Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215"),
        (b"ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e"),
        (b"kerberos", 64, "6b65726265726f73"),
        (b"kerberos", 128, "6b65726265726f737b9b5b2b93132b93"),
        (
            b"kerberos",
            168,
            "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4",
        ),
        (
            b"kerberos",
            256,
            "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4",
        ),
    ];
    for (input, bits, expected) in cases {
        assert_eq!(
            hex::encode(nfold(input, bits / 8)),
            *expected,
            "{bits}-fold({:?})",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn nfold_degenerate_inputs_do_not_panic() {
    assert_eq!(nfold(b"", 16), vec![0u8; 16]);
    assert!(nfold(b"abc", 0).is_empty());
}

// ---------------------------------------------------------------- RFC 3962

struct S2k {
    iterations: u32,
    password: Vec<u8>,
    salt: Vec<u8>,
    aes128: &'static str,
    aes256: &'static str,
}

fn rfc3962_s2k_cases() -> Vec<S2k> {
    vec![
        S2k {
            iterations: 1,
            password: b"password".to_vec(),
            salt: b"ATHENA.MIT.EDUraeburn".to_vec(),
            aes128: "42263c6e89f4fc28b8df68ee09799f15",
            aes256: "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161",
        },
        S2k {
            iterations: 2,
            password: b"password".to_vec(),
            salt: b"ATHENA.MIT.EDUraeburn".to_vec(),
            aes128: "c651bf29e2300ac27fa469d693bdda13",
            aes256: "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff",
        },
        S2k {
            iterations: 1200,
            password: b"password".to_vec(),
            salt: b"ATHENA.MIT.EDUraeburn".to_vec(),
            aes128: "4c01cd46d632d01e6dbe230a01ed642a",
            aes256: "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a",
        },
        S2k {
            iterations: 5,
            password: b"password".to_vec(),
            salt: h("1234567878563412"),
            aes128: "e9b23d52273747dd5c35cb55be619d8e",
            aes256: "97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31",
        },
        S2k {
            iterations: 1200,
            password: vec![b'X'; 64],
            salt: b"pass phrase equals block size".to_vec(),
            aes128: "59d1bb789a828b1aa54ef9c2883f69ed",
            aes256: "89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34",
        },
        S2k {
            iterations: 1200,
            password: vec![b'X'; 65],
            salt: b"pass phrase exceeds block size".to_vec(),
            aes128: "cb8005dc5f90179a7f02104c0018751d",
            aes256: "d78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b",
        },
        S2k {
            iterations: 50,
            password: h("f09d849e"),
            salt: b"EXAMPLE.COMpianist".to_vec(),
            aes128: "f149c1f2e154a73452d43e7fe62a56e5",
            aes256: "4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e",
        },
    ]
}

#[test]
fn rfc3962_string_to_key() {
    for c in rfc3962_s2k_cases() {
        let pw = Password::from(String::from_utf8(c.password.clone()).unwrap());
        let params = c.iterations.to_be_bytes();
        for (etype, expected) in [
            (EncType::Aes128CtsHmacSha196, c.aes128),
            (EncType::Aes256CtsHmacSha196, c.aes256),
        ] {
            let key = Key::from_password(etype, &pw, &c.salt, Some(&params)).unwrap();
            assert_eq!(
                hex::encode(key.as_bytes()),
                expected,
                "{etype} iterations {}",
                c.iterations
            );
        }
    }
}

#[test]
fn rfc3962_default_iterations_are_4096() {
    let pw = Password::from("password");
    let a =
        Key::from_password(EncType::Aes128CtsHmacSha196, &pw, b"EXAMPLE.COMuser", None).unwrap();
    let b = Key::from_password(
        EncType::Aes128CtsHmacSha196,
        &pw,
        b"EXAMPLE.COMuser",
        Some(&4096u32.to_be_bytes()),
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(
        EncType::Aes256CtsHmacSha196.default_s2kparams(),
        vec![0, 0, 0x10, 0]
    );
}

#[test]
fn rfc3962_aes_cts() {
    let key = h("636869636b656e207465726979616b69");
    let plain = h("4920776f756c64206c696b652074686520\
                   47656e6572616c20476175277320436869636b656e2c20706c656173652c20\
                   616e6420776f6e746f6e20736f75702e");
    let cases: &[(usize, &str)] = &[
        (17, "c6353568f2bf8cb4d8a580362da7ff7f97"),
        (
            31,
            "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5",
        ),
        (
            32,
            "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584",
        ),
        (
            47,
            "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e\
             39312523a78662d5be7fcbcc98ebf5",
        ),
        (
            48,
            "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd8\
             39312523a78662d5be7fcbcc98ebf5a8",
        ),
        (
            64,
            "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a8\
             4807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8",
        ),
    ];
    let iv = [0u8; 16];
    for (len, expected) in cases {
        let input = &plain[..*len];
        let out = cts::encrypt(&key, &iv, input).unwrap();
        assert_eq!(hex::encode(&out), hex::encode(h(expected)), "length {len}");
        assert_eq!(
            cts::decrypt(&key, &iv, &out).unwrap(),
            input,
            "length {len}"
        );
    }
}

#[test]
fn aes_cts_single_block_is_plain_aes() {
    // One block: CBC of a single block with a zero IV, i.e. plain AES.
    // FIPS-197 appendix C.1 (AES-128).
    let key = h("000102030405060708090a0b0c0d0e0f");
    let pt = h("00112233445566778899aabbccddeeff");
    let ct = cts::encrypt(&key, &[0u8; 16], &pt).unwrap();
    assert_eq!(hex::encode(&ct), "69c4e0d86a7b0430d8cdb78070b4c55a");
    assert_eq!(cts::decrypt(&key, &[0u8; 16], &ct).unwrap(), pt);
    assert!(cts::encrypt(&key, &[0u8; 16], &pt[..15]).is_err());
    assert!(cts::decrypt(&key, &[0u8; 16], &[]).is_err());
}

/// MIT krb5 t_prf.c expected values for the RFC 3962 PRF.
#[test]
fn rfc3962_prf_mit_vectors() {
    let cases: &[(EncType, &str, &str, &str)] = &[
        (
            EncType::Aes128CtsHmacSha196,
            "ae272e7cdec86ac5138cdb196d8e297d",
            "0161",
            "77b39a37a868920f2a51f9dd150c5717",
        ),
        (
            EncType::Aes128CtsHmacSha196,
            "67ab1cfef35e4c27ffdeac60385a3e9c",
            "0162",
            "e06c0dd31ff02091994f2ef5178bfe3d",
        ),
        (
            EncType::Aes256CtsHmacSha196,
            "c01f157211f7b77eaaf457c3e156690127ee127d810ba6392e97baa243eb0616",
            "0161",
            "b2628c788e2e9c4a9bb4644678c29f2f",
        ),
        (
            EncType::Aes256CtsHmacSha196,
            "c01f157211f7b77eaaf457c3e156690127ee127d810ba6392e97baa243eb0616",
            "0261",
            "b406373350cee8a6126f4a9b65a0cd21",
        ),
        (
            EncType::Aes256CtsHmacSha196,
            "9d520d2d980aa7cb6b693682b62da258b333867951642ce647ae62b1e5e0b5e9",
            "0162",
            "ff0e289ea756c0559a0e911856961a49",
        ),
        (
            EncType::Aes256CtsHmacSha196,
            "9d520d2d980aa7cb6b693682b62da258b333867951642ce647ae62b1e5e0b5e9",
            "0262",
            "0d674dd0f9a6806525a4d92e828bd15a",
        ),
    ];
    for (etype, key, input, expected) in cases {
        let k = Key::from_bytes(*etype, &h(key)).unwrap();
        assert_eq!(
            hex::encode(k.prf(&h(input)).unwrap()),
            *expected,
            "{etype} {input}"
        );
    }
}

// ---------------------------------------------------------------- RFC 8009

const BASE128: &str = "3705d96080c17728a0e800eab6e0d23c";
const BASE256: &str = "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52";

#[test]
fn rfc8009_string_to_key() {
    let mut salt = h("10df9dd783e5bc8acea1730e74355f61");
    salt.extend_from_slice(b"ATHENA.MIT.EDUraeburn");
    let pw = Password::from("password");
    let params = 32768u32.to_be_bytes();
    let k128 =
        Key::from_password(EncType::Aes128CtsHmacSha256128, &pw, &salt, Some(&params)).unwrap();
    assert_eq!(
        hex::encode(k128.as_bytes()),
        "089bca48b105ea6ea77ca5d2f39dc5e7"
    );
    let k256 = Key::from_password(EncType::Aes256CtsHmacSha384192, &pw, &salt, None).unwrap();
    assert_eq!(
        hex::encode(k256.as_bytes()),
        "45bd806dbf6a833a9cffc1c94589a222367a79bc21c413718906e9f578a78467"
    );
}

#[test]
fn rfc8009_encryption() {
    let cases: &[(EncType, &str, &str, &str, &str)] = &[
        (
            EncType::Aes128CtsHmacSha256128,
            BASE128,
            "",
            "7e5895eaf2672435bad817f545a37148",
            "ef85fb890bb8472f4dab20394dca781d ad877eda39d50c870c0d5a0a8e48c718",
        ),
        (
            EncType::Aes128CtsHmacSha256128,
            BASE128,
            "000102030405",
            "7bca285e2fd4130fb55b1a5c83bc5b24",
            "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6 877ce99e247e52d16ed4421dfdf8976c",
        ),
        (
            EncType::Aes128CtsHmacSha256128,
            BASE128,
            "000102030405060708090a0b0c0d0e0f",
            "56ab21713ff62c0a1457200f6fa9948f",
            "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc2 \
             95fb4852e7d83e1e7c48c37eebe6b0d3",
        ),
        (
            EncType::Aes128CtsHmacSha256128,
            BASE128,
            "000102030405060708090a0b0c0d0e0f1011121314",
            "a7a4e29a4728ce10664fb64e49ad3fac",
            "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bce1e6d072c1 \
             86b39a413c2f92ca9b8334a287ffcbfc",
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            BASE256,
            "",
            "f764e9fa15c276478b2c7d0c4e5f58e4",
            "41f53fa5bfe7026d91faf9be959195a0 58707273a96a40f0a01960621ac612748b9bbfbe7eb4ce3c",
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            BASE256,
            "000102030405",
            "b80d3251c1f6471494256ffe712d0b9a",
            "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9 \
             f559c7f664f69eab7b6092237526ea0d1f61cb20d69d10f2",
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            BASE256,
            "000102030405060708090a0b0c0d0e0f",
            "53bf8a0d105265d4e276428624ce5e63",
            "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f6 \
             8cf51f14d798c2273f35df574d1f932e40c4ff255b36a266",
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            BASE256,
            "000102030405060708090a0b0c0d0e0f1011121314",
            "763e65367e864f02f55153c7e3b58af1",
            "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2b2a602ac86 \
             fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62",
        ),
    ];
    for (etype, base, plain, conf, expected) in cases {
        let key = Key::from_bytes(*etype, &h(base)).unwrap();
        let ct = key.encrypt_with_confounder(2, &h(conf), &h(plain)).unwrap();
        assert_eq!(
            hex::encode(&ct),
            hex::encode(h(expected)),
            "{etype} plaintext {plain:?}"
        );
        assert_eq!(
            key.decrypt(2, &ct).unwrap(),
            h(plain),
            "{etype} decrypt {plain:?}"
        );
    }
}

#[test]
fn rfc8009_checksum() {
    let data = h("000102030405060708090a0b0c0d0e0f1011121314");
    for (etype, base, expected, ctype) in [
        (
            EncType::Aes128CtsHmacSha256128,
            BASE128,
            "d78367186643d67b411cba9139fc1dee",
            ChecksumType::HmacSha256128Aes128,
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            BASE256,
            "45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a",
            ChecksumType::HmacSha384192Aes256,
        ),
    ] {
        let key = Key::from_bytes(etype, &h(base)).unwrap();
        let ck = key.checksum(2, &data).unwrap();
        assert_eq!(ck.cksumtype, ctype);
        assert_eq!(hex::encode(&ck.value), expected, "{etype}");
        key.verify_checksum(2, &data, &ck).unwrap();
    }
}

#[test]
fn rfc8009_prf() {
    let k128 = Key::from_bytes(EncType::Aes128CtsHmacSha256128, &h(BASE128)).unwrap();
    assert_eq!(
        hex::encode(k128.prf(b"test").unwrap()),
        "9d188616f63852fe86915bb840b4a886ff3e6bb0f819b49b893393d393854295"
    );
    let k256 = Key::from_bytes(EncType::Aes256CtsHmacSha384192, &h(BASE256)).unwrap();
    assert_eq!(
        hex::encode(k256.prf(b"test").unwrap()),
        "9801f69a368c2bf675e59521e177d9a07f67efe1cfde8d3c8d6f6a0256e3b17d\
         b3c1b62ad1b8553360d17367eb1514d2"
    );
}

// ---------------------------------------------------------------- RFC 6113

/// MIT krb5 t_cf2 expected values: keys from string-to-key with the
/// password also used as the salt, default parameters, peppers "a" and "b".
#[test]
fn cf2_mit_vectors() {
    let cases = [
        (
            EncType::Aes128CtsHmacSha196,
            "97df97e4b798b29eb31ed7280287a92a",
        ),
        (
            EncType::Aes256CtsHmacSha196,
            "4d6ca4e629785c1f01baf55e2e548566b9617ae3a96868c337cb93b5e72b1c7b",
        ),
        (
            EncType::Aes128CtsHmacSha256128,
            "edd02a39d2dbde31611c16e610be062c",
        ),
        (
            EncType::Aes256CtsHmacSha384192,
            "67f6ea530aea85a37dcbb23349ea52dcc61ca8493ff557252327fd8304341584",
        ),
    ];
    for (etype, expected) in cases {
        let k1 = Key::from_password(etype, &Password::from("key1"), b"key1", None).unwrap();
        let k2 = Key::from_password(etype, &Password::from("key2"), b"key2", None).unwrap();
        let out = cf2(&k1, &k2, b"a", b"b").unwrap();
        assert_eq!(out.etype(), etype);
        assert_eq!(hex::encode(out.as_bytes()), expected, "{etype}");
    }
}

#[test]
fn prf_plus_is_counter_prefixed_prf() {
    let key = Key::from_bytes(EncType::Aes256CtsHmacSha196, &[7u8; 32]).unwrap();
    let out = prf_plus(&key, b"input", 40).unwrap();
    assert_eq!(out.len(), 40);
    assert_eq!(&out[..16], key.prf(b"\x01input").unwrap().as_slice());
    assert_eq!(&out[16..32], key.prf(b"\x02input").unwrap().as_slice());
    assert_eq!(&out[32..], &key.prf(b"\x03input").unwrap()[..8]);
    assert!(prf_plus(&key, b"x", 16 * 256).is_err());
}
