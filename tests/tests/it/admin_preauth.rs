//! The remote admin service before authentication, over real sockets: one
//! address (127.0.0.2) holding its maximum of idle connections cannot keep
//! a real administrator on another (127.0.0.1) out; its next connection is
//! closed at once; the idle ones are closed by the server after the
//! pre-authentication timeout (1 s here, set through `AdminLimits` as
//! `[admin] preauth_timeout` does); a first frame larger than the
//! pre-authentication limit is refused from its header alone (the server
//! closes though the body never comes and its timeout is 300 s).

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{Client, InitialSecret, blocking};
use tessera_kdc::admin::{AdminRequest, AdminResponse, AdminService};
use tessera_kdc::admin_server::{
    AdminLimits, AdminServer, RemoteAdmin, ensure_service_principals, service_creds,
};
use tessera_kdc::db::PrincipalStore;
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;
use tessera_tests::realm::{RealmOptions, TestRealm};
use tokio_util::sync::CancellationToken;

const PER_PEER: usize = 3;

/// Serves `admin` with `limits` on 127.0.0.1 from a runtime of its own.
pub(crate) fn serve(
    admin: Arc<AdminService>,
    limits: AdminLimits,
) -> (SocketAddr, CancellationToken) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let token = CancellationToken::new();
    let t = token.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            let server =
                Arc::new(AdminServer::new(admin, Duration::from_secs(300)).with_limits(limits));
            server.run(vec![l], t).await;
        });
    });
    (addr, token)
}

/// A connection to `addr` from source address `from`.
fn connect_from(from: &str, addr: SocketAddr) -> std::net::TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind(format!("{from}:0").parse().unwrap()).unwrap();
        sock.connect(addr).await.unwrap()
    });
    let s = s.into_std().unwrap();
    s.set_nonblocking(false).unwrap();
    // A guard against a hang only; no assertion depends on it.
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// Reads until the server closes; true at EOF (or reset), false if the
/// guard timeout ran out with the connection still open.
fn closed_by_server(s: &mut std::net::TcpStream) -> bool {
    let mut buf = [0u8; 64];
    for _ in 0..1000 {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
    false
}

pub(crate) fn admin_service(realm: &TestRealm) -> Arc<AdminService> {
    let store: Arc<dyn PrincipalStore> = Arc::clone(&realm.store) as Arc<dyn PrincipalStore>;
    ensure_service_principals(store.as_ref(), &realm.dev.config, SystemTime::now()).unwrap();
    Arc::new(AdminService::from_config(store, &realm.dev.config))
}

pub(crate) fn admin_creds(realm: &TestRealm) -> tessera_client::kdc_client::Creds {
    let conf = Krb5Conf::load(realm.dev.krb5_conf()).unwrap();
    let client = blocking::Client::new(Client::new(conf)).unwrap();
    let pw = std::fs::read_to_string(realm.dev.admin_password()).unwrap();
    let me = Principal::parse(&realm.dev.principal("admin/admin")).unwrap();
    service_creds(
        &client,
        &me,
        &InitialSecret::Password(Password::from(pw.trim_end_matches('\n'))),
    )
    .unwrap()
}

#[test]
fn idle_connections_from_one_address_neither_starve_others_nor_stay() {
    let realm = TestRealm::start(RealmOptions::default());
    let limits = AdminLimits {
        preauth_timeout: Duration::from_secs(1),
        max_unauthenticated_per_peer: PER_PEER,
        ..AdminLimits::default()
    };
    let (addr, token) = serve(admin_service(&realm), limits);
    let creds = admin_creds(&realm);

    // The attacker's address holds its maximum of connections that send
    // nothing, and one more that sends a byte of a header.
    let mut idle: Vec<_> = (0..PER_PEER)
        .map(|_| connect_from("127.0.0.2", addr))
        .collect();
    std::io::Write::write_all(&mut idle[0], &[0]).unwrap();
    // One more from the same address is closed at accept.
    let mut extra = connect_from("127.0.0.2", addr);
    assert!(
        closed_by_server(&mut extra),
        "connection over the per-address limit stayed open"
    );

    // A real administrator from another address gets in meanwhile, and
    // after authentication is not held to the pre-authentication timeout.
    let remote = RemoteAdmin::connect(&addr.to_string(), &creds).unwrap();
    let r = remote.call(&AdminRequest::ListPrincipals {
        glob: Some("admin/*".into()),
    });
    assert!(
        matches!(r, Ok(AdminResponse::Names { ref names }) if names.contains(&realm.dev.principal("admin/admin"))),
        "{r:?}"
    );

    // The idle connections are closed by the server (pre-auth timeout).
    for s in &mut idle {
        assert!(
            closed_by_server(s),
            "idle unauthenticated connection not closed"
        );
    }
    // The authenticated one is still served.
    let r = remote.call(&AdminRequest::GetPrivileges);
    assert!(r.is_ok(), "{r:?}");
    // The address's slots are free again.
    let _again: Vec<_> = (0..PER_PEER)
        .map(|_| connect_from("127.0.0.2", addr))
        .collect();
    token.cancel();
}

#[test]
fn an_oversized_first_frame_is_refused_from_its_header() {
    let realm = TestRealm::start(RealmOptions::default());
    // A long timeout: if the server waited for the body, the connection
    // would stay open far beyond the client's guard.
    let limits = AdminLimits {
        preauth_timeout: Duration::from_secs(300),
        ..AdminLimits::default()
    };
    let max = limits.preauth_max_frame;
    let (addr, token) = serve(admin_service(&realm), limits);
    let mut s = connect_from("127.0.0.1", addr);
    let len = u32::try_from(max + 1).unwrap();
    std::io::Write::write_all(&mut s, &len.to_be_bytes()).unwrap();
    assert!(
        closed_by_server(&mut s),
        "oversized first frame not refused"
    );

    // A real AP-REQ fits the limit; record its size.
    let creds = admin_creds(&realm);
    let cred = creds.to_ccache_credential();
    let (ap_req, _) = tessera_client::ap::build_ap_req(
        &cred,
        &tessera_client::ap::ApReqOptions::default(),
        tessera_client::ap::now_micros(),
    )
    .unwrap();
    eprintln!("our kadmin's AP-REQ: {} bytes (limit {max})", ap_req.len());
    assert!(ap_req.len() < max);
    RemoteAdmin::connect(&addr.to_string(), &creds).unwrap();
    token.cancel();
}
