//! Counters of requests the KDC dropped without a reply (nothing that does
//! not decode as an AS-REQ or TGS-REQ is answered; see
//! [`Kdc::handle`](super::Kdc::handle)).

use std::sync::atomic::{AtomicU64, Ordering};

/// Why a request got no reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Empty, or the first byte is not an APPLICATION tag.
    NotKerberos,
    /// A Kerberos message, but not an AS-REQ or TGS-REQ (a reply, a
    /// KRB-ERROR, an AP-REQ...).
    NotKdcReq,
    /// AS-REQ or TGS-REQ tag, but the DER does not decode in full, or
    /// pvno/msg-type are wrong.
    Undecodable,
}

/// Dropped-request counters (relaxed atomics; for tests and metrics).
#[derive(Debug, Default)]
pub struct DropStats {
    not_kerberos: AtomicU64,
    not_kdc_req: AtomicU64,
    undecodable: AtomicU64,
}

impl DropStats {
    /// Counts one drop.
    pub fn count(&self, reason: DropReason) {
        self.counter(reason).fetch_add(1, Ordering::Relaxed);
    }

    /// Drops counted for `reason`.
    pub fn get(&self, reason: DropReason) -> u64 {
        self.counter(reason).load(Ordering::Relaxed)
    }

    /// All drops counted.
    pub fn total(&self) -> u64 {
        [
            DropReason::NotKerberos,
            DropReason::NotKdcReq,
            DropReason::Undecodable,
        ]
        .into_iter()
        .map(|r| self.get(r))
        .sum()
    }

    fn counter(&self, reason: DropReason) -> &AtomicU64 {
        match reason {
            DropReason::NotKerberos => &self.not_kerberos,
            DropReason::NotKdcReq => &self.not_kdc_req,
            DropReason::Undecodable => &self.undecodable,
        }
    }
}
