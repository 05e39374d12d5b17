//! Running the kpasswd and admin services next to the KDC (`tessera-kdc
//! serve` and `dev`): binding their sockets and serving them.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use tokio_util::sync::CancellationToken;

use super::principals::ensure_service_principals;
use super::server::AdminServer;
use crate::admin::AdminService;
use crate::config::KdcConfig;
use crate::db::PrincipalStore;
use crate::kpasswd::KpasswdService;
use crate::net::{NetError, Server};

/// Pre-bound (std) sockets of the kpasswd and admin services.
#[derive(Debug, Default)]
pub struct ServiceSockets {
    /// kpasswd UDP sockets.
    pub kpasswd_udp: Vec<UdpSocket>,
    /// kpasswd TCP listeners.
    pub kpasswd_tcp: Vec<TcpListener>,
    /// Admin TCP listeners.
    pub admin_tcp: Vec<TcpListener>,
}

impl ServiceSockets {
    /// The first kpasswd port bound, if any.
    pub fn kpasswd_port(&self) -> Option<u16> {
        self.kpasswd_tcp
            .first()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }

    /// The first admin port bound, if any.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin_tcp
            .first()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }
}

fn bind_err(proto: &'static str, addr: SocketAddr) -> impl FnOnce(std::io::Error) -> NetError {
    move |source| NetError::Bind {
        proto,
        addr,
        source,
    }
}

/// Binds `[kpasswd] listen` (UDP and TCP) and `[admin] listen` (TCP).
/// Addresses from the file must bind; the default ones (464 and 749 on
/// loopback) that cannot be bound are skipped with a warning.
pub fn bind_services(config: &KdcConfig) -> Result<ServiceSockets, NetError> {
    let mut out = ServiceSockets::default();
    let strict_kp = config.kpasswd.listen_configured;
    for &addr in &config.kpasswd.listen {
        let pair = UdpSocket::bind(addr)
            .map_err(bind_err("udp", addr))
            .and_then(|u| Ok((u, TcpListener::bind(addr).map_err(bind_err("tcp", addr))?)));
        match pair {
            Ok((u, t)) => {
                out.kpasswd_udp.push(u);
                out.kpasswd_tcp.push(t);
            }
            Err(e) if !strict_kp => {
                tracing::warn!(error = %e, "kpasswd service not started on a default address (set [kpasswd] listen)");
            }
            Err(e) => return Err(e),
        }
    }
    for &addr in &config.admin.listen {
        match TcpListener::bind(addr).map_err(bind_err("tcp", addr)) {
            Ok(t) => out.admin_tcp.push(t),
            Err(e) if !config.admin.listen_configured => {
                tracing::warn!(error = %e, "admin service not started on a default address (set [admin] listen)");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Binds both services on free loopback ports (kpasswd: one port for UDP
/// and TCP), for the development realm.
pub fn bind_loopback_free() -> Result<ServiceSockets, NetError> {
    let any: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut out = ServiceSockets::default();
    let mut last = None;
    for _ in 0..100 {
        let t = TcpListener::bind(any).map_err(bind_err("tcp", any))?;
        let addr = t.local_addr().map_err(bind_err("tcp", any))?;
        match UdpSocket::bind(addr) {
            Ok(u) => {
                out.kpasswd_udp.push(u);
                out.kpasswd_tcp.push(t);
                break;
            }
            Err(e) => last = Some(bind_err("udp", addr)(e)),
        }
    }
    if out.kpasswd_tcp.is_empty() {
        return Err(last.unwrap_or(NetError::NoSockets));
    }
    out.admin_tcp
        .push(TcpListener::bind(any).map_err(bind_err("tcp", any))?);
    Ok(out)
}

/// Serves the bound services until `shutdown` is cancelled (call inside a
/// tokio runtime). Creates `kadmin/admin` and `kadmin/changepw` first when
/// missing. Returns at once when nothing is bound.
pub async fn run_services(
    store: Arc<dyn PrincipalStore>,
    config: Arc<KdcConfig>,
    sockets: ServiceSockets,
    shutdown: CancellationToken,
) {
    if sockets.kpasswd_tcp.is_empty()
        && sockets.kpasswd_udp.is_empty()
        && sockets.admin_tcp.is_empty()
    {
        return;
    }
    if let Err(e) = ensure_service_principals(store.as_ref(), &config, SystemTime::now()) {
        tracing::error!(error = %e, "cannot create kadmin/admin and kadmin/changepw; kpasswd and admin services not started");
        return;
    }
    let admin = Arc::new(AdminService::from_config(Arc::clone(&store), &config));
    let skew = config.policy.clock_skew;
    let to_tokio_udp = |v: Vec<UdpSocket>| -> Vec<tokio::net::UdpSocket> {
        v.into_iter()
            .filter_map(|s| {
                s.set_nonblocking(true).ok()?;
                tokio::net::UdpSocket::from_std(s).ok()
            })
            .collect()
    };
    let to_tokio_tcp = |v: Vec<TcpListener>| -> Vec<tokio::net::TcpListener> {
        v.into_iter()
            .filter_map(|s| {
                s.set_nonblocking(true).ok()?;
                tokio::net::TcpListener::from_std(s).ok()
            })
            .collect()
    };
    let kp_udp = to_tokio_udp(sockets.kpasswd_udp);
    let kp_tcp = to_tokio_tcp(sockets.kpasswd_tcp);
    let admin_tcp = to_tokio_tcp(sockets.admin_tcp);
    for l in &kp_tcp {
        if let Ok(a) = l.local_addr() {
            tracing::info!(addr = %a, "kpasswd service listening (UDP and TCP)");
        }
    }
    for l in &admin_tcp {
        if let Ok(a) = l.local_addr() {
            tracing::info!(addr = %a, "admin service listening (TCP)");
        }
    }
    let kp = Arc::new(KpasswdService::new(Arc::clone(&admin), skew));
    let kp_token = shutdown.clone();
    let server_config = config.server_config();
    let kp_task = async move {
        if kp_udp.is_empty() && kp_tcp.is_empty() {
            return;
        }
        if let Err(e) = Server::new(kp, server_config)
            .run(kp_udp, kp_tcp, kp_token)
            .await
        {
            tracing::error!(error = %e, "kpasswd service stopped");
        }
    };
    let admin_server = Arc::new(AdminServer::new(admin, skew).with_limits(config.admin.limits));
    let admin_task = admin_server.run(admin_tcp, shutdown);
    tokio::join!(kp_task, admin_task);
}

/// Sets `kpasswd_server` and `admin_server` of the realm in a krb5.conf
/// written by `tessera-kdc dev` (after its `kdc = ` line; older values
/// are replaced).
pub fn set_krb5_conf_servers(
    path: &Path,
    kpasswd_port: u16,
    admin_port: u16,
) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut out = String::with_capacity(text.len() + 100);
    let mut done = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("kpasswd_server") || t.starts_with("admin_server") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let key = t.split('=').next().map(str::trim);
        if !done && key == Some("kdc") && t.contains('=') {
            let indent = &line[..line.len() - t.len()];
            out.push_str(&format!(
                "{indent}kpasswd_server = 127.0.0.1:{kpasswd_port}\n{indent}admin_server = 127.0.0.1:{admin_port}\n"
            ));
            done = true;
        }
    }
    std::fs::write(path, out)
}
