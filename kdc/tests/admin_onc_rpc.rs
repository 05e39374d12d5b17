//! An ONC RPC client (MIT's kadmin) on the admin port: every call is
//! answered with PROG_UNAVAIL under its xid, on the same connection, and
//! the server logs at info level what connected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use admin_common::Realm;
use tessera_kdc::admin::AdminService;
use tessera_kdc::admin_server::AdminServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A record-marked RPCSEC_GSS call to program 2112 version 2 (the shape
/// of MIT kadmin's first message), padded to `len` body bytes.
fn rpc_call(xid: u32, len: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for w in [xid, 0, 2, 2112, 2, 0, 6] {
        body.extend_from_slice(&u32::to_be_bytes(w));
    }
    body.resize(len, 0);
    let mut out = (0x8000_0000u32 | len as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

async fn read_reply(s: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut header = [0u8; 4];
    s.read_exact(&mut header).await.unwrap();
    let len = (u32::from_be_bytes(header) & 0x7fff_ffff) as usize;
    assert_eq!(header[0] & 0x80, 0x80, "last-fragment bit");
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    body
}

#[test]
fn mit_kadmin_calls_get_prog_unavail_and_an_info_log() {
    let r = Realm::new("");
    let admin = Arc::new(AdminService::from_config(Arc::new(r.store()), &r.config));
    let server = Arc::new(AdminServer::new(admin, Duration::from_secs(300)));
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(Arc::clone(&server).run(vec![listener], shutdown.clone()));
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        // Two calls on one connection, as MIT's kadmin makes (RPCSEC_GSS,
        // then its older AUTH_GSSAPI).
        for xid in [0x6a0a_8a91u32, 0x1234_5678] {
            s.write_all(&rpc_call(xid, 0x280)).await.unwrap();
            let body = read_reply(&mut s).await;
            let words: Vec<u32> = body
                .chunks(4)
                .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
                .collect();
            // xid, REPLY, MSG_ACCEPTED, null verifier, PROG_UNAVAIL.
            assert_eq!(words, vec![xid, 1, 0, 0, 0, 1]);
        }
        drop(s);
        // Our own protocol still works on the next connection: a garbage
        // AP-REQ gets a KRB-ERROR frame, not an RPC reply.
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(&[0, 0, 0, 2, 0x30, 0x00]).await.unwrap();
        let mut header = [0u8; 4];
        let n = s.read(&mut header).await.unwrap();
        assert!(n == 0 || header[0] & 0x80 == 0, "{header:?}");
        drop(s);
        shutdown.cancel();
        task.await.unwrap();
    });
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("an ONC RPC client connected"))
        .unwrap_or_else(|| panic!("no info line in:\n{text}"));
    assert!(line.contains(" INFO "), "{line}");
    assert!(line.contains("peer=127.0.0.1:"), "{line}");
    assert!(line.contains("program=2112"), "{line}");
    assert!(line.contains("mit_kadmin=true"), "{line}");
    assert_eq!(
        text.matches("an ONC RPC client connected").count(),
        1,
        "one line per connection:\n{text}"
    );
}
