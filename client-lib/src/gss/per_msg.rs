//! RFC 4121 section 4.2 per-message tokens: Wrap (TOK_ID 05 04) and MIC
//! (TOK_ID 04 04), as pure functions of a key, a key usage, flags and a
//! sequence number.

use tessera_proto::crypto::{Checksum, Key};

use super::GssError;

/// Flag: the token was sent by the context acceptor.
pub const FLAG_SENT_BY_ACCEPTOR: u8 = 0x01;
/// Flag: the Wrap token's payload is encrypted.
pub const FLAG_SEALED: u8 = 0x02;
/// Flag: the acceptor subkey protects the token.
pub const FLAG_ACCEPTOR_SUBKEY: u8 = 0x04;

/// TOK_ID of a Wrap token.
pub const TOK_WRAP: [u8; 2] = [0x05, 0x04];
/// TOK_ID of a MIC token.
pub const TOK_MIC: [u8; 2] = [0x04, 0x04];

const HDR: usize = 16;

/// A parsed per-message token header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenHeader {
    /// The flags octet.
    pub flags: u8,
    /// Extra count (Wrap only).
    pub ec: u16,
    /// Right rotation count (Wrap only).
    pub rrc: u16,
    /// The sender's sequence number.
    pub seq: u64,
}

fn wrap_header(flags: u8, ec: u16, rrc: u16, seq: u64) -> [u8; HDR] {
    let mut h = [0u8; HDR];
    h[0..2].copy_from_slice(&TOK_WRAP);
    h[2] = flags;
    h[3] = 0xff;
    h[4..6].copy_from_slice(&ec.to_be_bytes());
    h[6..8].copy_from_slice(&rrc.to_be_bytes());
    h[8..16].copy_from_slice(&seq.to_be_bytes());
    h
}

fn mic_header(flags: u8, seq: u64) -> [u8; HDR] {
    let mut h = [0xffu8; HDR];
    h[0..2].copy_from_slice(&TOK_MIC);
    h[2] = flags;
    h[8..16].copy_from_slice(&seq.to_be_bytes());
    h
}

/// Builds a Wrap token. With `conf` the payload is encrypted with the
/// seal `usage` as `plaintext || header`; without, it travels in clear
/// followed by a checksum (also with the seal usage) over
/// `plaintext || header` (EC and RRC zeroed). RRC is always 0 here.
pub fn wrap(
    key: &Key,
    usage: u32,
    flags: u8,
    seq: u64,
    msg: &[u8],
    conf: bool,
) -> Result<Vec<u8>, GssError> {
    if conf {
        let flags = flags | FLAG_SEALED;
        let h = wrap_header(flags, 0, 0, seq);
        let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(msg.len() + HDR));
        plain.extend_from_slice(msg);
        plain.extend_from_slice(&h);
        let ct = key.encrypt(usage, &plain)?;
        let mut out = Vec::with_capacity(HDR + ct.len());
        out.extend_from_slice(&h);
        out.extend_from_slice(&ct);
        Ok(out)
    } else {
        let flags = flags & !FLAG_SEALED;
        let zero = wrap_header(flags, 0, 0, seq);
        let mut data = Vec::with_capacity(msg.len() + HDR);
        data.extend_from_slice(msg);
        data.extend_from_slice(&zero);
        let ck = key.checksum(usage, &data)?;
        let ec = u16::try_from(ck.value.len())
            .map_err(|_| GssError::DefectiveToken("checksum too long"))?;
        let h = wrap_header(flags, ec, 0, seq);
        let mut out = Vec::with_capacity(HDR + msg.len() + ck.value.len());
        out.extend_from_slice(&h);
        out.extend_from_slice(msg);
        out.extend_from_slice(&ck.value);
        Ok(out)
    }
}

/// Parses the 16-byte header of a token with TOK_ID `want`.
pub fn parse_header(token: &[u8], want: [u8; 2]) -> Result<TokenHeader, GssError> {
    let h: &[u8; HDR] = token
        .get(..HDR)
        .and_then(|b| b.try_into().ok())
        .ok_or(GssError::DefectiveToken("token shorter than its header"))?;
    if h[0..2] != want {
        return Err(GssError::DefectiveToken("wrong TOK_ID"));
    }
    let seq = u64::from_be_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]);
    if want == TOK_MIC {
        if h[3..8] != [0xff; 5] {
            return Err(GssError::DefectiveToken("bad MIC filler"));
        }
        return Ok(TokenHeader {
            flags: h[2],
            ec: 0,
            rrc: 0,
            seq,
        });
    }
    if h[3] != 0xff {
        return Err(GssError::DefectiveToken("bad Wrap filler"));
    }
    Ok(TokenHeader {
        flags: h[2],
        ec: u16::from_be_bytes([h[4], h[5]]),
        rrc: u16::from_be_bytes([h[6], h[7]]),
        seq,
    })
}

/// Opens a Wrap token whose header was parsed as `hdr`, with the peer's
/// seal `usage`. Handles any RRC rotation. Returns the plaintext and
/// whether it was sealed.
pub fn unwrap(
    key: &Key,
    usage: u32,
    token: &[u8],
    hdr: &TokenHeader,
) -> Result<(Vec<u8>, bool), GssError> {
    let mut body = token
        .get(HDR..)
        .ok_or(GssError::DefectiveToken("token shorter than its header"))?
        .to_vec();
    if !body.is_empty() {
        let r = usize::from(hdr.rrc) % body.len();
        body.rotate_left(r);
    }
    let ec = usize::from(hdr.ec);
    if hdr.flags & FLAG_SEALED != 0 {
        let plain =
            zeroize::Zeroizing::new(key.decrypt(usage, &body).map_err(|_| GssError::BadSig)?);
        let msg_len = plain
            .len()
            .checked_sub(HDR + ec)
            .ok_or(GssError::DefectiveToken("sealed payload too short"))?;
        let copy = &plain[msg_len + ec..];
        let head = &token[..HDR];
        // The encrypted header copy must match (RRC is 0 in the copy).
        if copy[0..6] != head[0..6] || copy[8..16] != head[8..16] {
            return Err(GssError::BadSig);
        }
        Ok((plain[..msg_len].to_vec(), true))
    } else {
        let msg_len = body
            .len()
            .checked_sub(ec)
            .ok_or(GssError::DefectiveToken("checksum longer than the token"))?;
        let (msg, ck) = body.split_at(msg_len);
        let zero = wrap_header(hdr.flags, 0, 0, hdr.seq);
        let mut data = Vec::with_capacity(msg.len() + HDR);
        data.extend_from_slice(msg);
        data.extend_from_slice(&zero);
        let c = Checksum {
            cksumtype: key.etype().checksum_type(),
            value: ck.to_vec(),
        };
        key.verify_checksum(usage, &data, &c)
            .map_err(|_| GssError::BadSig)?;
        Ok((msg.to_vec(), false))
    }
}

/// Builds a MIC token over `msg` with the sign `usage`.
pub fn get_mic(
    key: &Key,
    usage: u32,
    flags: u8,
    seq: u64,
    msg: &[u8],
) -> Result<Vec<u8>, GssError> {
    let h = mic_header(flags & !FLAG_SEALED, seq);
    let mut data = Vec::with_capacity(msg.len() + HDR);
    data.extend_from_slice(msg);
    data.extend_from_slice(&h);
    let ck = key.checksum(usage, &data)?;
    let mut out = h.to_vec();
    out.extend_from_slice(&ck.value);
    Ok(out)
}

/// Verifies a MIC token (header parsed as `hdr`) over `msg` with the
/// peer's sign `usage`.
pub fn verify_mic(key: &Key, usage: u32, msg: &[u8], token: &[u8]) -> Result<(), GssError> {
    let head = token
        .get(..HDR)
        .ok_or(GssError::DefectiveToken("token shorter than its header"))?;
    let mut data = Vec::with_capacity(msg.len() + HDR);
    data.extend_from_slice(msg);
    data.extend_from_slice(head);
    let c = Checksum {
        cksumtype: key.etype().checksum_type(),
        value: token.get(HDR..).unwrap_or_default().to_vec(),
    };
    key.verify_checksum(usage, &data, &c)
        .map_err(|_| GssError::BadSig)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use tessera_proto::crypto::EncType;

    use super::*;

    #[test]
    fn wrap_unwrap_every_enctype_with_rotation() {
        for et in EncType::ALL {
            let key = Key::random(et).unwrap();
            for conf in [true, false] {
                let tok = wrap(&key, 24, FLAG_ACCEPTOR_SUBKEY, 7, b"payload", conf).unwrap();
                let hdr = parse_header(&tok, TOK_WRAP).unwrap();
                assert_eq!(hdr.seq, 7);
                assert_eq!(
                    unwrap(&key, 24, &tok, &hdr).unwrap(),
                    (b"payload".to_vec(), conf)
                );
                // The wrong usage fails.
                assert_eq!(unwrap(&key, 22, &tok, &hdr), Err(GssError::BadSig));
                // Rotate the body right by 28 as Windows does, and say so in RRC.
                let mut rot = tok.clone();
                rot[16..].rotate_right(28 % (tok.len() - 16));
                rot[6..8].copy_from_slice(&28u16.to_be_bytes());
                let h2 = parse_header(&rot, TOK_WRAP).unwrap();
                assert_eq!(
                    unwrap(&key, 24, &rot, &h2).unwrap(),
                    (b"payload".to_vec(), conf)
                );
                // A changed sequence number in the header is detected.
                let mut bad = tok.clone();
                bad[15] ^= 1;
                let h3 = parse_header(&bad, TOK_WRAP).unwrap();
                assert_eq!(unwrap(&key, 24, &bad, &h3), Err(GssError::BadSig));
            }
            let mic = get_mic(&key, 25, 0, 9, b"m").unwrap();
            parse_header(&mic, TOK_MIC).unwrap();
            verify_mic(&key, 25, b"m", &mic).unwrap();
            assert_eq!(verify_mic(&key, 25, b"n", &mic), Err(GssError::BadSig));
        }
    }

    #[test]
    fn short_and_odd_tokens_do_not_panic() {
        let key = Key::random(EncType::Aes128CtsHmacSha196).unwrap();
        for t in [
            &[][..],
            &[5, 4],
            &[5, 4, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ] {
            if let Ok(h) = parse_header(t, TOK_WRAP) {
                assert!(unwrap(&key, 24, t, &h).is_err());
            }
        }
        let mut t = vec![5, 4, 2, 0xff, 0xff, 0xff, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        t.extend_from_slice(&[0u8; 40]);
        let h = parse_header(&t, TOK_WRAP).unwrap();
        assert!(unwrap(&key, 24, &t, &h).is_err());
        assert!(verify_mic(&key, 25, b"", &[4, 4]).is_err());
    }
}
