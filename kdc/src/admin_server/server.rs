//! The admin server: TCP connections, the AP exchange, then KRB-PRIV
//! protected commands run by the [`AdminService`].

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use tessera_client::ap::{Acceptor, ReplayCache, now_micros};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::msg::Principal;

use super::limits::AdminLimits;
use super::onc_rpc;
use super::principals::{
    ADMIN_SERVICE, keytab_from_store, service_principal, service_replay_cache,
};
use super::protocol::{WireReply, frame, frame_len};
use crate::admin::audit::audit;
use crate::admin::{AdminError, AdminRequest, AdminService, Caller};
use crate::net::{PeerCounts, PeerGuard};

pub use super::limits::{IDLE_TIMEOUT, MAX_CONNECTIONS};

/// The remote admin service.
pub struct AdminServer {
    admin: Arc<AdminService>,
    server: Principal,
    server_name: String,
    rcache: Arc<ReplayCache>,
    skew: Duration,
    limits: AdminLimits,
    unauthenticated: Arc<PeerCounts>,
}

impl fmt::Debug for AdminServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminServer")
            .field("server", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// Why a connection ended early (logged, never sent).
#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("frame too long")]
    TooLong,
    #[error("idle timeout")]
    Idle,
    #[error("no complete first frame within the pre-authentication timeout")]
    PreauthTimeout,
}

/// Reads a frame's 4-byte header; None at a clean end of stream.
async fn read_header(s: &mut TcpStream, idle: Duration) -> Result<Option<[u8; 4]>, ConnError> {
    let mut header = [0u8; 4];
    match tokio::time::timeout(idle, s.read_exact(&mut header)).await {
        Err(_) => Err(ConnError::Idle),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Ok(r) => {
            r?;
            Ok(Some(header))
        }
    }
}

async fn read_body(s: &mut TcpStream, len: usize, idle: Duration) -> Result<Vec<u8>, ConnError> {
    let mut buf = vec![0u8; len];
    tokio::time::timeout(idle, s.read_exact(&mut buf))
        .await
        .map_err(|_| ConnError::Idle)??;
    Ok(buf)
}

/// A frame of at most `max` bytes (the header is checked before anything
/// of the body is read or allocated).
async fn read_frame(
    s: &mut TcpStream,
    max: usize,
    idle: Duration,
) -> Result<Option<Vec<u8>>, ConnError> {
    let Some(header) = read_header(s, idle).await? else {
        return Ok(None);
    };
    let len = frame_len(header)
        .filter(|l| *l <= max)
        .ok_or(ConnError::TooLong)?;
    Ok(Some(read_body(s, len, idle).await?))
}

/// An ONC RPC client (MIT's kadmin) on our port: logs what connected and
/// answers each call with PROG_UNAVAIL, so that MIT's kadmin reports an
/// error instead of dying of SIGPIPE (see [`onc_rpc`]).
async fn refuse_onc_rpc(
    s: &mut TcpStream,
    peer: SocketAddr,
    first: [u8; 4],
) -> Result<(), ConnError> {
    let mut header = first;
    for n in 0..onc_rpc::MAX_CALLS {
        let len = onc_rpc::fragment_len(header);
        if len > onc_rpc::MAX_FRAGMENT {
            tracing::info!(%peer, len, "admin: oversized ONC RPC fragment; closing");
            return Ok(());
        }
        let body = read_body(s, len, IDLE_TIMEOUT).await?;
        match onc_rpc::parse_call(&body) {
            Some(call) => {
                if n == 0 {
                    tracing::info!(
                        %peer,
                        program = call.program,
                        version = call.version,
                        procedure = call.procedure,
                        flavor = call.flavor,
                        mit_kadmin = call.is_mit_kadmin(),
                        "admin: an ONC RPC client connected (MIT kadmin speaks RPCSEC_GSS, \
                         this service speaks Tessera's admin protocol; use Tessera's kadmin); \
                         refusing with PROG_UNAVAIL"
                    );
                }
                s.write_all(&onc_rpc::prog_unavail_reply(call.xid)).await?;
            }
            None => {
                tracing::info!(%peer, "admin: not an ONC RPC call nor our protocol; closing");
                return Ok(());
            }
        }
        match read_header(s, IDLE_TIMEOUT).await? {
            Some(h) => header = h,
            None => return Ok(()),
        }
    }
    Ok(())
}

async fn write_frame(s: &mut TcpStream, data: &[u8]) -> Result<(), ConnError> {
    let f = frame(data).ok_or(ConnError::TooLong)?;
    s.write_all(&f).await?;
    Ok(())
}

impl AdminServer {
    /// A server for `admin`'s realm allowing `skew` of clock difference.
    pub fn new(admin: Arc<AdminService>, skew: Duration) -> Self {
        let realm = admin.settings().realm.clone();
        AdminServer {
            server: service_principal(ADMIN_SERVICE, &realm),
            server_name: format!("{ADMIN_SERVICE}@{realm}"),
            rcache: Arc::new(service_replay_cache(skew)),
            admin,
            skew,
            limits: AdminLimits::default(),
            unauthenticated: Arc::new(PeerCounts::default()),
        }
    }

    /// The same server with other connection limits.
    #[must_use]
    pub fn with_limits(mut self, limits: AdminLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Serves on pre-bound `listeners` until `shutdown` is cancelled; then
    /// stops accepting and waits for open connections to finish their
    /// current command.
    pub async fn run(self: Arc<Self>, listeners: Vec<TcpListener>, shutdown: CancellationToken) {
        let tracker = TaskTracker::new();
        let slots = Arc::new(Semaphore::new(self.limits.max_connections.max(1)));
        for l in listeners {
            let me = Arc::clone(&self);
            let token = shutdown.clone();
            let t = tracker.clone();
            let slots = Arc::clone(&slots);
            tracker.spawn(async move {
                loop {
                    let permit = tokio::select! {
                        () = token.cancelled() => break,
                        p = Arc::clone(&slots).acquire_owned() => match p {
                            Ok(p) => p,
                            Err(_) => break,
                        },
                    };
                    let accepted = tokio::select! {
                        () = token.cancelled() => break,
                        a = l.accept() => a,
                    };
                    match accepted {
                        Ok((stream, peer)) => {
                            let Some(guard) = me.unauthenticated.try_enter(
                                peer.ip(),
                                me.limits.max_unauthenticated_per_peer,
                            ) else {
                                tracing::info!(
                                    %peer,
                                    max = me.limits.max_unauthenticated_per_peer,
                                    "admin: too many unauthenticated connections from this address; closing"
                                );
                                drop(stream);
                                drop(permit);
                                continue;
                            };
                            let me = Arc::clone(&me);
                            let token = token.clone();
                            t.spawn(async move {
                                tokio::select! {
                                    () = token.cancelled() => {}
                                    r = me.connection(stream, peer, guard) => {
                                        if let Err(e) = r {
                                            tracing::debug!(%peer, error = %e, "admin connection ended");
                                        }
                                    }
                                }
                                drop(permit);
                            });
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "admin server: accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            });
        }
        shutdown.cancelled().await;
        tracker.close();
        tracker.wait().await;
    }

    /// The first frame, whole within the pre-authentication timeout and no
    /// larger than the pre-authentication limit (refused from its header,
    /// unread). An ONC RPC client is refused within the same time.
    async fn first_frame(
        &self,
        s: &mut TcpStream,
        peer: SocketAddr,
    ) -> Result<Option<Vec<u8>>, ConnError> {
        let Some(header) = read_header(s, self.limits.preauth_timeout).await? else {
            return Ok(None);
        };
        if onc_rpc::is_record_mark(header) {
            refuse_onc_rpc(s, peer, header).await?;
            return Ok(None);
        }
        let len = u32::from_be_bytes(header) as usize;
        if len > self.limits.preauth_max_frame.min(super::MAX_FRAME) {
            tracing::info!(
                %peer,
                len,
                max = self.limits.preauth_max_frame,
                "admin: first frame larger than an AP-REQ may be; closing unread"
            );
            return Ok(None);
        }
        Ok(Some(read_body(s, len, self.limits.preauth_timeout).await?))
    }

    async fn connection(
        &self,
        mut s: TcpStream,
        peer: SocketAddr,
        unauthenticated: PeerGuard,
    ) -> Result<(), ConnError> {
        let first =
            tokio::time::timeout(self.limits.preauth_timeout, self.first_frame(&mut s, peer)).await;
        let ap_req = match first {
            Err(_) | Ok(Err(ConnError::Idle)) => {
                tracing::info!(%peer, "admin: no AP-REQ within the pre-authentication timeout; closing");
                return Err(ConnError::PreauthTimeout);
            }
            Ok(r) => match r? {
                Some(f) => f,
                None => return Ok(()),
            },
        };
        let now = now_micros();
        // The service keys come from the database: off the async workers.
        let (admin, rcache, skew, server_name, server) = (
            Arc::clone(&self.admin),
            Arc::clone(&self.rcache),
            self.skew,
            self.server_name.clone(),
            self.server.clone(),
        );
        let accepted = tokio::task::spawn_blocking(move || {
            let keytab = keytab_from_store(admin.store().as_ref(), &server_name)?;
            let acceptor = Acceptor::new(keytab, rcache, skew);
            Ok::<_, crate::realm::RealmError>(acceptor.accept(&ap_req, now, Some(&server)))
        })
        .await;
        let ctx = match accepted {
            Ok(Ok(Ok(c))) => c,
            Ok(Ok(Err(e))) => {
                tracing::info!(%peer, error = %e, "admin: AP-REQ refused");
                if let Ok(b) = e.to_krb_error(&self.server, now) {
                    write_frame(&mut s, &b).await?;
                }
                return Ok(());
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "admin: cannot read the service keys");
                return Ok(());
            }
            Err(e) => {
                tracing::error!(error = %e, "admin: AP-REQ check failed inside the server");
                return Ok(());
            }
        };
        let Some(ap_rep) = ctx.ap_rep.clone() else {
            tracing::info!(%peer, "admin: client did not ask for mutual authentication");
            return Ok(());
        };
        write_frame(&mut s, &ap_rep).await?;
        // Authenticated: no longer counted against the peer's address.
        drop(unauthenticated);
        let client = ctx.session.client.to_string();
        tracing::info!(%peer, client = %client, "admin: client authenticated");
        let caller = Caller::remote(client, peer);
        let mut ps = PrivSafe::new(&ctx.session);
        while let Some(msg) =
            read_frame(&mut s, self.limits.max_frame, self.limits.idle_timeout).await?
        {
            let data = match ps.rd_priv(&msg) {
                Ok(d) => zeroize::Zeroizing::new(d),
                Err(e) => {
                    tracing::info!(%peer, error = %e, "admin: KRB-PRIV refused; closing");
                    return Ok(());
                }
            };
            let reply = match serde_json::from_slice::<AdminRequest>(&data) {
                Ok(req) => {
                    let admin = Arc::clone(&self.admin);
                    let caller = caller.clone();
                    tokio::task::spawn_blocking(move || execute_remote(&admin, &caller, req))
                        .await
                        .unwrap_or_else(|_| WireReply::Error {
                            code: "internal".into(),
                            message: "the command failed inside the server".into(),
                        })
                }
                Err(e) => WireReply::Error {
                    code: "protocol".into(),
                    message: format!("malformed request: {e}"),
                },
            };
            let json = zeroize::Zeroizing::new(serde_json::to_vec(&reply).unwrap_or_default());
            drop(reply);
            match ps.mk_priv(&json, now_micros()) {
                Ok(out) => write_frame(&mut s, &out).await?,
                Err(e) => {
                    tracing::error!(error = %e, "admin: cannot protect the reply");
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// Runs one remote command: `ktadd` also needs the `e` permission.
pub fn execute_remote(admin: &AdminService, caller: &Caller, req: AdminRequest) -> WireReply {
    if let AdminRequest::ExtractKeys { name, .. } = &req {
        let target = admin.canonical_name(name).unwrap_or_else(|_| name.clone());
        if let Err(e) = admin.check_acl(caller, 'e', &target) {
            audit(caller, "ktadd", &target, Err((e.code(), e.to_string())));
            return WireReply::from_result(Err::<_, AdminError>(e));
        }
    }
    WireReply::from_result(admin.execute(caller, req))
}
