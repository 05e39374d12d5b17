//! Finding the exact bytes of `req-body` inside a DER KDC-REQ, which the
//! TGS-REQ authenticator checksum covers (re-encoding could differ from
//! what the client signed if it used a non-canonical encoding), and
//! reading the signed nonces Heimdal sends ([`decode_kdc_req`]).

/// One TLV split off the input: (tag byte, contents, whole TLV, rest).
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Splits one TLV off `input`. Only single-byte tags are needed here;
/// lengths up to 4 bytes.
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, mut rest) = after_tag.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut l = 0usize;
        for &b in &rest[..n] {
            l = (l << 8) | usize::from(b);
        }
        rest = &rest[n..];
        l
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    let whole = &input[..header + len];
    Some((tag, &rest[..len], whole, &rest[len..]))
}

/// The DER bytes of the `req-body` (context tag 4) of a KDC-REQ wrapped in
/// its APPLICATION tag (AS-REQ or TGS-REQ).
pub fn kdc_req_body(request: &[u8]) -> Option<&[u8]> {
    let (app, app_content, _, _) = tlv(request)?;
    if app & 0xe0 != 0x60 {
        return None;
    }
    let (seq, mut fields, _, _) = tlv(app_content)?;
    if seq != 0x30 {
        return None;
    }
    while !fields.is_empty() {
        let (tag, content, _, rest) = tlv(fields)?;
        if tag == 0xa4 {
            let (inner, _, whole, trailing) = tlv(content)?;
            return (inner == 0x30 && trailing.is_empty()).then_some(whole);
        }
        fields = rest;
    }
    None
}

/// Prepends a DER header (single-byte `tag`, minimal length) to `content`.
fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Finds the field with context tag `tag` among the DER `fields` (the
/// contents of a SEQUENCE): (start offset, whole TLV, its contents).
fn field(fields: &[u8], tag: u8) -> Option<(usize, &[u8], &[u8])> {
    let mut pos = 0;
    while pos < fields.len() {
        let (t, content, whole, _) = tlv(&fields[pos..])?;
        if t == tag {
            return Some((pos, whole, content));
        }
        pos += whole.len();
    }
    None
}

/// Replaces the field starting at `pos` with length `old_len` in `fields`
/// by `new`.
fn splice(fields: &[u8], pos: usize, old_len: usize, new: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fields.len() + new.len());
    out.extend_from_slice(&fields[..pos]);
    out.extend_from_slice(new);
    out.extend_from_slice(&fields[pos + old_len..]);
    out
}

/// A copy of the KDC-REQ `request` whose `nonce` (req-body field 7), sent
/// as a negative INTEGER of at most four octets, is re-encoded as the
/// non-negative INTEGER with the same 32 bits. None when the nonce is
/// absent, not negative, or the message is not a well-formed KDC-REQ.
///
/// Heimdal declares the nonce a signed 32-bit integer and encodes nonces of
/// 2^31 and above as negative numbers (`02 04 ab 62 db be`, about half of
/// its TGS-REQs); RFC 4120 5.4.1 says `nonce [7] UInt32`, INTEGER
/// (0..4294967295). MIT's KDC reads both forms as the same 32 bits.
pub fn with_unsigned_nonce(request: &[u8]) -> Option<Vec<u8>> {
    let (app, app_content, _, trailing) = tlv(request)?;
    if app & 0xe0 != 0x60 || !trailing.is_empty() {
        return None;
    }
    let (seq, fields, _, trailing) = tlv(app_content)?;
    if seq != 0x30 || !trailing.is_empty() {
        return None;
    }
    let (body_pos, body_field, body_wrapped) = field(fields, 0xa4)?;
    let (body_seq, body_fields, _, trailing) = tlv(body_wrapped)?;
    if body_seq != 0x30 || !trailing.is_empty() {
        return None;
    }
    let (nonce_pos, nonce_field, nonce_wrapped) = field(body_fields, 0xa7)?;
    let (int_tag, octets, _, trailing) = tlv(nonce_wrapped)?;
    if int_tag != 0x02 || !trailing.is_empty() || octets.is_empty() || octets.len() > 4 {
        return None;
    }
    if octets[0] & 0x80 == 0 {
        return None;
    }
    // Sign-extend to 32 bits: the same bits read as unsigned.
    let mut bits = [0xffu8; 4];
    bits[4 - octets.len()..].copy_from_slice(octets);
    let mut unsigned = vec![0u8];
    unsigned.extend_from_slice(&bits);
    let nonce = wrap(0xa7, &wrap(0x02, &unsigned));
    let body = wrap(
        0xa4,
        &wrap(
            0x30,
            &splice(body_fields, nonce_pos, nonce_field.len(), &nonce),
        ),
    );
    let seq = wrap(0x30, &splice(fields, body_pos, body_field.len(), &body));
    Some(wrap(app, &seq))
}

/// Decodes a KDC-REQ with `decode`; when that fails and the nonce is a
/// negative INTEGER (Heimdal's encoding, see [`with_unsigned_nonce`]),
/// decodes the request with the nonce read as its unsigned 32 bits. The
/// original bytes stay what checksums are verified over; replies carry the
/// nonce in RFC 4120's unsigned form, which Heimdal reads back as the same
/// 32 bits.
pub fn decode_kdc_req<T, E>(
    request: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    match decode(request) {
        Ok(v) => Ok(v),
        Err(e) => match with_unsigned_nonce(request) {
            Some(fixed) => {
                tracing::debug!(
                    "KDC-REQ nonce sent as a negative INTEGER (Heimdal); read as UInt32"
                );
                decode(&fixed)
            }
            None => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn finds_body_and_rejects_garbage() {
        // [APPLICATION 12] { SEQUENCE { [1] INT 5, [4] SEQUENCE { } } }
        let req = [
            0x6c, 0x0b, 0x30, 0x09, 0xa1, 0x03, 0x02, 0x01, 0x05, 0xa4, 0x02, 0x30, 0x00,
        ];
        assert_eq!(kdc_req_body(&req), Some(&[0x30, 0x00][..]));
        assert_eq!(kdc_req_body(&req[..8]), None);
        assert_eq!(kdc_req_body(&[0xff, 0x80]), None);
        assert_eq!(kdc_req_body(&[]), None);
    }

    #[test]
    fn negative_nonce_becomes_unsigned() {
        // [APPLICATION 12] { SEQUENCE { [4] SEQUENCE { [7] INTEGER -1419584578, [8] ... } } }
        let req = [
            0x6c, 0x12, 0x30, 0x10, 0xa4, 0x0e, 0x30, 0x0c, 0xa7, 0x06, 0x02, 0x04, 0xab, 0x62,
            0xdb, 0xbe, 0xa8, 0x02, 0x30, 0x00,
        ];
        let fixed = with_unsigned_nonce(&req).expect("rewritten");
        assert_eq!(
            fixed,
            [
                0x6c, 0x13, 0x30, 0x11, 0xa4, 0x0f, 0x30, 0x0d, 0xa7, 0x07, 0x02, 0x05, 0x00, 0xab,
                0x62, 0xdb, 0xbe, 0xa8, 0x02, 0x30, 0x00,
            ]
        );
        let kdc_req = |nonce: &[u8]| {
            let field = wrap(0xa7, &wrap(0x02, nonce));
            wrap(0x6c, &wrap(0x30, &wrap(0xa4, &wrap(0x30, &field))))
        };
        // One octet: -1 is 0xffffffff.
        let fixed = with_unsigned_nonce(&kdc_req(&[0xff])).expect("rewritten");
        assert_eq!(fixed, kdc_req(&[0x00, 0xff, 0xff, 0xff, 0xff]));
        let fixed = with_unsigned_nonce(&kdc_req(&[0x80, 0x01])).expect("rewritten");
        assert_eq!(fixed, kdc_req(&[0x00, 0xff, 0xff, 0x80, 0x01]));
        // Already unsigned, or too long to be a 32-bit value: untouched.
        assert_eq!(with_unsigned_nonce(&kdc_req(&[0x7f])), None);
        assert_eq!(
            with_unsigned_nonce(&kdc_req(&[0x00, 0xab, 0x62, 0xdb, 0xbe])),
            None
        );
        assert_eq!(with_unsigned_nonce(&kdc_req(&[0x80, 0, 0, 0, 0])), None);
        assert_eq!(with_unsigned_nonce(&req[..10]), None);
    }

    #[test]
    fn long_form_lengths_are_rebuilt() {
        // A body of 200 bytes of padding field [12] before the nonce.
        let mut body_fields = wrap(0xac, &[0u8; 200]);
        body_fields.extend_from_slice(&[0xa7, 0x06, 0x02, 0x04, 0x80, 0x00, 0x00, 0x01]);
        let req = wrap(0x6a, &wrap(0x30, &wrap(0xa4, &wrap(0x30, &body_fields))));
        let fixed = with_unsigned_nonce(&req).expect("rewritten");
        let body = kdc_req_body(&fixed).expect("body");
        assert!(body.ends_with(&[0xa7, 0x07, 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x01]));
        assert_eq!(fixed.len(), req.len() + 1);
    }

    #[test]
    fn heimdal_tgs_req_with_negative_nonce_decodes() {
        use tessera_proto::msg::{TgsReq, decode};
        // Captured from kgetcred (proto/tests/data/heimdal/README.md).
        let req = include_bytes!("../../../proto/tests/data/heimdal/tgs-1-tgs-req.der");
        assert!(decode::<TgsReq>(req).is_err());
        let TgsReq(r) = decode_kdc_req(req, decode::<TgsReq>).expect("decodes");
        assert_eq!(r.req_body.nonce, 0xab62_dbbe);
        // The body the authenticator checksum covers is the one sent.
        let negative = [0xa7, 0x06, 0x02, 0x04, 0xab, 0x62, 0xdb, 0xbe];
        let body = kdc_req_body(req).expect("body");
        assert!(body.windows(negative.len()).any(|w| w == negative));
    }

    /// Peers control every byte these functions read: mutated captures
    /// (bytes changed, cut short, inserted) never panic, and whatever
    /// `with_unsigned_nonce` returns is one whole, well-formed TLV.
    #[test]
    fn mutated_requests_never_panic() {
        use tessera_proto::msg::{AsReq, TgsReq, decode};
        let seeds: [&[u8]; 3] = [
            include_bytes!("../../../proto/tests/data/heimdal/tgs-1-tgs-req.der"),
            include_bytes!("../../../proto/tests/data/heimdal/as-password-3-as-req.der"),
            include_bytes!("../../../proto/tests/data/heimdal/renew-1-tgs-req.der"),
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..30_000_u32 {
            let seed = seeds[round as usize % seeds.len()];
            let mut m = seed.to_vec();
            for _ in 0..=(next() % 4) {
                let at = (next() as usize) % m.len().max(1);
                match next() % 3 {
                    0 if !m.is_empty() => m[at] = next() as u8,
                    1 => m.truncate(at),
                    _ => m.insert(at.min(m.len()), next() as u8),
                }
            }
            if let Some(fixed) = with_unsigned_nonce(&m) {
                let (_, _, whole, rest) = tlv(&fixed).expect("a TLV");
                assert_eq!((whole.len(), rest.len()), (fixed.len(), 0));
            }
            let _ = kdc_req_body(&m);
            let _ = decode_kdc_req(&m, decode::<TgsReq>);
            let _ = decode_kdc_req(&m, decode::<AsReq>);
        }
    }
}
