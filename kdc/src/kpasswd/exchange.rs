//! One kpasswd request in, one reply out.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tessera_client::ap::{Acceptor, ApSession, ReplayCache};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::crypto::usage;
use tessera_proto::msg::{
    self, ApRep, ApReq, Authenticator, ChangePasswdData, EncApRepPart, ErrorCode, KpasswdReply,
    KpasswdRequest, KpasswdResult, KpasswdResultCode, KpasswdVersion, MessageType, PVNO, Principal,
    TicketFlags, encrypted_data,
};
use zeroize::Zeroizing;

use crate::admin::{AdminError, AdminRequest, AdminService, Caller, KeySpec, Secret};
use crate::admin_server::principals::{
    CHANGEPW_SERVICE, keytab_from_store, service_principal, service_replay_cache,
};
use crate::net::{Reply, RequestHandler, Transport};

/// Counters of the service (for tests and metrics).
#[derive(Debug, Default)]
pub struct KpasswdStats {
    /// Requests answered with result code 0.
    pub changed: AtomicU64,
    /// Requests refused (any other result or a KRB-ERROR).
    pub refused: AtomicU64,
    /// Datagrams and frames dropped without a reply because they do not
    /// decode as a request (garbage, replies, KRB-ERRORs, wrong version).
    pub dropped: AtomicU64,
}

/// The password change service over an [`AdminService`] (policy, ACL and
/// audit live there).
pub struct KpasswdService {
    admin: Arc<AdminService>,
    server: Principal,
    server_name: String,
    rcache: Arc<ReplayCache>,
    skew: Duration,
    stats: KpasswdStats,
}

impl fmt::Debug for KpasswdService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KpasswdService")
            .field("server", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// What to answer after the AP exchange succeeded.
struct Outcome {
    code: KpasswdResultCode,
    text: String,
}

impl Outcome {
    fn new(code: KpasswdResultCode, text: impl Into<String>) -> Self {
        Outcome {
            code,
            text: text.into(),
        }
    }
}

fn micros(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
    }
}

fn random_seq() -> u32 {
    let mut b = [0u8; 4];
    // A failure leaves zeros: still a valid (if predictable) number.
    let _ = getrandom::fill(&mut b);
    u32::from_be_bytes(b) & 0x3fff_ffff
}

impl KpasswdService {
    /// A service for `admin`'s realm allowing `skew` of clock difference.
    pub fn new(admin: Arc<AdminService>, skew: Duration) -> Self {
        let realm = admin.settings().realm.clone();
        KpasswdService {
            server: service_principal(CHANGEPW_SERVICE, &realm),
            server_name: format!("{CHANGEPW_SERVICE}@{realm}"),
            rcache: Arc::new(service_replay_cache(skew)),
            admin,
            skew,
            stats: KpasswdStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &KpasswdStats {
        &self.stats
    }

    /// Answers one framed request (without a TCP length prefix) from
    /// `peer` at `now`. `None` (send nothing) for anything that does not
    /// decode as a request, and when no reply can be encoded.
    pub fn process(&self, request: &[u8], peer: SocketAddr, now: SystemTime) -> Option<Vec<u8>> {
        let now_micros = micros(now);
        // Nothing that does not decode as a request is answered (MIT's fix
        // of CVE-2002-2443): a reply (ours or another server's), a
        // KRB-ERROR, a wrong version, a frame whose AP-REQ slot is empty or
        // holds no AP-REQ. Every reply this service sends is version 1 with
        // an AP-REP or an empty slot, so none of them is a request: two
        // servers cannot be made to answer each other forever.
        let req = match KpasswdRequest::decode(request) {
            Ok(r) => r,
            Err(e) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%peer, size = request.len(), error = %e,
                    "kpasswd: request dropped: does not decode");
                return None;
            }
        };
        let Ok(ap_der) = msg::encode(&req.ap_req) else {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%peer, "kpasswd: request dropped: AP-REQ does not re-encode");
            return None;
        };
        let keytab = match keytab_from_store(self.admin.store().as_ref(), &self.server_name) {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %e, "kpasswd: cannot read the service keys");
                return self.error_reply(
                    ErrorCode::Generic,
                    KpasswdResultCode::HardError,
                    "Server error",
                    now_micros,
                );
            }
        };
        let acceptor =
            Acceptor::new(keytab, Arc::clone(&self.rcache), self.skew).with_acceptor_subkey(false);
        let ctx = match acceptor.accept(&ap_der, now_micros, Some(&self.server)) {
            Ok(c) => c,
            Err(e) => {
                // A well-framed request whose AP-REQ fails still gets a
                // KRB-ERROR, as from MIT, so the user learns why (skew,
                // expired ticket...). The reply carries MIT's fixed text,
                // not our error's, to stay small: it is unauthenticated.
                tracing::info!(%peer, error = %e, "kpasswd: AP-REQ refused");
                return self.error_reply(
                    e.code(),
                    KpasswdResultCode::AuthError,
                    "Failed reading application request",
                    now_micros,
                );
            }
        };
        let initial = ctx.ticket_flags.contains(TicketFlags::INITIAL);
        // MIT's kpasswd does not ask for mutual authentication but expects
        // an AP-REP anyway (as kadmind sends): build it when the acceptor
        // did not.
        let (ap_rep, session) = match ctx.ap_rep {
            Some(rep) => (rep, ctx.session),
            None => match build_ap_rep(&req.ap_req, ctx.session) {
                Ok(v) => v,
                Err(text) => {
                    return self.error_reply(
                        ErrorCode::Generic,
                        KpasswdResultCode::HardError,
                        &text,
                        now_micros,
                    );
                }
            },
        };
        let client = session.client.clone();
        let mut ps = PrivSafe::new(&session);
        let outcome = match read_priv(&req.krb_priv, &session, now_micros, self.skew) {
            Ok(data) => {
                let data = Zeroizing::new(data);
                self.apply(req.version, &data, &client, initial, peer)
            }
            Err(e) => {
                tracing::info!(%peer, client = %client, error = %e, "kpasswd: KRB-PRIV refused");
                Outcome::new(
                    KpasswdResultCode::Malformed,
                    format!("Failed reading application request: {e}"),
                )
            }
        };
        if outcome.code == KpasswdResultCode::Success {
            self.stats.changed.fetch_add(1, Ordering::Relaxed);
        } else {
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
        }
        let result = KpasswdResult::new(outcome.code, &outcome.text).encode();
        let reply = ps
            .mk_priv(&result, now_micros)
            .map_err(|e| e.to_string())
            .and_then(|p| {
                let ap_rep: ApRep = msg::decode(&ap_rep).map_err(|e| e.to_string())?;
                let krb_priv = msg::decode(&p).map_err(|e| e.to_string())?;
                KpasswdReply::Priv { ap_rep, krb_priv }
                    .encode()
                    .map_err(|e| e.to_string())
            });
        match reply {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::error!(error = %e, "kpasswd: cannot build the reply");
                self.error_reply(
                    ErrorCode::Generic,
                    KpasswdResultCode::HardError,
                    "Server error",
                    now_micros,
                )
            }
        }
    }

    /// Applies the decrypted request data.
    fn apply(
        &self,
        version: KpasswdVersion,
        data: &[u8],
        client: &Principal,
        initial: bool,
        peer: SocketAddr,
    ) -> Outcome {
        let (password, target) = match version {
            KpasswdVersion::Change => (Zeroizing::new(data.to_vec()), None),
            KpasswdVersion::SetPassword => match msg::decode::<ChangePasswdData>(data) {
                Ok(d) => {
                    let target = match (&d.targname, &d.targrealm) {
                        (Some(n), Some(r)) => Principal::from_asn1(n, r).ok(),
                        (Some(n), None) => client
                            .to_realm()
                            .ok()
                            .and_then(|realm| Principal::from_asn1(n, &realm).ok()),
                        _ => None,
                    };
                    if d.targname.is_some() && target.is_none() {
                        return Outcome::new(
                            KpasswdResultCode::Malformed,
                            "Malformed target principal name",
                        );
                    }
                    (Zeroizing::new(d.newpasswd.to_vec()), target)
                }
                Err(_) => {
                    return Outcome::new(
                        KpasswdResultCode::Malformed,
                        "Malformed ChangePasswdData",
                    );
                }
            },
        };
        let Ok(text) = std::str::from_utf8(&password) else {
            return Outcome::new(KpasswdResultCode::Malformed, "Password is not UTF-8");
        };
        let secret = Secret::new(text);
        let caller = Caller::remote(client.to_string(), peer);
        let target = target.filter(|t| !t.same_name(client));
        let result = match &target {
            None => {
                if !initial {
                    tracing::info!(client = %client, "kpasswd: ticket not initial");
                    return Outcome::new(
                        KpasswdResultCode::InitialFlagNeeded,
                        "Ticket must be derived from a password",
                    );
                }
                self.admin.change_own_password(&caller, &secret).map(|_| ())
            }
            Some(t) => self
                .admin
                .execute(
                    &caller,
                    AdminRequest::ChangePassword {
                        name: t.to_string(),
                        keys: KeySpec::Password(secret),
                        enctypes: None,
                        keep_old: false,
                    },
                )
                .map(|_| ()),
        };
        let who = target.as_ref().unwrap_or(client);
        match result {
            Ok(()) => {
                tracing::info!(client = %client, target = %who, "kpasswd: password changed");
                Outcome::new(KpasswdResultCode::Success, "Password changed")
            }
            Err(e) => {
                tracing::info!(client = %client, target = %who, error = %e, "kpasswd: refused");
                let code = match &e {
                    AdminError::Password(_) => KpasswdResultCode::SoftError,
                    AdminError::Denied { .. } => KpasswdResultCode::AccessDenied,
                    AdminError::NoPrincipal(_) | AdminError::BadName { .. } => {
                        KpasswdResultCode::SoftError
                    }
                    _ => KpasswdResultCode::HardError,
                };
                let text = match (&e, code) {
                    (AdminError::Password(r), _) => r.kpasswd_text(),
                    (_, KpasswdResultCode::HardError) => "Server error".to_owned(),
                    _ => e.to_string(),
                };
                Outcome::new(code, text)
            }
        }
    }

    /// A KRB-ERROR reply whose e-data is the result `code` and `text`
    /// (no e-text: the result string says it, as MIT's kadmind does).
    fn error_reply(
        &self,
        error: ErrorCode,
        code: KpasswdResultCode,
        text: &str,
        now_micros: i64,
    ) -> Option<Vec<u8>> {
        self.stats.refused.fetch_add(1, Ordering::Relaxed);
        let e_text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        let err = msg::KrbErrorBuilder::new(error, &self.server, now_micros)
            .e_data(KpasswdResult::new(code, &e_text).encode())
            .build()
            .ok()?;
        KpasswdReply::Error(err).encode().ok()
    }
}

/// Opens the request's KRB-PRIV: its sequence number must be the
/// authenticator's (replays are caught by the replay cache on the
/// AP-REQ, whose fresh subkey protects this message); a timestamp, when
/// present, must be within the clock skew.
fn read_priv(
    m: &msg::KrbPriv,
    session: &ApSession,
    now_micros: i64,
    skew: Duration,
) -> Result<Vec<u8>, String> {
    let plain = Zeroizing::new(
        session
            .shared_key()
            .decrypt(usage::KRB_PRIV_ENC_PART, &m.enc_part.cipher)
            .map_err(|_| "decrypt integrity check failed".to_owned())?,
    );
    let part: msg::EncKrbPrivPart = msg::decode(&plain).map_err(|e| e.to_string())?;
    // MIT encodes a sequence number of 0 by leaving it out (its kpasswd
    // starts at 0), so absent means 0.
    let seq = part.seq_number.unwrap_or(0);
    if seq != session.initiator_seq {
        return Err(format!(
            "message out of order: sequence number {seq}, expected {}",
            session.initiator_seq
        ));
    }
    if let Some(ts) = &part.timestamp {
        use tessera_proto::msg::KerberosTimeExt;
        let now = now_micros.div_euclid(1_000_000);
        if ts.to_unix().abs_diff(now) > skew.as_secs() {
            return Err("message timestamp outside the allowed clock skew".to_owned());
        }
    }
    Ok(part.user_data.to_vec())
}

/// Builds the AP-REP (usage 12, session key) echoing the authenticator's
/// time, with a fresh sequence number, and the session that goes with it.
fn build_ap_rep(req: &ApReq, mut session: ApSession) -> Result<(Vec<u8>, ApSession), String> {
    let key = session.session_key.clone();
    let plain = Zeroizing::new(
        key.decrypt(usage::AP_REQ_AUTH, &req.authenticator.cipher)
            .map_err(|e| e.to_string())?,
    );
    let auth: Authenticator = msg::decode(&plain).map_err(|e| e.to_string())?;
    let seq = random_seq();
    let part = EncApRepPart {
        ctime: auth.ctime,
        cusec: auth.cusec,
        subkey: None,
        seq_number: Some(seq),
    };
    let part_der = Zeroizing::new(msg::encode(&part).map_err(|e| e.to_string())?);
    let cipher = key
        .encrypt(usage::AP_REP_ENC_PART, &part_der)
        .map_err(|e| e.to_string())?;
    let rep = ApRep {
        pvno: PVNO.into(),
        msg_type: MessageType::ApRep.as_i32().into(),
        enc_part: encrypted_data(key.etype().as_i32(), None, cipher),
    };
    session.acceptor_seq = seq;
    session.mutual = true;
    Ok((msg::encode(&rep).map_err(|e| e.to_string())?, session))
}

impl RequestHandler for KpasswdService {
    fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        _transport: Transport,
        now: SystemTime,
    ) -> Option<Reply> {
        self.process(request, peer, now).map(Reply::from)
    }

    /// A password change derives keys (Argon2id for the native enctype)
    /// and commits to the database: the edge runs it on the blocking pool.
    fn blocking(&self) -> bool {
        true
    }
}
