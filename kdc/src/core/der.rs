//! Finding the exact bytes of `req-body` inside a DER KDC-REQ, which the
//! TGS-REQ authenticator checksum covers (re-encoding could differ from
//! what the client signed if it used a non-canonical encoding).

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

#[cfg(test)]
mod tests {
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
}
