//! A TCP echo service that mutually authenticates each client with
//! Kerberos (GSS-API krb5 framing, 4-byte length-prefixed tokens) and
//! echoes every wrapped message back, wrapped.
//!
//! ```text
//! KRB5_KTNAME=service.keytab cargo run -p tessera-client --example echo_server -- \
//!     [--listen 127.0.0.1:7007] [--keytab FILE] [--service host/localhost@REALM]
//! ```
//! Without `--service` any principal in the keytab is accepted.

use std::net::TcpListener;
use std::sync::Arc;

use tessera_client::ap::{Acceptor, DEFAULT_SKEW, ReplayCache, now_micros};
use tessera_client::gss::stream::echo_serve;
use tessera_client::keytab::{Keytab, default_keytab_name};
use tessera_proto::msg::Principal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut listen = "127.0.0.1:7007".to_string();
    let mut keytab = default_keytab_name();
    let mut service: Option<Principal> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs an address")?,
            "--keytab" => keytab = args.next().ok_or("--keytab needs a path")?,
            "--service" => {
                service = Some(Principal::parse(
                    &args.next().ok_or("--service needs a name")?,
                )?)
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let kt = Keytab::load(&keytab)?;
    let acceptor = Arc::new(Acceptor::new(
        kt,
        Arc::new(ReplayCache::default()),
        DEFAULT_SKEW,
    ));
    let listener = TcpListener::bind(&listen)?;
    println!("echo_server listening on {}", listener.local_addr()?);
    for conn in listener.incoming() {
        let mut stream = match conn {
            Ok(s) => s,
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        let acceptor = Arc::clone(&acceptor);
        let service = service.clone();
        std::thread::spawn(move || {
            match echo_serve(&mut stream, &acceptor, service.as_ref(), now_micros) {
                Ok((client, n)) => println!("{client}: echoed {n} messages"),
                Err(e) => eprintln!("connection refused: {e}"),
            }
        });
    }
    Ok(())
}
