//! The TGS authenticator replay cache.
//!
//! The KDC uses the one replay cache of the code base, client-lib's
//! [`ReplayCache`] (the one every service acceptor links), whose module
//! documentation says how it stays bounded per client and in bytes, evicts
//! by expiry without scanning, and what it does when full (drop the
//! heaviest client's oldest entry, never refuse the realm). What is
//! particular to the TGS exchange is here:
//!
//! * An authenticator is identified by (client, server, ctime, cusec), as
//!   RFC 4120 section 3.2.3 describes; the client is the cache's per-client
//!   accounting unit.
//! * It is recorded only once the TGS-REQ is otherwise acceptable as far as
//!   can be known cheaply (ticket and authenticator decrypted, checksum,
//!   skew, options, client and server looked up), as MIT's KDC checks the
//!   request before it stores anything; a request refused for those reasons
//!   takes no room.
//! * It lives until `ctime + skew` by the KDC's clock: the last second at
//!   which it would still pass the skew check, so no authenticator can be
//!   replayed while the KDC would accept its time. (Expiring at
//!   `min(ctime, now) + skew` would forget an authenticator dated in the
//!   future while it is still acceptable.) The skew check before it bounds
//!   that to `now + 2 * skew`, and the cache clamps every entry to that
//!   from the current clock, so future ctimes and clock steps cannot pin
//!   entries longer.
//! * The request fingerprint (SHA-256 of the request bytes, as the
//!   lookaside cache keys replies) is stored with the entry: a byte-identical
//!   retransmit whose reply is no longer in the lookaside cache is answered
//!   again rather than refused as a replay (whoever sends the same bytes
//!   again learns nothing new: the reply is sealed in the requester's session
//!   key or subkey), while the same authenticator inside any other request
//!   is KRB_AP_ERR_REPEAT.
//! * A client over its share gets KDC_ERR_POLICY ("too many requests"),
//!   logged in its audit event; nobody else is affected.

use std::time::Duration;

use super::error::KdcError;
use super::tgs_issue::Verified;
use super::{Exchange, Kdc};

pub use tessera_proto::replay::{
    DEFAULT_REPLAY_CAPACITY, DEFAULT_REPLAY_MAX_BYTES, DEFAULT_REPLAY_PER_CLIENT,
    ENTRY_BYTES as REPLAY_ENTRY_BYTES, ReplayCache, ReplayLimits, ReplayRefusal,
};

/// The KDC's replay cache for a realm whose clock skew is `skew_secs`.
pub fn for_skew(skew_secs: i64, limits: ReplayLimits) -> ReplayCache {
    ReplayCache::with_limits(Duration::from_secs(skew_secs.max(1).unsigned_abs()), limits)
}

/// Records a verified TGS-REQ's authenticator in the KDC's replay cache,
/// once everything cheap to check has passed. A replay
/// inside another request is KRB_AP_ERR_REPEAT; a byte-identical
/// retransmit is answered again; a client over its share is refused with
/// KDC_ERR_POLICY. Sets `ex.replay_recorded` when the authenticator is in
/// the cache for this very request (its reply may then be cached).
pub(super) fn check_tgs(kdc: &Kdc, v: &Verified, ex: &mut Exchange) -> Result<(), KdcError> {
    let id = authenticator_id(&v.ticket_server.to_string(), v.ctime, v.cusec);
    let expires = v.ctime.saturating_add(kdc.policy.clock_skew);
    match kdc.replay.check_and_insert_at(
        &v.client.to_string(),
        &id,
        &ex.request_key,
        expires,
        ex.now_secs,
    ) {
        Ok(()) => {
            ex.replay_recorded = true;
            Ok(())
        }
        Err(ReplayRefusal::Replay { same_request: true }) => {
            tracing::debug!(client = %v.client,
                "retransmitted TGS-REQ no longer in the lookaside cache; answered again");
            ex.replay_recorded = true;
            Ok(())
        }
        Err(ReplayRefusal::Replay {
            same_request: false,
        }) => Err(KdcError::Replay),
        Err(ReplayRefusal::ClientOverQuota) => Err(KdcError::Policy(
            "too many requests from this client within the clock skew; retry later",
        )),
    }
}

/// The identity of a TGS authenticator of some client: the server it was
/// for, its ctime and cusec.
fn authenticator_id(server: &str, ctime: i64, cusec: u32) -> Vec<u8> {
    let mut id = Vec::with_capacity(server.len() + 12);
    id.extend_from_slice(&ctime.to_be_bytes());
    id.extend_from_slice(&cusec.to_be_bytes());
    id.extend_from_slice(server.as_bytes());
    id
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kdc_semantics() {
        let c = for_skew(300, ReplayLimits::default());
        let id = authenticator_id("krbtgt/R@R", 1000, 7);
        c.check_and_insert_at("u@R", &id, b"r1", 1300, 1000)
            .unwrap();
        // Another cusec, server or client is another authenticator.
        for (client, id) in [
            ("u@R", authenticator_id("krbtgt/R@R", 1000, 8)),
            ("u@R", authenticator_id("host/x@R", 1000, 7)),
            ("v@R", id.clone()),
        ] {
            c.check_and_insert_at(client, &id, b"r1", 1300, 1000)
                .unwrap();
        }
        assert_eq!(
            c.check_and_insert_at("u@R", &id, b"r2", 1300, 1299),
            Err(ReplayRefusal::Replay {
                same_request: false
            })
        );
        // A future ctime (now + skew) is remembered until ctime + skew.
        let f = authenticator_id("krbtgt/R@R", 1300, 0);
        c.check_and_insert_at("u@R", &f, b"r3", 1600, 1000).unwrap();
        assert!(c.check_and_insert_at("u@R", &f, b"r4", 1600, 1599).is_err());
    }
}
