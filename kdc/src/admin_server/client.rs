//! The client side of remote administration (blocking): get a ticket for
//! `kadmin/admin`, authenticate mutually, then send commands.

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use tessera_client::ap::{ApReqOptions, build_ap_req, now_micros};
use tessera_client::kdc_client::{Creds, InitialSecret, blocking};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::msg::Principal;
use zeroize::Zeroizing;

use super::principals::{ADMIN_SERVICE, service_principal};
use super::protocol::{WireReply, frame, frame_len};
use crate::admin::cli::AdminBackend;
use crate::admin::{AdminError, AdminRequest, AdminResponse, Caller};

/// How long the client waits for the server.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

fn net_err(what: &str, e: impl fmt::Display) -> AdminError {
    AdminError::Remote {
        code: "network",
        message: format!("{what}: {e}"),
    }
}

fn auth_err(e: impl fmt::Display) -> AdminError {
    AdminError::Remote {
        code: "auth",
        message: e.to_string(),
    }
}

/// Gets a ticket for `kadmin/admin@REALM` (REALM = `principal`'s) with an
/// AS exchange, as MIT's kadmin does.
pub fn service_creds(
    client: &blocking::Client,
    principal: &Principal,
    secret: &InitialSecret,
) -> Result<Creds, AdminError> {
    let service = service_principal(ADMIN_SERVICE, &principal.realm);
    let mut opts = client.inner().as_options();
    opts.renew_lifetime = None;
    client
        .get_initial(principal, Some(&service), secret, &opts)
        .map_err(auth_err)
}

struct Conn {
    stream: TcpStream,
    ps: PrivSafe,
}

/// An authenticated connection to the admin server.
pub struct RemoteAdmin {
    realm: String,
    principal: String,
    server: String,
    conn: Mutex<Conn>,
}

impl fmt::Debug for RemoteAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteAdmin")
            .field("principal", &self.principal)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

fn send(stream: &mut TcpStream, data: &[u8]) -> Result<(), AdminError> {
    let f = frame(data).ok_or_else(|| net_err("send", "message too long"))?;
    stream.write_all(&f).map_err(|e| net_err("send", e))
}

fn receive(stream: &mut TcpStream) -> Result<Vec<u8>, AdminError> {
    let mut header = [0u8; 4];
    stream
        .read_exact(&mut header)
        .map_err(|e| net_err("connection to the admin server lost", e))?;
    let len = frame_len(header).ok_or_else(|| net_err("receive", "reply too long"))?;
    let mut buf = vec![0u8; len];
    stream
        .read_exact(&mut buf)
        .map_err(|e| net_err("connection to the admin server lost", e))?;
    Ok(buf)
}

impl RemoteAdmin {
    /// Connects to `addr` (`host:port`) and authenticates with `creds` (a
    /// ticket for `kadmin/admin`), checking the server's AP-REP.
    pub fn connect(addr: &str, creds: &Creds) -> Result<Self, AdminError> {
        let mut stream = TcpStream::connect(addr)
            .map_err(|e| net_err(&format!("cannot connect to the admin server {addr}"), e))?;
        let _ = stream.set_read_timeout(Some(CLIENT_TIMEOUT));
        let _ = stream.set_nodelay(true);
        let cred = creds.to_ccache_credential();
        let (ap_req, state) =
            build_ap_req(&cred, &ApReqOptions::default(), now_micros()).map_err(auth_err)?;
        send(&mut stream, &ap_req)?;
        let reply = receive(&mut stream)?;
        let session = state.verify_ap_rep(&reply).map_err(auth_err)?;
        Ok(RemoteAdmin {
            realm: creds.client.realm.clone(),
            principal: creds.client.to_string(),
            server: addr.to_owned(),
            conn: Mutex::new(Conn {
                stream,
                ps: PrivSafe::new(&session),
            }),
        })
    }

    /// The authenticated principal.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// Sends one request and waits for its reply.
    pub fn call(&self, req: &AdminRequest) -> Result<AdminResponse, AdminError> {
        let json = Zeroizing::new(
            serde_json::to_vec(req).map_err(|e| net_err("cannot encode the request", e))?,
        );
        let mut c = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let Conn { stream, ps } = &mut *c;
        let out = ps
            .mk_priv(&json, now_micros())
            .map_err(|e| net_err("cannot protect the request", e))?;
        send(stream, &out)?;
        let reply = receive(stream)?;
        let data = Zeroizing::new(
            ps.rd_priv(&reply)
                .map_err(|e| net_err("reply refused", e))?,
        );
        let wire: WireReply = serde_json::from_slice(&data)
            .map_err(|e| net_err("malformed reply from the admin server", e))?;
        wire.into_result()
    }
}

impl AdminBackend for RemoteAdmin {
    fn execute(&self, _caller: &Caller, req: AdminRequest) -> Result<AdminResponse, AdminError> {
        self.call(&req)
    }

    fn canonical_name(&self, name: &str) -> Result<String, AdminError> {
        if name.contains('@') && !name.ends_with('\\') {
            Ok(name.to_owned())
        } else {
            Ok(format!("{name}@{}", self.realm))
        }
    }
}
