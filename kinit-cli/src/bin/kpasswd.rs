//! kpasswd: change a password with the RFC 3244 protocol (or, with
//! `--set TARGET`, set another principal's password as an administrator).
//!
//! Gets an initial ticket for `kadmin/changepw` with the current password,
//! sends an AP-REQ plus a KRB-PRIV holding the new password to the realm's
//! `kpasswd_server` (TCP), checks the AP-REP and prints the one-line
//! result. Passwords are prompted without echo on a terminal, otherwise
//! read as lines of standard input (current, new, new again).
#![forbid(unsafe_code)]

use std::io::{BufRead, IsTerminal, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tessera_cli::CliError;
use tessera_client::ap::{ApReqOptions, build_ap_req, now_micros};
use tessera_client::kdc_client::{InitialSecret, blocking, cache_principal};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::crypto::{EncType, Key, Password, usage};
use tessera_proto::msg::time::join_unix_micros;
use tessera_proto::msg::{
    self, ApRep, ChangePasswdData, EncApRepPart, KpasswdReply, KpasswdRequest, KpasswdResult,
    KpasswdResultCode, KpasswdVersion, NameType, Principal,
};
use zeroize::Zeroizing;

/// Change a Kerberos password.
#[derive(Debug, Parser)]
#[command(name = "kpasswd")]
struct Args {
    /// Set this principal's password instead of your own (RFC 3244 set
    /// password; needs the `c` right in the KDC's ACL).
    #[arg(long = "set", value_name = "TARGET")]
    set: Option<String>,
    /// The kpasswd server HOST:PORT (default: kpasswd_server in krb5.conf).
    #[arg(short = 's', long = "server", value_name = "HOST:PORT")]
    server: Option<String>,
    /// Whose password to use (default: the cache's principal, else $USER).
    principal: Option<String>,
}

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
enum KpasswdError {
    #[error(transparent)]
    Cli(#[from] CliError),
    #[error("cannot read password: {0}")]
    Input(std::io::Error),
    #[error("end of input while reading passwords")]
    Eof,
    #[error("Password mismatch while reading password")]
    Mismatch,
    #[error("no kpasswd_server (or admin_server) for realm {0} in krb5.conf; give -s HOST:PORT")]
    NoServer(String),
    #[error("cannot reach the kpasswd server {addr}: {source}")]
    Network {
        addr: String,
        source: std::io::Error,
    },
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("{0}")]
    Result(String),
}

fn proto(e: impl std::fmt::Display) -> KpasswdError {
    KpasswdError::Protocol(e.to_string())
}

struct Input {
    tty: bool,
}

impl Input {
    fn read(&self, prompt: &str) -> Result<Zeroizing<String>, KpasswdError> {
        if self.tty {
            return rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(KpasswdError::Input);
        }
        let mut line = Zeroizing::new(String::new());
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(KpasswdError::Input)?;
        if n == 0 {
            return Err(KpasswdError::Eof);
        }
        Ok(Zeroizing::new(
            line.trim_end_matches(['\n', '\r']).to_owned(),
        ))
    }
}

/// One request/reply exchange with the kpasswd server at `addr`: over TCP
/// (RFC 3244 record marking), or over UDP when the server refuses TCP
/// connections (Heimdal's kpasswdd listens on UDP only).
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

fn exchange_tcp(addr: &str, request: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    let net = |source| KpasswdError::Network {
        addr: addr.to_owned(),
        source,
    };
    let mut s = TcpStream::connect(addr).map_err(net)?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
    let len = u32::try_from(request.len()).map_err(proto)?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(request);
    s.write_all(&framed).map_err(net)?;
    let mut header = [0u8; 4];
    s.read_exact(&mut header).map_err(net)?;
    let n = u32::from_be_bytes(header) as usize;
    if n > 65536 {
        return Err(proto("reply too long"));
    }
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).map_err(net)?;
    Ok(buf)
}

/// The same request as one datagram, sent up to three times (one second
/// apart) until a reply arrives from the server's address.
fn exchange_udp(addr: &str, request: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    let net = |source| KpasswdError::Network {
        addr: addr.to_owned(),
        source,
    };
    let server = std::net::ToSocketAddrs::to_socket_addrs(addr)
        .map_err(net)?
        .next()
        .ok_or_else(|| net(std::io::ErrorKind::AddrNotAvailable.into()))?;
    let local: std::net::SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(local).map_err(net)?;
    sock.connect(server).map_err(net)?;
    sock.set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(net)?;
    let mut buf = vec![0u8; 65536];
    let mut last = std::io::Error::from(std::io::ErrorKind::TimedOut);
    for _ in 0..3 {
        sock.send(request).map_err(net)?;
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

fn result_line(r: &KpasswdResult) -> String {
    let head = r.result_code().map_or_else(
        || format!("result code {}", r.code),
        |c| c.message().to_owned(),
    );
    match r.text().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("{head}: {t}"),
        None => head,
    }
}

fn run(args: &Args) -> Result<String, KpasswdError> {
    let client = blocking::Client::from_default_config().map_err(CliError::from)?;
    let realm = client
        .inner()
        .default_realm()
        .map_err(CliError::from)?
        .to_owned();
    let name = match &args.principal {
        Some(p) => p.clone(),
        None => match tessera_client::ccache::CcacheName::default_name()
            .ok()
            .and_then(|c| cache_principal(&c))
        {
            Some(p) => p.to_string(),
            None => std::env::var("USER").map_err(|_| CliError::NoPrincipal)?,
        },
    };
    let me = Principal::parse_with_default_realm(&name, &realm).map_err(CliError::from)?;
    let target = match &args.set {
        Some(t) => Some(Principal::parse_with_default_realm(t, &me.realm).map_err(CliError::from)?),
        None => None,
    };
    let input = Input {
        tty: std::io::stdin().is_terminal(),
    };
    let old = input.read(&format!("Password for {me}: "))?;
    let service = Principal::new(
        NameType::SrvInst,
        vec!["kadmin".into(), "changepw".into()],
        me.realm.clone(),
    );
    let mut opts = client.inner().as_options();
    opts.renew_lifetime = None;
    opts.lifetime = Duration::from_secs(300);
    let creds = client
        .get_initial(
            &me,
            Some(&service),
            &InitialSecret::Password(Password::new(old.as_str())),
            &opts,
        )
        .map_err(CliError::from)?;
    let new1 = input.read("Enter new password: ")?;
    let new2 = input.read("Enter it again: ")?;
    if new1 != new2 {
        return Err(KpasswdError::Mismatch);
    }

    let now = now_micros();
    let cred = creds.to_ccache_credential();
    let (ap_req, state) = build_ap_req(&cred, &ApReqOptions::default(), now).map_err(proto)?;
    let session = state.without_ap_rep();
    let mut out = PrivSafe::new(&session);
    let (version, data) = match &target {
        None => (
            KpasswdVersion::Change,
            Zeroizing::new(new1.as_bytes().to_vec()),
        ),
        Some(t) => {
            let (n, r) = t.to_asn1().map_err(proto)?;
            let cpd = ChangePasswdData {
                newpasswd: new1.as_bytes().to_vec().into(),
                targname: Some(n),
                targrealm: Some(r),
            };
            (
                KpasswdVersion::SetPassword,
                Zeroizing::new(msg::encode(&cpd).map_err(proto)?),
            )
        }
    };
    let krb_priv = out.mk_priv(&data, now).map_err(proto)?;
    let request = KpasswdRequest {
        version,
        ap_req: msg::decode(&ap_req).map_err(proto)?,
        krb_priv: msg::decode(&krb_priv).map_err(proto)?,
    }
    .encode()
    .map_err(proto)?;

    let addrs: Vec<String> = match &args.server {
        Some(s) => vec![s.clone()],
        None => client
            .inner()
            .config()
            .kpasswd_addresses(&me.realm)
            .into_iter()
            .map(|(h, p)| {
                if h.contains(':') {
                    format!("[{h}]:{p}")
                } else {
                    format!("{h}:{p}")
                }
            })
            .collect(),
    };
    if addrs.is_empty() {
        return Err(KpasswdError::NoServer(me.realm.clone()));
    }
    let mut last = None;
    let mut reply = None;
    for a in &addrs {
        match exchange(a, &request) {
            Ok(r) => {
                reply = Some(r);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let reply = match reply {
        Some(r) => r,
        None => return Err(last.unwrap_or(KpasswdError::NoServer(me.realm.clone()))),
    };
    let result = match KpasswdReply::decode(&reply).map_err(proto)? {
        KpasswdReply::Error(e) => match e.e_data.as_ref().map(|d| KpasswdResult::decode(d)) {
            Some(Ok(r)) => r,
            _ => {
                let mut text = msg::error_code_text(e.error_code);
                if let Some(t) = &e.e_text {
                    text.push_str(": ");
                    text.push_str(&String::from_utf8_lossy(t.as_bytes()));
                }
                return Err(KpasswdError::Result(text));
            }
        },
        KpasswdReply::Priv { ap_rep, krb_priv } => {
            let session = check_ap_rep(&ap_rep, session, now)?;
            let mut inbound = PrivSafe::new(&session);
            let bytes = msg::encode(&krb_priv).map_err(proto)?;
            let plain = Zeroizing::new(inbound.rd_priv(&bytes).map_err(proto)?);
            KpasswdResult::decode(&plain).map_err(proto)?
        }
    };
    if result.result_code() == Some(KpasswdResultCode::Success) {
        Ok(match &target {
            None => "Password changed.".to_owned(),
            Some(t) => format!("Password for {t} set."),
        })
    } else {
        Err(KpasswdError::Result(result_line(&result)))
    }
}

/// Checks the server's AP-REP (it must echo our authenticator time) and
/// takes its sequence number and subkey.
fn check_ap_rep(
    rep: &ApRep,
    mut session: tessera_client::ap::ApSession,
    ctime_micros: i64,
) -> Result<tessera_client::ap::ApSession, KpasswdError> {
    let plain = Zeroizing::new(
        session
            .session_key
            .decrypt(usage::AP_REP_ENC_PART, &rep.enc_part.cipher)
            .map_err(|_| proto("AP-REP does not decrypt: the server is not who it claims"))?,
    );
    let part: EncApRepPart = msg::decode(&plain).map_err(proto)?;
    if join_unix_micros(&part.ctime, &part.cusec).map_err(proto)? != ctime_micros {
        return Err(proto("mutual authentication failed: AP-REP time mismatch"));
    }
    if let Some(k) = &part.subkey {
        let et = EncType::from_i32(k.r#type).ok_or_else(|| proto("unknown subkey enctype"))?;
        session.acceptor_subkey = Some(Key::from_bytes(et, &k.value).map_err(proto)?);
    }
    session.acceptor_seq = part.seq_number.unwrap_or(session.initiator_seq);
    session.mutual = true;
    Ok(session)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kpasswd: {e}");
            ExitCode::from(1)
        }
    }
}
