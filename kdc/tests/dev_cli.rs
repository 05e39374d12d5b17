//! The `tessera-kdc dev` binary: creates the realm, prints the export line,
//! serves until SIGTERM, and reuses the realm on the next start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tessera-kdc");

fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port")
}

/// Starts `tessera-kdc dev` and returns it with the stdout lines printed up
/// to the export line.
fn start(dir: &Path, port: u16) -> (Child, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(["dev", "--dir"])
        .arg(dir)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !lines
        .iter()
        .any(|l: &String| l.starts_with("export KRB5_CONFIG="))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => {
                let _ = child.kill();
                panic!("no export line from tessera-kdc dev: {lines:?}");
            }
        }
    }
    (child, lines)
}

fn sigterm(mut child: Child) {
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "dev exited with {s}");
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "dev ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The README's flow with MIT's tools, when they are installed (required
/// under `CI=true`).
fn mit_kinit_kvno(dir: &Path) {
    if !Path::new("/usr/bin/kinit").exists() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0"),
            "MIT Kerberos tools missing under CI (run ./scripts/test)"
        );
        eprintln!("SKIPPING the MIT part: /usr/bin/kinit missing");
        return;
    }
    let env = [
        ("KRB5_CONFIG", dir.join("krb5.conf")),
        ("KRB5CCNAME", dir.join("ccache")),
    ];
    let run = |prog: &str, args: &[&str], stdin: Option<&Path>| {
        let mut cmd = Command::new(prog);
        cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
            None => Stdio::null(),
        });
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{prog} {args:?}: {text}{err}");
        text
    };
    // kinit user < DIR/user.password, exactly as the how-to says.
    run(
        "/usr/bin/kinit",
        &["user"],
        Some(&dir.join("user.password")),
    );
    let out = run("/usr/bin/klist", &[], None);
    assert!(out.contains("krbtgt/TESSERA.TEST@TESSERA.TEST"), "{out}");
    let kt = dir.join("service.keytab");
    let out = run(
        "/usr/bin/kvno",
        &["-k", kt.to_str().unwrap(), "host/localhost"],
        None,
    );
    assert!(out.contains("keytab entry valid"), "{out}");
}

#[test]
fn dev_creates_serves_and_reuses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dev-realm");
    let port = free_port();
    let (child, lines) = start(&dir, port);
    let abs = std::fs::canonicalize(&dir).unwrap();
    let export = format!("export KRB5_CONFIG={}/krb5.conf", abs.display());
    assert!(lines.contains(&export), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("(created)")), "{lines:?}");
    // Both transports are bound on the port while it runs.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    assert!(std::net::UdpSocket::bind(("127.0.0.1", port)).is_err());
    for f in [
        "kdc.toml",
        "krb5.conf",
        "user.password",
        "admin.password",
        "service.keytab",
    ] {
        assert!(abs.join(f).exists(), "{f} missing");
    }
    let password = std::fs::read(abs.join("user.password")).unwrap();
    mit_kinit_kvno(&abs);
    sigterm(child);

    // Second start: reused, same password, new port written.
    let port2 = free_port();
    let (child, lines) = start(&dir, port2);
    assert!(lines.iter().any(|l| l.contains("reused")), "{lines:?}");
    assert_eq!(std::fs::read(abs.join("user.password")).unwrap(), password);
    let krb5 = std::fs::read_to_string(abs.join("krb5.conf")).unwrap();
    assert!(krb5.contains(&format!("127.0.0.1:{port2}")), "{krb5}");
    sigterm(child);

    // `serve --config DIR/kdc.toml` serves the same realm.
    let mut serve = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(abs.join("kdc.toml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port2)).is_err() {
        if t0.elapsed() > Duration::from_secs(30) || serve.try_wait().unwrap().is_some() {
            let _ = serve.kill();
            panic!("serve --config DIR/kdc.toml did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    sigterm(serve);
}
