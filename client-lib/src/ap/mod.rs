//! The AP exchange (RFC 4120 section 3.2): mutual authentication between a
//! client holding a service ticket and a service holding a keytab.
//!
//! Sans-I/O: nothing here reads the clock or touches the network. The
//! caller passes `now` as microseconds since the Unix epoch (see
//! [`now_micros`] for the one-line wrapper) and moves the bytes.
//!
//! * Initiator: [`build_ap_req`] turns a ccache [`Credential`] into an
//!   AP-REQ plus an [`InitiatorState`], whose
//!   [`InitiatorState::verify_ap_rep`] checks the service's AP-REP.
//! * Acceptor: [`Acceptor::accept`] checks an AP-REQ against a keytab and
//!   a [`ReplayCache`] and returns an [`AcceptedContext`] holding the
//!   AP-REP to send back.
//! * Both sides end with an [`ApSession`]: the keys and initial sequence
//!   numbers for KRB-PRIV/KRB-SAFE ([`crate::priv_safe`]) or GSS-API
//!   ([`crate::gss`]).
//!
//! [`Credential`]: crate::ccache::Credential

mod acceptor;
mod error;
mod initiator;

pub use acceptor::{AcceptedContext, Acceptor, DEFAULT_SKEW};
pub use error::ApError;
pub use initiator::{ApReqOptions, AuthChecksum, InitiatorState, build_ap_req};
pub use tessera_proto::replay::{
    DEFAULT_REPLAY_CAPACITY, DEFAULT_REPLAY_MAX_BYTES, DEFAULT_REPLAY_PER_CLIENT, ENTRY_BYTES,
    ReplayCache, ReplayLimits, ReplayRefusal,
};

use std::time::{SystemTime, UNIX_EPOCH};

use tessera_proto::crypto::Key;
use tessera_proto::msg::{NameType, Principal};

use crate::keytab::KtPrincipal;

/// Which end of the exchange a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The client (sent the AP-REQ).
    Initiator,
    /// The service (received the AP-REQ).
    Acceptor,
}

/// What both sides know after a successful AP exchange.
///
/// Keys zeroize on drop and print redacted.
#[derive(Debug, Clone)]
pub struct ApSession {
    /// Our side of the exchange.
    pub role: Role,
    /// The authenticated client.
    pub client: Principal,
    /// The service.
    pub server: Principal,
    /// The ticket's session key.
    pub session_key: Key,
    /// The subkey the initiator put in its authenticator, if any.
    pub initiator_subkey: Option<Key>,
    /// The subkey the acceptor put in its AP-REP, if any.
    pub acceptor_subkey: Option<Key>,
    /// The initiator's initial sequence number (from the authenticator).
    pub initiator_seq: u32,
    /// The acceptor's initial sequence number (from the AP-REP; equal to
    /// `initiator_seq` when there was no AP-REP or it carried none).
    pub acceptor_seq: u32,
    /// Whether an AP-REP was exchanged (mutual authentication).
    pub mutual: bool,
}

impl ApSession {
    /// The key both sides protect messages with: the acceptor subkey if
    /// one was sent, else the initiator subkey, else the session key
    /// (RFC 4120 section 3.2.6, RFC 4121 section 2).
    pub fn shared_key(&self) -> &Key {
        self.acceptor_subkey
            .as_ref()
            .or(self.initiator_subkey.as_ref())
            .unwrap_or(&self.session_key)
    }

    /// The key the initiator's subkey selects (initiator subkey, else the
    /// session key): GSS-API tokens without the AcceptorSubkey flag use it.
    pub fn initiator_key(&self) -> &Key {
        self.initiator_subkey.as_ref().unwrap_or(&self.session_key)
    }

    /// Our first outgoing sequence number.
    pub fn send_seq(&self) -> u32 {
        match self.role {
            Role::Initiator => self.initiator_seq,
            Role::Acceptor => self.acceptor_seq,
        }
    }

    /// The peer's first sequence number.
    pub fn recv_seq(&self) -> u32 {
        match self.role {
            Role::Initiator => self.acceptor_seq,
            Role::Acceptor => self.initiator_seq,
        }
    }
}

/// The current time in microseconds since the Unix epoch (the thin clock
/// wrapper for the sans-I/O functions here).
pub fn now_micros() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
    }
}

/// A keytab/ccache principal as a protocol [`Principal`].
pub fn principal_from_kt(p: &KtPrincipal) -> Principal {
    Principal::new(
        NameType::from_i32(p.name_type),
        p.components.clone(),
        p.realm.clone(),
    )
}

/// A protocol [`Principal`] as a keytab/ccache principal.
pub fn principal_to_kt(p: &Principal) -> KtPrincipal {
    KtPrincipal::new(
        p.name_type.as_i32(),
        p.components.iter().cloned(),
        p.realm.clone(),
    )
}

/// A fresh random initial sequence number. Kept below 2^30 as MIT does,
/// so that peers that treat it as a signed 32-bit value never see it wrap
/// negative.
pub(crate) fn random_seq() -> Result<u32, ApError> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b)
        .map_err(|_| ApError::Crypto(tessera_proto::crypto::CryptoError::Random))?;
    Ok(u32::from_be_bytes(b) & 0x3fff_ffff)
}

pub(crate) use initiator::peer_error as peer_error_of;
