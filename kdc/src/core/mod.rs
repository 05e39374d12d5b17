//! The sans-I/O KDC core: AS and TGS exchanges.
//!
//! [`Kdc::handle`] takes one request's bytes, the peer, the transport and
//! the current time, and returns the reply bytes (AS-REP, TGS-REP or
//! KRB-ERROR) or `None` to drop. It reads principals from the in-memory
//! store cache and never the clock; before each AS or TGS request it has the
//! store catch up with what was committed since the last one
//! ([`PrincipalStore::sync_changes`]), so an administrator's change is
//! honoured by the very next request. The only writes are account-lockout
//! bookkeeping ([`lockout`]): failed pre-authentications of principals under
//! a lockout policy, and clearing a non-zero failure count; a background
//! writer does them ([`lockout_writer`]), so `handle` waits for a database
//! commit only when the writer's queue is full. Nothing that does not
//! decode in full as an AS-REQ or TGS-REQ ([`decode_kdc_request`]) is
//! answered: it is dropped, logged at debug level and counted
//! ([`Kdc::drops`]), as MIT's KDC stays silent, so spoofed junk cannot turn
//! the KDC into an amplifier. A byte-identical retransmit is answered from
//! the [`lookaside`] reply cache. Every decision is logged as one `tracing` event with target
//! `tessera::audit`.

mod as_req;
mod der;
pub mod drops;
pub mod error;
pub mod lockout;
pub mod lockout_writer;
pub mod lookaside;
mod preauth;
pub mod replay;
mod tgs_issue;
mod tgs_req;
mod ticket;
pub mod ticket_rules;
mod ttl_cache;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tessera_proto::crypto::EncType;
use tessera_proto::msg::{
    AsReq, KdcReq, KrbErrorBuilder, MessageType, NameType, Principal, PrincipalName, Realm, TgsReq,
    TicketFlags, application_tag, decode, encode,
};

pub use drops::{DropReason, DropStats};
pub use error::KdcError;
pub use lockout::{FailureRecord, Lockout, LockoutOptions};
pub use lookaside::{Lookaside, LookasideLimits};
pub use replay::{DEFAULT_REPLAY_CAPACITY, ReplayCache};
pub use ticket_rules::RealmPolicy;

use crate::config::KdcConfig;
use crate::db::{CoreStore, PrincipalEntry, PrincipalStore};
use crate::net::{EdgeError, Reply, RequestHandler, Transport};
pub use lockout_writer::Written;
use tessera_kdc_core::store::LockoutStore;

/// The KDC: AS and TGS exchanges over a [`PrincipalStore`].
pub struct Kdc {
    store: Arc<dyn LockoutStore>,
    realm: String,
    tgs: Principal,
    policy: RealmPolicy,
    udp_limit: usize,
    replay: ReplayCache,
    lookaside: Lookaside,
    lockout: Lockout,
    drops: DropStats,
}

/// A request that decoded in full.
enum Request {
    As(KdcReq),
    Tgs(KdcReq),
}

impl std::fmt::Debug for Kdc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kdc")
            .field("realm", &self.realm)
            .field("policy", &self.policy)
            .field("udp_limit", &self.udp_limit)
            .finish_non_exhaustive()
    }
}

/// State of one exchange, filled in as the request is understood; used for
/// the KRB-ERROR fields and the audit event.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub kind: &'static str,
    pub now: SystemTime,
    pub now_secs: i64,
    pub now_usec: u32,
    pub client: Option<Principal>,
    pub server: Option<Principal>,
    pub etypes: Vec<i32>,
    pub reply_etype: Option<EncType>,
    pub ticket_etype: Option<EncType>,
    pub session_etype: Option<EncType>,
    pub flags: Option<TicketFlags>,
    /// SHA-256 of the request bytes (the lookaside key).
    pub request_key: lookaside::RequestKey,
    /// Whether a TGS-REQ's authenticator is recorded in the replay cache
    /// for this very request: only then is an error reply cached.
    pub replay_recorded: bool,
    /// Receipt of the lockout write this request queued: the reply goes
    /// out once it is done.
    pub written: Option<lockout_writer::Written>,
}

impl Exchange {
    fn new(now: SystemTime) -> Self {
        let (now_secs, now_usec) = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_micros(),
            ),
            Err(_) => (0, 0),
        };
        Exchange {
            kind: "unknown",
            now,
            now_secs,
            now_usec,
            client: None,
            server: None,
            etypes: Vec::new(),
            reply_etype: None,
            ticket_etype: None,
            session_etype: None,
            flags: None,
            request_key: [0; 32],
            replay_recorded: false,
            written: None,
        }
    }

    fn now_micros(&self) -> i64 {
        self.now_secs
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.now_usec))
    }
}

impl Kdc {
    /// A KDC for `config.realm` serving principals from `store`.
    pub fn new(store: Arc<dyn PrincipalStore>, config: &KdcConfig) -> Self {
        let store: Arc<dyn LockoutStore> = Arc::new(CoreStore(store));
        let policy = RealmPolicy::from_config(&config.policy);
        let kdc = Kdc {
            store,
            realm: config.realm.clone(),
            tgs: Principal::krbtgt(&config.realm),
            udp_limit: config.network.udp_max_reply_size,
            replay: replay::for_skew(
                policy.clock_skew,
                replay::ReplayLimits {
                    max_bytes: config.limits.replay_max_bytes,
                    per_client: config.limits.replay_per_client,
                },
            ),
            lookaside: Lookaside::new(LookasideLimits {
                max_entries: config.limits.lookaside_max_entries,
                max_bytes: config.limits.lookaside_max_bytes,
                ..LookasideLimits::default()
            }),
            lockout: Lockout::new(LockoutOptions {
                dedup_capacity: config.limits.lockout_dedup_entries,
                ..LockoutOptions::default()
            }),
            policy,
            drops: DropStats::default(),
        };
        kdc.lockout.start_writer(Arc::clone(&kdc.store));
        kdc
    }

    /// Replaces the replay cache (e.g. with a different capacity).
    #[must_use]
    pub fn with_replay_cache(mut self, cache: ReplayCache) -> Self {
        self.replay = cache;
        self
    }

    /// Replaces the lookaside (reply) cache, e.g. with other limits.
    #[must_use]
    pub fn with_lookaside(mut self, cache: Lookaside) -> Self {
        self.lookaside = cache;
        self
    }

    /// Replaces the account-lockout enforcement (e.g. other tunables).
    #[must_use]
    pub fn with_lockout(mut self, lockout: Lockout) -> Self {
        lockout.start_writer(Arc::clone(&self.store));
        self.lockout = lockout;
        self
    }

    /// The account-lockout enforcement (its writer: flush, shutdown).
    pub fn lockout(&self) -> &Lockout {
        &self.lockout
    }

    /// The lookaside (reply) cache.
    pub fn lookaside(&self) -> &Lookaside {
        &self.lookaside
    }

    /// The TGS authenticator replay cache.
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.replay
    }

    /// Sets the largest reply sent over UDP (larger ones become
    /// KRB_ERR_RESPONSE_TOO_BIG).
    #[must_use]
    pub fn with_udp_limit(mut self, limit: usize) -> Self {
        self.udp_limit = limit;
        self
    }

    /// The realm served.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The realm policy in force.
    pub fn policy(&self) -> &RealmPolicy {
        &self.policy
    }

    /// Handles one request. See the module documentation.
    ///
    /// The reply may report a lockout outcome whose store write is still
    /// queued (this process sees it at once; other processes once it
    /// lands). A server should send the reply only once the write is done:
    /// [`Kdc::handle_with_receipt`] says when.
    pub fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        now: SystemTime,
    ) -> Option<Vec<u8>> {
        self.handle_with_receipt(request, peer, transport, now)
            .map(|(reply, _)| reply)
    }

    /// [`Kdc::handle`], with the receipt of the lockout write the request
    /// queued, if any: send the reply once it completes.
    pub fn handle_with_receipt(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        now: SystemTime,
    ) -> Option<(Vec<u8>, Option<Written>)> {
        let mut ex = Exchange::new(now);
        let key = lookaside::request_key(request);
        ex.request_key = key;
        if let Some(cached) = self.lookaside.get(&key, ex.now_secs) {
            tracing::debug!(%peer, ?transport, size = request.len(),
                "retransmitted request answered from the lookaside cache");
            return Some((self.fit_transport(cached.to_vec(), transport, &ex).0, None));
        }
        let req = self.decode_request(request, peer, transport)?;
        if let Err(e) = self.store.sync_changes() {
            tracing::warn!(error = %e, "cannot read the database's recent changes; answering from the cached principals");
        }
        let result = match req {
            Request::As(req) => {
                ex.kind = "AS";
                as_req::handle(self, &req, &mut ex)
            }
            Request::Tgs(req) => {
                ex.kind = "TGS";
                tgs_req::handle(self, request, &req, &mut ex)
            }
        };
        let (reply, outcome) = match result {
            Ok(bytes) => (bytes, None),
            Err(e) => match self.error_reply(&ex, &e) {
                Some(bytes) => (bytes, Some(e)),
                None => {
                    self.audit(&ex, Some(&e), peer, transport);
                    return None;
                }
            },
        };
        // Cache the full reply (before the UDP limit), so a retransmit, or
        // the TCP retry after RESPONSE_TOO_BIG, gets this very reply: every
        // ticket issued, and the errors given once a TGS-REQ's authenticator
        // was recorded (a retransmit would otherwise meet the replay cache).
        // Other errors are cheap to compute again and count nothing twice,
        // and anyone can provoke them with spoofed datagrams: not cached
        // (see the lookaside module). Internal failures are transient.
        let cache = match &outcome {
            None => true,
            Some(KdcError::Internal(_)) => false,
            Some(_) => ex.replay_recorded,
        };
        if cache {
            self.lookaside.insert(key, &reply, ex.now_secs);
        }
        let (reply, too_big) = self.fit_transport(reply, transport, &ex);
        self.audit(&ex, too_big.as_ref().or(outcome.as_ref()), peer, transport);
        Some((reply, ex.written))
    }

    /// Decodes `request` in full as an AS-REQ or TGS-REQ (pvno 5, matching
    /// msg-type); anything else is dropped, counted in [`Kdc::drops`] and
    /// logged (at debug level: a flood of junk must not flood the log).
    /// Like MIT's KDC, nothing that does not decode gets a reply, so the
    /// KDC port cannot be used to amplify or reflect spoofed datagrams.
    fn decode_request(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
    ) -> Option<Request> {
        match decode_kdc_request(request) {
            Ok((MessageType::AsReq, req)) => Some(Request::As(req)),
            Ok((_, req)) => Some(Request::Tgs(req)),
            Err(reason) => {
                self.drops.count(reason);
                tracing::debug!(%peer, ?transport, size = request.len(), ?reason,
                    "request dropped: does not decode as an AS-REQ or TGS-REQ");
                None
            }
        }
    }

    /// Requests dropped without a reply, by reason.
    pub fn drops(&self) -> &DropStats {
        &self.drops
    }

    /// Replaces a reply larger than the UDP limit by
    /// KRB_ERR_RESPONSE_TOO_BIG (returned as the second value).
    fn fit_transport(
        &self,
        reply: Vec<u8>,
        transport: Transport,
        ex: &Exchange,
    ) -> (Vec<u8>, Option<KdcError>) {
        if transport == Transport::Udp && reply.len() > self.udp_limit {
            let e = KdcError::ResponseTooBig;
            if let Some(bytes) = self.error_reply(ex, &e) {
                return (bytes, Some(e));
            }
        }
        (reply, None)
    }

    /// Builds and encodes the KRB-ERROR for `err`.
    fn error_reply(&self, ex: &Exchange, err: &KdcError) -> Option<Vec<u8>> {
        let server = ex.server.as_ref().unwrap_or(&self.tgs);
        let mut b = KrbErrorBuilder::new(err.error_code(), server, ex.now_micros());
        if let Some(c) = &ex.client {
            b = b.client(c);
        }
        if let Some(t) = err.e_text() {
            b = b.e_text(t);
        }
        if let Some(m) = err.method_data() {
            b = b.method_data(m.to_vec());
        }
        let built = b.build().or_else(|_| {
            // A name we cannot put on the wire: answer without it.
            KrbErrorBuilder::new(err.error_code(), &self.tgs, ex.now_micros()).build()
        });
        match built.ok().and_then(|e| encode(&e).ok()) {
            Some(bytes) => Some(bytes),
            None => {
                tracing::warn!(error = %err, "cannot encode KRB-ERROR; request dropped");
                None
            }
        }
    }

    /// The one audit event per decision.
    fn audit(&self, ex: &Exchange, err: Option<&KdcError>, peer: SocketAddr, transport: Transport) {
        let result = err.map_or("OK", |e| e.error_code().rfc_name());
        let code = err.map_or(0, |e| e.error_code().as_i32());
        let detail = err.map(ToString::to_string);
        tracing::info!(
            target: "tessera::audit",
            kind = ex.kind,
            client = ex.client.as_ref().map(ToString::to_string),
            server = ex.server.as_ref().map(ToString::to_string),
            requested_etypes = ?ex.etypes,
            reply_etype = ex.reply_etype.map(EncType::name),
            ticket_etype = ex.ticket_etype.map(EncType::name),
            session_etype = ex.session_etype.map(EncType::name),
            flags = ex.flags.map(|f| f.mit_short_string()),
            result,
            code,
            detail,
            %peer,
            transport = ?transport,
            "kdc decision"
        );
    }

    /// Looks a principal up (by components and realm; name types ignored).
    fn lookup(&self, p: &Principal) -> Result<Option<Arc<PrincipalEntry>>, KdcError> {
        if p.realm != self.realm {
            return Ok(None);
        }
        self.store.principal(p).map_err(|e| {
            tracing::warn!(error = %e, "principal lookup failed");
            KdcError::Internal("database error")
        })
    }

    /// A name from the request, in our realm when the request names our
    /// realm or the empty referral realm. With `canonicalize`, an
    /// NT-ENTERPRISE name `user@REALM` becomes `user@REALM`.
    fn resolve_name(
        &self,
        name: &PrincipalName,
        realm: &Realm,
        canonicalize: bool,
    ) -> Result<Principal, KdcError> {
        let mut p = Principal::from_asn1(name, realm)
            .map_err(|_| KdcError::Malformed("principal name is not valid"))?;
        if p.realm.is_empty() {
            p.realm.clone_from(&self.realm);
        }
        if canonicalize
            && p.name_type == NameType::Enterprise
            && p.components.len() == 1
            && let Ok(inner) = Principal::parse_with_default_realm(&p.components[0], &self.realm)
        {
            p = Principal::new(NameType::Principal, inner.components, inner.realm);
        }
        Ok(p)
    }

    /// Whether `p` is this realm's ticket-granting service.
    fn is_local_tgs(&self, p: &Principal) -> bool {
        p.same_name(&self.tgs)
    }
}

/// Decodes `request` as [`Kdc::handle`] does before answering: in full, as
/// an AS-REQ or TGS-REQ (Heimdal's negative nonces read as their unsigned
/// 32 bits), with pvno 5 and the msg-type its tag says. Anything else is
/// never answered; the error says why. Public so tests and tools can tell
/// which datagrams the KDC may answer.
pub fn decode_kdc_request(request: &[u8]) -> Result<(MessageType, KdcReq), DropReason> {
    let tag = application_tag(request).map_err(|_| DropReason::NotKerberos)?;
    let (kind, req) = if tag == MessageType::AsReq.as_i32() as u32 {
        der::decode_kdc_req(request, decode::<AsReq>).map(|AsReq(r)| (MessageType::AsReq, r))
    } else if tag == MessageType::TgsReq.as_i32() as u32 {
        der::decode_kdc_req(request, decode::<TgsReq>).map(|TgsReq(r)| (MessageType::TgsReq, r))
    } else {
        return Err(DropReason::NotKdcReq);
    }
    .map_err(|_| DropReason::Undecodable)?;
    if req.pvno != ticket::PVNO.into() || req.msg_type != kind.as_i32().into() {
        return Err(DropReason::Undecodable);
    }
    Ok((kind, req))
}

impl RequestHandler for Kdc {
    fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        now: SystemTime,
    ) -> Option<Reply> {
        let (bytes, written) = self.handle_with_receipt(request, peer, transport, now)?;
        Some(match written {
            Some(w) => Reply::after(bytes, w),
            None => Reply::from(bytes),
        })
    }

    /// Writes every queued lockout outcome before the server stops.
    fn shutdown(&self) {
        self.lockout.shutdown();
    }

    fn edge_error(
        &self,
        error: EdgeError,
        _request: &[u8],
        _peer: SocketAddr,
        now: SystemTime,
    ) -> Option<Vec<u8>> {
        let ex = Exchange::new(now);
        let err = match error {
            EdgeError::ResponseTooBig => KdcError::ResponseTooBig,
            EdgeError::FieldTooLong => {
                let b = KrbErrorBuilder::new(
                    tessera_proto::msg::ErrorCode::FieldToolong,
                    &self.tgs,
                    ex.now_micros(),
                );
                return b.build().ok().and_then(|e| encode(&e).ok());
            }
        };
        self.error_reply(&ex, &err)
    }
}
