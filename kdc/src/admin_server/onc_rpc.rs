//! Recognising MIT's `kadmin` (an ONC RPC client, RFC 5531, speaking
//! RPCSEC_GSS to kadmind's program 2112) on our admin port, and refusing
//! it in a way it can show.
//!
//! ONC RPC over TCP uses record marking: each fragment starts with a
//! 4-byte big-endian word whose high bit marks the last fragment. Our own
//! frames are at most [`super::MAX_FRAME`] long, so that bit is never set
//! in one of ours: a first word with it set is an RPC client.
//!
//! Each call is answered with an accepted reply whose status is
//! PROG_UNAVAIL (this server does not serve kadm5 RPC), keeping the xid.
//! MIT's kadmin then tries its second authentication flavour on the same
//! connection, is refused the same way, and prints "GSS-API (or Kerberos)
//! error while initializing kadmin interface" (exit status 1). Closing
//! without a reply instead lets it die of SIGPIPE without a word.

/// The last-fragment bit of a record mark.
pub const LAST_FRAGMENT: u32 = 0x8000_0000;
/// MIT's kadm5 RPC program number.
pub const KADM5_PROGRAM: u32 = 2112;
/// Calls answered on one connection before it is closed.
pub const MAX_CALLS: usize = 4;
/// Largest fragment read (longer ones are not parsed).
pub const MAX_FRAGMENT: usize = 64 * 1024;

/// The header of an ONC RPC call (what is logged of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcCall {
    /// Transaction id (echoed in the reply).
    pub xid: u32,
    /// RPC protocol version (2).
    pub rpc_version: u32,
    /// Program number (2112 = MIT kadm5).
    pub program: u32,
    /// Program version.
    pub version: u32,
    /// Procedure number.
    pub procedure: u32,
    /// Credential flavour (6 = RPCSEC_GSS, 300001 = MIT's AUTH_GSSAPI).
    pub flavor: u32,
}

impl RpcCall {
    /// Whether this looks like MIT's kadmin (program 2112).
    pub fn is_mit_kadmin(&self) -> bool {
        self.program == KADM5_PROGRAM
    }
}

/// Whether the first 4 bytes of a connection are an ONC RPC record mark
/// rather than one of our length prefixes.
pub fn is_record_mark(header: [u8; 4]) -> bool {
    u32::from_be_bytes(header) & LAST_FRAGMENT != 0
}

/// The fragment length a record mark announces.
pub fn fragment_len(header: [u8; 4]) -> usize {
    (u32::from_be_bytes(header) & !LAST_FRAGMENT) as usize
}

fn word(body: &[u8], i: usize) -> Option<u32> {
    let b = body.get(i * 4..i * 4 + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Parses the start of a call message (xid, CALL, rpcvers, prog, vers,
/// proc, credential flavour). None when it is not a call.
pub fn parse_call(body: &[u8]) -> Option<RpcCall> {
    const CALL: u32 = 0;
    if word(body, 1)? != CALL {
        return None;
    }
    Some(RpcCall {
        xid: word(body, 0)?,
        rpc_version: word(body, 2)?,
        program: word(body, 3)?,
        version: word(body, 4)?,
        procedure: word(body, 5)?,
        flavor: word(body, 6)?,
    })
}

/// A record-marked reply to `xid`: MSG_ACCEPTED, null verifier,
/// PROG_UNAVAIL.
pub fn prog_unavail_reply(xid: u32) -> Vec<u8> {
    const REPLY: u32 = 1;
    const MSG_ACCEPTED: u32 = 0;
    const AUTH_NONE: u32 = 0;
    const PROG_UNAVAIL: u32 = 1;
    let words = [xid, REPLY, MSG_ACCEPTED, AUTH_NONE, 0, PROG_UNAVAIL];
    let mut out = Vec::with_capacity(4 + words.len() * 4);
    out.extend_from_slice(&(LAST_FRAGMENT | (words.len() as u32 * 4)).to_be_bytes());
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The first 32 bytes of MIT kadmin 1.20's first call (RPCSEC_GSS
    /// init to program 2112 version 2), record mark included.
    const MIT_FIRST_CALL: &str = "800002806a0a8a91000000000000000200000840000000020000000000000006";

    #[test]
    fn recognises_mit_kadmin_and_answers_prog_unavail() {
        let bytes = hex::decode(MIT_FIRST_CALL).unwrap();
        let header: [u8; 4] = bytes[..4].try_into().unwrap();
        assert!(is_record_mark(header));
        assert_eq!(fragment_len(header), 0x280);
        // Our frames never set the bit.
        assert!(!is_record_mark(
            (super::super::MAX_FRAME as u32).to_be_bytes()
        ));
        let call = parse_call(&bytes[4..]).unwrap();
        assert_eq!(
            call,
            RpcCall {
                xid: 0x6a0a_8a91,
                rpc_version: 2,
                program: KADM5_PROGRAM,
                version: 2,
                procedure: 0,
                flavor: 6,
            }
        );
        assert!(call.is_mit_kadmin());
        let reply = prog_unavail_reply(call.xid);
        assert_eq!(
            hex::encode(reply),
            "80000018\
             6a0a8a91\
             00000001\
             00000000\
             00000000\
             00000000\
             00000001"
        );
        // A reply (msg_type 1) or a short message is not a call.
        assert_eq!(parse_call(&hex::decode("0000000100000001").unwrap()), None);
        assert_eq!(parse_call(&[0, 0, 0]), None);
    }
}
