//! The example echo service and client (client-lib/examples) as built
//! programs against the development realm of our KDC: MIT's kinit gets the
//! TGT, the client asks our KDC for the service ticket itself, both sides
//! authenticate each other and echo protected messages.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use tessera_tests::mit::{free_port, require_mit, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

/// `target/<profile>/examples/NAME`, built by `cargo test --workspace`.
fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("examples").join(name);
    if path.exists() {
        return Some(path);
    }
    let msg = format!(
        "example {name} not built at {}; run cargo test --workspace",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{msg}");
    }
    eprintln!("SKIPPING: {msg}");
    None
}

#[test]
fn echo_example_programs_against_the_dev_realm() {
    if !require_mit() {
        return;
    }
    let (Some(server), Some(client)) = (example("echo_server"), example("echo_client")) else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    assert!(realm.kinit_user(&[]).ok);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut srv = Command::new(&server)
        .args(["--listen", &listen, "--keytab"])
        .arg(realm.dev.service_keytab())
        .envs(realm.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(srv.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("listening"), "{first}");

    let r = run(
        client.to_str().unwrap(),
        &[
            "--connect",
            &listen,
            "--service",
            "host/localhost",
            "hello",
            "world",
        ],
        &realm.env(),
        None,
    );
    let served = lines.next().unwrap().unwrap();
    let _ = srv.kill();
    let _ = srv.wait();
    assert!(r.ok, "echo_client failed: {r:?}");
    assert!(
        r.stdout.contains(&format!(
            "mutually authenticated with host/localhost@{}",
            realm.realm()
        )),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("echo: hello") && r.stdout.contains("echo: world"),
        "{r:?}"
    );
    assert_eq!(served, format!("user@{}: echoed 2 messages", realm.realm()));
    // The client fetched the service ticket from our KDC into the cache.
    let r = realm.mit("klist", &[], None);
    assert!(r.stdout.contains("host/localhost@"), "{r:?}");
}
