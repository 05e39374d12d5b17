//! [`GssContext`]: an established RFC 4121 security context.

use tessera_proto::crypto::{Key, usage};
use tessera_proto::msg::Principal;

use super::framing::{self, TOK_AP_REP, TOK_AP_REQ, TOK_ERROR};
use super::per_msg::{
    self, FLAG_ACCEPTOR_SUBKEY, FLAG_SENT_BY_ACCEPTOR, TOK_MIC, TOK_WRAP, TokenHeader,
};
use super::{GssChecksum, GssError, GssFlags};
use crate::ap::{
    self, Acceptor, ApError, ApReqOptions, ApSession, AuthChecksum, InitiatorState, Role,
};
use crate::ccache::Credential;

/// An established security context: keys, flags and both sequence
/// counters. Use it for [`wrap`](GssContext::wrap) /
/// [`unwrap`](GssContext::unwrap) and
/// [`get_mic`](GssContext::get_mic) / [`verify_mic`](GssContext::verify_mic).
#[derive(Debug)]
pub struct GssContext {
    role: Role,
    flags: GssFlags,
    initiator_key: Key,
    acceptor_subkey: Option<Key>,
    send_seq: u64,
    recv_seq: u64,
    client: Principal,
    server: Principal,
}

/// An initiator waiting for the acceptor's reply token.
#[derive(Debug)]
pub struct GssInitiator {
    state: InitiatorState,
    flags: GssFlags,
}

impl GssInitiator {
    /// Processes the acceptor's context token (AP-REP, or an error token
    /// returned as [`ApError::PeerError`]) and completes the context.
    pub fn step(self, token: &[u8]) -> Result<GssContext, GssError> {
        let (id, inner) = framing::unframe(token)?;
        match id {
            TOK_AP_REP => {
                let session = self.state.verify_ap_rep(inner)?;
                Ok(GssContext::from_session(&session, self.flags))
            }
            TOK_ERROR => Err(GssError::Ap(crate::ap::peer_error_of(inner))),
            _ => Err(GssError::DefectiveToken("unexpected TOK_ID in reply")),
        }
    }

    /// Completes the context without a reply, when mutual authentication
    /// was not requested.
    pub fn complete_without_reply(self) -> Result<GssContext, GssError> {
        if self.state.mutual() {
            return Err(GssError::DefectiveToken(
                "mutual authentication requested: the AP-REP token is required",
            ));
        }
        let session = self.state.without_ap_rep();
        Ok(GssContext::from_session(&session, self.flags))
    }
}

/// A GSS error context token (TOK_ID 03 00) carrying a KRB-ERROR for `err`,
/// for the acceptor to send back when [`GssContext::accept`] fails.
pub fn error_token(err: &ApError, server: &Principal, now_micros: i64) -> Result<Vec<u8>, ApError> {
    Ok(framing::frame(
        TOK_ERROR,
        &err.to_krb_error(server, now_micros)?,
    ))
}

impl GssContext {
    /// Starts a context as initiator with the service ticket in `cred`:
    /// returns the initial context token to send and the pending state.
    /// `flags` go in the 0x8003 checksum; MUTUAL asks for an AP-REP.
    pub fn initiate(
        cred: &Credential,
        flags: GssFlags,
        now_micros: i64,
    ) -> Result<(Vec<u8>, GssInitiator), GssError> {
        let flags = flags | GssFlags::INTEG | GssFlags::CONF;
        let opts = ApReqOptions {
            mutual: flags.contains(GssFlags::MUTUAL),
            subkey: true,
            checksum: AuthChecksum::Gss(GssChecksum::new(flags)),
        };
        let (ap_req, state) = ap::build_ap_req(cred, &opts, now_micros)?;
        Ok((
            framing::frame(TOK_AP_REQ, &ap_req),
            GssInitiator { state, flags },
        ))
    }

    /// Accepts an initiator's context token: returns the context and, when
    /// the initiator asked for mutual authentication, the reply token to
    /// send. On failure, [`error_token`] builds the token to send back.
    pub fn accept(
        acceptor: &Acceptor,
        token: &[u8],
        now_micros: i64,
        expected_server: Option<&Principal>,
    ) -> Result<(GssContext, Option<Vec<u8>>), GssError> {
        let (id, inner) = framing::unframe(token)?;
        if id != TOK_AP_REQ {
            return Err(GssError::DefectiveToken("initial token is not an AP-REQ"));
        }
        let accepted = acceptor.accept(inner, now_micros, expected_server)?;
        let cksum = accepted
            .gss_checksum
            .as_ref()
            .ok_or(ApError::BadGssChecksum(
                "no 0x8003 checksum in the authenticator",
            ))?;
        let flags = GssFlags(cksum.flags.0 & !GssFlags::DELEG.0) | GssFlags::INTEG | GssFlags::CONF;
        let reply = accepted
            .ap_rep
            .as_ref()
            .map(|rep| framing::frame(TOK_AP_REP, rep));
        Ok((GssContext::from_session(&accepted.session, flags), reply))
    }

    fn from_session(s: &ApSession, flags: GssFlags) -> Self {
        let (send, recv) = (u64::from(s.send_seq()), u64::from(s.recv_seq()));
        GssContext {
            role: s.role,
            flags,
            initiator_key: s.initiator_key().clone(),
            acceptor_subkey: s.acceptor_subkey.clone(),
            send_seq: send,
            recv_seq: recv,
            client: s.client.clone(),
            server: s.server.clone(),
        }
    }

    /// The context flags in force.
    pub fn flags(&self) -> GssFlags {
        self.flags
    }

    /// The initiator (client) principal.
    pub fn client(&self) -> &Principal {
        &self.client
    }

    /// The acceptor (service) principal.
    pub fn server(&self) -> &Principal {
        &self.server
    }

    /// Our side of the context.
    pub fn role(&self) -> Role {
        self.role
    }

    fn send_key(&self) -> (&Key, u8) {
        let dir = match self.role {
            Role::Acceptor => FLAG_SENT_BY_ACCEPTOR,
            Role::Initiator => 0,
        };
        match &self.acceptor_subkey {
            Some(k) => (k, dir | FLAG_ACCEPTOR_SUBKEY),
            None => (&self.initiator_key, dir),
        }
    }

    fn recv_key(&self, hdr: &TokenHeader) -> Result<&Key, GssError> {
        let from_acceptor = hdr.flags & FLAG_SENT_BY_ACCEPTOR != 0;
        if from_acceptor != (self.role == Role::Initiator) {
            return Err(GssError::WrongDirection);
        }
        if hdr.flags & FLAG_ACCEPTOR_SUBKEY != 0 {
            self.acceptor_subkey
                .as_ref()
                .ok_or(GssError::NoAcceptorSubkey)
        } else {
            Ok(&self.initiator_key)
        }
    }

    fn usages(&self) -> (u32, u32, u32, u32) {
        // (our seal, our sign, peer seal, peer sign)
        match self.role {
            Role::Initiator => (
                usage::GSS_INITIATOR_SEAL,
                usage::GSS_INITIATOR_SIGN,
                usage::GSS_ACCEPTOR_SEAL,
                usage::GSS_ACCEPTOR_SIGN,
            ),
            Role::Acceptor => (
                usage::GSS_ACCEPTOR_SEAL,
                usage::GSS_ACCEPTOR_SIGN,
                usage::GSS_INITIATOR_SEAL,
                usage::GSS_INITIATOR_SIGN,
            ),
        }
    }

    fn check_seq(&mut self, seq: u64) -> Result<(), GssError> {
        let strict =
            self.flags.contains(GssFlags::SEQUENCE) || self.flags.contains(GssFlags::REPLAY);
        if seq == self.recv_seq || !strict {
            self.recv_seq = seq.wrapping_add(1);
            return Ok(());
        }
        if seq < self.recv_seq {
            Err(GssError::Duplicate {
                expected: self.recv_seq,
                got: seq,
            })
        } else {
            Err(GssError::Gap {
                expected: self.recv_seq,
                got: seq,
            })
        }
    }

    /// Protects `msg` in a Wrap token, encrypted when `conf`.
    pub fn wrap(&mut self, msg: &[u8], conf: bool) -> Result<Vec<u8>, GssError> {
        let (seal, _, _, _) = self.usages();
        let (key, flags) = self.send_key();
        let tok = per_msg::wrap(key, seal, flags, self.send_seq, msg, conf)?;
        self.send_seq = self.send_seq.wrapping_add(1);
        Ok(tok)
    }

    /// Opens a peer's Wrap token: returns the message and whether it was
    /// encrypted. Tokens must arrive in sequence.
    pub fn unwrap(&mut self, token: &[u8]) -> Result<(Vec<u8>, bool), GssError> {
        let hdr = per_msg::parse_header(token, TOK_WRAP)?;
        let (_, _, seal, _) = self.usages();
        let key = self.recv_key(&hdr)?;
        let out = per_msg::unwrap(key, seal, token, &hdr)?;
        self.check_seq(hdr.seq)?;
        Ok(out)
    }

    /// A MIC token over `msg`.
    pub fn get_mic(&mut self, msg: &[u8]) -> Result<Vec<u8>, GssError> {
        let (_, sign, _, _) = self.usages();
        let (key, flags) = self.send_key();
        let tok = per_msg::get_mic(key, sign, flags, self.send_seq, msg)?;
        self.send_seq = self.send_seq.wrapping_add(1);
        Ok(tok)
    }

    /// Verifies a peer's MIC token over `msg`. Tokens must arrive in sequence.
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<(), GssError> {
        let hdr = per_msg::parse_header(token, TOK_MIC)?;
        let (_, _, _, sign) = self.usages();
        let key = self.recv_key(&hdr)?;
        per_msg::verify_mic(key, sign, msg, token)?;
        self.check_seq(hdr.seq)
    }
}
