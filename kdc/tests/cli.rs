//! The `tessera-kdc` binary: init, serve, SIGTERM, one-line errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tessera-kdc");

fn write_config(dir: &Path, db_extra: &str) -> std::path::PathBuf {
    let p = dir.join("kdc.toml");
    std::fs::write(
        &p,
        format!(
            r#"realm = "CLI.TEST"
[network]
udp_listen = ["127.0.0.1:0"]
tcp_listen = ["127.0.0.1:0"]
[database]
dir = "data"
{db_extra}
"#
        ),
    )
    .unwrap();
    p
}

/// `tessera-kdc SUBCOMMAND --config CFG`, run to completion.
fn kdc(subcommand: &str, cfg: &Path) -> std::process::Output {
    Command::new(BIN)
        .args([subcommand, "--config"])
        .arg(cfg)
        .output()
        .unwrap()
}

#[test]
fn init_then_serve_then_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), r#"master_key_file = "master.key""#);
    let out = kdc("init", &cfg);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("krbtgt/CLI.TEST@CLI.TEST"), "{stdout}");

    let out = kdc("init", &cfg);
    assert!(!out.status.success());

    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "serve exited early");
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    assert!(
        err.contains("SIGTERM") && err.contains("database opened"),
        "{err}"
    );
}

#[test]
fn serve_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // Invalid configuration.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "realm = \"\"\n[database]\ndir = \"d\"\nmaster_key_file = \"k\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml: realm: must not be empty"), "{err}");

    // Not initialized.
    let cfg = write_config(dir.path(), r#"master_key_file = "master.key""#);
    let out = kdc("serve", &cfg);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("run `tessera-kdc init` first"),
        "{err}"
    );
}

#[test]
fn env_master_key_right_and_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let var = "TESSERA_CLI_TEST_MKEY";
    let cfg = write_config(dir.path(), &format!(r#"master_key_env = "{var}""#));
    let good = "11".repeat(32);
    let out = Command::new(BIN)
        .args(["init", "--config"])
        .arg(&cfg)
        .env(var, &good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .env(var, "22".repeat(32))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        err.trim_end(),
        "tessera-kdc: wrong master key for realm CLI.TEST"
    );

    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .env_remove(var)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        format!("tessera-kdc: master key environment variable {var} is not set")
    );
}

#[test]
fn missing_stash_on_an_existing_database_says_restore_from_backup() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), r#"master_key_file = "master.key""#);
    let out = kdc("init", &cfg);
    assert!(out.status.success());
    std::fs::remove_file(dir.path().join("master.key")).unwrap();
    let out = kdc("serve", &cfg);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("master.key is missing")
            && err.contains("cannot be decrypted without it")
            && err.contains("restore the stash file from backup"),
        "{err}"
    );
    assert!(!err.contains("init"), "{err}");
    // The database itself gone too: back to "run init".
    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    let out = kdc("serve", &cfg);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run `tessera-kdc init` first"), "{err}");
}

/// Text logs to a pipe: no ANSI colour codes, and listening addresses as
/// plain `ip:port`.
#[test]
fn text_logs_to_a_pipe_are_plain() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), r#"master_key_file = "master.key""#);
    let extra = "[kpasswd]\nlisten = []\n[admin]\nlisten = []\n";
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}{extra}")).unwrap();
    let out = kdc("init", &cfg);
    assert!(out.status.success());
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lines.iter().any(|l: &String| l.contains("serving TCP"))
        || !lines.iter().any(|l: &String| l.contains("serving UDP"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => {
                let _ = child.kill();
                panic!("serve did not start: {lines:?}");
            }
        }
    }
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    assert!(child.wait().unwrap().success());
    lines.extend(rx.iter());
    let all = lines.join("\n");
    assert!(!all.contains('\x1b'), "ANSI escape in piped logs: {all:?}");
    assert!(!all.contains("Some("), "{all}");
    let tcp = lines.iter().find(|l| l.contains("serving TCP")).unwrap();
    let addr = tcp.split("addr=").nth(1).unwrap_or_default();
    assert!(
        addr.starts_with("127.0.0.1:") && addr[10..].chars().all(|c| c.is_ascii_digit()),
        "{tcp}"
    );
    assert!(all.contains("TCP stopped addr=127.0.0.1:"), "{all}");
}
