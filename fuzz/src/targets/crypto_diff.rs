//! `crypto_diff`: our enctypes against independent compositions of the
//! RustCrypto primitives, under fuzzer-chosen keys, usages, confounders
//! and plaintexts.
//!
//! * RFC 3961 simplified profile with RFC 3962 (enctypes 17, 18): n-fold,
//!   DK = DR(base, n-fold(usage | 0xAA/0x55/0x99)) by iterated AES, AES
//!   CBC-CS3 built from plain CBC (`cbc` crate) by RFC 3962's definition
//!   (zero-pad, CBC, swap the last two blocks, cut to length; one block =
//!   plain CBC), HMAC-SHA1-96 over confounder | plaintext.
//! * RFC 8009 (enctypes 19, 20): KDF-HMAC-SHA2 for Ke / Ki / Kc, the same
//!   CBC-CS3, HMAC-SHA256-128 / HMAC-SHA384-192 over IV | ciphertext.
//!
//! Checks that `encrypt_with_confounder` and `checksum` give exactly the
//! independent bytes, and that `decrypt` opens them. The RFC vectors
//! themselves are in proto's tests; the n-fold vectors of RFC 3961 check
//! this file's n-fold once per process.

use std::sync::Once;

use aes::cipher::{Array, BlockCipherEncrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use aes::{Aes128, Aes256};
use hmac::{Hmac, Mac};
use tessera_proto::crypto::{EncType, Key};

const RFC: [EncType; 4] = [
    EncType::Aes128CtsHmacSha196,
    EncType::Aes256CtsHmacSha196,
    EncType::Aes128CtsHmacSha256128,
    EncType::Aes256CtsHmacSha384192,
];

/// RFC 3961 n-fold of `input` to `n` bytes.
fn nfold(input: &[u8], n: usize) -> Vec<u8> {
    let k = input.len();
    let bits = k * 8;
    let lcm = k / gcd(k, n) * n;
    let mut buf = Vec::with_capacity(lcm);
    for i in 0..lcm / k {
        let rot = (13 * i) % bits;
        // Rotate right by `rot` bits: output bit j = input bit (j - rot).
        for byte in 0..k {
            let mut b = 0u8;
            for bit in 0..8 {
                let j = byte * 8 + bit;
                let src = (j + bits - rot) % bits;
                let v = (input[src / 8] >> (7 - src % 8)) & 1;
                b |= v << (7 - bit);
            }
            buf.push(b);
        }
    }
    let mut sum = vec![0u8; n];
    for chunk in buf.chunks(n) {
        // Ones'-complement addition (end-around carry).
        let mut carry = 0u16;
        for i in (0..n).rev() {
            let s = u16::from(sum[i]) + u16::from(chunk[i]) + carry;
            sum[i] = s as u8;
            carry = s >> 8;
        }
        while carry != 0 {
            for i in (0..n).rev() {
                let s = u16::from(sum[i]) + carry;
                sum[i] = s as u8;
                carry = s >> 8;
                if carry == 0 {
                    break;
                }
            }
        }
    }
    sum
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn check_nfold_vectors() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // RFC 3961 appendix A.1.
        let hex = |s: &str| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
                .collect::<Vec<u8>>()
        };
        assert_eq!(nfold(b"012345", 8), hex("be072631276b1955"));
        assert_eq!(nfold(b"password", 7), hex("78a07b6caf85fa"));
        assert_eq!(
            nfold(b"kerberos", 16),
            hex("6b65726265726f737b9b5b2b93132b93")
        );
        assert_eq!(
            nfold(b"Rough Consensus, and Running Code", 8),
            hex("bb6ed30870b7f0e0")
        );
    });
}

fn aes_block(key: &[u8], block: &[u8; 16]) -> [u8; 16] {
    let mut b = Array::from(*block);
    match key.len() {
        16 => Aes128::new_from_slice(key)
            .unwrap_or_else(|e| panic!("{e}"))
            .encrypt_block(&mut b),
        _ => Aes256::new_from_slice(key)
            .unwrap_or_else(|e| panic!("{e}"))
            .encrypt_block(&mut b),
    }
    b.into()
}

/// AES CBC-CS3 with a zero IV, from plain CBC (RFC 3962 section 5).
fn cts(key: &[u8], data: &[u8]) -> Vec<u8> {
    assert!(data.len() >= 16);
    let mut padded = data.to_vec();
    padded.resize(data.len().div_ceil(16) * 16, 0);
    let mut blocks: Vec<Array<u8, _>> = padded
        .chunks(16)
        .map(|c| {
            let mut a = Array::<u8, aes::cipher::consts::U16>::default();
            a.copy_from_slice(c);
            a
        })
        .collect();
    let iv = [0u8; 16];
    match key.len() {
        16 => cbc::Encryptor::<Aes128>::new_from_slices(key, &iv)
            .unwrap_or_else(|e| panic!("{e}"))
            .encrypt_blocks(&mut blocks),
        _ => cbc::Encryptor::<Aes256>::new_from_slices(key, &iv)
            .unwrap_or_else(|e| panic!("{e}"))
            .encrypt_blocks(&mut blocks),
    }
    let n = blocks.len();
    if n >= 2 {
        blocks.swap(n - 2, n - 1);
    }
    let mut out: Vec<u8> = blocks.iter().flat_map(|b| b.iter().copied()).collect();
    out.truncate(data.len());
    out
}

/// RFC 3961 DK for AES (random-to-key is the identity).
fn dk(base: &[u8], constant: &[u8]) -> Vec<u8> {
    let mut block: [u8; 16] = nfold(constant, 16)
        .try_into()
        .unwrap_or_else(|_| panic!("n-fold length"));
    let mut out = Vec::with_capacity(base.len());
    while out.len() < base.len() {
        block = aes_block(base, &block);
        out.extend_from_slice(&block);
    }
    out.truncate(base.len());
    out
}

fn hmac_sha1(key: &[u8], data: &[&[u8]]) -> Vec<u8> {
    let mut m = <Hmac<sha1::Sha1>>::new_from_slice(key).unwrap_or_else(|e| panic!("{e}"));
    for d in data {
        m.update(d);
    }
    m.finalize().into_bytes().to_vec()
}

fn hmac_sha2(sha384: bool, key: &[u8], data: &[&[u8]]) -> Vec<u8> {
    if sha384 {
        let mut m = <Hmac<sha2::Sha384>>::new_from_slice(key).unwrap_or_else(|e| panic!("{e}"));
        for d in data {
            m.update(d);
        }
        m.finalize().into_bytes().to_vec()
    } else {
        let mut m = <Hmac<sha2::Sha256>>::new_from_slice(key).unwrap_or_else(|e| panic!("{e}"));
        for d in data {
            m.update(d);
        }
        m.finalize().into_bytes().to_vec()
    }
}

/// RFC 8009 KDF-HMAC-SHA2(key, label, bits).
fn kdf(sha384: bool, key: &[u8], label: &[u8], bits: u32) -> Vec<u8> {
    let mut out = hmac_sha2(
        sha384,
        key,
        &[&1u32.to_be_bytes(), label, &[0], &bits.to_be_bytes()],
    );
    out.truncate(bits as usize / 8);
    out
}

fn label(usage: u32, tag: u8) -> Vec<u8> {
    let mut l = usage.to_be_bytes().to_vec();
    l.push(tag);
    l
}

/// The independent (ciphertext, checksum over `pt`) for `etype`.
fn reference(
    etype: EncType,
    base: &[u8],
    usage: u32,
    conf: &[u8],
    pt: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let mut data = conf.to_vec();
    data.extend_from_slice(pt);
    match etype {
        EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
            let ke = dk(base, &label(usage, 0xAA));
            let ki = dk(base, &label(usage, 0x55));
            let kc = dk(base, &label(usage, 0x99));
            let mut c = cts(&ke, &data);
            c.extend_from_slice(&hmac_sha1(&ki, &[&data])[..12]);
            let ck = hmac_sha1(&kc, &[pt])[..12].to_vec();
            (c, ck)
        }
        _ => {
            let big = etype == EncType::Aes256CtsHmacSha384192;
            let (ke_bits, h_bits) = if big { (256, 192) } else { (128, 128) };
            let ke = kdf(big, base, &label(usage, 0xAA), ke_bits);
            let ki = kdf(big, base, &label(usage, 0x55), h_bits);
            let kc = kdf(big, base, &label(usage, 0x99), h_bits);
            let mut c = cts(&ke, &data);
            let h = hmac_sha2(big, &ki, &[&[0u8; 16], &c]);
            c.extend_from_slice(&h[..h_bits as usize / 8]);
            let ck = hmac_sha2(big, &kc, &[pt])[..h_bits as usize / 8].to_vec();
            (c, ck)
        }
    }
}

/// The target. Layout: byte 0 picks the enctype, bytes 1..5 the usage,
/// then the key, then the 16-byte confounder, then the plaintext (short
/// inputs are padded with zeros).
pub fn crypto_diff(data: &[u8]) {
    check_nfold_vectors();
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let etype = RFC[usize::from(sel) % RFC.len()];
    let klen = etype.key_len();
    let need = 4 + klen + 16;
    let mut head = rest
        .get(..need.min(rest.len()))
        .unwrap_or_default()
        .to_vec();
    head.resize(need, 0);
    let pt = rest.get(need..).unwrap_or_default();
    let usage = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let base = &head[4..4 + klen];
    let conf = &head[4 + klen..];
    let key = Key::from_bytes(etype, base).unwrap_or_else(|e| panic!("{e}"));
    let (want_ct, want_ck) = reference(etype, base, usage, conf, pt);
    let ct = key
        .encrypt_with_confounder(usage, conf, pt)
        .unwrap_or_else(|e| panic!("encrypt {etype}: {e}"));
    assert_eq!(ct, want_ct, "{etype} encryption differs from the reference");
    let back = key
        .decrypt(usage, &want_ct)
        .unwrap_or_else(|e| panic!("decrypt {etype}: {e}"));
    assert_eq!(back, pt, "{etype} decrypts the reference to other bytes");
    let ck = key
        .checksum(usage, pt)
        .unwrap_or_else(|e| panic!("checksum {etype}: {e}"));
    assert_eq!(
        ck.value, want_ck,
        "{etype} checksum differs from the reference"
    );
}
