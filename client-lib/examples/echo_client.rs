//! The echo service's client: authenticates with the ticket in the
//! credential cache (mutual authentication), sends each message wrapped
//! and prints the echoes.
//!
//! ```text
//! kinit user        # KRB5CCNAME / KRB5_CONFIG as usual
//! cargo run -p tessera-client --example echo_client -- \
//!     [--connect 127.0.0.1:7007] [--service host/localhost] MESSAGE...
//! ```
//! The service ticket comes from the cache if it is there (e.g. after
//! `kvno host/localhost`), else from the KDC with the cached TGT.

use std::net::TcpStream;

use tessera_client::ap::now_micros;
use tessera_client::ccache::CcacheName;
use tessera_client::gss::stream::{echo_client, obtain_service_credential};
use tessera_client::kdc_client::{blocking, cache_principal};
use tessera_proto::msg::Principal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut connect = "127.0.0.1:7007".to_string();
    let mut service = "host/localhost".to_string();
    let mut messages = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--connect" => connect = args.next().ok_or("--connect needs an address")?,
            "--service" => service = args.next().ok_or("--service needs a name")?,
            _ => messages.push(a),
        }
    }
    if messages.is_empty() {
        messages.push("hello".to_string());
    }
    let cache = CcacheName::default_name()?;
    let mut server = Principal::parse(&service)?;
    if server.realm.is_empty() {
        let me = cache_principal(&cache).ok_or("no credential cache: run kinit first")?;
        server.realm = me.realm;
    }
    let kdc = blocking::Client::from_default_config()?;
    let cred = obtain_service_credential(&kdc, &cache, &server)?;
    let mut stream = TcpStream::connect(&connect)?;
    let msgs: Vec<&[u8]> = messages.iter().map(|m| m.as_bytes()).collect();
    let echoes = echo_client(&mut stream, &cred, &msgs, now_micros)?;
    println!("mutually authenticated with {server}");
    for e in echoes {
        println!("echo: {}", String::from_utf8_lossy(&e));
    }
    Ok(())
}
