//! Hostile input: truncated, mutated, random and huge-length inputs give
//! errors, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_proto::msg::*;

fn captures() -> Vec<Vec<u8>> {
    let dir = format!("{}/tests/data/mit", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "der"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Tries every decoder on `bytes`; returns how many succeeded.
fn decode_all(bytes: &[u8]) -> usize {
    let mut ok = 0;
    macro_rules! try_types {
        ($($t:ty),*) => {$(
            if decode::<$t>(bytes).is_ok() { ok += 1; }
        )*};
    }
    try_types!(
        AsReq,
        AsRep,
        TgsReq,
        TgsRep,
        KdcReqBody,
        EncAsRepPart,
        EncTgsRepPart,
        Ticket,
        EncTicketPart,
        ApReq,
        ApRep,
        EncApRepPart,
        Authenticator,
        KrbError,
        KrbSafe,
        KrbPriv,
        KrbCred,
        EncKrbPrivPart,
        EncKrbCredPart,
        PaEncTsEnc,
        EtypeInfo2,
        MethodData,
        EncryptedData,
        PaFxFastRequest,
        PaFxFastReply,
        KrbFastReq,
        KrbFastResponse,
        PaPacRequest,
        PaForUser,
        ChangePasswdData
    );
    let _ = MessageType::peek(bytes);
    let _ = KpasswdRequest::decode(bytes);
    let _ = KpasswdReply::decode(bytes);
    let _ = KpasswdResult::decode(bytes);
    ok
}

/// Iteration count: `default`, or `MSG_FUZZ_ITERS` for a longer local run.
fn iterations(default: usize) -> usize {
    std::env::var("MSG_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap()
    }
}

#[test]
fn every_truncation_of_every_capture_is_an_error() {
    for cap in captures() {
        for len in 0..cap.len() {
            assert_eq!(decode_all(&cap[..len]), 0, "prefix of {len} bytes decoded");
        }
        // Trailing garbage is rejected too.
        let mut longer = cap.clone();
        longer.push(0);
        assert_eq!(decode_all(&longer), 0);
    }
}

#[test]
fn mutated_captures_do_not_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for cap in captures() {
        for _ in 0..iterations(300) {
            let mut m = cap.clone();
            for _ in 0..=rng.below(4) {
                let i = rng.below(m.len());
                match rng.below(3) {
                    0 => m[i] ^= 1 << rng.below(8),
                    1 => m[i] = u8::try_from(rng.below(256)).unwrap(),
                    _ => m[i] = 0xff,
                }
            }
            decode_all(&m);
        }
    }
}

#[test]
fn random_bytes_do_not_panic() {
    let mut rng = Rng(42);
    for _ in 0..iterations(3000) {
        let len = rng.below(200);
        let mut b: Vec<u8> = (0..len)
            .map(|_| u8::try_from(rng.below(256)).unwrap())
            .collect();
        // Often start with a plausible outer tag to get past the first check.
        if !b.is_empty() && rng.below(2) == 0 {
            b[0] = [0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x7e, 0x30, 0xa0][rng.below(9)];
        }
        decode_all(&b);
    }
}

#[test]
fn huge_declared_lengths_are_errors() {
    let cases: &[&[u8]] = &[
        &[0x6a, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30],
        &[
            0x6a, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x30,
        ],
        &[0x6a, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x30],
        &[0x7e, 0x83, 0x7f, 0xff, 0xff, 0x30, 0x83, 0x7f, 0xff, 0xfb],
        &[0x6a, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00],
        &[0x30, 0x82, 0xff, 0xff, 0xa0, 0x82, 0xff, 0xfb],
        &[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00],
        &[0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
    ];
    for c in cases {
        assert_eq!(decode_all(c), 0, "{c:02x?}");
    }
    // Oversized input is refused before parsing.
    let big = vec![0x6a; DEFAULT_MAX_MESSAGE_SIZE + 10];
    assert!(matches!(
        decode::<AsReq>(&big),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn kpasswd_framing_garbage() {
    assert!(matches!(
        KpasswdRequest::decode(&[]),
        Err(KpasswdError::Truncated { .. })
    ));
    assert!(matches!(
        KpasswdRequest::decode(&[0, 6, 0, 1, 0, 0]),
        Err(KpasswdError::Decode(_))
    ));
    assert!(matches!(
        KpasswdRequest::decode(&[0, 7, 0, 1, 0, 0]),
        Err(KpasswdError::LengthMismatch {
            declared: 7,
            actual: 6
        })
    ));
    assert_eq!(
        KpasswdRequest::decode(&[0, 6, 0, 2, 0, 0]),
        Err(KpasswdError::BadVersion(2))
    );
    assert!(matches!(
        KpasswdRequest::decode(&[0, 8, 0xff, 0x80, 0xff, 0xff, 0, 0]),
        Err(KpasswdError::Truncated { .. })
    ));
    assert_eq!(
        KpasswdReply::decode(&[0, 6, 0, 1, 0, 0]),
        Err(KpasswdError::MissingError)
    );
    assert_eq!(
        KpasswdReply::decode(&[0, 6, 0xff, 0x80, 0, 0]),
        Err(KpasswdError::BadVersion(0xff80))
    );
    assert_eq!(KpasswdResult::decode(&[1]), Err(KpasswdError::ShortResult));
    assert_eq!(KpasswdResult::decode(&[0, 0]).unwrap().string, b"");
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let len = rng.below(64);
        let mut b: Vec<u8> = (0..len)
            .map(|_| u8::try_from(rng.below(256)).unwrap())
            .collect();
        if b.len() >= 2 {
            let l = u16::try_from(b.len()).unwrap().to_be_bytes();
            b[0] = l[0];
            b[1] = l[1];
        }
        let _ = KpasswdRequest::decode(&b);
        let _ = KpasswdReply::decode(&b);
    }
}
