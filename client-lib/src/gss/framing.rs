//! RFC 2743 section 3.1 generic token framing for the Kerberos mechanism:
//! `0x60 <DER length> 0x06 0x09 <1.2.840.113554.1.2.2> TOK_ID <inner>`.

use super::GssError;

/// The DER encoding (tag, length, value) of the Kerberos V5 mechanism OID
/// 1.2.840.113554.1.2.2.
pub const KRB5_OID_DER: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
];

/// TOK_ID of the initiator's context token (AP-REQ).
pub const TOK_AP_REQ: [u8; 2] = [0x01, 0x00];
/// TOK_ID of the acceptor's context token (AP-REP).
pub const TOK_AP_REP: [u8; 2] = [0x02, 0x00];
/// TOK_ID of an error context token (KRB-ERROR).
pub const TOK_ERROR: [u8; 2] = [0x03, 0x00];

/// Frames a Kerberos message as a GSS-API context token.
pub fn frame(tok_id: [u8; 2], inner: &[u8]) -> Vec<u8> {
    let body_len = KRB5_OID_DER.len() + 2 + inner.len();
    let mut out = Vec::with_capacity(body_len + 6);
    out.push(0x60);
    push_der_len(&mut out, body_len);
    out.extend_from_slice(&KRB5_OID_DER);
    out.extend_from_slice(&tok_id);
    out.extend_from_slice(inner);
    out
}

/// Removes the framing: returns the TOK_ID and the Kerberos message.
/// The length must match the token exactly and the OID must be Kerberos V5.
pub fn unframe(token: &[u8]) -> Result<([u8; 2], &[u8]), GssError> {
    if token.first() != Some(&0x60) {
        return Err(GssError::DefectiveToken(
            "context token does not start with 0x60",
        ));
    }
    let (len, hdr) = read_der_len(token.get(1..).unwrap_or_default())?;
    let body = token
        .get(1 + hdr..)
        .ok_or(GssError::DefectiveToken("context token truncated"))?;
    if body.len() != len {
        return Err(GssError::DefectiveToken("context token length mismatch"));
    }
    let rest = body
        .strip_prefix(&KRB5_OID_DER[..])
        .ok_or(GssError::BadMech)?;
    let tok_id: [u8; 2] = rest
        .get(0..2)
        .and_then(|b| b.try_into().ok())
        .ok_or(GssError::DefectiveToken("context token has no TOK_ID"))?;
    Ok((tok_id, rest.get(2..).unwrap_or_default()))
}

fn push_der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let sig = &bytes[skip..];
    out.push(0x80 | sig.len() as u8);
    out.extend_from_slice(sig);
}

/// Reads a DER length; returns (length, bytes used).
fn read_der_len(b: &[u8]) -> Result<(usize, usize), GssError> {
    let first = *b
        .first()
        .ok_or(GssError::DefectiveToken("context token truncated"))?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return Err(GssError::DefectiveToken("bad length in context token"));
    }
    let digits = b
        .get(1..1 + n)
        .ok_or(GssError::DefectiveToken("context token truncated"))?;
    let len = digits
        .iter()
        .fold(0usize, |acc, d| (acc << 8) | usize::from(*d));
    Ok((len, 1 + n))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trip_short_and_long() {
        for n in [0usize, 10, 200, 70_000] {
            let inner = vec![7u8; n];
            let t = frame(TOK_AP_REP, &inner);
            let (id, got) = unframe(&t).unwrap();
            assert_eq!(id, TOK_AP_REP);
            assert_eq!(got, &inner[..]);
            assert!(unframe(&t[..t.len() - 1]).is_err());
        }
        assert!(unframe(&[0x60, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(unframe(&[]).is_err());
    }
}
