//! GSS tokens over a byte stream, and the echo service the examples run.
//!
//! Each token travels as a 4-byte big-endian length followed by the
//! token; a zero-length token ends the conversation. Blocking `std::io`
//! (any `Read + Write`, e.g. `std::net::TcpStream`).

use std::io::{self, Read, Write};

use tessera_proto::msg::Principal;

use super::{GssContext, GssError, GssFlags, error_token};
use crate::ap::{Acceptor, ApError};
use crate::ccache::{CcacheName, Credential, CredentialCache};
use crate::kdc_client::{KdcClientError, blocking};

/// Largest token [`read_token`] accepts: 1 MiB.
pub const MAX_TOKEN: usize = 1 << 20;

/// Why a stream conversation failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading or writing the stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The peer announced a token larger than [`MAX_TOKEN`].
    #[error("token of {0} bytes exceeds the {MAX_TOKEN}-byte limit")]
    TooLarge(usize),
    /// The GSS exchange or a per-message token failed.
    #[error(transparent)]
    Gss(#[from] GssError),
    /// The peer closed the conversation before it was complete.
    #[error("peer ended the conversation early")]
    Closed,
    /// The echoed message is not the one sent.
    #[error("echo mismatch")]
    EchoMismatch,
    /// Getting the service ticket from the KDC failed.
    #[error("cannot get a service ticket: {0}")]
    Kdc(#[from] KdcClientError),
    /// The credential cache holds no ticket for the service.
    #[error(
        "no ticket for {0} in the credential cache: get one first (e.g. `kvno {0}` after kinit)"
    )]
    NoTicket(String),
}

impl From<ApError> for StreamError {
    fn from(e: ApError) -> Self {
        StreamError::Gss(GssError::Ap(e))
    }
}

/// Writes one length-prefixed token.
pub fn write_token<W: Write>(w: &mut W, token: &[u8]) -> Result<(), StreamError> {
    let len = u32::try_from(token.len()).map_err(|_| StreamError::TooLarge(token.len()))?;
    if token.len() > MAX_TOKEN {
        return Err(StreamError::TooLarge(token.len()));
    }
    w.write_all(&len.to_be_bytes())?;
    w.write_all(token)?;
    w.flush()?;
    Ok(())
}

/// Reads one length-prefixed token (at most [`MAX_TOKEN`] bytes).
pub fn read_token<R: Read>(r: &mut R) -> Result<Vec<u8>, StreamError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_TOKEN {
        return Err(StreamError::TooLarge(len));
    }
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// The cached service ticket for `server`, or [`StreamError::NoTicket`].
pub fn service_credential<'a>(
    cache: &'a CredentialCache,
    server: &Principal,
) -> Result<&'a Credential, StreamError> {
    cache
        .find(&crate::ap::principal_to_kt(server))
        .ok_or_else(|| StreamError::NoTicket(server.to_string()))
}

/// The service ticket for `server`: from the cache if a valid one is
/// there, else from the KDC with the cache's TGT (Tessera's TGS client,
/// like MIT's `kvno`); the new ticket is added to the cache.
pub fn obtain_service_credential(
    client: &blocking::Client,
    cache: &CcacheName,
    server: &Principal,
) -> Result<Credential, StreamError> {
    let opts = client.inner().tgs_options();
    let creds = client.service_ticket(cache, server, &opts)?;
    Ok(creds.to_ccache_credential())
}

/// Client side of the echo protocol: establishes a mutually authenticated
/// context with the ticket in `cred`, sends each message in an encrypted
/// Wrap token, checks each echo, and ends the conversation. Returns the
/// echoed messages. `clock` gives microseconds since the Unix epoch.
pub fn echo_client<S: Read + Write>(
    stream: &mut S,
    cred: &Credential,
    messages: &[&[u8]],
    clock: impl Fn() -> i64,
) -> Result<Vec<Vec<u8>>, StreamError> {
    let (token, pending) = GssContext::initiate(cred, GssFlags::DEFAULT, clock())?;
    write_token(stream, &token)?;
    let reply = read_token(stream)?;
    if reply.is_empty() {
        return Err(StreamError::Closed);
    }
    let mut ctx = pending.step(&reply)?;
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        write_token(stream, &ctx.wrap(m, true)?)?;
        let back = read_token(stream)?;
        if back.is_empty() {
            return Err(StreamError::Closed);
        }
        let (echo, _) = ctx.unwrap(&back)?;
        if echo != *m {
            return Err(StreamError::EchoMismatch);
        }
        out.push(echo);
    }
    write_token(stream, &[])?;
    Ok(out)
}

/// Service side of the echo protocol for one connection: accepts the
/// client's context token (sending an error token and failing if it is
/// refused), sends the AP-REP token, then echoes every Wrap token back
/// until the client sends an empty token. Returns the client principal
/// and the number of messages echoed.
pub fn echo_serve<S: Read + Write>(
    stream: &mut S,
    acceptor: &Acceptor,
    expected_server: Option<&Principal>,
    clock: impl Fn() -> i64,
) -> Result<(Principal, usize), StreamError> {
    let token = read_token(stream)?;
    let now = clock();
    let (mut ctx, reply) = match GssContext::accept(acceptor, &token, now, expected_server) {
        Ok(v) => v,
        Err(e) => {
            if let GssError::Ap(ap) = &e {
                let server = expected_server.cloned().unwrap_or_else(|| {
                    Principal::parse("unknown").unwrap_or_else(|_| Principal::krbtgt(""))
                });
                if let Ok(t) = error_token(ap, &server, now) {
                    let _ = write_token(stream, &t);
                }
            }
            return Err(e.into());
        }
    };
    write_token(stream, reply.as_deref().unwrap_or_default())?;
    let mut n = 0;
    loop {
        let t = read_token(stream)?;
        if t.is_empty() {
            break;
        }
        let (msg, conf) = ctx.unwrap(&t)?;
        write_token(stream, &ctx.wrap(&msg, conf)?)?;
        n += 1;
    }
    Ok((ctx.client().clone(), n))
}
