//! Changing (or, as an administrator, setting) a password with the RFC 3244
//! protocol: an AP-REQ with a `kadmin/changepw` ticket plus a KRB-PRIV
//! holding the new password, sent to the realm's kpasswd server over TCP
//! (record marking), or over UDP when the server refuses TCP (Heimdal's
//! kpasswdd listens on UDP only). The server's AP-REP is checked (mutual
//! authentication) before its result is believed.
//!
//! `kpasswd` and `kinit` (for an expired password) both use
//! [`change_password`]; the ticket comes from
//! [`Client::changepw_ticket`](crate::kdc_client::Client::changepw_ticket).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use tessera_proto::crypto::Password;
use tessera_proto::msg::{
    self, ChangePasswdData, DecodeError, EncodeError, KpasswdReply, KpasswdRequest, KpasswdResult,
    KpasswdResultCode, KpasswdVersion, NameError, NameType, Principal,
};
use zeroize::Zeroizing;

use crate::ap::{ApError, ApReqOptions, build_ap_req, now_micros};
use crate::kdc_client::Creds;
use crate::priv_safe::{PrivSafe, PrivSafeError};

/// The largest reply accepted over TCP.
const MAX_REPLY: usize = 65536;

/// Why a password change failed.
///
/// No variant carries a password.
#[derive(Debug, thiserror::Error)]
pub enum KpasswdError {
    /// No kpasswd server is known for the realm.
    #[error(
        "no kpasswd_server, admin_server or kdc for realm {realm} in krb5.conf: give the server's HOST:PORT"
    )]
    NoServer {
        /// The realm.
        realm: String,
    },
    /// The server could not be reached (or did not answer).
    #[error("cannot reach the kpasswd server {addr}: {source}")]
    Network {
        /// `host:port`.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The AP-REQ could not be built, or the server's AP-REP failed the
    /// mutual-authentication check.
    #[error("kpasswd authentication: {0}")]
    Ap(#[from] ApError),
    /// The KRB-PRIV could not be built or the server's did not verify.
    #[error("kpasswd KRB-PRIV: {0}")]
    Priv(#[from] PrivSafeError),
    /// The request or reply framing is malformed.
    #[error("kpasswd protocol error: {0}")]
    Framing(#[from] msg::KpasswdError),
    /// A message could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A message could not be decoded.
    #[error("malformed kpasswd message: {0}")]
    Decode(#[from] DecodeError),
    /// The target principal's name cannot be encoded.
    #[error("invalid principal name: {0}")]
    Name(#[from] NameError),
    /// The server's reply is longer than any kpasswd reply can be.
    #[error("kpasswd reply of {0} bytes is too long")]
    ReplyTooLong(usize),
    /// The server answered with a KRB-ERROR carrying no result.
    #[error("{text}")]
    Server {
        /// The Kerberos error code.
        code: i32,
        /// Its standard text plus the server's e-text.
        text: String,
    },
    /// The server refused the change (result code other than success).
    #[error("{}", result_line(*code, message, text.as_deref()))]
    Rejected {
        /// The raw RFC 3244 result code.
        code: u16,
        /// The code's standard text (`Password change rejected`, ...).
        message: String,
        /// The server's result string (e.g. what the policy requires).
        text: Option<String>,
    },
}

fn result_line(code: u16, message: &str, text: Option<&str>) -> String {
    let head = if message.is_empty() {
        format!("result code {code}")
    } else {
        message.to_owned()
    };
    match text {
        Some(t) => format!("{head}: {t}"),
        None => head,
    }
}

impl KpasswdError {
    fn rejected(r: &KpasswdResult) -> Self {
        KpasswdError::Rejected {
            code: r.code,
            message: r
                .result_code()
                .map(|c| c.message().to_owned())
                .unwrap_or_default(),
            text: r
                .text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        }
    }
}

/// The password-change service of `realm`, `kadmin/changepw@REALM`.
pub fn changepw_service(realm: &str) -> Principal {
    Principal::new(
        NameType::SrvInst,
        vec!["kadmin".into(), "changepw".into()],
        realm.to_owned(),
    )
}

/// Changes the password of `creds.client` to `new_password` (or, with
/// `target`, sets `target`'s password: RFC 3244 set-password, which the
/// server allows only to administrators). `creds` must be an initial
/// ticket for `kadmin/changepw`. `servers` (`host:port`) are tried in
/// order until one answers.
///
/// Returns `Ok(())` when the server reports success and
/// [`KpasswdError::Rejected`] with its result string when it refuses.
pub fn change_password(
    servers: &[String],
    creds: &Creds,
    new_password: &Password,
    target: Option<&Principal>,
) -> Result<(), KpasswdError> {
    let now = now_micros();
    let cred = creds.to_ccache_credential();
    let (ap_req, state) = build_ap_req(&cred, &ApReqOptions::default(), now)?;
    let mut out = PrivSafe::new(&state.clone().without_ap_rep());
    let (version, data) = match target {
        None => (
            KpasswdVersion::Change,
            Zeroizing::new(new_password.as_bytes().to_vec()),
        ),
        Some(t) => {
            let (n, r) = t.to_asn1()?;
            let cpd = ChangePasswdData {
                newpasswd: new_password.as_bytes().to_vec().into(),
                targname: Some(n),
                targrealm: Some(r),
            };
            (
                KpasswdVersion::SetPassword,
                Zeroizing::new(msg::encode(&cpd)?),
            )
        }
    };
    let krb_priv = out.mk_priv(&data, now)?;
    let request = Zeroizing::new(
        KpasswdRequest {
            version,
            ap_req: msg::decode(&ap_req)?,
            krb_priv: msg::decode(&krb_priv)?,
        }
        .encode()?,
    );
    if servers.is_empty() {
        return Err(KpasswdError::NoServer {
            realm: creds.client.realm.clone(),
        });
    }
    let mut last = None;
    let mut reply = None;
    for addr in servers {
        match exchange(addr, &request) {
            Ok(r) => {
                reply = Some(r);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(reply) = reply else {
        return Err(last.unwrap_or(KpasswdError::NoServer {
            realm: creds.client.realm.clone(),
        }));
    };
    let result = match KpasswdReply::decode(&reply)? {
        // A KRB-ERROR is not authenticated: whatever result it carries,
        // it never confirms a change.
        KpasswdReply::Error(e) => match e.e_data.as_ref().map(|d| KpasswdResult::decode(d)) {
            Some(Ok(r)) if r.result_code() != Some(KpasswdResultCode::Success) => r,
            _ => {
                let mut text = msg::error_code_text(e.error_code);
                if let Some(t) = &e.e_text {
                    text.push_str(": ");
                    text.push_str(&String::from_utf8_lossy(t.as_bytes()));
                }
                return Err(KpasswdError::Server {
                    code: e.error_code,
                    text,
                });
            }
        },
        KpasswdReply::Priv { ap_rep, krb_priv } => {
            let session = state.verify_ap_rep(&msg::encode(&ap_rep)?)?;
            let mut inbound = PrivSafe::new(&session);
            let plain = Zeroizing::new(inbound.rd_priv(&msg::encode(&krb_priv)?)?);
            KpasswdResult::decode(&plain)?
        }
    };
    if result.result_code() == Some(KpasswdResultCode::Success) {
        Ok(())
    } else {
        Err(KpasswdError::rejected(&result))
    }
}

/// One request/reply exchange with the kpasswd server at `addr`: TCP, or
/// UDP when the server refuses the TCP connection.
fn exchange(addr: &str, request: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    match exchange_tcp(addr, request) {
        Err(KpasswdError::Network { source, .. })
            if source.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            exchange_udp(addr, request)
        }
        other => other,
    }
}

fn net(addr: &str) -> impl Fn(std::io::Error) -> KpasswdError + '_ {
    move |source| KpasswdError::Network {
        addr: addr.to_owned(),
        source,
    }
}

/// How long a TCP connection attempt, and then each read or write, may take.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the first address of `addr` that answers within the timeout
/// (a server that drops connection attempts must not stall the caller for
/// the system's connect timeout).
fn connect(addr: &str) -> std::io::Result<TcpStream> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, IO_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address")))
}

fn exchange_tcp(addr: &str, request: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    let net = net(addr);
    let mut s = connect(addr).map_err(&net)?;
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
    let len = u32::try_from(request.len())
        .map_err(|_| KpasswdError::Framing(msg::KpasswdError::TooLong))?;
    let mut framed = Zeroizing::new(len.to_be_bytes().to_vec());
    framed.extend_from_slice(request);
    s.write_all(&framed).map_err(&net)?;
    let mut header = [0u8; 4];
    s.read_exact(&mut header).map_err(&net)?;
    let n = usize::try_from(u32::from_be_bytes(header) & 0x7fff_ffff).unwrap_or(usize::MAX);
    if n > MAX_REPLY {
        return Err(KpasswdError::ReplyTooLong(n));
    }
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).map_err(&net)?;
    Ok(buf)
}

/// The same request as one datagram, sent up to three times (one second
/// apart) until a reply arrives from the server's address.
fn exchange_udp(addr: &str, request: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    let net = net(addr);
    let server = addr
        .to_socket_addrs()
        .map_err(&net)?
        .next()
        .ok_or_else(|| net(std::io::ErrorKind::AddrNotAvailable.into()))?;
    let local: std::net::SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(local).map_err(&net)?;
    sock.connect(server).map_err(&net)?;
    sock.set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(&net)?;
    let mut buf = vec![0u8; MAX_REPLY];
    let mut last = std::io::Error::from(std::io::ErrorKind::TimedOut);
    for _ in 0..3 {
        sock.send(request).map_err(&net)?;
        match sock.recv(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(e) => last = e,
        }
    }
    Err(net(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_line_has_the_server_text() {
        let r = KpasswdResult::new(KpasswdResultCode::SoftError, "New password is too short.");
        assert_eq!(
            KpasswdError::rejected(&r).to_string(),
            "Password change rejected: New password is too short."
        );
        let r = KpasswdResult::new(KpasswdResultCode::AccessDenied, "  ");
        assert_eq!(KpasswdError::rejected(&r).to_string(), "Access denied");
        let r = KpasswdResult {
            code: 99,
            string: Vec::new(),
        };
        assert_eq!(KpasswdError::rejected(&r).to_string(), "result code 99");
    }

    #[test]
    fn changepw_service_name() {
        assert_eq!(
            changepw_service("EXAMPLE.TEST").to_string(),
            "kadmin/changepw@EXAMPLE.TEST"
        );
    }
}
